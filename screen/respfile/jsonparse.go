package respfile

import (
	"strconv"

	"github.com/painscreen/painscreen/screen"
)

// problem is a problem found while parsing one record held in memory, at a byte offset of that record.
// It becomes an *Error once the offset is mapped to a line and column.
type problem struct {
	off        int
	code       string
	msg        string
	inst, item string
}

// jparser parses one JSON record held whole in memory (a JSONL line or a JSON array element) into a
// screen.Response. It is hand-written for speed: it makes no copies of the input except the strings it keeps,
// and it looks keys up in the decoder's interner so that repeated ids do not allocate.
//
// A problem with the data is recorded (the one at the smallest offset wins) and parsing goes on, so that
// a later syntax error is still found; a syntax error or too_deep aborts the parse.
type jparser struct {
	b       []byte
	i       int
	lim     *Limits
	in      *interner
	depth   int
	answers int // answers seen so far, null ones included
	given   int // non-null answers seen so far

	prob    problem // the first problem found (by offset); valid when hasProb
	hasProb bool
	abort   bool // prob is a syntax or too_deep error: the parse stopped

	scratch []byte // unescaped strings

	// Records of one file mostly have the same keys in the same order: keySeq[i] is the i-th key of the
	// previous record, tried before the interner's map.
	keySeq []string
	nKey   int
	// sizeSeq[i] is the number of answers of the i-th instrument of the previous record.
	sizeSeq []int
	nInst   int

	// Recycled memory (Decoder.Recycle): response sets whose maps the next records are read into, and
	// the spare answer maps of the ones being reused. Every map taken from here is emptied first.
	free     []*screen.Response
	freeMaps []map[string]any
	// spareAnswers and spareCtx are the emptied outer maps of the response set being read, when recycled.
	spareAnswers map[string]map[string]any
	spareCtx     map[string]any
	// instKeys holds the item keys of the instrument being read (duplicate answers).
	instKeys []string
}

// maxLinearKeys is how many item keys of an instrument are checked for duplicates one by one.
const maxLinearKeys = 16

const maxKeySeq = 4096

// internKey returns key bytes as an interned string.
func (p *jparser) internKey(b []byte) string {
	i := p.nKey
	p.nKey++
	if i < len(p.keySeq) && p.keySeq[i] == string(b) {
		return p.keySeq[i]
	}
	s := p.in.bytes(b)
	switch {
	case i < len(p.keySeq):
		p.keySeq[i] = s
	case i == len(p.keySeq) && i < maxKeySeq:
		p.keySeq = append(p.keySeq, s)
	}
	return s
}

// reset prepares p to parse b.
func (p *jparser) reset(b []byte) {
	p.b = b
	p.i = 0
	p.depth = 0
	p.answers = 0
	p.given = 0
	p.nKey = 0
	p.nInst = 0
	p.hasProb = false
	p.abort = false
	p.prob = problem{}
}

// fail records a problem with the data at off, unless an earlier one is already recorded.
func (p *jparser) fail(off int, code, msg, inst, item string) {
	if p.abort || (p.hasProb && p.prob.off <= off) {
		return
	}
	p.prob = problem{off: off, code: code, msg: msg, inst: inst, item: item}
	p.hasProb = true
}

// syntax records a syntax error at off, replacing any other problem, and stops the parse.
func (p *jparser) syntax(off int, msg string) bool {
	if !p.abort {
		p.prob = problem{off: off, code: CodeSyntax, msg: "syntax error: " + msg}
		p.hasProb = true
		p.abort = true
	}
	return false
}

func (p *jparser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// expect consumes byte c (after whitespace) or reports a syntax error.
func (p *jparser) expect(c byte, msg string) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return p.syntax(p.i, p.unexpected(msg))
}

// colon consumes the ':' after an object key, and the white space after it.
func (p *jparser) colon() bool {
	if p.i < len(p.b) && p.b[p.i] == ':' { // the common, compact case
		p.i++
	} else if !p.expect(':', "expected ':' after an object key") {
		return false
	}
	p.ws()
	return true
}

// unexpected says what was found instead of what msg says was expected.
func (p *jparser) unexpected(msg string) string {
	if p.i >= len(p.b) {
		return "unexpected end of input, " + msg
	}
	return "unexpected character, " + msg
}

// parseRecord parses the whole buffer as one record. It returns the response, or nil with p.prob set.
func (p *jparser) parseRecord() *screen.Response {
	p.ws()
	resp := p.parseValue()
	if p.abort {
		return nil
	}
	p.ws()
	if p.i < len(p.b) {
		p.syntax(p.i, "unexpected data after the record's closing brace")
		return nil
	}
	if p.hasProb {
		return nil
	}
	return resp
}

// parseValue parses one record value at p.i and stops after it. It returns the response, or nil when the
// value is not a usable record (p.prob says why).
func (p *jparser) parseValue() *screen.Response {
	start := p.i
	if p.i >= len(p.b) {
		p.syntax(p.i, "unexpected end of input, expected a JSON object")
		return nil
	}
	if p.b[p.i] != '{' {
		kind := p.kindAt()
		if !p.skipValue() {
			return nil
		}
		p.fail(start, CodeWrongType, "record: expected an object, got "+kind, "", "")
		return nil
	}
	resp := p.object(start)
	if p.abort || p.hasProb {
		return nil
	}
	return resp
}

// object parses the record object starting at p.i == start.
func (p *jparser) object(start int) *screen.Response {
	p.i++ // '{'
	p.depth = 1
	resp := p.newResponse()
	var seenSubject, seenContext, seenAnswers, seenDate bool
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
	} else {
		for {
			p.ws()
			keyOff := p.i
			key, ok := p.key("", "")
			if !ok || !p.colon() {
				return nil
			}
			p.ws()
			p.depth = 1
			switch string(key) {
			case "subject":
				if seenSubject {
					p.fail(keyOff, CodeDuplicateKey, "subject: duplicate key", "", "")
				}
				seenSubject = true
				ok = p.subject(resp)
			case "date":
				if seenDate {
					p.fail(keyOff, CodeDuplicateKey, "date: duplicate key", "", "")
				}
				seenDate = true
				ok = p.date(resp)
			case "context":
				if seenContext {
					p.fail(keyOff, CodeDuplicateKey, "context: duplicate key", "", "")
				}
				seenContext = true
				ok = p.context(resp)
			case "answers":
				if seenAnswers {
					p.fail(keyOff, CodeDuplicateKey, "answers: duplicate key", "", "")
				}
				seenAnswers = true
				ok = p.answersValue(resp)
			default:
				p.fail(keyOff, CodeUnknownField,
					showKey(string(key))+": unknown field (a record has only subject, date, context and answers)", "", "")
				ok = p.skipValue()
			}
			if !ok {
				return nil
			}
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == '}' {
				p.i++
				break
			}
			p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
			return nil
		}
	}
	if !seenAnswers && !p.hasProb {
		p.fail(start, CodeMissingField, "answers: missing (a record needs at least one answer)", "", "")
	}
	return resp
}

// kindAt names the JSON type of the value starting at p.i, for messages.
func (p *jparser) kindAt() string {
	if p.i >= len(p.b) {
		return "nothing"
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

func (p *jparser) isNull() bool {
	return p.i < len(p.b) && p.b[p.i] == 'n'
}

// date parses the date value: a string (an ISO 8601 calendar date, which follow-up checks), or null.
func (p *jparser) date(resp *screen.Response) bool {
	if p.i < len(p.b) && p.b[p.i] == '"' {
		if raw, ok := p.stringBytes("date", "", ""); ok {
			resp.Date = dateOfDateTime(string(raw))
		}
		return !p.abort
	}
	if p.isNull() {
		return p.literal("null")
	}
	off := p.i
	kind := p.kindAt()
	if !p.skipValue() {
		return false
	}
	p.fail(off, CodeWrongType, "date: expected a string (YYYY-MM-DD), got "+kind, "", "")
	return true
}

// subject parses the subject value: a string, or null for none.
func (p *jparser) subject(resp *screen.Response) bool {
	if p.i < len(p.b) && p.b[p.i] == '"' {
		if raw, ok := p.stringBytes("subject", "", ""); ok {
			resp.Subject = string(raw) // subject ids do not repeat: not interned
		}
		return !p.abort
	}
	if p.isNull() {
		return p.literal("null")
	}
	off := p.i
	kind := p.kindAt()
	if !p.skipValue() {
		return false
	}
	p.fail(off, CodeWrongType, "subject: expected a string, got "+kind, "", "")
	return true
}

// context parses the context value: an object of integers, strings and nulls, or null for none.
func (p *jparser) context(resp *screen.Response) bool {
	off := p.i
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		if p.isNull() {
			return p.literal("null")
		}
		kind := p.kindAt()
		if !p.skipValue() {
			return false
		}
		p.fail(off, CodeWrongType, "context: expected an object, got "+kind, "", "")
		return true
	}
	p.i++
	p.depth = 2
	defer func() { p.depth = 1 }()
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return true
	}
	for {
		p.ws()
		keyOff := p.i
		kb, ok := p.key("context", "")
		if !ok || !p.colon() {
			return false
		}
		p.ws()
		k := p.internKey(kb)
		if k == "" {
			p.fail(keyOff, CodeEmptyKey, "context: empty key", "", "")
		}
		v, ok := p.scalar("context", k, "")
		if !ok {
			return false
		}
		if resp.Context == nil {
			resp.Context = p.spareCtx
			p.spareCtx = nil
			if resp.Context == nil {
				resp.Context = make(map[string]any, 4)
			}
		}
		n := len(resp.Context)
		resp.Context[k] = v
		if len(resp.Context) == n {
			p.fail(keyOff, CodeDuplicateKey, path("context", k)+": duplicate key", "", "")
		}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return true
		}
		return p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
	}
}

// answersValue parses the answers object: instrument key -> object of answers.
func (p *jparser) answersValue(resp *screen.Response) bool {
	off := p.i
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		kind := p.kindAt()
		if !p.skipValue() {
			return false
		}
		p.fail(off, CodeWrongType, "answers: expected an object, got "+kind, "", "")
		return true
	}
	p.i++
	p.depth = 2
	defer func() { p.depth = 1 }()
	resp.Answers = p.spareAnswers
	p.spareAnswers = nil
	if resp.Answers == nil {
		resp.Answers = make(map[string]map[string]any, 8)
	}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		p.fail(off, CodeEmpty, "answers: no instruments (a record needs at least one answer)", "", "")
		return true
	}
	for {
		p.ws()
		keyOff := p.i
		kb, ok := p.key("answers", "")
		if !ok || !p.colon() {
			return false
		}
		p.ws()
		p.depth = 2
		inst := p.internKey(kb)
		if inst == "" {
			p.fail(keyOff, CodeEmptyKey, "answers: empty instrument key", "", "")
		}
		if _, dup := resp.Answers[inst]; dup {
			p.fail(keyOff, CodeDuplicateKey, path("answers", inst)+": duplicate instrument", inst, "")
		}
		m, ok := p.instrument(inst)
		if !ok {
			return false
		}
		if m != nil {
			resp.Answers[inst] = m
		}
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			break
		}
		return p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
	}
	if p.given == 0 && !p.hasProb { // only when nothing else is wrong: a bad answer is not "no answer"
		p.fail(off, CodeEmpty, "answers: no answers (every instrument is empty or all its answers are null)", "", "")
	}
	return true
}

// instrument parses one instrument's answers object.
func (p *jparser) instrument(inst string) (map[string]any, bool) {
	off := p.i
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		kind := p.kindAt()
		if !p.skipValue() {
			return nil, false
		}
		p.fail(off, CodeWrongType, path("answers", inst)+": expected an object of answers, got "+kind, inst, "")
		return nil, true
	}
	p.i++
	p.depth = 3
	defer func() { p.depth = 2 }()
	// The map is sized from the same instrument of the previous record: records of a file mostly have
	// the same shape. A wrong guess only costs a map growth.
	ord := p.nInst
	p.nInst++
	size := 8
	if ord < len(p.sizeSeq) {
		size = p.sizeSeq[ord]
	}
	m := p.answerMap(size)
	keys := p.instKeys[:0]
	defer func() { p.instKeys = keys[:0] }()
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		p.ws()
		keyOff := p.i
		kb, ok := p.key("answers", inst)
		if !ok || !p.colon() {
			return nil, false
		}
		p.ws()
		item := p.internKey(kb)
		if item == "" {
			p.fail(keyOff, CodeEmptyKey, path("answers", inst)+": empty item id", inst, "")
		}
		p.answers++
		if p.answers == p.lim.MaxAnswers+1 {
			p.fail(keyOff, CodeTooLarge, "answers: more than "+strconv.Itoa(p.lim.MaxAnswers)+" answers", inst, item)
		}
		v, ok := p.scalar("answers", inst, item)
		if !ok {
			return nil, false
		}
		if v != nil {
			p.given++
		}
		// Is the item answered twice? The first keys of an instrument are checked against each other (as
		// cheap as one map lookup would be), the rest in the map.
		var dup bool
		if len(keys) < maxLinearKeys {
			for _, k := range keys {
				if k == item {
					dup = true
					break
				}
			}
			if !dup {
				keys = append(keys, item)
			}
		} else {
			_, dup = m[item]
		}
		if dup {
			// The item answered twice: both answers are kept, as a list (conflicting answers, an error
			// of that item that still surfaces a flag one of them fires), never "last one wins".
			v = appendAnswer(m[item], v)
		}
		m[item] = v
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			break
		}
		return nil, p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
	}
	switch {
	case ord < len(p.sizeSeq):
		p.sizeSeq[ord] = len(m)
	case ord == len(p.sizeSeq) && ord < maxKeySeq:
		p.sizeSeq = append(p.sizeSeq, len(m))
	}
	return m, true
}
