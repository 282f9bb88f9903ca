package respfile

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

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
}

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
	resp := &screen.Response{}
	var seenSubject, seenContext, seenAnswers bool
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
					showKey(string(key))+": unknown field (a record has only subject, context and answers)", "", "")
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
		v, ok := p.scalar("context", k, "", "")
		if !ok {
			return false
		}
		if resp.Context == nil {
			resp.Context = make(map[string]any, 4)
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
	resp.Answers = make(map[string]map[string]any, 8)
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
	m := make(map[string]any, size)
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
		v, ok := p.scalar("answers", inst, item, inst)
		if !ok {
			return nil, false
		}
		if v != nil {
			p.given++
		}
		n := len(m)
		m[item] = v
		if len(m) == n {
			p.fail(keyOff, CodeDuplicateKey, path("answers", inst, item)+": duplicate item", inst, item)
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

// scalar parses an answer or context value: an integer (int64), a string or null (nil). The path of the
// value for messages is section.k (context) or section.inst.k (answers); errInst is set for answers.
func (p *jparser) scalar(section, a, b, errInst string) (any, bool) {
	if p.i >= len(p.b) {
		return nil, p.syntax(p.i, "unexpected end of input, expected a value")
	}
	off := p.i
	where := func() string {
		if b == "" && errInst == "" {
			return path(section, a)
		}
		return path(section, a, b)
	}
	item := b
	if errInst == "" {
		item = ""
	}
	switch c := p.b[p.i]; {
	case c == '"':
		raw, ok := p.stringBytes(section, a, b)
		if !ok {
			return nil, !p.abort
		}
		return p.in.boxed(raw), true
	case c == '-' || ('0' <= c && c <= '9'):
		v, isInt, fits, ok := p.number()
		if !ok {
			return nil, false
		}
		if !isInt {
			p.fail(off, CodeNotInteger, where()+": number is not a whole number (write it without a fraction or exponent)", errInst, item)
			return nil, true
		}
		if !fits {
			p.fail(off, CodeNotInteger, where()+": integer does not fit in 64 bits", errInst, item)
			return nil, true
		}
		return v, true
	case c == 'n':
		return nil, p.literal("null")
	case c == 't' || c == 'f':
		if !p.literal("true") && !p.literal("false") {
			return nil, false
		}
		p.fail(off, CodeWrongType, where()+": expected an integer, a string or null, got a boolean", errInst, item)
		return nil, true
	case c == '{' || c == '[':
		kind := p.kindAt()
		if !p.skipValue() {
			return nil, false
		}
		p.fail(off, CodeWrongType, where()+": expected an integer, a string or null, got "+kind, errInst, item)
		return nil, true
	default:
		return nil, p.syntax(p.i, "unexpected character, expected a value")
	}
}

// literal consumes the literal word w (true, false or null); it does not report an error when the input
// holds another literal, so that literal("true") || literal("false") works.
func (p *jparser) literal(w string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(w)) {
		p.i += len(w)
		return true
	}
	if w == "true" && p.i < len(p.b) && p.b[p.i] == 'f' {
		return false
	}
	return p.syntax(p.i, "invalid literal, expected true, false or null")
}

// number parses a JSON number at p.i. isInt reports that it is written as a whole number: no exponent,
// and no fraction or one of zeros only (2.0, as float columns from pandas write it); fits that it is an
// integer within the int64 range (then v is its value).
func (p *jparser) number() (v int64, isInt, fits, ok bool) {
	b := p.b
	i := p.i
	neg := false
	if b[i] == '-' {
		neg = true
		i++
	}
	if i >= len(b) {
		return 0, false, false, p.syntax(i, "unexpected end of input in a number")
	}
	ds := i
	switch {
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, false, false, p.syntax(i, "invalid number")
	}
	de := i
	isInt = true
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, false, p.syntax(i, "invalid number: expected a digit after the decimal point")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			if b[i] != '0' {
				isInt = false // 2.0 and 2.00 are whole; 2.5 is not
			}
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, false, p.syntax(i, "invalid number: expected a digit in the exponent")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		isInt = false
	}
	p.i = i
	if !isInt {
		return 0, false, false, true
	}
	v, fits = parseInt64Digits(b[ds:de], neg)
	return v, true, fits, true
}

// parseInt64Digits converts a run of ASCII digits (no sign) to an int64, negated when neg. fits is false
// when the value is outside the int64 range.
func parseInt64Digits(d []byte, neg bool) (int64, bool) {
	if len(d) == 0 || len(d) > 19 {
		// 19 digits hold every int64; 20 or more never fit (leading zeros are not valid JSON and are
		// rejected by the callers that allow them before this point).
		return 0, false
	}
	var u uint64
	for _, c := range d {
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true // for u == 1<<63, int64(u) wraps to MinInt64, whose negation is itself
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// key parses an object key (a string) at p.i and returns its unescaped bytes, which are valid only until
// the next string is parsed. The object's path, for messages, is section (empty for the record) or
// section.inst.
func (p *jparser) key(section, inst string) ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, p.syntax(p.i, p.unexpected("expected a string key"))
	}
	off := p.i
	raw, esc, ok := p.str()
	if !ok {
		return nil, false
	}
	if esc {
		var good bool
		raw, good = p.unescape(raw)
		if !good {
			p.fail(off, CodeInvalidUTF8, keyWhere(section, inst)+": key holds an escaped lone surrogate (not valid UTF-8)", inst, "")
		}
	}
	if len(raw) > p.lim.MaxStringBytes {
		p.fail(off, CodeTooLarge, keyWhere(section, inst)+": key is longer than "+strconv.Itoa(p.lim.MaxStringBytes)+" bytes", inst, "")
		raw = raw[:0]
	}
	return raw, true
}

func keyWhere(section, inst string) string {
	switch {
	case section == "":
		return "record"
	case inst == "":
		return section
	}
	return path(section, inst)
}

// stringBytes parses a string value at p.i and returns its unescaped bytes, valid until the next string is
// parsed. The path for messages is section.a.b (a and b may be empty). ok is false when the string is not
// usable (a problem was recorded) or the parse was aborted.
func (p *jparser) stringBytes(section, a, b string) ([]byte, bool) {
	off := p.i
	raw, esc, ok := p.str()
	if !ok {
		return nil, false
	}
	where := func() string {
		if a == "" {
			return section
		}
		if b == "" {
			return path(section, a)
		}
		return path(section, a, b)
	}
	inst, item := "", ""
	if section == "answers" {
		inst, item = a, b
	}
	if esc {
		var good bool
		raw, good = p.unescape(raw)
		if !good {
			p.fail(off, CodeInvalidUTF8, where()+": string holds an escaped lone surrogate (not valid UTF-8)", inst, item)
			return nil, false
		}
	}
	if len(raw) > p.lim.MaxStringBytes {
		p.fail(off, CodeTooLarge, where()+": string is longer than "+strconv.Itoa(p.lim.MaxStringBytes)+" bytes", inst, item)
		return nil, false
	}
	return raw, true
}

// strSafe marks the bytes that need no attention inside a JSON string.
var strSafe = func() (t [256]bool) {
	for i := range t {
		t[i] = i >= 0x20 && i != '"' && i != '\\'
	}
	return t
}()

// str scans the string at p.i (an opening quote) and returns its raw content (between the quotes) and
// whether it holds escapes. It checks escapes and control characters but not UTF-8 (the caller checks
// the whole record once).
func (p *jparser) str() (raw []byte, esc bool, ok bool) {
	b := p.b
	i := p.i + 1
	for {
		for i < len(b) && strSafe[b[i]] {
			i++
		}
		if i >= len(b) {
			return nil, false, p.syntax(i, "unexpected end of input in a string")
		}
		switch c := b[i]; {
		case c == '"':
			raw = b[p.i+1 : i]
			p.i = i + 1
			return raw, esc, true
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return nil, false, p.syntax(i+1, "unexpected end of input in a string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) || !isHex(b[k]) {
						return nil, false, p.syntax(k, "invalid \\u escape in a string")
					}
				}
				i += 6
			default:
				return nil, false, p.syntax(i, "invalid escape in a string")
			}
		default:
			return nil, false, p.syntax(i, "control character in a string (must be escaped)")
		}
	}
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// unescape decodes the escapes of raw (already checked by str) into p.scratch. good is false when a \u
// escape is a lone surrogate, which cannot be represented in UTF-8.
func (p *jparser) unescape(raw []byte) (out []byte, good bool) {
	out = p.scratch[:0]
	good = true
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := bytes.IndexByte(raw[i:], '\\')
			if j < 0 {
				j = len(raw) - i
			}
			out = append(out, raw[i:i+j]...)
			i += j
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hexVal(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 := hexVal(raw[i+2:])
					if 0xDC00 <= r2 && r2 <= 0xDFFF {
						out = utf8.AppendRune(out, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				good = false
				continue
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, raw[i+1])
		}
		i += 2
	}
	p.scratch = out
	return out, good
}

// skipValue parses any JSON value at p.i without keeping it, checking its syntax and depth.
func (p *jparser) skipValue() bool {
	if p.i >= len(p.b) {
		return p.syntax(p.i, "unexpected end of input, expected a value")
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		p.depth++
		if p.depth > p.lim.MaxDepth {
			p.prob = problem{off: p.i, code: CodeTooDeep, msg: "record: nested deeper than " + strconv.Itoa(p.lim.MaxDepth) + " levels"}
			p.hasProb = true
			p.abort = true
			return false
		}
		p.i++
		p.ws()
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		if p.i < len(p.b) && p.b[p.i] == closer {
			p.i++
			p.depth--
			return true
		}
		for {
			p.ws()
			if c == '{' {
				if p.i >= len(p.b) || p.b[p.i] != '"' {
					return p.syntax(p.i, p.unexpected("expected a string key"))
				}
				if _, _, ok := p.str(); !ok {
					return false
				}
				if !p.expect(':', "expected ':' after an object key") {
					return false
				}
				p.ws()
			}
			if !p.skipValue() {
				return false
			}
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == closer {
				p.i++
				p.depth--
				return true
			}
			if c == '{' {
				return p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
			}
			return p.syntax(p.i, p.unexpected("expected ',' or ']' after an array element"))
		}
	case c == '"':
		_, _, ok := p.str()
		return ok
	case c == '-' || ('0' <= c && c <= '9'):
		_, _, _, ok := p.number()
		return ok
	case c == 't' || c == 'f':
		return p.literal("true") || p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.syntax(p.i, "unexpected character, expected a value")
	}
}
