package respfile

import (
	"io"
	"strconv"
	"strings"
)

// CSVOptions adapts the CSV reader to files as spreadsheets, R, pandas and REDCap write them. The zero
// CSVOptions sniffs the delimiter, reads DefaultNA as missing, keeps no extra column and does not check
// answer columns against any instrument (NewDecoder reads CSV so).
type CSVOptions struct {
	// Delimiter separates the fields: ',', ';' or '\t'. 0 sniffs it from the header row: of the three, the
	// one that occurs most often outside quotes (',' when none does, or on a tie with ',').
	Delimiter byte
	// NA lists the cell texts read as a missing answer (nil), as an empty cell is. A token that is an
	// integer (-99) matches the cells with that value (-99, -99.0). nil means DefaultNA; an empty non-nil
	// slice means that only the empty cell is missing. NA tokens apply to answer and context cells, not
	// to the subject cell or kept columns, which are passed on as written.
	NA []string
	// Keep names columns that are neither subject, context nor answers and are passed through: their cells
	// come back in Record.Kept, in this order. A name missing from the header, or naming a column that is
	// read as subject, context or an answer, is a header error.
	Keep []string
	// Items, when not nil, checks every answer column once, when the header is read: it maps each
	// instrument key a column may name ("phq9", and "phq9@1.0.0" for a pinned version) to the item ids of
	// that instrument. An instrument or item it does not hold is then a header error with a suggestion,
	// instead of the same error on every row.
	Items map[string][]string
	// IsAnswer, when not nil, checks every NA token once, when the header is read: IsAnswer(inst, item, v)
	// reports whether v (an int64 for a token that is an integer, else the token's text) is a valid answer
	// of item of instrument inst, an answer column of the file. A token that is one (NA 3 with a 0-3
	// item, an option code) is a fatal csv_na error naming the token and the column: reading it as missing
	// would turn real answers into blanks in every row.
	IsAnswer func(inst, item string, v any) bool
	// SubjectColumn names the subject column ("" is "subject"): REDCap's record_id, for example.
	SubjectColumn string
	// DateColumn names the column of the record's date ("" is "date"): a REDCap date field such as
	// visit_date.
	DateColumn string
	// DateFormat is the layout of the date column's dates: one of DateFormats, or "" to read ISO dates
	// (also with a time), DD.MM.YYYY and the slash dates the file's own dates settle (csvdate.go).
	DateFormat string
}

func (o *CSVOptions) subjectColumn() string {
	if o.SubjectColumn == "" {
		return "subject"
	}
	return o.SubjectColumn
}

func (o *CSVOptions) dateColumn() string {
	if o.DateColumn == "" {
		return "date"
	}
	return o.DateColumn
}

// DefaultNA is the NA tokens of the zero CSVOptions: R's NA, N/A and Excel's #N/A, and NaN and nan as
// pandas and NumPy print a missing float. The empty cell (which pandas writes for a missing value) is
// always missing.
var DefaultNA = []string{"NA", "N/A", "#N/A", "NaN", "nan"}

// REDCap columns. REDCap variable names hold only lowercase letters, digits and underscores, so an answer
// column may also be named <instrument>__<item> (two underscores; the instrument is everything before the
// first "__"), and a context column context__<key>. REDCap's own bookkeeping columns in a data export (redcap_event_name,
// redcap_repeat_instrument, redcap_repeat_instance, redcap_data_access_group, redcap_survey_identifier,
// and <instrument>_complete and <instrument>_timestamp of an instrument that has answer columns) carry no
// answer and are skipped.
const REDCapSeparator = "__"

var redcapSystem = map[string]bool{"redcap_event_name": true, "redcap_repeat_instrument": true,
	"redcap_repeat_instance": true, "redcap_data_access_group": true, "redcap_survey_identifier": true}

// NewCSVDecoder returns a Decoder that reads CSV from r with the given options, within the limits lim.
func NewCSVDecoder(r io.Reader, lim Limits, opt CSVOptions) *Decoder {
	d := NewDecoder(r, FormatCSV, lim)
	d.csvOpt = opt
	return d
}

// Delimiter returns the delimiter the CSV reader uses (sniffed, unless CSVOptions set it); 0 before the
// header has been read or for other formats.
func (d *Decoder) Delimiter() byte {
	if d.csv == nil {
		return 0
	}
	return d.csv.delim
}

// sniffDelimiter looks at the header row (as far as the read buffer holds it) and picks the delimiter.
func (d *Decoder) sniffDelimiter() byte {
	b, _ := d.br.Peek(bufSize)
	counts := map[byte]int{}
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// naSet is the compiled NA tokens.
type naSet struct {
	strs  []string
	ints  []int64
	first [256]bool // the first bytes of strs: most cells are ruled out by one lookup
}

func newNASet(tokens []string) naSet {
	if tokens == nil {
		tokens = DefaultNA
	}
	var s naSet
	for _, t := range tokens {
		if t == "" {
			continue
		}
		switch n, kind := classifyCell([]byte(t)); kind {
		case cellInt:
			s.ints = append(s.ints, n)
		default:
			s.strs = append(s.strs, t)
			s.first[t[0]] = true
		}
	}
	return s
}

func (s *naSet) str(b []byte) bool {
	if len(b) == 0 || !s.first[b[0]] {
		return false
	}
	for _, t := range s.strs {
		if string(b) == t {
			return true
		}
	}
	return false
}

func (s *naSet) int(n int64) bool {
	for _, t := range s.ints {
		if n == t {
			return true
		}
	}
	return false
}

// headerProblems collects the problems of a header, to report them together.
type headerProblems struct {
	line, col int // of the first problem
	msgs      []string
	pos       [][2]int // each problem's own line and column (0: unknown)
}

func (h *headerProblems) add(line, col int, msg string) {
	if len(h.msgs) == 0 {
		h.line, h.col = line, col
	}
	h.msgs = append(h.msgs, msg)
	h.pos = append(h.pos, [2]int{line, col})
}

// maxHeaderProblems bounds the problems listed in one header error.
const maxHeaderProblems = 20

func (h *headerProblems) err() *Error {
	if len(h.msgs) == 0 {
		return nil
	}
	msgs := h.msgs
	if len(msgs) > 1 {
		// Error's Line and Col are those of the first problem: each problem says where it is itself.
		msgs = make([]string, len(h.msgs))
		for i, m := range h.msgs {
			msgs[i] = m + posSuffix(h.pos[i][0], h.pos[i][1])
		}
	}
	more := ""
	if len(msgs) > maxHeaderProblems {
		more = "; and " + strconv.Itoa(len(msgs)-maxHeaderProblems) + " more"
		msgs = msgs[:maxHeaderProblems]
	}
	prefix := "header: "
	if len(h.msgs) > 1 {
		prefix = "header: " + strconv.Itoa(len(h.msgs)) + " problems: "
	}
	return &Error{Line: h.line, Col: h.col, Code: CodeCSVHeader, Msg: prefix + strings.Join(msgs, "; ") + more}
}

// didYouMean formats a suggestion for a message.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return " (did you mean " + showKey(s) + "?)"
}

// posSuffix formats " (line L, col C)", " (line L)" or "" for unknown positions.
func posSuffix(line, col int) string {
	switch {
	case line <= 0:
		return ""
	case col <= 0:
		return " (line " + strconv.Itoa(line) + ")"
	}
	return " (line " + strconv.Itoa(line) + ", col " + strconv.Itoa(col) + ")"
}
