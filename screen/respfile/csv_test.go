package respfile

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/screen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCSVValues(t *testing.T) {
	in := "subject,context.age,context.sex,phq9@1.0.0.q1,phq9@1.0.0.q2,gad7.q1\n" +
		"S-1,47,female,0,LA6568-5,-3\n" +
		"S-2,,,,1,\n" + // empty cells: nil answers, nil context
		"S-3,9223372036854775807,x,-9223372036854775808,01,+1\n" +
		"S-4,1,2, 1,NA,null\n" +
		"\"S,5\",\"4\"\"2\",\"\",\"\",\"multi\nline\",\"\"\n"
	recs, err := decodeAll(t, FormatCSV, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 5)
	want := []*screen.Response{
		{Subject: "S-1", Context: map[string]any{"age": int64(47), "sex": "female"},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": int64(0), "q2": "LA6568-5"}, "gad7": {"q1": int64(-3)}}},
		{Subject: "S-2", Context: map[string]any{"age": nil, "sex": nil},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": nil, "q2": int64(1)}, "gad7": {"q1": nil}}},
		{Subject: "S-3", Context: map[string]any{"age": int64(math.MaxInt64), "sex": "x"},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": int64(math.MinInt64), "q2": "01"}, "gad7": {"q1": "+1"}}},
		{Subject: "S-4", Context: map[string]any{"age": int64(1), "sex": int64(2)},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": " 1", "q2": nil}, "gad7": {"q1": "null"}}}, // NA is a DefaultNA token
		{Subject: "S,5", Context: map[string]any{"age": `4"2`, "sex": nil},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": nil, "q2": "multi\nline"}, "gad7": {"q1": nil}}},
	}
	for i, r := range recs {
		require.Nil(t, r.Err, "record %d: %v", i+1, r.Err)
		assert.Equal(t, want[i], r.Response, "record %d", i+1)
		assert.Equal(t, i+2, r.Line)
	}
}

func TestCSVLines(t *testing.T) {
	in := "\xef\xbb\xbfsubject,p.q\r\n" + // BOM, CRLF
		"a,1\r\n" + // line 2
		"\r\n\n" + // blank lines 3, 4
		"\"b\r\nb\",2\r\n" + // lines 5-6: a quoted field over two lines (CRLF inside becomes LF)
		"c,\"x\"\"\n\ny\"\n" + // lines 7-9
		"d,4" // line 10, no line end
	recs, err := decodeAll(t, FormatCSV, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	assert.Equal(t, []int{2, 5, 7, 10}, []int{recs[0].Line, recs[1].Line, recs[2].Line, recs[3].Line})
	assert.Equal(t, "b\nb", recs[1].Response.Subject)
	assert.Equal(t, "x\"\n\ny", recs[2].Response.Answers["p"]["q"])
	assert.Equal(t, int64(4), recs[3].Response.Answers["p"]["q"])
	assert.Equal(t, map[string]map[string]any{"p": {"q": int64(1)}}, recs[0].Response.Answers)
	assert.Nil(t, recs[0].Response.Context, "no context columns, no context")
}

func TestCSVRecordErrors(t *testing.T) {
	header := "subject,context.age,phq9.q1,phq9.q2\n"
	cases := []struct {
		name string
		row  string
		lim  Limits
		err  errWant
	}{
		{"too few fields", "a,1,2\n", Limits{}, errWant{CodeCSVColumns, 2, 0, "record: row has 3 fields, header has 4", "", ""}},
		{"too many fields", "a,1,2,3,4\n", Limits{}, errWant{CodeCSVColumns, 2, 0, "record: row has 5 fields, header has 4", "", ""}},
		{"one empty field", "\"\"\n", Limits{}, errWant{CodeCSVColumns, 2, 0, "record: row has 1 fields, header has 4", "", ""}},
		{"invalid utf8", "a,1,\"x\xffy\",2\n", Limits{}, errWant{CodeInvalidUTF8, 2, 5, "phq9.q1: invalid UTF-8", "phq9", "q1"}},
		{"invalid utf8 subject", "\xfe,1,1,2\n", Limits{}, errWant{CodeInvalidUTF8, 2, 1, "subject: invalid UTF-8", "", ""}},
		{"long cell", "a,1,123456789012,2\n", Limits{MaxStringBytes: 11}, errWant{CodeTooLarge, 2, 5, "phq9.q1: cell is longer than 11 bytes", "phq9", "q1"}},
		{"bare quote", "a,1,x\"y,2\n", Limits{}, errWant{CodeSyntax, 2, 6, "record: bare quote in an unquoted field", "", ""}},
		{"extraneous quote", "a,1,\"x\"y,2\n", Limits{}, errWant{CodeSyntax, 2, 7, "record: extraneous or missing \" in a quoted field", "", ""}},
		{"extraneous quote on a later line", "a,1,\"x\nz\"y,2\n", Limits{}, errWant{CodeSyntax, 3, 2, "record: extraneous or missing \" in a quoted field", "", ""}},
		{"quote then CR", "a,1,\"x\"\ry,2\n", Limits{}, errWant{Code: CodeSyntax, Line: 2, Col: 7}},
		{"row too large", "a,1,\"" + strings.Repeat("x\n", 100) + "\",2\n", Limits{MaxRecordBytes: 50},
			errWant{CodeTooLarge, 2, 1, "record: row is larger than 50 bytes", "", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The row after the bad one is read as usual.
			recs, err := decodeAll(t, FormatCSV, header+c.row+"b,2,3,4\n", c.lim)
			require.NoError(t, err)
			require.Len(t, recs, 2)
			checkErr(t, c.err, recs[0].Err)
			assert.Equal(t, 2, recs[0].Line)
			require.Nil(t, recs[1].Err, "%v", recs[1].Err)
			assert.Equal(t, "b", recs[1].Response.Subject)
		})
	}
}

// TestCSVBadNumbers: a number that is not a whole number within int64 is passed on for the engine to
// report as an error of its item or context field (scalar.go); the row is a record, not an error.
func TestCSVBadNumbers(t *testing.T) {
	in := "subject,context.age,context.mme,phq9.q1,phq9.q2\n" +
		"a,1e999,45.5,1.5,2\n" +
		"b,2.0,90,1e3,9223372036854775808\n" +
		"c,NA,1.5,-9223372036854775809,2.00\n"
	recs, err := decodeAll(t, FormatCSV, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	want := []*screen.Response{
		{Subject: "a", Context: map[string]any{"age": json.Number("1e999"), "mme": json.Number("45.5")},
			Answers: map[string]map[string]any{"phq9": {"q1": json.Number("1.5"), "q2": int64(2)}}},
		{Subject: "b", Context: map[string]any{"age": int64(2), "mme": int64(90)},
			Answers: map[string]map[string]any{"phq9": {"q1": json.Number("1e3"), "q2": json.Number("9223372036854775808")}}},
		{Subject: "c", Context: map[string]any{"age": nil, "mme": json.Number("1.5")},
			Answers: map[string]map[string]any{"phq9": {"q1": json.Number("-9223372036854775809"), "q2": int64(2)}}},
	}
	for i, r := range recs {
		require.Nil(t, r.Err, "record %d: %v", i+1, r.Err)
		assert.Equal(t, want[i], r.Response, "record %d", i+1)
	}
}

func TestCSVUnclosedQuote(t *testing.T) {
	// An unclosed quote runs to the end of the input: it is one error record, as with encoding/csv.
	recs, err := decodeAll(t, FormatCSV, "subject,p.q\na,1\nb,\"2\nc,3\nd,4\n", Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Nil(t, recs[0].Err)
	checkErr(t, errWant{CodeSyntax, 6, 1, "record: quoted field is not closed before the end of the input", "", ""}, recs[1].Err)
	assert.Equal(t, 3, recs[1].Line)
}

func TestCSVTooLargeSkipsWithoutBuffering(t *testing.T) {
	huge := strings.Repeat("x", 500_000)
	in := "subject,p.q\n" +
		"a," + huge + "\n" + // a long unquoted line
		"b,\"" + huge + "\n" + huge + "\",1\n" + // a long quoted field over lines (the row has too many fields too)
		strings.Repeat(",", 300_000) + "\n" + // a long row of empty fields
		"c,1\n"
	recs, err := decodeAll(t, FormatCSV, in, Limits{MaxRecordBytes: 1000})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	checkErr(t, errWant{Code: CodeTooLarge, Line: 2, Col: 1, Msg: "record: row is larger than 1000 bytes"}, recs[0].Err)
	checkErr(t, errWant{Code: CodeTooLarge, Line: 3, Col: 1, Msg: "record: row is larger than 1000 bytes"}, recs[1].Err)
	checkErr(t, errWant{Code: CodeTooLarge, Line: 5, Col: 1, Msg: "record: row is larger than 1000 bytes"}, recs[2].Err)
	require.Nil(t, recs[3].Err)
	assert.Equal(t, 6, recs[3].Line)
}

func TestCSVHeader(t *testing.T) {
	cases := []struct {
		name   string
		header string
		err    Error
	}{
		{"empty column", "subject,,p.q", Error{Line: 1, Col: 9, Code: CodeCSVHeader, Msg: "header: column 2 is empty"}},
		{"duplicate", "subject,p.q,p.r,p.q", Error{Line: 1, Col: 17, Code: CodeCSVHeader, Msg: "header: column 4 p.q repeats column 2"}},
		{"duplicate subject", "subject,p.q,subject", Error{Line: 1, Col: 13, Code: CodeCSVHeader, Msg: "header: column 3 subject repeats column 1"}},
		// Two spellings of one answer or context field: never a later column overwriting an earlier one.
		{"answer in two spellings", "subject,phq9.q9,phq9.q1,phq9__q9", Error{Line: 1, Col: 25, Code: CodeCSVHeader,
			Msg: "header: column 4 phq9__q9 is read as the same answer as column 2 (phq9.q9)"}},
		{"answer in two spellings, REDCap first", "phq9__q9,subject,phq9.q9", Error{Line: 1, Col: 18, Code: CodeCSVHeader,
			Msg: "header: column 3 phq9.q9 is read as the same answer as column 1 (phq9__q9)"}},
		{"context in two spellings", "context.age,p.q,context__age", Error{Line: 1, Col: 17, Code: CodeCSVHeader,
			Msg: "header: column 3 context__age is read as the same context field as column 1 (context.age)"}},
		{"one instrument under two keys", "p@1.0.0.q,p.r", Error{Line: 1, Col: 11, Code: CodeCSVHeader,
			Msg: "header: column 2 p.r names instrument p as p, and column 1 (p@1.0.0.q) names it as p@1.0.0: write every column of an instrument with the same key"}},
		{"both collisions listed", "context__sex,p__q,context.sex,p.q", Error{Line: 1, Col: 19, Code: CodeCSVHeader,
			Msg: "header: 2 problems: column 3 context.sex is read as the same context field as column 1 (context__sex) (line 1, col 19); column 4 p.q is read as the same answer as column 2 (p__q) (line 1, col 31)"}},
		{"unrecognised", "subject,age,p.q", Error{Line: 1, Col: 9, Code: CodeCSVHeader, Msg: "header: column 2 age is not subject, context.<key>, <instrument>.<item> or a kept column (to pass it through to the output, keep it: --keep age)"}},
		{"padded name", "subject ,p.q", Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: `header: column 1 "subject " has white space at its start or end (header names are not trimmed)`}},
		{"empty context key", "context.,p.q", Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: "header: column 1 context. has an empty context key"}},
		{"empty instrument", ".q1", Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: "header: column 1 .q1 has an empty instrument or item id"}},
		{"empty item", "phq9.", Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: "header: column 1 phq9. has an empty instrument or item id"}},
		{"no answer columns", "subject,context.age", Error{Line: 1, Code: CodeCSVHeader, Msg: "header: no answer columns (<instrument>.<item>)"}},
		{"invalid utf8", "subject,p.\xff", Error{Line: 1, Col: 9, Code: CodeCSVHeader, Msg: "header: column 2 is not valid UTF-8"}},
		{"bad quote", "subject,\"p.q\"x", Error{Line: 1, Col: 13, Code: CodeSyntax, Msg: "header: extraneous or missing \" in a quoted field"}},
		{"empty input", "", Error{Code: CodeEmpty, Msg: "input is empty (no CSV header row)"}},
		{"blank input", "\r\n\n", Error{Code: CodeEmpty, Msg: "input is empty (no CSV header row)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := decodeAll(t, FormatCSV, c.header+"\nx,1,2,3\n", Limits{})
			if c.header == "" || strings.TrimSpace(c.header) == "" {
				recs, err = decodeAll(t, FormatCSV, c.header, Limits{})
			}
			assert.Empty(t, recs)
			assert.Equal(t, c.err, *fatalErr(t, err))
		})
	}
	// Header limits.
	_, err := decodeAll(t, FormatCSV, "p.a,p.b,p.c\n1,2,3\n", Limits{MaxAnswers: 2})
	assert.Equal(t, Error{Line: 1, Code: CodeTooLarge, Msg: "header: 3 answer columns, more than the limit of 2"}, *fatalErr(t, err))
	_, err = decodeAll(t, FormatCSV, "p.a,p."+strings.Repeat("b", 100)+"\n1,2\n", Limits{MaxRecordBytes: 50})
	assert.Equal(t, Error{Line: 1, Code: CodeTooLarge, Msg: "header: row is larger than 50 bytes"}, *fatalErr(t, err))
	_, err = decodeAll(t, FormatCSV, "p.a,p."+strings.Repeat("b", 100)+"\n1,2\n", Limits{MaxStringBytes: 50})
	assert.Equal(t, Error{Line: 1, Col: 5, Code: CodeCSVHeader, Msg: "header: column 2 is longer than 50 bytes"}, *fatalErr(t, err))
}

func TestCSVRowLimitExcludesLineEnd(t *testing.T) {
	row := "12,3456" // 7 bytes, as is the header
	recs, err := decodeAll(t, FormatCSV, "p.q,p.r\r\n"+row+"\r\n"+row+"\n"+row+"\n12,34567\n", Limits{MaxRecordBytes: 7})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	for _, r := range recs[:3] {
		assert.Nil(t, r.Err)
	}
	assert.Equal(t, CodeTooLarge, recs[3].Err.Code)
}

func TestCSVHeaderOnly(t *testing.T) {
	recs, err := decodeAll(t, FormatCSV, "subject,p.q\r\n", Limits{})
	require.NoError(t, err)
	assert.Empty(t, recs)
}

func TestCSVMaxRecords(t *testing.T) {
	recs, err := decodeAll(t, FormatCSV, "p.q\n1\n2\n3\n", Limits{MaxRecords: 2})
	assert.Len(t, recs, 2)
	assert.Equal(t, Error{Record: 3, Line: 4, Code: CodeTooManyRecords, Msg: "input has more than 2 records"}, *fatalErr(t, err))
}

func TestCSVNoSubjectColumn(t *testing.T) {
	r := one(t, FormatCSV, "phq9.q1,phq9.q2\n1,2", Limits{})
	require.Nil(t, r.Err)
	assert.Equal(t, &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": int64(1), "q2": int64(2)}}}, r.Response)
}

func TestClassifyCell(t *testing.T) {
	cases := map[string]int{
		"0": cellInt, "-0": cellInt, "7": cellInt, "-12": cellInt, "9223372036854775807": cellInt,
		"9223372036854775808": cellOverflow, "-9223372036854775809": cellOverflow, "99999999999999999999999": cellOverflow,
		"1.5": cellNotInt, "2.0": cellInt, "2.000": cellInt, "-3.0": cellInt, "0.0": cellInt, "2.50": cellNotInt,
		"1e3": cellNotInt, "-1E-2": cellNotInt, "2.0e0": cellNotInt,
		"01": cellString, "+1": cellString, " 1": cellString, "1 ": cellString, "1.": cellString, ".5": cellString,
		"1e": cellString, "-": cellString, "NaN": cellString, "Inf": cellString, "0x1F": cellString, "1_000": cellString,
		"LA6568-5": cellString, "yes": cellString, "1,5": cellString,
	}
	for in, want := range cases {
		_, got := classifyCell([]byte(in))
		assert.Equal(t, want, got, "%q", in)
	}
}
