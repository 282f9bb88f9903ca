package respfile

import (
	"io"
	"slices"
	"strconv"
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
}

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
		root, ferr := d.fhirParse(doc)
		if ferr != nil {
			return Record{}, ferr
		}
		if err := d.fhirStart(root, doc); err != nil {
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
	root, ferr := d.fhirParse(doc)
	if ferr != nil {
		return true, ferr
	}
	return true, d.fhirStart(root, doc)
}

// readFHIRDocument reads the rest of the input, at most MaxFHIRDocumentBytes.
func (d *Decoder) readFHIRDocument() ([]byte, error) {
	doc, err := io.ReadAll(io.LimitReader(d.br, MaxFHIRDocumentBytes+1))
	if err != nil {
		return nil, d.ioError(err, d.js.line)
	}
	if len(doc) > MaxFHIRDocumentBytes {
		return nil, &Error{Line: d.js.line, Code: CodeTooLarge,
			Msg: "FHIR input is larger than the limit of " + strconv.Itoa(MaxFHIRDocumentBytes) + " bytes"}
	}
	return doc, nil
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
				where := "Bundle.entry[" + strconv.Itoa(i) + "]"
				if e.kind != 'o' {
					b.errorRecord(e.off, CodeFHIR, where+" must be an object")
					continue
				}
				res := e.get("resource")
				if res == nil {
					continue // an entry without a resource (a request, a deleted entry) holds no answers
				}
				if res.kind != 'o' {
					b.errorRecord(res.off, CodeFHIR, where+".resource must be an object")
					continue
				}
				if t := res.get("resourceType"); t == nil || t.kind != 's' || t.str != "QuestionnaireResponse" {
					continue // Patients, Questionnaires, Observations … are not answers
				}
				full := ""
				if fu := e.get("fullUrl"); fu != nil && fu.kind == 's' {
					full = fu.str
				}
				b.response(res, full, res.off)
			}
		}
		if len(b.order) == 0 {
			return &Error{Line: b.line, Code: CodeEmpty, Msg: "the Bundle holds no QuestionnaireResponse"}
		}
	default:
		return b.fatal(rt.off, "resource: resourceType "+showKey(rt.str)+" is not read (want QuestionnaireResponse or Bundle)")
	}
	d.fh = &fhirState{recs: b.records()}
	d.fhirContext(doc)
	return nil
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

	order  []*fhirGroup   // records in order of first appearance
	groups map[string]int // subject \x00 date -> index in order of the latest group with that key
}

// fhirGroup is one record: the responses of one subject on one date, or one error.
type fhirGroup struct {
	line    int
	resp    *screen.Response
	ids     map[string]bool // instrument ids answered (without version)
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

// fpath is a path into a resource for messages ("QuestionnaireResponse.item[2].answer[0]"), built only when
// a message needs it.
type fpath struct {
	parent *fpath
	name   string // a member name, or "" for an array index
	idx    int
}

func (p *fpath) String() string {
	if p == nil {
		return ""
	}
	s := p.parent.String()
	if p.name == "" {
		return s + "[" + strconv.Itoa(p.idx) + "]"
	}
	if s == "" {
		return p.name
	}
	return s + "." + p.name
}

// qrReader reads the items of one QuestionnaireResponse.
type qrReader struct {
	b       *fhirBuilder
	fi      *fhirInst
	answers map[string]any
	n       int // answers read
	bad     *problem
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

	items := qr.get("item")
	if items != nil && items.kind != 'a' {
		b.errorRecord(items.off, CodeFHIR, "QuestionnaireResponse.item must be an array")
		return
	}
	var links []string
	if items != nil {
		collectLinks(items, &links, 0)
	}
	key, fi := b.m.resolve(canonical, links)
	r := &qrReader{b: b, fi: fi, answers: map[string]any{}}
	if items != nil {
		r.items(items, &fpath{parent: &fpath{name: "QuestionnaireResponse"}, name: "item"})
	}
	if r.bad != nil {
		b.errorRecord(r.bad.off, r.bad.code, r.bad.msg)
		return
	}
	ref := fullURL
	if id != "" {
		ref = "QuestionnaireResponse/" + id
	}
	g := b.group(subject, date, key, line)
	if g.nAns+r.n > b.lim.MaxAnswers {
		g.err = &Error{Line: g.line, Code: CodeTooLarge, Msg: "record: more than " + strconv.Itoa(b.lim.MaxAnswers) + " answers"}
	}
	g.resp.Answers[key] = r.answers
	g.ids[instID(key)] = true
	g.nAns += r.n
	g.sources = append(g.sources, Source{Reference: ref, Instrument: key, Line: line})
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

// group returns the record for subject and date that does not yet answer the instrument of key: a second
// response to the same instrument on the same date starts a record of its own (both are scored).
func (b *fhirBuilder) group(subject, date, key string, line int) *fhirGroup {
	k := subject + "\x00" + date
	if i, ok := b.groups[k]; ok && !b.order[i].ids[instID(key)] {
		return b.order[i]
	}
	g := &fhirGroup{line: line, resp: &screen.Response{Subject: subject, Date: date, Answers: map[string]map[string]any{}},
		ids: map[string]bool{}}
	b.groups[k] = len(b.order)
	b.order = append(b.order, g)
	return g
}

// collectLinks gathers the linkIds of answered items, nested ones included.
func collectLinks(items *jnode, out *[]string, depth int) {
	if items == nil || items.kind != 'a' || depth > fhirMaxDepth {
		return
	}
	for _, it := range items.kids {
		if it.kind != 'o' {
			continue
		}
		if l := it.get("linkId"); l != nil && l.kind == 's' {
			if a := it.get("answer"); a != nil && a.kind == 'a' && len(a.kids) > 0 {
				*out = append(*out, l.str)
			}
		}
		collectLinks(it.get("item"), out, depth+1)
		if a := it.get("answer"); a != nil && a.kind == 'a' {
			for _, ans := range a.kids {
				collectLinks(ans.get("item"), out, depth+1)
			}
		}
	}
}

func (r *qrReader) fail(off int, msg string) {
	if r.bad == nil {
		r.bad = &problem{off: off, code: CodeFHIR, msg: msg}
	}
}

// items reads an item array (where names it for messages).
func (r *qrReader) items(arr *jnode, where *fpath) {
	for i, it := range arr.kids {
		if r.bad != nil {
			return
		}
		w := &fpath{parent: where, idx: i}
		if it.kind != 'o' {
			r.fail(it.off, w.String()+" must be an object")
			return
		}
		l := it.get("linkId")
		if l == nil || l.kind != 's' || l.str == "" {
			r.fail(it.off, w.String()+".linkId must be a non-empty string")
			return
		}
		if sub := it.get("item"); sub != nil {
			if sub.kind != 'a' {
				r.fail(sub.off, w.String()+".item must be an array")
				return
			}
			r.items(sub, &fpath{parent: w, name: "item"})
		}
		ans := it.get("answer")
		if ans == nil {
			continue
		}
		if ans.kind != 'a' {
			r.fail(ans.off, w.String()+".answer must be an array")
			return
		}
		r.answer(l.str, ans, &fpath{parent: w, name: "answer"})
	}
}

// answer reads the answers of the item with the given linkId.
func (r *qrReader) answer(link string, ans *jnode, where *fpath) {
	var item *fhirItem
	key := link
	if r.fi != nil {
		item = r.fi.item(link)
		if item != nil {
			key = item.id
		} else if r.fi.isScore(link) {
			return // the form's own computed score: not an answer
		}
	}
	var one any
	var vals []any
	n := 0
	for i, a := range ans.kids {
		if a.kind != 'o' {
			r.fail(a.off, (&fpath{parent: where, idx: i}).String()+" must be an object")
			return
		}
		if sub := a.get("item"); sub != nil {
			w := &fpath{parent: where, idx: i}
			if sub.kind != 'a' {
				r.fail(sub.off, w.String()+".item must be an array")
				return
			}
			r.items(sub, &fpath{parent: w, name: "item"})
		}
		if v, ok := answerValue(a, item); ok {
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
	}
	if n == 0 {
		return
	}
	v := one
	if n > 1 {
		v = vals // more than one answer: the engine's wrong_type error (a list)
	}
	if old, dup := r.answers[key]; dup {
		// The same item answered twice (a repeated linkId): both are kept, as a list the engine rejects.
		list, _ := old.([]any)
		if list == nil {
			list = []any{old}
		}
		if n > 1 {
			v = append(list, vals...)
		} else {
			v = append(list, one)
		}
	} else {
		r.n++
	}
	r.answers[key] = v
}

// unsupported stands for a FHIR answer painscreen cannot use (a valueDate, a Coding with no code): the
// engine reports it as a wrong_type error of its item.
func unsupported() any { return map[string]any{} }

// answerValue turns one FHIR answer into an answer value; ok is false when the answer holds no value[x]
// (only nested items).
func answerValue(a *jnode, item *fhirItem) (any, bool) {
	var val *jnode
	var name string
	for i, k := range a.keys {
		if len(k) > 5 && k[:5] == "value" {
			if val != nil {
				return unsupported(), true // two value[x]: not FHIR
			}
			val, name = a.kids[i], k
		}
	}
	if val == nil {
		return nil, false
	}
	switch name {
	case "valueCoding":
		if val.kind != 'o' {
			return unsupported(), true
		}
		code, system := "", ""
		if c := val.get("code"); c != nil && c.kind == 's' {
			code = c.str
		}
		if s := val.get("system"); s != nil && s.kind == 's' {
			system = s.str
		}
		if item != nil {
			if item.codes[code] {
				return code, true
			}
			if system == fhir.OptionValueSystem {
				if n, err := strconv.ParseInt(code, 10, 64); err == nil && item.values[n] {
					return n, true
				}
			}
		}
		if w, ok := weight(val); ok {
			return w, true
		}
		if w, ok := weight(a); ok {
			return w, true
		}
		if code != "" {
			return code, true
		}
		return unsupported(), true
	case "valueInteger", "valueDecimal":
		if val.kind != 'n' {
			return unsupported(), true
		}
		return numberValue(val.str), true
	case "valueBoolean":
		if val.kind != 'b' {
			return unsupported(), true
		}
		if item != nil && item.binary {
			if val.b {
				return int64(1), true
			}
			return int64(0), true
		}
		return val.b, true
	case "valueString":
		if val.kind != 's' {
			return unsupported(), true
		}
		return val.str, true
	}
	return unsupported(), true
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
