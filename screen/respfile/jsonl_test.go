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

// errWant is the expected error of a record. Msg is checked only when not empty.
type errWant struct {
	Code       string
	Line, Col  int
	Msg        string
	Instrument string
	Item       string
}

func checkErr(t *testing.T, want errWant, got *Error) {
	t.Helper()
	require.NotNil(t, got, "want error %s", want.Code)
	assert.Equal(t, want.Code, got.Code, "code; msg %q", got.Msg)
	assert.Equal(t, want.Line, got.Line, "line; msg %q", got.Msg)
	assert.Equal(t, want.Col, got.Col, "col; msg %q", got.Msg)
	if want.Msg != "" {
		assert.Equal(t, want.Msg, got.Msg)
	}
	assert.Equal(t, want.Instrument, got.Instrument, "instrument")
	assert.Equal(t, want.Item, got.Item, "item")
}

// one decodes in, which must hold exactly one record.
func one(t *testing.T, f Format, in string, lim Limits) Record {
	t.Helper()
	recs, err := decodeAll(t, f, in, lim)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	return recs[0]
}

// jsonRecordCases are single records, valid as a JSONL line and as a JSON document.
var jsonRecordCases = []struct {
	name string
	in   string
	lim  Limits
	want *screen.Response
	err  errWant
}{
	{name: "minimal", in: `{"answers":{"phq9":{"q1":1}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": int64(1)}}}},
	{name: "all value kinds", in: `{"subject":"S-1","context":{"age":47,"sex":"female","site":null},"answers":{"phq9@1.0.0":{"q1":0,"q2":-3,"difficulty":"LA6570-1","q9":null},"gad7":{"q1":3}}}`,
		want: &screen.Response{Subject: "S-1", Context: map[string]any{"age": int64(47), "sex": "female", "site": nil},
			Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": int64(0), "q2": int64(-3), "difficulty": "LA6570-1", "q9": nil}, "gad7": {"q1": int64(3)}}}},
	{name: "white space everywhere", in: " { \"answers\" : { \"p\" : { \"q\" : 2 , \"r\" : null } } , \"subject\" : null , \"context\" : null } ",
		want: &screen.Response{Answers: map[string]map[string]any{"p": {"q": int64(2), "r": nil}}}},
	{name: "int64 range", in: `{"answers":{"p":{"max":9223372036854775807,"min":-9223372036854775808,"z":-0}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"p": {"max": int64(math.MaxInt64), "min": int64(math.MinInt64), "z": int64(0)}}}},
	{name: "escapes are decoded", in: `{"subject":"a\"b\\c\/\u00e9\ud83d\ude00\n","answers":{"ph\u0071":{"q\t":"x\u0000y"}}}`,
		want: &screen.Response{Subject: "a\"b\\c/é😀\n", Answers: map[string]map[string]any{"phq": {"q\t": "x\x00y"}}}},
	{name: "utf8 kept byte for byte", in: `{"subject":"Zoë 😀","answers":{"p":{"q":"ü"}}}`,
		want: &screen.Response{Subject: "Zoë 😀", Answers: map[string]map[string]any{"p": {"q": "ü"}}}},
	{name: "empty instrument next to others is kept", in: `{"answers":{"p":{},"q":{"a":1}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"p": {}, "q": {"a": int64(1)}}}},
	{name: "empty context object", in: `{"context":{},"answers":{"p":{"a":"x"}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"p": {"a": "x"}}}},

	// not_integer
	// Values that are wrong for any item are passed on for the engine to report as an error of that item
	// (scalar.go): the record is never an error record because of them.
	{name: "fraction", in: `{"answers":{"phq9":{"q1":1.5}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("1.5")}}}},
	{name: "a fraction of zeros is whole", in: `{"answers":{"phq9":{"q1":2.0,"q2":-3.000}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": int64(2), "q2": int64(-3)}}}},
	{name: "exponent", in: `{"answers":{"phq9":{"q1":1e2}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("1e2")}}}},
	{name: "huge exponent", in: `{"answers":{"phq9":{"q1":1e400}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("1e400")}}}},
	{name: "overflow", in: `{"answers":{"phq9":{"q1":9223372036854775808}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("9223372036854775808")}}}},
	{name: "negative overflow", in: `{"answers":{"phq9":{"q1":-9223372036854775809}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("-9223372036854775809")}}}},
	{name: "long number", in: `{"answers":{"phq9":{"q1":123456789012345678901234567890}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("123456789012345678901234567890")}}}},
	{name: "number longer than a string may be", in: `{"answers":{"phq9":{"q1":1234567890.5}}}`, lim: Limits{MaxStringBytes: 8},
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": json.Number("NaN")}}}},
	{name: "context number out of range", in: `{"context":{"mme":1e999},"answers":{"p":{"q":1}}}`,
		want: &screen.Response{Context: map[string]any{"mme": json.Number("1e999")}, Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},
	{name: "context number with a fraction", in: `{"context":{"mme":45.5,"age":2.0},"answers":{"p":{"q":1}}}`,
		want: &screen.Response{Context: map[string]any{"mme": json.Number("45.5"), "age": int64(2)}, Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},

	{name: "boolean answer", in: `{"answers":{"phq9":{"q1":true}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": true}}}},
	{name: "false answer", in: `{"answers":{"phq9":{"q1":false}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": false}}}},
	{name: "array answer", in: `{"answers":{"phq9":{"q1":[1,2]}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": []any{}}}}},
	{name: "object answer", in: `{"answers":{"phq9":{"q1":{"v":1}}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": map[string]any{}}}}},

	// wrong_type
	{name: "subject number", in: `{"subject":12345,"answers":{"p":{"q":1}}}`,
		err: errWant{CodeWrongType, 1, 12, "subject: expected a string, got a number", "", ""}},
	{name: "context array", in: `{"context":[1],"answers":{"p":{"q":1}}}`,
		err: errWant{CodeWrongType, 1, 12, "context: expected an object, got an array", "", ""}},
	{name: "context object", in: `{"context":{"smoker":{},"n":[],"b":true},"answers":{"p":{"q":1}}}`,
		want: &screen.Response{Context: map[string]any{"smoker": map[string]any{}, "n": []any{}, "b": true}, Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},
	{name: "answers null", in: `{"answers":null}`,
		err: errWant{CodeWrongType, 1, 12, "answers: expected an object, got null", "", ""}},
	{name: "answers array", in: `{"answers":[]}`,
		err: errWant{CodeWrongType, 1, 12, "answers: expected an object, got an array", "", ""}},
	{name: "instrument null", in: `{"answers":{"phq9":null}}`,
		err: errWant{CodeWrongType, 1, 20, "answers.phq9: expected an object of answers, got null", "phq9", ""}},
	{name: "instrument string", in: `{"answers":{"phq9":"x"}}`,
		err: errWant{Code: CodeWrongType, Line: 1, Col: 20, Instrument: "phq9"}},
	{name: "record is an array", in: `[{"answers":{"p":{"q":1}}}]`,
		err: errWant{CodeWrongType, 1, 1, "record: expected an object, got an array", "", ""}},
	{name: "record is a string", in: `"x"`,
		err: errWant{CodeWrongType, 1, 1, "record: expected an object, got a string", "", ""}},
	{name: "record is null", in: `null`,
		err: errWant{CodeWrongType, 1, 1, "record: expected an object, got null", "", ""}},

	// keys
	{name: "unknown field", in: `{"answers":{"p":{"q":1}},"subjectid":"x"}`,
		err: errWant{CodeUnknownField, 1, 26, "subjectid: unknown field (a record has only subject, date, context and answers)", "", ""}},
	{name: "unknown field odd key", in: `{"an swers":{}}`,
		err: errWant{CodeUnknownField, 1, 2, `"an swers": unknown field (a record has only subject, date, context and answers)`, "", ""}},
	{name: "missing answers", in: `{"subject":"x"}`,
		err: errWant{CodeMissingField, 1, 1, "answers: missing (a record needs at least one answer)", "", ""}},
	{name: "missing answers empty object", in: `{}`,
		err: errWant{CodeMissingField, 1, 1, "answers: missing (a record needs at least one answer)", "", ""}},
	{name: "no instruments", in: `{"answers":{}}`,
		err: errWant{CodeEmpty, 1, 12, "answers: no instruments (a record needs at least one answer)", "", ""}},
	{name: "only empty instruments", in: `{"answers":{"p":{},"q":{}}}`,
		err: errWant{CodeEmpty, 1, 12, "answers: no answers (every instrument is empty or all its answers are null)", "", ""}},
	{name: "only null answers", in: `{"answers":{"p":{"a":null,"b":null}}}`,
		err: errWant{Code: CodeEmpty, Line: 1, Col: 12}},
	{name: "empty instrument key", in: `{"answers":{"":{"q":1}}}`,
		err: errWant{CodeEmptyKey, 1, 13, "answers: empty instrument key", "", ""}},
	{name: "empty item id", in: `{"answers":{"p":{"":1}}}`,
		err: errWant{CodeEmptyKey, 1, 18, "answers.p: empty item id", "p", ""}},
	{name: "empty context key", in: `{"context":{"":1},"answers":{"p":{"q":1}}}`,
		err: errWant{CodeEmptyKey, 1, 13, "context: empty key", "", ""}},

	// duplicate_key
	// An item answered twice is read, with both answers as a list (conflicting answers: an error of that
	// item that the engine reports, never "last one wins" and never the whole record).
	{name: "duplicate item", in: `{"answers":{"phq9":{"q1":1,"q1":2}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": []any{int64(1), int64(2)}}}}},
	{name: "duplicate item with null", in: `{"answers":{"phq9":{"q1":null,"q2":1,"q1":null}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": []any{nil, nil}, "q2": int64(1)}}}},
	{name: "duplicate item spelled with an escape", in: `{"answers":{"phq9":{"q1":1,"q\u0031":2}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": []any{int64(1), int64(2)}}}}},
	{name: "item answered three times", in: `{"answers":{"phq9":{"q9":0,"q9":"LA6570-1","q9":3}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q9": []any{int64(0), "LA6570-1", int64(3)}}}}},
	{name: "duplicates among many items", // past the items checked one by one (the rest are found in the map)
		in: `{"answers":{"x":{"i1":1,"i2":2,"i3":3,"i4":4,"i5":5,"i6":6,"i7":7,"i8":8,"i9":9,"i10":10,"i11":11,"i12":12,` +
			`"i13":13,"i14":14,"i15":15,"i16":16,"i17":17,"i18":18,"i2":0,"i18":0,"i17":1,"i17":2}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"x": {"i1": int64(1), "i2": []any{int64(2), int64(0)},
			"i3": int64(3), "i4": int64(4), "i5": int64(5), "i6": int64(6), "i7": int64(7), "i8": int64(8), "i9": int64(9),
			"i10": int64(10), "i11": int64(11), "i12": int64(12), "i13": int64(13), "i14": int64(14), "i15": int64(15),
			"i16": int64(16), "i17": []any{int64(17), int64(1), int64(2)}, "i18": []any{int64(18), int64(0)}}}}},
	{name: "duplicate instrument", in: `{"answers":{"phq9":{"q1":1},"phq9":{"q2":2}}}`,
		err: errWant{CodeDuplicateKey, 1, 29, "answers.phq9: duplicate instrument", "phq9", ""}},
	{name: "duplicate answers", in: `{"answers":{"p":{"q":1}},"answers":{"p":{"q":1}}}`,
		err: errWant{CodeDuplicateKey, 1, 26, "answers: duplicate key", "", ""}},
	{name: "duplicate subject", in: `{"subject":"a","subject":"b","answers":{"p":{"q":1}}}`,
		err: errWant{CodeDuplicateKey, 1, 16, "subject: duplicate key", "", ""}},
	{name: "duplicate context", in: `{"context":{"age":1},"context":{},"answers":{"p":{"q":1}}}`,
		err: errWant{Code: CodeDuplicateKey, Line: 1, Col: 22}},
	{name: "duplicate context key", in: `{"context":{"age":1,"age":2},"answers":{"p":{"q":1}}}`,
		err: errWant{CodeDuplicateKey, 1, 21, "context.age: duplicate key", "", ""}},
	{name: "first problem by position wins", in: `{"answers":{"p":{"a":"\udc00","a":1}}}`,
		err: errWant{Code: CodeInvalidUTF8, Line: 1, Col: 22, Instrument: "p", Item: "a"}},
	{name: "a bad value and a duplicate are both kept", in: `{"answers":{"p":{"a":1.5,"a":1}}}`,
		want: &screen.Response{Answers: map[string]map[string]any{"p": {"a": []any{json.Number("1.5"), int64(1)}}}}},

	// invalid_utf8
	{name: "invalid utf8 in subject", in: "{\"subject\":\"ab\xffc\",\"answers\":{\"p\":{\"q\":1}}}",
		err: errWant{CodeInvalidUTF8, 1, 15, "record: invalid UTF-8", "", ""}},
	{name: "invalid utf8 in code", in: "{\"answers\":{\"p\":{\"q\":\"\xc3\"}}}",
		err: errWant{Code: CodeInvalidUTF8, Line: 1, Col: 23}},
	{name: "overlong utf8", in: "{\"answers\":{\"p\":{\"q\":\"\xc0\xaf\"}}}",
		err: errWant{Code: CodeInvalidUTF8, Line: 1, Col: 23}},
	{name: "lone surrogate escape", in: `{"subject":"\ud800","answers":{"p":{"q":1}}}`,
		err: errWant{CodeInvalidUTF8, 1, 12, "subject: string holds an escaped lone surrogate (not valid UTF-8)", "", ""}},
	{name: "lone low surrogate in code", in: `{"answers":{"p":{"q":"a\udc00"}}}`,
		err: errWant{CodeInvalidUTF8, 1, 22, "answers.p.q: string holds an escaped lone surrogate (not valid UTF-8)", "p", "q"}},
	{name: "reversed surrogates in key", in: `{"answers":{"p":{"\udc00\ud800":1}}}`,
		err: errWant{CodeInvalidUTF8, 1, 18, "answers.p: key holds an escaped lone surrogate (not valid UTF-8)", "p", ""}},

	// limits
	{name: "string too long", in: `{"subject":"0123456789","answers":{"p":{"q":1}}}`, lim: Limits{MaxStringBytes: 8},
		err: errWant{CodeTooLarge, 1, 12, "subject: string is longer than 8 bytes", "", ""}},
	{name: "code too long", in: `{"answers":{"p":{"q":"0123456789"}}}`, lim: Limits{MaxStringBytes: 8},
		err: errWant{CodeTooLarge, 1, 22, "answers.p.q: string is longer than 8 bytes", "p", "q"}},
	{name: "key too long", in: `{"answers":{"p":{"0123456789":1}}}`, lim: Limits{MaxStringBytes: 8},
		err: errWant{CodeTooLarge, 1, 18, "answers.p: key is longer than 8 bytes", "p", ""}},
	{name: "escaped string measured after unescaping", in: `{"subject":"\u0041\u0042\u0043\u0044\u0045\u0046\u0047","answers":{"p":{"q":1}}}`,
		lim: Limits{MaxStringBytes: 7}, want: &screen.Response{Subject: "ABCDEFG", Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},
	{name: "too many answers", in: `{"answers":{"p":{"a":1,"b":2},"q":{"c":null}}}`, lim: Limits{MaxAnswers: 2},
		err: errWant{CodeTooLarge, 1, 36, "answers: more than 2 answers", "q", "c"}},
	{name: "too deep", in: `{"answers":{"p":{"q":[[1]]}}}`, lim: Limits{MaxDepth: 4},
		err: errWant{CodeTooDeep, 1, 23, "record: nested deeper than 4 levels", "", ""}},
	{name: "too deep in unknown field", in: `{"x":{"y":{"z":{}}},"answers":{"p":{"q":1}}}`, lim: Limits{MaxDepth: 3},
		err: errWant{CodeTooDeep, 1, 16, "record: nested deeper than 3 levels", "", ""}},
	{name: "depth 4 is fine at MaxDepth 4", in: `{"answers":{"p":{"q":[1]}}}`, lim: Limits{MaxDepth: 4},
		want: &screen.Response{Answers: map[string]map[string]any{"p": {"q": []any{}}}}},
}

func TestJSONLRecords(t *testing.T) {
	for _, c := range jsonRecordCases {
		t.Run(c.name, func(t *testing.T) {
			r := one(t, FormatJSONL, c.in+"\n", c.lim)
			assert.Equal(t, 1, r.Line)
			if c.want != nil {
				require.Nil(t, r.Err, "%v", r.Err)
				assert.Equal(t, c.want, r.Response)
				return
			}
			checkErr(t, c.err, r.Err)
		})
	}
}

func TestJSONLSyntax(t *testing.T) {
	cases := []struct {
		name string
		in   string
		col  int
		msg  string
	}{
		{"truncated", `{"answers":{"p":{"q":1`, 23, "syntax error: unexpected end of input, expected ',' or '}' after an object member"},
		{"truncated in string", `{"answers":{"p":{"q":"ab`, 25, "syntax error: unexpected end of input in a string"},
		{"trailing data", `{"answers":{"p":{"q":1}}} x`, 27, "syntax error: unexpected data after the record's closing brace"},
		{"two objects", `{"answers":{"p":{"q":1}}}{"answers":{"p":{"q":1}}}`, 26, ""},
		{"single quotes", `{'answers':1}`, 2, "syntax error: unexpected character, expected a string key"},
		{"leading zero", `{"answers":{"p":{"q":01}}}`, 23, "syntax error: unexpected character, expected ',' or '}' after an object member"},
		{"plus sign", `{"answers":{"p":{"q":+1}}}`, 22, "syntax error: unexpected character, expected a value"},
		{"NaN", `{"answers":{"p":{"q":NaN}}}`, 22, ""},
		{"bad literal", `{"answers":{"p":{"q":nul}}}`, 22, "syntax error: invalid literal, expected true, false or null"},
		{"trailing comma", `{"answers":{"p":{"q":1,}}}`, 24, "syntax error: unexpected character, expected a string key"},
		{"missing colon", `{"answers" {}}`, 12, "syntax error: unexpected character, expected ':' after an object key"},
		{"bad escape", `{"subject":"\x41","answers":{}}`, 13, "syntax error: invalid escape in a string"},
		{"bad unicode escape", `{"subject":"\u12G4","answers":{}}`, 17, "syntax error: invalid \\u escape in a string"},
		{"raw tab in string", "{\"subject\":\"a\tb\",\"answers\":{}}", 14, "syntax error: control character in a string (must be escaped)"},
		{"dot number", `{"answers":{"p":{"q":1.}}}`, 24, "syntax error: invalid number: expected a digit after the decimal point"},
		{"bad exponent", `{"answers":{"p":{"q":1e}}}`, 24, "syntax error: invalid number: expected a digit in the exponent"},
		{"minus alone", `{"answers":{"p":{"q":-}}}`, 23, "syntax error: invalid number"},
		{"syntax after a semantic problem wins", `{"answers":{"p":{"q":1.5}} x`, 28, ""},
		{"unclosed nested array", `{"answers":{"p":{"q":[1,2}}}`, 26, "syntax error: unexpected character, expected ',' or ']' after an array element"},
		{"BOM in the middle", "\xef\xbb\xbf{}", 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A line after the bad one is still read.
			recs, err := decodeAll(t, FormatJSONL, "\n"+c.in+"\n"+`{"answers":{"p":{"q":1}}}`, Limits{})
			require.NoError(t, err)
			require.Len(t, recs, 2)
			checkErr(t, errWant{Code: CodeSyntax, Line: 2, Col: c.col, Msg: c.msg}, recs[0].Err)
			assert.Equal(t, 2, recs[0].Line)
			require.Nil(t, recs[1].Err)
			assert.Equal(t, 3, recs[1].Line)
		})
	}
}

func TestJSONLLines(t *testing.T) {
	ok := `{"answers":{"p":{"q":1}}}`
	in := "\xef\xbb\xbf" + ok + "\r\n" + // BOM, CRLF
		"\n" + // blank
		"  \t \r\n" + // blank with white space
		`{"answers":{"p":{"q":"\udc00"}}}` + "\r\n" + // error record, line 4
		ok + "\n" + // line 5
		"\n\n" +
		`{"answers":{"p":{"q":` // truncated last line 8, no newline
	recs, err := decodeAll(t, FormatJSONL, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	assert.Equal(t, []int{1, 4, 5, 8}, []int{recs[0].Line, recs[1].Line, recs[2].Line, recs[3].Line})
	assert.Nil(t, recs[0].Err)
	checkErr(t, errWant{Code: CodeInvalidUTF8, Line: 4, Col: 22, Instrument: "p", Item: "q"}, recs[1].Err)
	assert.Nil(t, recs[2].Err)
	checkErr(t, errWant{Code: CodeSyntax, Line: 8, Col: 22}, recs[3].Err)
	assert.Equal(t, "record 2 (line 4, col 22): answers.p.q: string holds an escaped lone surrogate (not valid UTF-8)", recs[1].Err.Error())
}

func TestJSONLEmpty(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\xef\xbb\xbf", " \r\n\t\n"} {
		recs, err := decodeAll(t, FormatJSONL, in, Limits{})
		require.NoError(t, err, "an empty JSONL file holds no records")
		assert.Empty(t, recs)
	}
}

func TestJSONLTooLarge(t *testing.T) {
	ok := `{"answers":{"p":{"q":1}}}`
	big := `{"answers":{"p":{"q":"` + strings.Repeat("x", 200) + `"}}}`
	huge := `{"answers":{"p":{"q":"` + strings.Repeat("y", 300_000) + `"}}}` // longer than the read buffer
	blank := strings.Repeat(" ", 300_000)
	in := ok + "\n" + big + "\n" + huge + "\r\n" + blank + "\n" + ok + "\n" + huge
	recs, err := decodeAll(t, FormatJSONL, in, Limits{MaxRecordBytes: 100})
	require.NoError(t, err)
	require.Len(t, recs, 5, "the long blank line is not a record")
	assert.Nil(t, recs[0].Err)
	checkErr(t, errWant{CodeTooLarge, 2, 1, "record: line is longer than 100 bytes", "", ""}, recs[1].Err)
	checkErr(t, errWant{Code: CodeTooLarge, Line: 3, Col: 1}, recs[2].Err)
	assert.Nil(t, recs[3].Err)
	assert.Equal(t, 5, recs[3].Line)
	checkErr(t, errWant{Code: CodeTooLarge, Line: 6, Col: 1}, recs[4].Err)

	// A line longer than the read buffer but within the limit is read whole.
	recs, err = decodeAll(t, FormatJSONL, ok+"\n"+huge+"\n"+ok, Limits{MaxRecordBytes: 400_000, MaxStringBytes: 400_000})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for _, r := range recs {
		require.Nil(t, r.Err)
	}
	assert.Len(t, recs[1].Response.Answers["p"]["q"], 300_000)
	// The limit counts the line without its line end.
	exact := `{"answers":{"p":{"q":1}}}`
	recs, err = decodeAll(t, FormatJSONL, exact+"\r\n"+exact+"\n"+exact, Limits{MaxRecordBytes: len(exact)})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for _, r := range recs {
		require.Nil(t, r.Err)
	}
}

func TestJSONLMaxRecords(t *testing.T) {
	ok := `{"answers":{"p":{"q":1}}}` + "\n"
	recs, err := decodeAll(t, FormatJSONL, ok+ok+"\n"+ok, Limits{MaxRecords: 2})
	require.Len(t, recs, 2)
	e := fatalErr(t, err)
	assert.Equal(t, Error{Record: 3, Line: 4, Code: CodeTooManyRecords, Msg: "input has more than 2 records"}, *e)
	recs, err = decodeAll(t, FormatJSONL, ok+ok, Limits{MaxRecords: 2})
	require.NoError(t, err)
	assert.Len(t, recs, 2)
}

func TestJSONLFullBattery(t *testing.T) {
	r := one(t, FormatJSONL, fullBattery("S1"), Limits{})
	require.Nil(t, r.Err)
	n := 0
	for _, m := range r.Response.Answers {
		n += len(m)
	}
	assert.Equal(t, 55, n)
	assert.Len(t, r.Response.Answers, 8)
	assert.Equal(t, map[string]any{"age": int64(47), "sex": "female"}, r.Response.Context)
}

// errReader fails after its data.
type errReader struct {
	data string
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestIOError(t *testing.T) {
	ioErr := assert.AnError
	for _, f := range []Format{FormatJSONL, FormatJSON, FormatCSV, FormatYAML} {
		d := NewDecoder(&errReader{err: ioErr}, f, Limits{})
		_, err := d.Next()
		require.Error(t, err, f)
		var e *Error
		assert.NotErrorAs(t, err, &e, "%s: an I/O error is not an *Error", f)
		if f != FormatYAML { // yaml.v3 keeps only the text of reader errors
			assert.ErrorIs(t, err, ioErr, f)
		}
	}
}
