package respfile

import (
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
)

// Source is a resource a record's answers were read from. Records of FHIR input list each
// QuestionnaireResponse merged into them; records of other formats have none.
type Source struct {
	// Reference names the resource as a FHIR reference: "QuestionnaireResponse/ID" when it has an id,
	// else the Bundle entry's fullUrl, else "".
	Reference string
	// Instrument is the answers key its answers went to ("phq9", "phq9@1.0.0", or the canonical of a
	// questionnaire that matched no instrument).
	Instrument string
	// Line is the line where the resource starts.
	Line int
	// Authored is the resource's authored instant exactly as written ("" when it has none); the record's
	// date is its calendar date.
	Authored string
	// Status is the resource's status as written: "completed", "amended", "in-progress", "stopped" or ""
	// when it has none. A response that is not completed or amended gives preliminary results (a note
	// says so); a status that R4 does not define is read the same way, with a note.
	Status string
	// Notes say what the reader did with the resource that the results depend on: answers declined
	// (data-absent-reason), a version or questionnaire it was read as, a status that makes its results
	// preliminary, answers that conflict. They never hold an answer value.
	Notes []SourceNote
}

// SourceNote is one note about a resource read (Source.Notes).
type SourceNote struct {
	// Code is one of the Note* constants.
	Code string
	// Item is the instrument item concerned ("" for the whole resource).
	Item string
	// Message explains the note in words.
	Message string
}

// The codes of SourceNote.
const (
	// NoteVersionNotLoaded: the canonical names a version that is not loaded; the loaded one read the answers.
	NoteVersionNotLoaded = "version_not_loaded"
	// NoteQuestionnaireMismatch: the canonical names an instrument whose items are not the ones answered;
	// the instrument that holds them read the answers.
	NoteQuestionnaireMismatch = "questionnaire_mismatch"
	// NoteDeclined: an answer is a data-absent-reason (asked-declined, asked-unknown …): the item is missing.
	NoteDeclined = "declined"
	// NotePreliminary: the response is not completed (in-progress, stopped): its results are preliminary.
	NotePreliminary = "preliminary"
	// NoteInvalidStatus: the status is not an R4 QuestionnaireResponse status (they are lower case); the
	// response is read and its results are preliminary.
	NoteInvalidStatus = "invalid_status"
	// NoteConflict: an item's answers disagree (a code and an ordinalValue of different values, an item
	// answered twice): the item is an invalid answer, an error of its own.
	NoteConflict = "conflicting_answers"
)

// UseFHIR lets the decoder read FHIR R4 JSON with the mapper m. With FormatJSON, an input whose top-level
// value is an object with a "resourceType" member (among the members that begin in its first 64 KiB) is
// read as FHIR (a QuestionnaireResponse or a Bundle)
// instead of as a native response set; FormatFHIR inputs need a mapper (without one, Next fails). Call it
// before the first Next.
func (d *Decoder) UseFHIR(m *FHIRMapper) { d.fhirMap = m }

// fhirState holds the records of a FHIR document, built when it is read.
type fhirState struct {
	recs []Record
	next int
}

// nextFHIR reads a FormatFHIR input.
func (d *Decoder) nextFHIR() (Record, error) {
	if d.fh == nil {
		if d.fhirMap == nil {
			return Record{}, &Error{Code: CodeFHIR, Msg: "FHIR input needs the instruments to map it to (Decoder.UseFHIR)"}
		}
		d.js.line = 1
		if err := d.skipBOM(); err != nil {
			return Record{}, d.ioError(err, 1)
		}
		c, err := d.jsonSkipWS()
		if err == io.EOF {
			return Record{}, &Error{Code: CodeEmpty, Msg: "input is empty (no JSON value)"}
		}
		if err != nil {
			return Record{}, d.ioError(err, d.js.line)
		}
		if c != '{' {
			return Record{}, d.jsonFatal(CodeFHIR, "a FHIR resource must be a JSON object", 0)
		}
		doc, err := d.readFHIRDocument()
		if err != nil {
			return Record{}, err
		}
		if err := d.fhirRead(doc); err != nil {
			return Record{}, err
		}
	}
	return d.fhirRecord()
}

// sniffFHIR is called by the JSON reader when the input starts with '{' and the decoder has a mapper. It
// looks for a "resourceType" member among the top-level object's members that begin in the first
// bufSize bytes (FHIR writers put it first); when there is one, it reads the document as FHIR (true),
// otherwise the JSON reader goes on as usual, having read nothing.
func (d *Decoder) sniffFHIR() (bool, error) {
	win, _ := d.br.Peek(bufSize)
	if !hasTopLevelKey(win, "resourceType", &d.lim) {
		return false, nil
	}
	doc, err := d.readFHIRDocument()
	if err != nil {
		return true, err
	}
	return true, d.fhirRead(doc)
}

// readFHIRDocument reads the rest of the input, at most MaxFHIRDocumentBytes.
func (d *Decoder) readFHIRDocument() ([]byte, error) {
	// Read into a buffer of the right size when the reader knows its length (a bytes or strings Reader: the
	// server's request bodies), else in chunks copied once: io.ReadAll's repeated growth allocates several
	// times the document.
	r := io.LimitReader(d.br, MaxFHIRDocumentBytes+1)
	var chunks [][]byte
	total := 0
	if d.doc != nil {
		if n, ok := remaining(d.doc.r); ok && n+d.br.Buffered() <= MaxFHIRDocumentBytes {
			n += d.br.Buffered()
			doc := make([]byte, n+1)
			k, err := io.ReadFull(r, doc)
			switch {
			case err == io.EOF || err == io.ErrUnexpectedEOF:
				return doc[:k], nil
			case err != nil:
				return nil, d.ioError(err, d.js.line)
			}
			chunks, total = append(chunks, doc), k // more than announced (a growing file): read the rest
		}
	}
	for {
		c := make([]byte, 64<<10)
		n, err := io.ReadFull(r, c)
		chunks = append(chunks, c[:n])
		total += n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, d.ioError(err, d.js.line)
		}
	}
	doc := chunks[0]
	if len(chunks) > 1 {
		doc = make([]byte, 0, total)
		for _, c := range chunks {
			doc = append(doc, c...)
		}
	}
	if len(doc) > MaxFHIRDocumentBytes {
		return nil, &Error{Line: d.js.line, Code: CodeTooLarge,
			Msg: "FHIR input is larger than the limit of " + strconv.Itoa(MaxFHIRDocumentBytes) + " bytes"}
	}
	return doc, nil
}

// remaining is the number of bytes left in r when r can tell: a bytes or strings Reader, or a regular
// file (its size less the current offset).
func remaining(r io.Reader) (int, bool) {
	if l, ok := r.(interface{ Len() int }); ok {
		return l.Len(), true
	}
	f, ok := r.(interface {
		Stat() (fs.FileInfo, error)
		io.Seeker
	})
	if !ok {
		return 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil || pos > fi.Size() || fi.Size()-pos > MaxFHIRDocumentBytes {
		return 0, false
	}
	return int(fi.Size() - pos), true
}

// hasTopLevelKey reports whether win, the start of a JSON document, is an object with a member named key
// among the members that begin within win.
func hasTopLevelKey(win []byte, key string, lim *Limits) bool {
	p := jparser{lim: lim}
	p.reset(win)
	p.ws()
	if !p.expect('{', "") {
		return false
	}
	for {
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return false
		}
		raw, _, ok := p.str()
		if !ok {
			return false
		}
		if string(raw) == key {
			return true
		}
		if !p.expect(':', "") {
			return false
		}
		p.ws()
		if !p.skipValue() {
			return false
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ',' {
			return false
		}
		p.i++
	}
}

// fhirParse parses a whole FHIR document; every problem is fatal.
func (d *Decoder) fhirParse(doc []byte) (*jnode, error) {
	if !utf8.Valid(doc) {
		l, c := position(doc, firstInvalidUTF8(doc), d.js.line, d.js.col())
		return nil, &Error{Line: l, Col: c, Code: CodeInvalidUTF8, Msg: "resource: invalid UTF-8"}
	}
	root, perr := parseDOM(doc, &d.lim, &d.in)
	if perr != nil { // every problem of a FHIR document is fatal: its records are grouped across it
		l, c := position(doc, perr.off, d.js.line, d.js.col())
		return nil, &Error{Line: l, Col: c, Code: perr.code, Msg: perr.msg}
	}
	return root, nil
}

// fhirStart builds the records of a parsed FHIR document.
func (d *Decoder) fhirStart(root *jnode, doc []byte) error {
	b := &fhirBuilder{m: d.fhirMap, lim: &d.lim, doc: doc, line: d.js.line, col: d.js.col(), groups: map[string]int{}}
	rt := root.get("resourceType")
	if rt == nil || rt.kind != 's' {
		return b.fatal(root.off, "resource: resourceType must be a string")
	}
	switch rt.str {
	case "QuestionnaireResponse":
		b.response(root, "", root.off)
	case "Bundle":
		entries := root.get("entry")
		if entries != nil && entries.kind != 'a' {
			return b.fatal(entries.off, "Bundle.entry must be an array")
		}
		if entries != nil {
			for i, e := range entries.kids {
				b.entry(i, e)
			}
		}
		if len(b.order) == 0 {
			return &Error{Line: b.line, Code: CodeEmpty, Msg: "the Bundle holds no QuestionnaireResponse"}
		}
	default:
		return b.fatal(rt.off, "resource: resourceType "+showKey(rt.str)+" is not read (want QuestionnaireResponse or Bundle)")
	}
	d.fh = &fhirState{recs: b.records()}
	return nil
}

// entry reads the i-th entry of a Bundle.
func (b *fhirBuilder) entry(i int, e *jnode) {
	where := "Bundle.entry[" + strconv.Itoa(i) + "]"
	if e.kind != 'o' {
		b.errorRecord(e.off, CodeFHIR, where+" must be an object")
		return
	}
	res := e.get("resource")
	if res == nil {
		return // an entry without a resource (a request, a deleted entry) holds no answers
	}
	if res.kind != 'o' {
		b.errorRecord(res.off, CodeFHIR, where+".resource must be an object")
		return
	}
	if t := res.get("resourceType"); t == nil || t.kind != 's' || t.str != "QuestionnaireResponse" {
		return // Patients, Questionnaires, Observations … are not answers
	}
	full := ""
	if fu := e.get("fullUrl"); fu != nil && fu.kind == 's' {
		full = fu.str
	}
	b.response(res, full, res.off)
}

// fhirRead reads a whole FHIR document into records. A Bundle is read one entry at a time (the tree of
// one entry at most is in memory besides the document and the records); any other resource is read whole.
func (d *Decoder) fhirRead(doc []byte) error {
	// The strings worth interning in FHIR (member names, codes, systems, the linkIds of a few forms) are
	// few; ids, dates and references are unique, and would only fill the interner.
	d.in.limit = fhirInterned
	if !utf8.Valid(doc) {
		l, c := position(doc, firstInvalidUTF8(doc), d.js.line, d.js.col())
		return &Error{Line: l, Col: c, Code: CodeInvalidUTF8, Msg: "resource: invalid UTF-8"}
	}
	rt, perr := topLevelType(doc, &d.lim)
	if perr != nil {
		return d.docError(doc, perr)
	}
	if rt == "QuestionnaireResponse" {
		return d.fhirReadQR(doc)
	}
	if rt != "Bundle" {
		root, err := d.fhirParse(doc)
		if err != nil {
			return err
		}
		return d.fhirStart(root, doc)
	}
	b := &fhirBuilder{m: d.fhirMap, lim: &d.lim, doc: doc, line: d.js.line, col: d.js.col(), groups: map[string]int{}}
	dp := newDOMParser(doc, &d.lim, &d.in)
	p := &dp.p
	p.ws()
	p.i++ // '{', checked by topLevelType
	for {
		p.ws()
		if p.i < len(doc) && doc[p.i] == '}' {
			break
		}
		k, _ := dp.str()
		p.ws()
		p.i++ // ':'
		p.ws()
		if k != "entry" || dp.long {
			p.depth = 1
			p.skipValue()
		} else {
			if doc[p.i] != '[' {
				return b.fatal(p.i, "Bundle.entry must be an array")
			}
			p.i++
			p.ws()
			for i := 0; p.i < len(doc) && doc[p.i] != ']'; i++ {
				e, end, perr := dp.parseValueAt(p.i, 2)
				if perr != nil {
					return d.docError(doc, perr)
				}
				b.entry(i, e)
				p.i = end
				p.ws()
				if doc[p.i] == ',' {
					p.i++
					p.ws()
				}
			}
			p.i++ // ']'
		}
		p.ws()
		if p.i < len(doc) && doc[p.i] == ',' {
			p.i++
		}
	}
	if len(b.order) == 0 {
		return &Error{Line: b.line, Code: CodeEmpty, Msg: "the Bundle holds no QuestionnaireResponse"}
	}
	d.fh = &fhirState{recs: b.records()}
	return nil
}

// fhirInterned bounds the strings a FHIR document interns.
const fhirInterned = 1024

// fhirReadQR reads a top-level QuestionnaireResponse: its members but item as a tree, its items one at a
// time (twice: their linkIds first, which say what instrument the response answers, then their answers).
func (d *Decoder) fhirReadQR(doc []byte) error {
	dp := newDOMParser(doc, &d.lim, &d.in)
	dp.topItems, dp.itemOff = true, -1
	dp.p.ws()
	root, perr := dp.result(dp.value(0))
	if perr != nil {
		return d.docError(doc, perr)
	}
	b := &fhirBuilder{m: d.fhirMap, lim: &d.lim, doc: doc, line: d.js.line, col: d.js.col(), groups: map[string]int{}}
	switch {
	case dp.itemOff >= 0 && doc[dp.itemOff] != '[':
		b.errorRecord(dp.itemOff, CodeFHIR, "QuestionnaireResponse.item must be an array")
	case dp.itemOff >= 0:
		s := &streamedItems{dp: newDOMParser(doc, &d.lim, &d.in), off: dp.itemOff}
		if perr := s.walk(func(_ int, it *jnode) {
			if len(s.links) <= b.lim.MaxAnswers { // past it, the response is an error whatever the rest
				collectLinks(it, &s.links, 0)
			}
		}); perr != nil {
			return d.docError(doc, perr)
		}
		b.streamed = s
		b.response(root, "", root.off)
	default:
		b.response(root, "", root.off)
	}
	d.fh = &fhirState{recs: b.records()}
	return nil
}

// streamedItems is the item array of a top-level QuestionnaireResponse, parsed one element at a time
// (the tree of one item at most is in memory).
type streamedItems struct {
	dp    *domParser
	off   int      // offset of the array's '['
	links []string // the answered linkIds, gathered by a first walk
}

func (s *streamedItems) each(fn func(i int, it *jnode)) { _ = s.walk(fn) }

// walk calls fn with each element of the array; a problem of the JSON (a duplicate key, nesting too
// deep) stops it.
func (s *streamedItems) walk(fn func(i int, it *jnode)) *problem {
	p := &s.dp.p
	doc := p.b
	p.i = s.off + 1
	p.ws()
	for i := 0; p.i < len(doc) && doc[p.i] != ']'; i++ {
		e, end, pr := s.dp.parseValueAt(p.i, 2)
		if pr != nil {
			return pr
		}
		fn(i, e)
		p.i = end
		p.ws()
		if p.i < len(doc) && doc[p.i] == ',' {
			p.i++
			p.ws()
		}
	}
	return nil
}

// topLevelType checks the syntax of the whole document (a JSON object and nothing after it), that no
// top-level member is given twice, and returns its resourceType ("" when it has none or it is not a
// string).
func topLevelType(doc []byte, lim *Limits) (string, *problem) {
	l := *lim
	l.MaxDepth = max(lim.MaxDepth, fhirMaxDepth)
	p := jparser{lim: &l}
	p.reset(doc)
	p.ws()
	rt := ""
	var keys []string
	if !p.expect('{', "a FHIR resource must be a JSON object") {
		return "", &p.prob
	}
	p.ws()
	if p.i < len(doc) && doc[p.i] == '}' {
		p.i++
	} else {
		for {
			p.ws()
			koff := p.i
			if p.i >= len(doc) || doc[p.i] != '"' {
				p.syntax(p.i, p.unexpected("expected a string key"))
				return "", &p.prob
			}
			raw, esc, ok := p.str()
			if !ok {
				return "", &p.prob
			}
			k := string(raw)
			if esc {
				if u, good := p.unescape(raw); good {
					k = string(u)
				}
			}
			if slices.Contains(keys, k) {
				return "", &problem{off: koff, code: CodeDuplicateKey, msg: "key " + showKey(k) + " appears twice in one object"}
			}
			keys = append(keys, k)
			if !p.expect(':', "expected ':' after an object key") {
				return "", &p.prob
			}
			p.ws()
			if k == "resourceType" && p.i < len(doc) && doc[p.i] == '"' {
				raw, esc, ok := p.str()
				if !ok {
					return "", &p.prob
				}
				rt = string(raw)
				if esc {
					rt = "\x00" // an escaped resourceType is not one painscreen reads
				}
			} else {
				p.depth = 1
				if !p.skipValue() {
					return "", &p.prob
				}
			}
			p.ws()
			if p.i < len(doc) && doc[p.i] == ',' {
				p.i++
				continue
			}
			if !p.expect('}', "expected ',' or '}' after an object member") {
				return "", &p.prob
			}
			break
		}
	}
	p.ws()
	if p.i < len(doc) {
		p.syntax(p.i, "unexpected data after the top-level JSON value")
		return "", &p.prob
	}
	return rt, nil
}

// docError turns a parse problem of a FHIR document into its fatal error.
func (d *Decoder) docError(doc []byte, perr *problem) error {
	l, c := position(doc, perr.off, d.js.line, d.js.col())
	return &Error{Line: l, Col: c, Code: perr.code, Msg: perr.msg}
}

// fhirRecord returns the next record of a FHIR document.
func (d *Decoder) fhirRecord() (Record, error) {
	fs := d.fh
	if fs.next >= len(fs.recs) {
		fs.recs = nil
		return Record{}, io.EOF
	}
	rec := fs.recs[fs.next]
	fs.recs[fs.next] = Record{}
	fs.next++
	d.n++
	rec.N = d.n
	return rec, nil
}

// fhirBuilder turns the QuestionnaireResponses of one document into records.
type fhirBuilder struct {
	m         *FHIRMapper
	lim       *Limits
	doc       []byte
	line, col int   // position of doc[0]
	nl        []int // offsets of the line ends of doc

	links []string    // the answered linkIds of the response being read (reused)
	path  []fpathElem // the path stack of the response being read (reused)
	// streamed is the item source of a top-level QuestionnaireResponse read one item at a time.
	streamed *streamedItems
	order    []*fhirGroup   // records in order of first appearance
	groups   map[string]int // subject \x00 date -> index in order of the latest group with that key
}

// fhirGroup is one record: the responses of one subject on one date, or one error.
type fhirGroup struct {
	line    int
	resp    *screen.Response
	ids     []string // instrument ids answered (without version)
	sources []Source
	nAns    int
	err     *Error
}

// pos maps an offset of doc to a line and column (an index of the line ends, built once, keeps a large
// Bundle linear).
func (b *fhirBuilder) pos(off int) (int, int) {
	if b.nl == nil {
		b.nl = make([]int, 0, 64)
		for i, c := range b.doc {
			if c == '\n' {
				b.nl = append(b.nl, i)
			}
		}
	}
	k, _ := slices.BinarySearch(b.nl, off) // line ends before off
	if k == 0 {
		return b.line, b.col + off
	}
	return b.line + k, off - b.nl[k-1]
}

func (b *fhirBuilder) fatal(off int, msg string) error {
	l, c := b.pos(off)
	return &Error{Line: l, Col: c, Code: CodeFHIR, Msg: msg}
}

func (b *fhirBuilder) errorRecord(off int, code, msg string) {
	l, c := b.pos(off)
	b.order = append(b.order, &fhirGroup{line: l, err: &Error{Line: l, Col: c, Code: code, Msg: msg}})
}

// records returns the built records (without their numbers).
func (b *fhirBuilder) records() []Record {
	out := make([]Record, 0, len(b.order))
	for _, g := range b.order {
		rec := Record{Line: g.line, Sources: g.sources}
		switch {
		case g.err != nil:
			rec.Err = g.err
			rec.Sources = nil
		case g.nAns == 0:
			rec.Err = &Error{Line: g.line, Code: CodeEmpty, Msg: "QuestionnaireResponse: no item is answered"}
			rec.Sources = nil
		default:
			rec.Response = g.resp
		}
		out = append(out, rec)
	}
	return out
}

// fpathElem is one step of a path into a resource for messages ("QuestionnaireResponse.item[2].answer[0]"):
// a member name, or an array index when the name is "". The reader keeps the path as a stack, and builds
// the text only when a message needs it.
type fpathElem struct {
	name string
	idx  int
}

// where is the current path, with suffix.
func (r *qrReader) where(suffix string) string {
	var b strings.Builder
	for _, e := range r.path {
		switch {
		case e.name == "":
			b.WriteString("[" + strconv.Itoa(e.idx) + "]")
		case b.Len() > 0:
			b.WriteString("." + e.name)
		default:
			b.WriteString(e.name)
		}
	}
	return b.String() + suffix
}

func (r *qrReader) push(name string, idx int) { r.path = append(r.path, fpathElem{name, idx}) }
func (r *qrReader) pop()                      { r.path = r.path[:len(r.path)-1] }

// qrReader reads the items of one QuestionnaireResponse.
type qrReader struct {
	b       *fhirBuilder
	fi      *fhirInst
	answers map[string]any
	n       int // answers read
	bad     *problem
	notes   []SourceNote
	path    []fpathElem
	stray   map[string]any // PHQ-9 item 9 answered in a response to another instrument
}

// response adds one QuestionnaireResponse to its subject's and date's record.
func (b *fhirBuilder) response(qr *jnode, fullURL string, off int) {
	line, _ := b.pos(off)
	str := func(key string) (string, bool) {
		n := qr.get(key)
		if n == nil {
			return "", true
		}
		if n.kind != 's' {
			b.errorRecord(n.off, CodeFHIR, "QuestionnaireResponse."+key+" must be a string")
			return "", false
		}
		return n.str, true
	}
	status, ok1 := str("status")
	canonical, ok2 := str("questionnaire")
	authored, ok3 := str("authored")
	id, ok4 := str("id")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	if status == "entered-in-error" {
		b.errorRecord(off, CodeFHIR, "QuestionnaireResponse has status entered-in-error: it is not scored")
		return
	}
	var notes []SourceNote
	switch status {
	case "", "completed", "amended":
	case "in-progress", "stopped":
		notes = append(notes, SourceNote{Code: NotePreliminary,
			Message: "the response has status " + status + ": its results are preliminary"})
	default:
		// Not an R4 status (codes are case-sensitive): still read, so that no answer is lost, but never as
		// a completed response.
		notes = append(notes, SourceNote{Code: NoteInvalidStatus,
			Message: "the response's status is not an R4 QuestionnaireResponse status: it is read as preliminary"})
	}
	subject := ""
	if s := qr.get("subject"); s != nil {
		if s.kind != 'o' {
			b.errorRecord(s.off, CodeFHIR, "QuestionnaireResponse.subject must be a Reference (an object)")
			return
		}
		if r := s.get("reference"); r != nil && r.kind == 's' {
			subject = r.str
		} else if idf := s.get("identifier"); idf != nil {
			if v := idf.get("value"); v != nil && v.kind == 's' {
				subject = v.str
			}
		}
	}
	date := authored
	if len(date) >= 10 && date[4] == '-' && date[7] == '-' {
		date = date[:10] // the calendar date as the response was written, whatever its time zone
	}
	links, each := b.links, (func(func(int, *jnode)))(nil)
	if b.streamed != nil { // a top-level QuestionnaireResponse read one item at a time (fhirReadQR)
		links, each = b.streamed.links, b.streamed.each
	}

	if b.streamed == nil {
		items := qr.get("item")
		if items != nil && items.kind != 'a' {
			b.errorRecord(items.off, CodeFHIR, "QuestionnaireResponse.item must be an array")
			return
		}
		links = b.links[:0]
		if items != nil {
			for _, it := range items.kids {
				collectLinks(it, &links, 0)
			}
		}
		b.links = links
		each = func(fn func(i int, it *jnode)) {
			if items != nil {
				for i, it := range items.kids {
					fn(i, it)
				}
			}
		}
	}
	if len(links) > b.lim.MaxAnswers {
		// Only this response fails (before its answers are read); the others of its subject and date are
		// read as usual.
		b.errorRecord(off, CodeTooLarge, "QuestionnaireResponse: more than "+strconv.Itoa(b.lim.MaxAnswers)+" answered items")
		return
	}
	key, fi, note := b.m.resolve(canonical, links)
	if note != nil {
		notes = append(notes, *note)
	}
	r := &qrReader{b: b, fi: fi, answers: make(map[string]any, len(links)), notes: notes}
	r.path = append(b.path[:0], fpathElem{name: "QuestionnaireResponse"}, fpathElem{name: "item"})
	each(func(i int, it *jnode) {
		if r.bad == nil {
			r.item(i, it)
		}
	})
	b.path = r.path
	if r.bad != nil {
		b.errorRecord(r.bad.off, r.bad.code, r.bad.msg)
		return
	}
	if r.n > b.lim.MaxAnswers {
		// Only this response fails; the others of its subject and date are read as usual.
		b.errorRecord(off, CodeTooLarge, "QuestionnaireResponse: more than "+strconv.Itoa(b.lim.MaxAnswers)+" answers")
		return
	}
	ref := fullURL
	if id != "" {
		ref = "QuestionnaireResponse/" + id
	}
	if r.stray != nil {
		r.notes = append(r.notes, SourceNote{Code: NoteQuestionnaireMismatch, Item: b.m.safetyItem.id,
			Message: "PHQ-9 item 9 (LOINC " + loincPHQ9Item9 + ") is answered in a response to " + showKey(key) + ": read as item 9 of " + b.m.safety.id})
	}
	b.add(subject, date, key, r.answers, r.n, line, Source{Reference: ref, Instrument: key, Line: line, Authored: authored, Status: status, Notes: r.notes})
	if r.stray != nil {
		sk := b.m.safety.id
		b.add(subject, date, sk, r.stray, len(r.stray), line, Source{Reference: ref, Instrument: sk, Line: line, Authored: authored, Status: status, Notes: r.notes})
	}
}

// add adds the answers of one response to one instrument to its subject's and date's record.
func (b *fhirBuilder) add(subject, date, key string, answers map[string]any, n, line int, src Source) {
	g := b.group(subject, date, key, n, line)
	g.resp.Answers[key] = answers
	g.ids = append(g.ids, instID(key))
	g.nAns += n
	g.sources = append(g.sources, src)
}

// instID is the instrument id of an answers key.
func instID(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '@' {
			return key[:i]
		}
	}
	return key
}

// group returns the record for subject and date that does not yet answer the instrument of key and has room
// for n more answers: a second response to the same instrument on the same date starts a record of its own
// (both are scored), as does one that would take the record over MaxAnswers.
func (b *fhirBuilder) group(subject, date, key string, n, line int) *fhirGroup {
	k := subject + "\x00" + date
	if i, ok := b.groups[k]; ok && !slices.Contains(b.order[i].ids, instID(key)) && b.order[i].nAns+n <= b.lim.MaxAnswers {
		return b.order[i]
	}
	g := &fhirGroup{line: line, resp: &screen.Response{Subject: subject, Date: date, Answers: map[string]map[string]any{}}}
	b.groups[k] = len(b.order)
	b.order = append(b.order, g)
	return g
}

// collectLinks gathers the linkIds of the answered items of one item, nested ones included.
func collectLinks(it *jnode, out *[]string, depth int) {
	if it == nil || it.kind != 'o' || depth > fhirMaxDepth {
		return
	}
	if l := it.get("linkId"); l != nil && l.kind == 's' {
		if a := it.get("answer"); a != nil && a.kind == 'a' && len(a.kids) > 0 {
			*out = append(*out, l.str)
		}
	}
	if sub := it.get("item"); sub != nil && sub.kind == 'a' {
		for _, s := range sub.kids {
			collectLinks(s, out, depth+1)
		}
	}
	if a := it.get("answer"); a != nil && a.kind == 'a' {
		for _, ans := range a.kids {
			if sub := ans.get("item"); sub != nil && sub.kind == 'a' {
				for _, s := range sub.kids {
					collectLinks(s, out, depth+1)
				}
			}
		}
	}
}

func (r *qrReader) fail(off int, msg string) {
	if r.bad == nil {
		r.bad = &problem{off: off, code: CodeFHIR, msg: msg}
	}
}

// items reads an item array (r.path names it for messages).
func (r *qrReader) items(arr *jnode) {
	for i, it := range arr.kids {
		if r.bad != nil {
			return
		}
		r.item(i, it)
	}
}

// item reads the i-th item of an item array.
func (r *qrReader) item(i int, it *jnode) {
	r.push("", i)
	defer r.pop()
	if it.kind != 'o' {
		r.fail(it.off, r.where(" must be an object"))
		return
	}
	l := it.get("linkId")
	if l == nil || l.kind != 's' || l.str == "" {
		r.fail(it.off, r.where(".linkId must be a non-empty string"))
		return
	}
	if sub := it.get("item"); sub != nil {
		if sub.kind != 'a' {
			r.fail(sub.off, r.where(".item must be an array"))
			return
		}
		r.push("item", 0)
		r.items(sub)
		r.pop()
	}
	if ans := it.get("answer"); ans != nil {
		if ans.kind != 'a' {
			r.fail(ans.off, r.where(".answer must be an array"))
			return
		}
		r.push("answer", 0)
		r.answer(l.str, ans)
		r.pop()
	}
}

// answer reads the answers of the item with the given linkId.
func (r *qrReader) answer(link string, ans *jnode) {
	var item *fhirItem
	key := link
	dst, stray := r.answers, false
	if r.fi != nil {
		item = r.fi.item(link)
		m := r.b.m
		switch {
		case item != nil:
			key = item.id
		case r.fi.isScore(link):
			return // the form's own computed score: not an answer
		case m.safety != nil && m.safety != r.fi && m.safety.item(link) == m.safetyItem:
			// PHQ-9 item 9 by its code in a response to another instrument: it is read as what it is, the
			// suicidal ideation item, never an unknown item of the other instrument.
			if r.stray == nil {
				r.stray = map[string]any{}
			}
			item, key, dst, stray = m.safetyItem, m.safetyItem.id, r.stray, true
		}
	}
	var one any
	var vals []any
	n := 0
	for i, a := range ans.kids {
		if a.kind != 'o' {
			r.fail(a.off, r.where("["+strconv.Itoa(i)+"] must be an object"))
			return
		}
		if sub := a.get("item"); sub != nil {
			if sub.kind != 'a' {
				r.fail(sub.off, r.where("["+strconv.Itoa(i)+"].item must be an array"))
				return
			}
			r.push("", i)
			r.push("item", 0)
			r.items(sub)
			r.pop()
			r.pop()
			if r.bad != nil {
				return
			}
		}
		v, st := answerValue(a, item)
		switch st {
		case answerNone:
			continue
		case answerDeclined:
			r.note(NoteDeclined, key, "the answer is a data-absent-reason (declined or unknown): the item is missing")
			continue
		case answerConflict:
			r.note(NoteConflict, key, "the answer's code and its ordinal value disagree: the answer is invalid")
		}
		switch n {
		case 0:
			one = v
		case 1:
			vals = []any{one, v}
		default:
			vals = append(vals, v)
		}
		n++
	}
	if n == 0 {
		return
	}
	v := one
	if n > 1 {
		v = vals // more than one answer: the engine's wrong_type error (a list)
		r.note(NoteConflict, key, "the item has more than one answer: it is invalid")
	}
	if old, dup := dst[key]; dup {
		// The same item answered twice (a repeated linkId): both are kept, as a list the engine rejects.
		r.note(NoteConflict, key, "the item is answered more than once (a repeated linkId): it is invalid")
		list, _ := old.([]any)
		if list == nil {
			list = []any{old}
		}
		if n > 1 {
			v = append(list, vals...)
		} else {
			v = append(list, one)
		}
	} else if !stray {
		r.n++
	}
	dst[key] = v
}

// note adds a note about an item, once per code and item.
func (r *qrReader) note(code, item, msg string) {
	for _, n := range r.notes {
		if n.Code == code && n.Item == item {
			return
		}
	}
	r.notes = append(r.notes, SourceNote{Code: code, Item: item, Message: msg})
}

// What one FHIR answer holds.
const (
	answerNone     = iota // no value[x] (only nested items)
	answerValid           // a value (possibly one the engine rejects)
	answerDeclined        // a data-absent-reason: the item is not answered
	answerConflict        // a Coding whose code and ordinal value disagree: an invalid answer
)

// unsupported stands for a FHIR answer painscreen cannot use (a valueDate, a Coding with no code): the
// engine reports it as a wrong_type error of its item.
func unsupported() any { return map[string]any{} }

// dataAbsentSystem is the code system of data-absent-reason (asked-declined, asked-unknown, unknown …);
// dataAbsentURL is the extension that carries one where a value would be.
const (
	dataAbsentSystem = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	dataAbsentURL    = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
)

// answerValue turns one FHIR answer into an answer value and says what the answer holds.
func answerValue(a *jnode, item *fhirItem) (any, int) {
	var val *jnode
	var name string
	for i, k := range a.keys {
		if len(k) > 5 && (k[:5] == "value" || strings.EqualFold(k[:5], "value")) {
			if val != nil || k[:5] != "value" {
				// Two value[x] (not FHIR), or a misspelt one ("ValueInteger"): an answer is there, and it is
				// unusable, so it is an error of its item, never silently no answer.
				return unsupported(), answerValid
			}
			val, name = a.kids[i], k
		}
	}
	if val == nil {
		if hasExtension(a, dataAbsentURL) {
			return nil, answerDeclined
		}
		return nil, answerNone
	}
	switch name {
	case "valueCoding":
		if val.kind != 'o' {
			return unsupported(), answerValid
		}
		code, system := "", ""
		if c := val.get("code"); c != nil && c.kind == 's' {
			code = c.str
		}
		if s := val.get("system"); s != nil && s.kind == 's' {
			system = s.str
		}
		if system == dataAbsentSystem {
			return nil, answerDeclined
		}
		w, hasW := weight(val)
		if !hasW {
			w, hasW = weight(a)
		}
		if item != nil {
			if cv, ok := item.codes[code]; ok && (system == "" || system != fhir.OptionValueSystem) {
				if hasW && !sameNumber(w, cv) {
					return []any{code, w}, answerConflict
				}
				return code, answerValid
			}
			if system == fhir.OptionValueSystem {
				if n, err := strconv.ParseInt(code, 10, 64); err == nil && item.values[n] {
					if hasW && !sameNumber(w, n) {
						return []any{n, w}, answerConflict
					}
					return n, answerValid
				}
			}
		}
		if hasW {
			return w, answerValid
		}
		if code != "" {
			return code, answerValid
		}
		return unsupported(), answerValid
	case "valueInteger", "valueDecimal":
		if val.kind != 'n' {
			return unsupported(), answerValid
		}
		return numberValue(val.str), answerValid
	case "valueBoolean":
		if val.kind != 'b' {
			return unsupported(), answerValid
		}
		if item != nil && item.binary {
			if val.b {
				return int64(1), answerValid
			}
			return int64(0), answerValid
		}
		return val.b, answerValid
	case "valueString":
		if val.kind != 's' {
			return unsupported(), answerValid
		}
		return val.str, answerValid
	}
	return unsupported(), answerValid
}

// sameNumber reports whether an ordinal value (int64 or float64) equals an option value.
func sameNumber(w any, v int64) bool {
	switch w := w.(type) {
	case int64:
		return w == v
	case float64:
		return w == float64(v)
	}
	return false
}

// hasExtension reports whether n has an extension with the given url.
func hasExtension(n *jnode, url string) bool {
	ext := n.get("extension")
	if ext == nil || ext.kind != 'a' {
		return false
	}
	for _, e := range ext.kids {
		if u := e.get("url"); u != nil && u.kind == 's' && u.str == url {
			return true
		}
	}
	return false
}

// weight reads an ordinalValue or itemWeight extension of n.
func weight(n *jnode) (any, bool) {
	ext := n.get("extension")
	if ext == nil || ext.kind != 'a' {
		return nil, false
	}
	for _, e := range ext.kids {
		u := e.get("url")
		if u == nil || u.kind != 's' || (u.str != fhir.OrdinalValueURL && u.str != fhir.ItemWeightURL) {
			continue
		}
		for _, k := range []string{"valueDecimal", "valueInteger"} {
			if v := e.get(k); v != nil && v.kind == 'n' {
				return numberValue(v.str), true
			}
		}
	}
	return nil, false
}
