package respfile

import (
	"io"
	"io/fs"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Reading a FHIR document: its bytes, its structure (a Bundle one entry at a time, a QuestionnaireResponse one
// item at a time), and its records.

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
		// The type is named only when it has the form of a FHIR resource type (a name of the FHIR vocabulary,
		// never health data); anything else is not repeated.
		what := "this resourceType"
		if isTypeName(rt.str) {
			what = "resourceType " + rt.str
		}
		return b.fatal(rt.off, "resource: "+what+" is not read (want QuestionnaireResponse or Bundle)")
	}
	d.fh = &fhirState{recs: b.records()}
	d.fhirContext(doc)
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
	full := ""
	if fu := e.get("fullUrl"); fu != nil && fu.kind == 's' {
		full = fu.str
	}
	if t := res.get("resourceType"); t == nil || t.kind != 's' || t.str != "QuestionnaireResponse" {
		return // Patients, Questionnaires, Observations … are not answers
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
	dp.topItems, dp.resDepth = true, 4 // an entry's resource: entry array 2, entry 3, resource 4
	var itemDP *domParser
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
				dp.itemOff = -1
				e, end, perr := dp.parseValueAt(p.i, 2)
				if perr != nil {
					return d.docError(doc, perr)
				}
				if err := d.streamEntryItems(b, dp, &itemDP, e); err != nil {
					return err
				}
				b.entry(i, e)
				b.streamed = nil
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
	d.fhirContext(doc)
	return nil
}

// streamEntryItems prepares the items of a Bundle entry's QuestionnaireResponse, which dp skipped, to be
// read one at a time: their linkIds are gathered now (a JSON problem among them is fatal, as anywhere in
// the document). Other resources' items are not read.
func (d *Decoder) streamEntryItems(b *fhirBuilder, dp *domParser, itemDP **domParser, e *jnode) error {
	b.streamed = nil
	if dp.itemOff < 0 {
		return nil
	}
	res := e.get("resource")
	if t := res.get("resourceType"); t == nil || t.kind != 's' || t.str != "QuestionnaireResponse" {
		return nil
	}
	if *itemDP == nil {
		*itemDP = newDOMParser(b.doc, &d.lim, &d.in)
		b.entryItems = &streamedItems{dp: *itemDP}
	}
	s := b.entryItems // reused from entry to entry
	s.off, s.links, s.notArray = dp.itemOff, s.links[:0], false
	if b.doc[dp.itemOff] == '[' {
		if perr := s.walk(func(_ int, it *jnode) {
			if len(s.links) <= b.lim.MaxAnswers {
				collectLinks(it, &s.links, 0)
			}
		}); perr != nil {
			return d.docError(b.doc, perr)
		}
	} else {
		s.notArray = true
	}
	b.streamed = s
	return nil
}

// isTypeName reports whether s has the form of a FHIR resource type: an upper-case ASCII letter, then
// ASCII letters, at most 64 in all.
func isTypeName(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
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
	d.fhirContext(doc)
	return nil
}

// streamedItems is the item array of a top-level QuestionnaireResponse, parsed one element at a time
// (the tree of one item at most is in memory).
type streamedItems struct {
	dp       *domParser
	off      int      // offset of the array's '['
	links    []string // the answered linkIds, gathered by a first walk
	notArray bool     // the item member is not an array (an error of the response)
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
