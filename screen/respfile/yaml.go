package respfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The YAML reader streams: a document whose top level is a block sequence ("- subject: …" lines, the
// usual shape of a batch) is cut into its items at the lines that start one ("- " at the sequence's
// indentation), and each item is parsed on its own, so memory holds one record, never the whole list
// (yaml.v3 spends some hundred bytes of nodes per value: a 30 MB list of one-character values once took
// several GB). An item cut at a line that only looked like the start of one (inside a multi-line quoted
// string or flow collection) fails to parse alone; it is then parsed with the items that follow, as one
// text, until it parses or passes MaxRecordBytes. Any other document (one mapping, a flow sequence) is
// parsed whole, and it may be at most MaxRecordBytes long.

// yamlState is the state of the YAML reader.
type yamlState struct {
	pending []*yaml.Node // records parsed but not yet returned
	content bool         // a document with content has been seen
	eof     bool         // the input is read to its end

	// The current document.
	inDoc bool // between the start of a document and its end
	seq   bool // it is a block sequence whose items are read one at a time
	ind   int  // the sequence's indentation

	// A line read ahead: the one that ended the previous item or document.
	ahead     []byte
	aheadLine int
	hasAhead  bool
	aheadBig  bool   // the line is longer than MaxRecordBytes (ahead holds only its start)
	rest      []byte // what follows a lone \r in the last line read

	queue []yamlItem // items read but not yet parsed
}

// yamlLine is one physical line of the input, with its line end.
type yamlLine struct {
	text []byte
	n    int  // 1-based line number
	big  bool // longer than MaxRecordBytes: text holds only its first bigLineStart bytes
}

// bigLineStart is how much of a line longer than MaxRecordBytes is kept.
const bigLineStart = 64

func (d *Decoder) nextYAML() (Record, error) {
	if d.yml == nil {
		d.yml = &yamlState{}
		if err := d.skipBOM(); err != nil {
			return Record{}, d.ioError(err, 1)
		}
	}
	s := d.yml
	for len(s.pending) == 0 {
		rec, done, err := d.readYAML()
		if err != nil || done {
			return rec, err
		}
	}
	n := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	rec := d.newRecord(n.Line)
	w := yamlWalker{d: d}
	resp := w.record(n)
	if w.err != nil {
		rec.Err = w.err
	} else {
		rec.Response = resp
	}
	return rec, nil
}

// yamlItem is the text of one item of a block sequence (or of a whole document), not yet parsed.
type yamlItem struct {
	text  []byte
	first int  // its first line
	big   bool // longer than MaxRecordBytes: text is not kept
}

// yamlGroupBytes is how much text of consecutive items is parsed at once: one yaml.v3 parser per item
// would cost more than the items themselves when they are small. (A variable for tests.)
var yamlGroupBytes = 16 << 10

// readYAML reads the next records into s.pending. done reports that rec (an error record of one item) or
// err (the end of the input, or a fatal error) is the result.
func (d *Decoder) readYAML() (rec Record, done bool, err error) {
	s := d.yml
	if !s.inDoc && len(s.queue) == 0 {
		if err := d.startYAMLDocument(); err != nil {
			return Record{}, true, err
		}
		if !s.inDoc {
			if !s.content {
				return Record{}, true, &Error{Code: CodeEmpty, Msg: "input is empty (no YAML document)"}
			}
			return Record{}, true, io.EOF
		}
	}
	if !s.seq {
		it, ok, err := d.readItem()
		switch {
		case err != nil:
			return Record{}, true, err
		case !ok:
			return Record{}, false, nil
		case it.big:
			return Record{}, true, &Error{Line: it.first, Code: CodeTooLarge, Msg: "a YAML document that is not a block list (- subject: …) is longer than " +
				strconv.Itoa(d.lim.MaxRecordBytes) + " bytes; write a batch as a block list or as JSON Lines"}
		}
		nodes, err := d.parseYAMLText(it.text, it.first)
		if err != nil {
			return Record{}, true, err
		}
		s.pending, s.content = nodes, s.content || len(nodes) > 0
		return Record{}, false, nil
	}
	// A group of small items parsed as one text, when it gives one record per item.
	size, n := 0, 0
	for ; ; n++ {
		if err := d.fillQueue(n + 1); err != nil {
			return Record{}, true, err
		}
		if n == len(s.queue) {
			break
		}
		it := s.queue[n]
		if it.big || size+len(it.text) > yamlGroupBytes || !utf8.Valid(it.text) {
			break
		}
		size += len(it.text)
	}
	if len(s.queue) == 0 {
		return Record{}, false, nil // the end of the document
	}
	if n > 1 {
		var group []byte
		for _, it := range s.queue[:n] {
			group = append(group, it.text...)
		}
		if nodes, err := d.parseYAMLText(group, s.queue[0].first); err == nil && len(nodes) == n {
			s.pending, s.content = nodes, true
			s.queue = s.queue[n:]
			return Record{}, false, nil
		}
	}
	return d.readYAMLItem()
}

// readYAMLItem parses the first item of the queue on its own. An item that does not parse alone may have
// been cut inside a multi-line quoted string or flow collection: it is parsed again with the 1, 2, 4 …
// items that follow, until it parses or passes MaxRecordBytes.
func (d *Decoder) readYAMLItem() (rec Record, done bool, err error) {
	s := d.yml
	it := s.queue[0]
	s.content = true
	fail := func(e *Error) (Record, bool, error) {
		s.queue = s.queue[1:]
		rec := d.newRecord(it.first)
		rec.Err = e
		return rec, true, nil
	}
	switch {
	case it.big:
		return fail(&Error{Line: it.first, Col: 1, Code: CodeTooLarge,
			Msg: "record: list item is longer than " + strconv.Itoa(d.lim.MaxRecordBytes) + " bytes"})
	case !utf8.Valid(it.text):
		l, c := position(it.text, firstInvalidUTF8(it.text), it.first, 1)
		return fail(&Error{Line: l, Col: c, Code: CodeInvalidUTF8, Msg: "record: invalid UTF-8"})
	}
	nodes, perr := d.parseYAMLText(it.text, it.first)
	if perr == nil {
		s.pending = nodes
		s.queue = s.queue[1:]
		return Record{}, false, nil
	}
	var ye *Error
	if errors.As(perr, &ye) && ye.Code == CodeAlias {
		// An alias of an anchor in another item: this record's error, as when the list is parsed whole.
		return fail(&Error{Line: ye.Line, Code: CodeAlias, Msg: "record: YAML aliases are not allowed in response files"})
	}
	text := it.text
	for n, want := 1, 1; ; want *= 2 {
		if err := d.fillQueue(n + want); err != nil {
			return Record{}, true, err
		}
		if n == len(s.queue) {
			return Record{}, true, perr // nothing more to try
		}
		for limit := n + want; n < len(s.queue) && n < limit; n++ {
			if s.queue[n].big || len(text)+len(s.queue[n].text) > d.lim.MaxRecordBytes {
				return Record{}, true, &Error{Line: it.first, Code: CodeTooLarge, Msg: "a list item that does not parse on its own is longer than " +
					strconv.Itoa(d.lim.MaxRecordBytes) + " bytes with the items after it"}
			}
			text = append(text, s.queue[n].text...)
		}
		if nodes, perr = d.parseYAMLText(text, it.first); perr == nil {
			s.pending = nodes
			s.queue = s.queue[n:]
			return Record{}, false, nil
		}
	}
}

// fillQueue reads items into the queue until it holds n, or the document ends.
func (d *Decoder) fillQueue(n int) error {
	s := d.yml
	for len(s.queue) < n {
		it, ok, err := d.readItem()
		if err != nil || !ok {
			return err
		}
		s.queue = append(s.queue, it)
	}
	return nil
}

// readItem reads the next item of the current document: its lines up to the next item of the block
// sequence, or (for a document that is not one) the whole document. ok is false at the document's end.
func (d *Decoder) readItem() (it yamlItem, ok bool, err error) {
	s := d.yml
	l, ok, err := d.yamlLine()
	if err != nil || !ok {
		return yamlItem{}, false, err
	}
	it.first = l.n
	for ok {
		it.big = it.big || l.big || len(it.text)+len(l.text) > d.lim.MaxRecordBytes
		if it.big {
			it.text = nil
		} else {
			it.text = append(it.text, l.text...)
		}
		if l, ok, err = d.yamlLine(); err != nil {
			return yamlItem{}, false, err
		}
		if ok && s.seq && d.startsItem(l) {
			d.unread(l)
			break
		}
	}
	return it, true, nil
}

// startYAMLDocument skips what comes before the next document's content (blank lines, comments, document
// markers) and decides how the document is read. At the end of the input s.inDoc stays false.
func (d *Decoder) startYAMLDocument() error {
	s := d.yml
	var head []byte // directives and what follows them: kept for a document parsed whole
	headLine := 0
	for {
		l, ok, err := d.rawYAMLLine()
		if err != nil || !ok {
			return err
		}
		t := trimEOL(l.text)
		switch {
		case firstNonSpace(t) == '#' || !l.big && isBlank(t):
			if head != nil {
				head = append(head, l.text...)
			}
			continue
		case !l.big && t[0] == '%':
			if head == nil {
				headLine = l.n
			}
			head = append(head, l.text...)
			continue
		case isMarker(t, "..."):
			if rest := trimSpace(t[3:]); !l.big && len(rest) == 0 || len(rest) > 0 && rest[0] == '#' {
				head, headLine = nil, 0
				continue
			}
			return &Error{Line: l.n, Code: CodeSyntax, Msg: "YAML syntax error: content after the document end marker (...)"}
		case isMarker(t, "---"):
			if rest := trimSpace(t[3:]); !l.big && len(rest) == 0 || len(rest) > 0 && rest[0] == '#' {
				if head != nil {
					head = append(head, l.text...)
				}
				continue
			}
			// Content after the marker: read the document whole, the marker blanked out (columns stay).
			s.inDoc, s.seq = true, false
			if head == nil {
				l.text = append([]byte("   "), l.text[3:]...)
			}
		case l.big && isBlank(t):
			s.inDoc, s.seq = true, false
		default:
			s.inDoc = true
			ind := len(t) - len(trimLeftSpaces(t))
			s.seq, s.ind = head == nil && d.isItemStart(t, ind), ind
		}
		if head != nil {
			s.seq = false
			l = yamlLine{text: append(head, l.text...), n: headLine, big: l.big}
		}
		d.unread(l)
		return nil
	}
}

// yamlLine returns the next line of the current document; ok is false at its end (a document marker,
// which is then consumed for "..." and kept for "---", or the end of the input).
func (d *Decoder) yamlLine() (yamlLine, bool, error) {
	s := d.yml
	if !s.inDoc {
		return yamlLine{}, false, nil
	}
	l, ok, err := d.rawYAMLLine()
	if err != nil {
		return yamlLine{}, false, err
	}
	if !ok {
		s.inDoc = false
		return yamlLine{}, false, nil
	}
	if t := trimEOL(l.text); isMarker(t, "---") || isMarker(t, "...") {
		// The document ends; the next one starts with "---", and content after "..." is an error.
		s.inDoc = false
		if rest := trimSpace(t[3:]); isMarker(t, "---") || l.big || len(rest) > 0 && rest[0] != '#' {
			d.unread(l)
		}
		return yamlLine{}, false, nil
	}
	return l, true, nil
}

// startsItem reports whether l starts an item of the current block sequence.
func (d *Decoder) startsItem(l yamlLine) bool {
	t := trimEOL(l.text)
	return len(t) > d.yml.ind && len(t)-len(trimLeftSpaces(t)) == d.yml.ind && d.isItemStart(t, d.yml.ind)
}

// isItemStart reports whether t has a block sequence entry indicator at byte ind: "-" then white space or
// the end of the line.
func (d *Decoder) isItemStart(t []byte, ind int) bool {
	return len(t) > ind && t[ind] == '-' && (len(t) == ind+1 || t[ind+1] == ' ' || t[ind+1] == '\t')
}

// rawYAMLLine returns the next line (the one read ahead first); ok is false at the end of the input. Lines
// end in \n, \r\n, or a \r alone (YAML breaks lines there too). A line longer than MaxRecordBytes is not
// kept whole.
func (d *Decoder) rawYAMLLine() (yamlLine, bool, error) {
	s := d.yml
	if s.hasAhead {
		s.hasAhead = false
		return yamlLine{text: s.ahead, n: s.aheadLine, big: s.aheadBig}, true, nil
	}
	var l yamlLine
	if len(s.rest) > 0 {
		l.text, s.rest = s.rest, nil
	} else {
		if s.eof {
			return yamlLine{}, false, nil
		}
		b, err := d.br.ReadSlice('\n')
		if err == io.EOF && len(b) == 0 {
			s.eof = true
			return yamlLine{}, false, nil
		}
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return yamlLine{}, false, d.yamlReadError(err)
		}
		l.text = append(l.text, b...)
		for err == bufio.ErrBufferFull {
			b, err = d.br.ReadSlice('\n')
			if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
				return yamlLine{}, false, d.yamlReadError(err)
			}
			if len(l.text) <= d.lim.MaxRecordBytes {
				l.text = append(l.text, b...)
			}
			l.big = l.big || len(l.text) > d.lim.MaxRecordBytes
		}
		if len(l.text) > d.lim.MaxRecordBytes {
			// Not kept: only its start, to tell what kind of line it is.
			l.big = true
			l.text = l.text[:min(len(l.text), bigLineStart):bigLineStart]
		}
		if err == io.EOF {
			s.eof = true
		}
	}
	if i := bytes.IndexByte(l.text, '\r'); !l.big && i >= 0 && i+1 < len(l.text) && l.text[i+1] != '\n' {
		l.text, s.rest = l.text[:i+1], l.text[i+1:]
	}
	d.line++
	l.n = d.line
	return l, true, nil
}

func (d *Decoder) yamlReadError(err error) error {
	if errors.Is(err, errDocTooLarge) {
		return d.ioError(err, d.line+1)
	}
	return fmt.Errorf("reading yaml responses: %w", err)
}

// unread pushes l back: the next line read is l.
func (d *Decoder) unread(l yamlLine) {
	s := d.yml
	s.ahead, s.aheadLine, s.aheadBig, s.hasAhead = l.text, l.n, l.big, true
}

// parseYAMLText parses one item, or one document, whose first line is line first of the input, and
// returns its records: the elements of a sequence, or the one mapping (none for an empty document).
func (d *Decoder) parseYAMLText(b []byte, first int) (nodes []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			nodes, err = nil, &Error{Line: first, Code: CodeSyntax, Msg: "YAML syntax error: the YAML parser failed on this input"}
		}
	}()
	var doc yaml.Node
	if bytes.HasPrefix(b, bom) {
		// yaml.v3 drops a byte order mark at the start of its input: only the input's first one is not
		// content, and that one is skipped already.
		b = append(append([]byte(nil), bom...), b...)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		e := d.yamlError(err)
		if ye, ok := e.(*Error); ok && ye.Line > 0 {
			ye.Line += first - 1
		}
		return nil, e
	}
	offsetLines(&doc, first-1)
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" && root.Anchor == "" {
		return nil, nil // an empty document holds no record
	}
	if root.Kind == yaml.SequenceNode {
		if root.Anchor != "" {
			return nil, &Error{Line: root.Line, Col: root.Column, Code: CodeAlias,
				Msg: "document: YAML anchors are not allowed in response files"}
		}
		return root.Content, nil
	}
	return []*yaml.Node{root}, nil
}

var bom = []byte("\xef\xbb\xbf")

// offsetLines moves the line of every node of the tree by off.
func offsetLines(n *yaml.Node, off int) {
	n.Line += off
	for _, c := range n.Content {
		offsetLines(c, off)
	}
}

func isMarker(t []byte, m string) bool {
	return len(t) >= 3 && string(t[:3]) == m && (len(t) == 3 || t[3] == ' ' || t[3] == '\t')
}

func firstNonSpace(t []byte) byte {
	if u := trimSpace(t); len(u) > 0 {
		return u[0]
	}
	return 0
}

func trimSpace(t []byte) []byte { return bytes.TrimLeft(t, " \t") }

func trimLeftSpaces(t []byte) []byte { return bytes.TrimLeft(t, " ") }

// yamlError maps an error of yaml.v3 to a fatal error. yaml.v3's own text can quote the input (an anchor
// name, a value), so only its plain-word messages are passed on.
func (d *Decoder) yamlError(err error) error {
	if d.doc != nil && d.doc.hit {
		return d.ioError(errDocTooLarge, 0)
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line = n
				msg = rest[i+2:]
			}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "input error: "); ok {
		return fmt.Errorf("reading yaml responses: %w", errors.New(rest))
	}
	code := CodeSyntax
	switch {
	case strings.Contains(msg, "UTF-8"):
		code = CodeInvalidUTF8
	case strings.Contains(msg, "anchor") || strings.Contains(msg, "alias"):
		code = CodeAlias
	}
	text := "YAML syntax error"
	switch code {
	case CodeInvalidUTF8:
		text = "input is not valid UTF-8"
	case CodeAlias:
		text = "YAML syntax error: bad anchor or alias (anchors and aliases are not allowed in response files)"
	}
	if code != CodeAlias && plainWords(msg) {
		text += ": " + msg
	}
	return &Error{Line: line, Code: code, Msg: text}
}

// plainWords reports whether s is a short message of words only (no quotes, digits or other characters
// that could carry input text).
func plainWords(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == ' ' || c == '-' || c == ',' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '<' || c == '>') {
			return false
		}
	}
	return true
}
