package respfile

import (
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"
)

// JSON phases.
const (
	jsStart     = iota // nothing read yet
	jsArrayHead        // after '[': an element or ']'
	jsArrayNext        // after an element: ',' or ']'
	jsTrailing         // after the top-level value: only white space
)

// maxScanDepth is the deepest nesting the JSON element scanner follows; deeper input is a fatal too_deep
// error (within MaxDepth the nesting is checked exactly, beyond it only up to here).
const maxScanDepth = 1 << 16

// jsonState is the state of the streaming JSON reader.
type jsonState struct {
	phase     int
	off       int64 // bytes consumed
	line      int   // line of the next byte (1-based)
	lineStart int64 // offset of the first byte of the current line
	buf       []byte
	stack     []byte
}

func (s *jsonState) col() int { return int(s.off-s.lineStart) + 1 }

// jsonSkipWS consumes white space and returns the next byte without consuming it.
func (d *Decoder) jsonSkipWS() (byte, error) {
	s := &d.js
	for {
		c, err := d.br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r':
			s.off++
		case '\n':
			s.off++
			s.line++
			s.lineStart = s.off
		default:
			_ = d.br.UnreadByte()
			return c, nil
		}
	}
}

func (d *Decoder) jsonConsume() {
	_, _ = d.br.Discard(1)
	d.js.off++
}

// jsonFatal builds a fatal error at the current position.
func (d *Decoder) jsonFatal(code, msg string, record int) *Error {
	return &Error{Record: record, Line: d.js.line, Col: d.js.col(), Code: code, Msg: msg}
}

// jsonEOF turns an error from the reader into the fatal error to return.
func (d *Decoder) jsonEOF(err error, msg string) error {
	if err == io.EOF {
		return d.jsonFatal(CodeSyntax, "syntax error: unexpected end of input, "+msg, 0)
	}
	return d.ioError(err, d.js.line)
}

func (d *Decoder) nextJSON() (Record, error) {
	s := &d.js
	for {
		switch s.phase {
		case jsStart:
			s.line = 1
			if err := d.skipBOM(); err != nil {
				return Record{}, d.ioError(err, 1)
			}
			c, err := d.jsonSkipWS()
			if err == io.EOF {
				return Record{}, &Error{Code: CodeEmpty, Msg: "input is empty (no JSON value)"}
			}
			if err != nil {
				return Record{}, d.ioError(err, s.line)
			}
			if c == '[' {
				d.jsonConsume()
				s.phase = jsArrayHead
				continue
			}
			if c == '{' && d.fhirMap != nil {
				if isFHIR, err := d.sniffFHIR(); isFHIR {
					if err != nil {
						return Record{}, err
					}
					return d.fhirRecord()
				}
			}
			s.phase = jsTrailing
			return d.jsonElement()
		case jsArrayHead, jsArrayNext:
			c, err := d.jsonSkipWS()
			if err != nil {
				return Record{}, d.jsonEOF(err, "the array is not closed")
			}
			if c == ']' {
				d.jsonConsume()
				s.phase = jsTrailing
				continue
			}
			if s.phase == jsArrayNext {
				if c != ',' {
					return Record{}, d.jsonFatal(CodeSyntax, "syntax error: unexpected character, expected ',' or ']' after an array element", 0)
				}
				d.jsonConsume()
				if _, err := d.jsonSkipWS(); err != nil {
					return Record{}, d.jsonEOF(err, "expected an array element")
				}
			}
			s.phase = jsArrayNext
			return d.jsonElement()
		case jsTrailing:
			_, err := d.jsonSkipWS()
			if err == io.EOF {
				return Record{}, io.EOF
			}
			if err != nil {
				return Record{}, d.ioError(err, s.line)
			}
			return Record{}, d.jsonFatal(CodeSyntax, "syntax error: unexpected data after the top-level JSON value", 0)
		}
	}
}

// jsonDelim reports the bytes that end a bare scalar (number or literal) at the top of an element.
func jsonDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}', '[', '{', '"', ':':
		return true
	}
	return false
}

// jsonElement reads one JSON value (a record) from the stream.
func (d *Decoder) jsonElement() (Record, error) {
	rec := d.newRecord(d.js.line)
	if d.jsonElementInPlace(&rec) {
		return rec, nil
	}
	return d.jsonElementScan(rec)
}

// jsonElementInPlace is the fast path of jsonElement: it parses the element directly in the read buffer.
// It gives up (returning false, having consumed nothing) when the element does not end within the
// buffered bytes, or on any syntax or depth problem, which jsonElementScan then reports exactly.
func (d *Decoder) jsonElementInPlace(rec *Record) bool {
	s := &d.js
	win, _ := d.br.Peek(d.br.Buffered())
	if len(win) == 0 {
		return false
	}
	p := &d.p
	p.reset(win)
	resp := p.parseValue()
	p.b = nil
	n := p.i
	// n == len(win): a number at the end of the buffer may go on in the bytes not yet read. The byte after
	// the value must end it as jsonElementScan sees it ("100A" is one bad value, not 100 and then "A").
	if p.abort || n > d.lim.MaxRecordBytes || n >= len(win) || !jsonDelim(win[n]) {
		return false
	}
	b := win[:n]
	line, col := s.line, s.col()
	switch {
	case !utf8.Valid(b):
		rec.Err = d.utf8Error(b, line, col)
	case p.hasProb:
		rec.Err = d.probError(b, line, col)
	default:
		rec.Response = resp
	}
	if nl := bytes.Count(b, []byte{'\n'}); nl > 0 {
		s.line += nl
		s.lineStart = s.off + int64(bytes.LastIndexByte(b, '\n')) + 1
	}
	s.off += int64(n)
	_, _ = d.br.Discard(n)
	return true
}

// jsonElementScan reads one JSON value by finding where it ends (following strings and brackets) while
// buffering its bytes up to MaxRecordBytes, then parses the buffer.
func (d *Decoder) jsonElementScan(rec Record) (Record, error) {
	s := &d.js
	startLine, startCol := s.line, s.col()
	maxRec := d.lim.MaxRecordBytes
	buf := s.buf[:0]
	stack := s.stack[:0]
	tooLarge, tooDeep := false, false
	deepLine, deepCol := 0, 0
	inStr, esc := false, false

	first, err := d.br.Peek(1)
	if err != nil {
		return Record{}, d.jsonEOF(err, "expected a value")
	}
	bare := false
	switch c := first[0]; {
	case c == '{' || c == '[' || c == '"':
	case c == '-' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z'):
		bare = true
	default:
		return Record{}, d.jsonFatal(CodeSyntax, "syntax error: unexpected character, expected a value", rec.N)
	}
	done := false
	for !done {
		chunk, err := d.br.Peek(max(d.br.Buffered(), 1))
		if len(chunk) == 0 {
			if bare && err == io.EOF {
				break
			}
			if err == io.EOF {
				return Record{}, d.jsonFatal(CodeSyntax, "syntax error: unexpected end of input inside a value", rec.N)
			}
			return Record{}, d.ioError(err, s.line)
		}
		k := 0
	scan:
		for ; k < len(chunk); k++ {
			c := chunk[k]
			if bare {
				if jsonDelim(c) { // not consumed: '\n' is counted by whoever reads it
					done = true
					break scan
				}
				continue
			}
			if c == '\n' {
				s.line++
				s.lineStart = s.off + int64(k) + 1
			}
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if len(stack) == 0 {
						k++
						done = true
						break scan
					}
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				if len(stack) >= maxScanDepth {
					s.off += int64(k)
					_, _ = d.br.Discard(k)
					return Record{}, d.jsonFatal(CodeTooDeep, "record: nested deeper than "+strconv.Itoa(maxScanDepth)+" levels", rec.N)
				}
				stack = append(stack, c)
				if len(stack) > d.lim.MaxDepth && !tooDeep {
					tooDeep = true
					deepLine, deepCol = s.line, int(s.off+int64(k)-s.lineStart)+1
				}
			case '}', ']':
				if len(stack) == 0 || (c == '}') != (stack[len(stack)-1] == '{') {
					s.off += int64(k)
					_, _ = d.br.Discard(k)
					return Record{}, d.jsonFatal(CodeSyntax, "syntax error: unexpected '"+string(c)+"', brackets do not match", rec.N)
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					k++
					done = true
					break scan
				}
			}
		}
		if !tooLarge {
			if len(buf)+k > maxRec {
				tooLarge = true
				buf = buf[:0]
			} else {
				buf = append(buf, chunk[:k]...)
			}
		}
		_, _ = d.br.Discard(k)
		s.off += int64(k)
	}
	if cap(buf) > 4*bufSize {
		s.buf = nil
	} else {
		s.buf = buf[:0]
	}
	s.stack = stack[:0]

	switch {
	case tooLarge:
		rec.Err = &Error{Line: startLine, Col: startCol, Code: CodeTooLarge,
			Msg: "record: larger than " + strconv.Itoa(maxRec) + " bytes"}
		return rec, nil
	case tooDeep:
		rec.Err = &Error{Line: deepLine, Col: deepCol, Code: CodeTooDeep,
			Msg: "record: nested deeper than " + strconv.Itoa(d.lim.MaxDepth) + " levels"}
		return rec, nil
	}
	resp, e, syntax := d.parseBuffered(buf, startLine, startCol, false)
	if syntax {
		e.Record = rec.N
		return Record{}, e
	}
	rec.Response, rec.Err = resp, e
	return rec, nil
}
