package respfile

import (
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
)

// The CSV reader is hand-written rather than encoding/csv so that memory stays bounded by
// MaxRecordBytes (encoding/csv buffers a whole row, however long) and fields need not be copied into
// strings. It follows encoding/csv's rules (with LazyQuotes off and FieldsPerRecord -1) exactly: the fuzz
// test FuzzCSV checks it against encoding/csv.

// Kinds of CSV column.
const (
	colSubject = iota
	colDate    // the record's date (follow-up)
	colContext
	colAnswer
	colKeep // passed through in Record.Kept (inst: index into CSVOptions.Keep)
	colSkip // a REDCap bookkeeping column
)

type csvCol struct {
	kind int
	name string // the header cell, for messages
	key  string // context key or item id
	inst int    // index into csvState.insts
}

type fieldPos struct{ line, col int }

// csvState is the state of the CSV reader: the header, and buffers for the current row.
type csvState struct {
	subjectErr *Error // the current row's subject cell is empty or an NA token (Record.SubjectErr)
	cols       []csvCol
	insts      []string
	instItems  []int // answer columns per instrument

	rec  []byte     // the current row's fields, unquoted, one after another
	ends []int      // end of each field in rec
	pos  []fieldPos // start of each field

	col   int  // column (1-based, bytes) of the next byte on the current line
	delim byte // the field delimiter
	na    naSet
	nkeep int // kept columns
	// dateOrder is how slash dates are read (csvdate.go); dateErr the current row's date problem.
	dateOrder slashOrder
	dateErr   *Error
	subjectAt int // the subject column, -1 when there is none
	dateAt    int // the date column, -1 when there is none
}

// CSV scanner states.
const (
	csFieldStart = iota
	csUnquoted
	csQuoted
	csQuoteSeen // a '"' inside a quoted field: end of field, or the first half of ""
	csSkipLine  // after a syntax error: skip to the end of the physical line
)

// csvRow is the outcome of reading one row.
type csvRow struct {
	line     int // line where the row starts
	tooLarge bool
	synLine  int // a syntax error: its position and message
	synCol   int
	synMsg   string
}

// readRow reads one CSV row into d.csv.rec/ends/pos. It returns io.EOF when no row is left.
func (d *Decoder) readRow() (csvRow, error) {
	s := d.csv
	s.rec, s.ends, s.pos = s.rec[:0], s.ends[:0], s.pos[:0]
	var row csvRow
	state := csFieldStart
	begun := false // a byte of the row has been read (blank lines before it are skipped)
	size := 0
	maxRec := d.lim.MaxRecordBytes
	delim := s.delim
	var fpos fieldPos

	endField := func() {
		if size <= maxRec { // past the limit the row is an error: keep nothing more
			s.ends = append(s.ends, len(s.rec))
			s.pos = append(s.pos, fpos)
		}
	}
	synErr := func(line, col int, msg string) {
		if row.synMsg == "" {
			row.synLine, row.synCol, row.synMsg = line, col, msg
		}
		state = csSkipLine
	}
	need := 1
	for {
		want := d.br.Buffered()
		if want < need {
			want = need
		}
		chunk, err := d.br.Peek(want)
		if err != nil && err != io.EOF {
			return row, d.ioError(err, d.line+1)
		}
		atEOF := err == io.EOF && len(chunk) < want
		if len(chunk) == 0 {
			// End of input.
			switch state {
			case csFieldStart:
				if !begun {
					return row, io.EOF
				}
				fpos = fieldPos{d.line + 1, s.col}
				endField()
			case csUnquoted, csQuoteSeen:
				endField()
			case csQuoted:
				synErr(d.line+1, s.col, "record: quoted field is not closed before the end of the input")
			}
			return row, nil
		}
		need = 1
		k := 0
		endRow := false
	scan:
		for k < len(chunk) {
			c := chunk[k]
			if !begun {
				if c == '\n' { // blank line
					k++
					d.line++
					s.col = 1
					continue
				}
				if c == '\r' {
					if k+1 < len(chunk) {
						if chunk[k+1] == '\n' {
							k += 2
							d.line++
							s.col = 1
							continue
						}
					} else if !atEOF {
						need = 2
						break scan
					} else {
						k++ // a '\r' at the very end is dropped
						continue
					}
				}
				begun = true
				row.line = d.line + 1
			}
			// A "\r\n" counts as "\n"; a '\r' at the very end of the input is dropped.
			nl := c == '\n'
			n := 1
			if c == '\r' {
				if k+1 < len(chunk) {
					if chunk[k+1] == '\n' {
						nl, n = true, 2
					}
				} else if !atEOF {
					need = 2
					break scan
				} else {
					k++
					s.col++
					continue
				}
			}
			switch state {
			case csFieldStart:
				fpos = fieldPos{d.line + 1, s.col}
				switch {
				case c == '"':
					state = csQuoted
				case c == delim:
					endField()
				case nl:
					endField()
					endRow = true
				default:
					state = csUnquoted
					continue // handled as unquoted, same byte
				}
			case csUnquoted:
				// Take a run of ordinary bytes at once.
				j := k
				for j < len(chunk) {
					b := chunk[j]
					if b == delim || b == '\n' || b == '\r' || b == '"' {
						break
					}
					j++
				}
				if j > k {
					if size+j-k <= maxRec {
						s.rec = append(s.rec, chunk[k:j]...)
					}
					size += j - k
					s.col += j - k
					k = j
					continue
				}
				switch {
				case c == delim:
					endField()
					state = csFieldStart
				case nl:
					endField()
					endRow = true
				case c == '"':
					synErr(d.line+1, s.col, "record: bare quote in an unquoted field")
					continue // skip from this byte
				default: // a lone '\r'
					s.rec = append(s.rec, c)
				}
			case csQuoted:
				j := k
				for j < len(chunk) {
					b := chunk[j]
					if b == '"' || b == '\n' || b == '\r' {
						break
					}
					j++
				}
				if j > k {
					if size+j-k <= maxRec {
						s.rec = append(s.rec, chunk[k:j]...)
					}
					size += j - k
					s.col += j - k
					k = j
					continue
				}
				switch {
				case c == '"':
					state = csQuoteSeen
				case nl:
					s.rec = append(s.rec, '\n')
				default:
					s.rec = append(s.rec, c)
				}
			case csQuoteSeen:
				switch {
				case c == '"':
					s.rec = append(s.rec, '"')
					state = csQuoted
				case c == delim:
					endField()
					state = csFieldStart
				case nl:
					endField()
					endRow = true
				default:
					synErr(d.line+1, s.col-1, "record: extraneous or missing \" in a quoted field")
					continue
				}
			case csSkipLine:
				if nl {
					endRow = true
				}
			}
			k += n
			if !endRow {
				size += n // the line end that ends the row does not count, as for JSONL
			}
			if nl {
				d.line++
				s.col = 1
			} else {
				s.col += n
			}
			if endRow {
				break scan
			}
		}
		_, _ = d.br.Discard(k)
		if size > maxRec {
			row.tooLarge = true
			s.rec = s.rec[:0]
		}
		if endRow {
			return row, nil
		}
	}
}

func (d *Decoder) nextCSV() (Record, error) {
	if d.csv == nil {
		d.csv = &csvState{col: 1, delim: d.csvOpt.Delimiter, na: newNASet(d.csvOpt.NA)}
		if err := d.skipBOM(); err != nil {
			return Record{}, d.ioError(err, 1)
		}
		if d.csv.delim == 0 {
			d.csv.delim = d.sniffDelimiter()
		}
		if err := d.readHeader(); err != nil {
			return Record{}, err
		}
		d.csv.dateOrder = orderOf(d.csvOpt.DateFormat)
		if d.csv.dateAt >= 0 && d.csv.dateOrder == slashUnknown {
			// The rows after the header, as far as the read buffer holds them (as the delimiter is sniffed):
			// the same bytes however the input arrives.
			buf, _ := d.br.Peek(bufSize)
			d.csv.dateOrder = sniffSlashOrder(buf, d.csv.delim, d.csv.dateAt)
		}
	}
	s := d.csv
	var row csvRow
	for {
		var err error
		row, err = d.readRow()
		if err != nil {
			return Record{}, err
		}
		if row.synMsg != "" || row.tooLarge || len(s.ends) != len(s.cols) || !s.noAnswers() {
			break
		}
		d.skipped++ // a row with no answers (a REDCap event row): not a record
	}
	rec := d.newRecord(row.line)
	switch {
	case row.synMsg != "":
		rec.Err = &Error{Line: row.synLine, Col: row.synCol, Code: CodeSyntax, Msg: row.synMsg}
	case row.tooLarge:
		rec.Err = &Error{Line: row.line, Col: 1, Code: CodeTooLarge,
			Msg: "record: row is larger than " + strconv.Itoa(d.lim.MaxRecordBytes) + " bytes"}
	case len(s.ends) != len(s.cols):
		rec.Err = &Error{Line: row.line, Code: CodeCSVColumns,
			Msg: "record: row has " + strconv.Itoa(len(s.ends)) + " fields, header has " + strconv.Itoa(len(s.cols))}
	default:
		if s.nkeep > 0 {
			rec.Kept = make([]string, s.nkeep)
		}
		s.subjectErr, s.dateErr = nil, nil
		rec.Response, rec.Err = d.csvResponse(rec.Kept)
		if rec.Err == nil && s.subjectErr != nil {
			rec.SubjectErr, s.subjectErr = s.subjectErr, nil
			rec.SubjectErr.Record = rec.N
		}
		if rec.Err == nil && s.dateErr != nil {
			rec.DateErr, s.dateErr = s.dateErr, nil
			rec.DateErr.Record = rec.N
		}
		if rec.Err != nil && s.subjectAt >= 0 {
			if f := s.field(s.subjectAt); utf8.Valid(f) && len(f) <= d.lim.MaxStringBytes && !s.naSubject(f) {
				rec.Subject = string(f)
			}
		}
	}
	return rec, nil
}

// noAnswers reports whether every answer cell of the current row (with the header's number of fields) is
// empty or an NA token.
func (s *csvState) noAnswers() bool {
	for i, c := range s.cols {
		if c.kind != colAnswer {
			continue
		}
		f := s.field(i)
		if len(f) == 0 || s.na.str(f) {
			continue
		}
		if n, kind := classifyCell(f); kind == cellInt && len(s.na.ints) > 0 && s.na.int(n) {
			continue
		}
		return false
	}
	return true
}

// field returns the bytes of field i of the current row.
func (s *csvState) field(i int) []byte {
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.rec[start:s.ends[i]]
}

// Kinds of CSV cell.
const (
	cellString = iota
	cellInt
	cellNotInt   // a JSON number with a fraction or exponent
	cellOverflow // an integer outside the int64 range
)

// classifyCell says how a non-empty cell is read: an integer literal (JSON syntax: optional '-', no '+',
// no leading zeros), optionally with a fraction of zeros (2.0), is an integer; another JSON number is
// cellNotInt or cellOverflow (passed on as a json.Number, see scalar.go); anything else is a string.
func classifyCell(b []byte) (int64, int) {
	i := 0
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	ds := i
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, cellString
	}
	de := i
	isInt := true
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, cellString
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			if b[i] != '0' {
				isInt = false // 2.0 is whole (pandas writes integer columns holding NaN so); 2.5 is not
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
			return 0, cellString
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		isInt = false
	}
	if i != len(b) {
		return 0, cellString
	}
	if !isInt {
		return 0, cellNotInt
	}
	v, fits := parseInt64Digits(b[ds:de], neg)
	if !fits {
		return 0, cellOverflow
	}
	return v, cellInt
}

// csvResponse converts the current row (with the right number of fields) into a screen.Response.
// Kept cells are stored in kept.
func (d *Decoder) csvResponse(kept []string) (*screen.Response, *Error) {
	s := d.csv
	var first *Error
	fail := func(i int, code, msg string) {
		if first == nil {
			c := s.cols[i]
			e := &Error{Line: s.pos[i].line, Col: s.pos[i].col, Code: code, Msg: showKey(c.name) + ": " + msg}
			if c.kind == colAnswer {
				e.Instrument, e.Item = s.insts[c.inst], c.key
			}
			first = e
		}
	}
	resp := &screen.Response{Answers: make(map[string]map[string]any, len(s.insts))}
	inst := make([]map[string]any, len(s.insts))
	for k, name := range s.insts {
		m := make(map[string]any, s.instItems[k])
		inst[k] = m
		resp.Answers[name] = m
	}
	given := 0
	for i, c := range s.cols {
		f := s.field(i)
		if !utf8.Valid(f) {
			fail(i, CodeInvalidUTF8, "invalid UTF-8")
			continue
		}
		if len(f) > d.lim.MaxStringBytes {
			fail(i, CodeTooLarge, "cell is longer than "+strconv.Itoa(d.lim.MaxStringBytes)+" bytes")
			continue
		}
		switch c.kind {
		case colSubject:
			if s.naSubject(f) {
				// NA is no patient: the row is read without a subject (never as subject "NA", which would
				// make every such row one patient's visits for follow-up), and says so in SubjectErr. Its
				// answers are still read and scored: a signal in them must surface.
				s.subjectErr = &Error{Line: s.pos[i].line, Col: s.pos[i].col, Code: CodeMissingField,
					Msg: "subject: the subject cell is empty or an NA token: the row is scored without a subject id and linked to no other row"}
				continue
			}
			resp.Subject = string(f)
			continue
		case colDate:
			if len(bytes.TrimSpace(f)) == 0 || s.na.str(f) {
				continue // no date
			}
			date, problem := readDate(f, d.csvOpt.DateFormat, s.dateOrder)
			if problem != "" {
				s.dateErr = &Error{Line: s.pos[i].line, Col: s.pos[i].col, Code: CodeInvalidDate,
					Msg: "date: the cell of column " + showKey(c.name) + " " + problem + "; the row is read without a date"}
				continue
			}
			resp.Date = date
			continue
		case colKeep:
			kept[c.inst] = d.in.bytes(f)
			continue
		case colSkip:
			continue
		}
		var v any
		if len(f) > 0 {
			n, kind := classifyCell(f)
			switch kind {
			case cellInt:
				if len(s.na.ints) == 0 || !s.na.int(n) {
					v = n
				}
			case cellString:
				if !s.na.str(f) {
					v = d.in.boxed(f)
					if c.kind == colContext && (string(f) == "true" || string(f) == "false") {
						v = string(f) == "true" // a CSV cell has no type: true and false are booleans here
					}
				}
			default: // cellNotInt, cellOverflow: not a whole number within int64 (see scalar.go)
				if !s.na.str(f) {
					v = otherNumber(f, &d.lim)
				}
			}
		}
		if c.kind == colContext {
			if resp.Context == nil {
				resp.Context = make(map[string]any, 4)
			}
			resp.Context[c.key] = v
			continue
		}
		if v != nil {
			given++
		}
		inst[c.inst][c.key] = v
	}
	if first != nil {
		return nil, first
	}
	if given == 0 {
		return nil, &Error{Line: s.pos[0].line, Code: CodeEmpty, Msg: "record: no answers (every answer cell is empty)"}
	}
	return resp, nil
}

// naSubject reports whether a subject cell names no subject: it is empty, white space, or an NA token.
func (s *csvState) naSubject(f []byte) bool {
	if len(bytes.TrimSpace(f)) == 0 || s.na.str(f) {
		return true
	}
	n, kind := classifyCell(f)
	return kind == cellInt && len(s.na.ints) > 0 && s.na.int(n)
}
