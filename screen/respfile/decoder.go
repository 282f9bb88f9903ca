package respfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
)

// Record is one record of the input: a response set, or the problem that kept it from being one.
type Record struct {
	// N is the 1-based ordinal of the record in this input (error records count).
	N int
	// Line is the 1-based line where the record starts: for JSONL and CSV the line of the record (for CSV,
	// where the row starts); for JSON and YAML the line of its object. 0 if unknown.
	Line int
	// Response is the decoded response set; nil when Err is not nil.
	Response *screen.Response
	// Err is a problem with this record only; decoding goes on with the next record.
	Err *Error
	// SubjectErr is set (with Err nil) for a CSV row whose subject cell is empty, white space or an NA
	// token in a file with a subject column: the record is read without a subject id (Response.Subject
	// is empty, never "NA"), so that it is linked to no other record, and its answers are still scored.
	// Callers report it as an error of the record (the CLI: invalid_subject).
	SubjectErr *Error
	// DateErr is set (with Err nil) for a CSV row whose date cell is not a date the reader can read (see
	// CSVOptions.DateFormat): the record is read without a date (Response.Date is empty) and its answers
	// are scored. Callers report it as an error of the record (the CLI: invalid_date).
	DateErr *Error
	// Subject is, for a CSV error record (Err set) whose row has the header's number of fields, its
	// subject cell ("" when it names no subject): an error record keeps its subject id.
	Subject string
	// Sources lists the resources the response set was read from: for FHIR input, each
	// QuestionnaireResponse merged into it, in input order; nil for other formats and for error records.
	Sources []Source
	// Kept holds the cells of the CSV columns named in CSVOptions.Keep, in that order (also for a record
	// with Err, when its row has the header's number of fields); nil for other formats.
	Kept []string
	// EHR is the treatment context derived from the patient's resources in the same FHIR Bundle, with its
	// reasons and notes (Decoder.UseEHRContext); nil when none was derived.
	EHR *ehr.Context
}

// Decoder reads records from a response file one at a time. It reads its input in a streaming way:
// memory use is bounded by the Limits (one record, plus for YAML one document), not by the number of
// records. A Decoder is not safe for concurrent use.
type Decoder struct {
	format  Format
	lim     Limits
	br      *bufio.Reader
	doc     *limitReader // JSON and YAML: the reader that enforces MaxDocumentBytes
	n       int          // records returned so far
	err     error        // sticky: io.EOF or a fatal error
	begun   bool
	checked bool // the input was checked for UTF-16
	in      interner
	p       jparser

	line    int    // JSONL and CSV: physical lines read so far
	lineBuf []byte // JSONL and CSV: a line longer than the bufio buffer

	js     jsonState
	csv    *csvState
	csvOpt CSVOptions
	yml    *yamlState

	fhirMap *FHIRMapper // UseFHIR
	fh      *fhirState  // a FHIR document being read

	ehrAccept func(string) bool // UseEHRContext (fhircontext.go)

	skipped int // CSV rows with no answers, skipped (SkippedRows)
}

// SkippedRows returns how many CSV rows were skipped so far because every answer cell is empty or an NA
// token (REDCap writes such rows for events and repeating instruments that have no answers): they carry no
// answer, so they are not records; callers report the count. 0 for other formats.
func (d *Decoder) SkippedRows() int { return d.skipped }

// bufSize is the size of the read buffer; lines and records up to this size are parsed in place.
const bufSize = 64 << 10

// NewDecoder returns a Decoder that reads records of format f from r, within the limits lim (zero fields
// take their defaults, see Limits). An unknown format makes Next fail.
func NewDecoder(r io.Reader, f Format, lim Limits) *Decoder {
	d := &Decoder{format: f, lim: lim.withDefaults()}
	size, keys := bufSize, 128
	if l, ok := r.(interface{ Len() int }); ok && l.Len() < bufSize {
		// An input in memory that is smaller than the buffer (a request body, a test's string): a buffer
		// one byte larger holds all of it, as the full one would, without 64 KiB per decoder.
		size, keys = l.Len()+1, min(keys, l.Len()/32+8)
	}
	if f == FormatYAML && d.lim.MaxDocumentBytes > MaxYAMLDocumentBytes {
		// yaml.v3 holds a whole document in memory as nodes, several times its size.
		d.lim.MaxDocumentBytes = MaxYAMLDocumentBytes
	}
	if f == FormatJSON || f == FormatYAML || f == FormatFHIR {
		d.doc = &limitReader{r: r, left: d.lim.MaxDocumentBytes}
		r = d.doc
	}
	d.br = bufio.NewReaderSize(r, size)
	d.in.m = make(map[string]internEntry, keys)
	if size == bufSize {
		d.in.cache = new([256]internEntry)
	}
	d.p.lim = &d.lim
	d.p.in = &d.in
	return d
}

// Next returns the next record. At the end of the input it returns io.EOF. A problem with one record comes
// back as Record.Err with a nil error, and the following call goes on with the next record. A non-nil error
// other than io.EOF means the input cannot be read further: an I/O error (returned wrapped), or a problem
// with the data from which the decoder cannot recover (a JSON or YAML syntax error, a bad CSV header, a
// limit on the whole input), which is an *Error. Records already returned stay valid. Once Next has
// returned an error it returns the same error on every later call.
func (d *Decoder) Next() (Record, error) {
	if d.err != nil {
		return Record{}, d.err
	}
	var rec Record
	var err error
	if !d.checked {
		d.checked = true
		if b, _ := d.br.Peek(4); isUTF16(b) {
			d.err = &Error{Line: 1, Col: 1, Code: CodeInvalidUTF8, Msg: "input is UTF-16; response files must be UTF-8"}
			return Record{}, d.err
		}
	}
	switch {
	case d.fh != nil:
		rec, err = d.fhirRecord()
	case d.format == FormatFHIR:
		rec, err = d.nextFHIR()
	case d.format == FormatJSONL:
		rec, err = d.nextJSONL()
	case d.format == FormatJSON:
		rec, err = d.nextJSON()
	case d.format == FormatCSV:
		rec, err = d.nextCSV()
	case d.format == FormatYAML:
		rec, err = d.nextYAML()
	default:
		err = fmt.Errorf("unknown response format %q (want json, jsonl, yaml, csv or fhir)", string(d.format))
	}
	if err == nil && d.lim.MaxRecords > 0 && rec.N > d.lim.MaxRecords {
		err = &Error{Record: rec.N, Line: rec.Line, Code: CodeTooManyRecords,
			Msg: "input has more than " + strconv.Itoa(d.lim.MaxRecords) + " records"}
	}
	if err != nil {
		d.err = err
		return Record{}, err
	}
	if rec.Err != nil {
		rec.Response = nil
		rec.Err.Record = rec.N
	}
	return rec, nil
}

// newRecord numbers the next record.
func (d *Decoder) newRecord(line int) Record {
	d.n++
	return Record{N: d.n, Line: line}
}

// ioError wraps an error of the underlying reader. An error of the document limit becomes an *Error.
func (d *Decoder) ioError(err error, line int) error {
	if errors.Is(err, errDocTooLarge) {
		return &Error{Line: line, Code: CodeTooLarge,
			Msg: "input is larger than the limit of " + strconv.FormatInt(d.lim.MaxDocumentBytes, 10) + " bytes"}
	}
	return fmt.Errorf("reading %s responses: %w", string(d.format), err)
}

// isUTF16 reports whether an input starting with b (its first two to four bytes) is UTF-16: a UTF-16 byte
// order mark, or two ASCII characters each written in two bytes (no UTF-8 text holds NUL bytes there).
func isUTF16(b []byte) bool {
	if len(b) >= 2 && (string(b[:2]) == "\xff\xfe" || string(b[:2]) == "\xfe\xff") {
		return true
	}
	if len(b) < 4 {
		return false
	}
	text := func(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' }
	return b[0] == 0 && b[2] == 0 && text(b[1]) && text(b[3]) || b[1] == 0 && b[3] == 0 && text(b[0]) && text(b[2])
}

// skipBOM drops a UTF-8 byte order mark at the start of the input.
func (d *Decoder) skipBOM() error {
	b, err := d.br.Peek(3)
	if len(b) == 3 && string(b) == "\xef\xbb\xbf" {
		_, _ = d.br.Discard(3)
		return nil
	}
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

// errDocTooLarge is returned by limitReader past the limit.
var errDocTooLarge = errors.New("input too large")

// limitReader fails with errDocTooLarge once more than left bytes would be read.
type limitReader struct {
	r    io.Reader
	left int64
	hit  bool // errDocTooLarge was returned
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.hit {
		return 0, errDocTooLarge
	}
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.hit = true
			return 0, errDocTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// interner keeps one copy of short strings that repeat from record to record (keys, option codes), so that
// they do not allocate again; for values it also keeps the string boxed in an interface, since converting
// a string to an interface allocates. It is bounded: once full, new strings are allocated as usual.
type interner struct {
	m     map[string]internEntry
	limit int // entries kept at most; 0 means maxInterned
	// cache is a small direct-mapped cache in front of m for values (option codes such as "yes" or
	// "LA6568-5" repeat on every record), indexed by a cheap hash of the bytes. It is 8 KiB, so a decoder
	// of an input in memory smaller than its buffer (a request body: one record or a few) goes without it.
	cache *[256]internEntry
}

func cacheSlot(b []byte) int {
	n := len(b)
	return int((uint(n)*31 + uint(b[0])*7 + uint(b[n-1])*13 + uint(b[n/2])) & 255)
}

type internEntry struct {
	s   string
	box any // s as an interface value
}

const (
	maxInterned   = 8192
	maxInternSize = 64
)

func (in *interner) add(s string) internEntry {
	e := internEntry{s: s, box: s}
	if limit := in.limit; len(in.m) < maxInterned && (limit == 0 || len(in.m) < limit) {
		in.m[s] = e
	}
	return e
}

// str returns the interned copy of s.
func (in *interner) str(s string) string {
	if len(s) > maxInternSize {
		return s
	}
	if e, ok := in.m[s]; ok {
		return e.s
	}
	return in.add(s).s
}

// bytes returns b as an interned string.
func (in *interner) bytes(b []byte) string {
	if len(b) > maxInternSize {
		return string(b)
	}
	if e, ok := in.m[string(b)]; ok {
		return e.s
	}
	return in.add(string(b)).s
}

// boxed returns b as an interned string in an interface value.
func (in *interner) boxed(b []byte) any {
	if len(b) > maxInternSize || len(b) == 0 {
		return string(b)
	}
	if in.cache == nil {
		if e, ok := in.m[string(b)]; ok {
			return e.box
		}
		return in.add(string(b)).box
	}
	slot := cacheSlot(b)
	if c := &in.cache[slot]; c.box != nil && c.s == string(b) {
		return c.box
	}
	e, ok := in.m[string(b)]
	if !ok {
		e = in.add(string(b))
	}
	in.cache[slot] = e
	return e.box
}

// boxedStr is boxed for a string.
func (in *interner) boxedStr(s string) any {
	if len(s) > maxInternSize {
		return s
	}
	if e, ok := in.m[s]; ok {
		return e.box
	}
	return in.add(s).box
}

// position maps a byte offset in a record buffer to a line and column, given the line and column of the
// buffer's first byte.
func position(b []byte, off, line, col int) (int, int) {
	if off > len(b) {
		off = len(b)
	}
	nl := bytes.Count(b[:off], []byte{'\n'})
	if nl == 0 {
		return line, col + off
	}
	last := bytes.LastIndexByte(b[:off], '\n')
	return line + nl, off - last
}

// firstInvalidUTF8 returns the offset of the first byte of b that is not part of valid UTF-8.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// parseBuffered parses one JSON record held in b, whose first byte is at line, col. It returns the response,
// or the problem as an *Error; syntax reports that the problem is a syntax error.
func (d *Decoder) parseBuffered(b []byte, line, col int, utf8First bool) (resp *screen.Response, e *Error, syntax bool) {
	if utf8First && !utf8.Valid(b) {
		return nil, d.utf8Error(b, line, col), false
	}
	p := &d.p
	p.reset(b)
	resp = p.parseRecord()
	p.b = nil
	if p.abort && p.prob.code == CodeSyntax {
		return nil, d.probError(b, line, col), true
	}
	if !utf8First && !utf8.Valid(b) {
		return nil, d.utf8Error(b, line, col), false
	}
	if p.hasProb {
		return nil, d.probError(b, line, col), false
	}
	return resp, nil, false
}

func (d *Decoder) utf8Error(b []byte, line, col int) *Error {
	l, c := position(b, firstInvalidUTF8(b), line, col)
	return &Error{Line: l, Col: c, Code: CodeInvalidUTF8, Msg: "record: invalid UTF-8"}
}

func (d *Decoder) probError(b []byte, line, col int) *Error {
	pr := d.p.prob
	l, c := position(b, pr.off, line, col)
	return &Error{Line: l, Col: c, Code: pr.code, Msg: pr.msg, Instrument: pr.inst, Item: pr.item}
}
