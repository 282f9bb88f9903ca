package respfile

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/screen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONRecords(t *testing.T) {
	// Every single-record case decodes the same as a JSON document, alone and inside an array.
	for _, c := range jsonRecordCases {
		t.Run(c.name, func(t *testing.T) {
			for _, in := range []string{c.in, "[" + c.in + "]"} {
				if strings.HasPrefix(c.in, "[") && in == c.in {
					continue // a top-level array is a list of records
				}
				r := one(t, FormatJSON, in, c.lim)
				shift := 0
				if in[0] == '[' {
					shift = 1
				}
				assert.Equal(t, 1, r.Line)
				if c.want != nil {
					require.Nil(t, r.Err, "%v", r.Err)
					assert.Equal(t, c.want, r.Response)
					continue
				}
				want := c.err
				want.Col += shift
				checkErr(t, want, r.Err)
			}
		})
	}
}

func TestJSONArray(t *testing.T) {
	in := "\xef\xbb\xbf[\r\n" +
		"  {\"subject\": \"a\", \"answers\": {\"p\": {\"q\": 1}}},\r\n" + // line 2
		"  {\"answers\": {\"p\": {\"q\": 1.5}}},\n" + // line 3: a record (the engine rejects q)
		"  {\n    \"answers\": {\n      \"p\": {\"q\": \"\\udc00\"}\n    }\n  },\n" + // lines 4-8: error at line 6
		"  42, \"x\", null, [],\n" + // line 9: four wrong_type records
		"  {\"answers\": {\"p\": {\"q\": \"LA1\"}}}\n" + // line 10
		"]\n\n"
	recs, err := decodeAll(t, FormatJSON, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 8)
	assert.Equal(t, &screen.Response{Subject: "a", Answers: map[string]map[string]any{"p": {"q": int64(1)}}}, recs[0].Response)
	assert.Equal(t, 2, recs[0].Line)
	require.Nil(t, recs[1].Err)
	assert.Equal(t, json.Number("1.5"), recs[1].Response.Answers["p"]["q"])
	assert.Equal(t, 3, recs[1].Line)
	checkErr(t, errWant{Code: CodeInvalidUTF8, Line: 6, Col: 18, Instrument: "p", Item: "q"}, recs[2].Err)
	assert.Equal(t, 4, recs[2].Line)
	for i, col := range []int{3, 7, 12, 18} {
		r := recs[3+i]
		assert.Equal(t, 9, r.Line)
		require.NotNil(t, r.Err)
		assert.Equal(t, CodeWrongType, r.Err.Code)
		assert.Equal(t, col, r.Err.Col)
	}
	assert.Equal(t, "record: expected an object, got a number", recs[3].Err.Msg)
	assert.Equal(t, "record: expected an object, got an array", recs[6].Err.Msg)
	assert.Equal(t, 10, recs[7].Line)
	assert.Equal(t, "LA1", recs[7].Response.Answers["p"]["q"])
}

func TestJSONEmpty(t *testing.T) {
	for _, in := range []string{"", "  \r\n\t", "\xef\xbb\xbf", "\xef\xbb\xbf\n"} {
		_, err := decodeAll(t, FormatJSON, in, Limits{})
		e := fatalErr(t, err)
		assert.Equal(t, Error{Code: CodeEmpty, Msg: "input is empty (no JSON value)"}, *e, "%q", in)
	}
	recs, err := decodeAll(t, FormatJSON, " [ \n ] \n", Limits{})
	require.NoError(t, err, "an empty array is a file with no records")
	assert.Empty(t, recs)
}

func TestJSONFatal(t *testing.T) {
	ok := `{"answers":{"p":{"q":1}}}`
	cases := []struct {
		name  string
		in    string
		nrecs int // records returned before the fatal error
		err   Error
	}{
		{"syntax in the third element", "[" + ok + ",\n" + ok + ",\n" + `{"answers":{"p":{"q" 1}}}]`, 2,
			Error{Record: 3, Line: 3, Col: 22, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected ':' after an object key"}},
		{"leading zero", "[" + `{"answers":{"p":{"q":01}}}]`, 0,
			Error{Record: 1, Line: 1, Col: 24, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected ',' or '}' after an object member"}},
		{"trailing comma", "[" + ok + ",]", 1,
			Error{Record: 2, Line: 1, Col: 28, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected a value"}},
		{"missing comma", "[" + ok + "\n" + ok + "]", 1,
			Error{Line: 2, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected ',' or ']' after an array element"}},
		{"unclosed array", "[" + ok, 1,
			Error{Line: 1, Col: 27, Code: CodeSyntax, Msg: "syntax error: unexpected end of input, the array is not closed"}},
		{"unclosed array after comma", "[" + ok + ",\n", 1,
			Error{Line: 2, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected end of input, expected an array element"}},
		{"unclosed object", `{"answers":{"p":{"q":1}}`, 0,
			Error{Record: 1, Line: 1, Col: 25, Code: CodeSyntax, Msg: "syntax error: unexpected end of input inside a value"}},
		{"unclosed string", `{"answers":"`, 0,
			Error{Record: 1, Line: 1, Col: 13, Code: CodeSyntax, Msg: "syntax error: unexpected end of input inside a value"}},
		{"mismatched bracket", `[{"answers":{"p":{"q":1]}}]`, 0,
			Error{Record: 1, Line: 1, Col: 24, Code: CodeSyntax, Msg: "syntax error: unexpected ']', brackets do not match"}},
		{"data after the array", "[" + ok + "]\n" + ok, 1,
			Error{Line: 2, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected data after the top-level JSON value"}},
		{"data after the object", ok + " " + ok, 1,
			Error{Line: 1, Col: 27, Code: CodeSyntax, Msg: "syntax error: unexpected data after the top-level JSON value"}},
		{"number then junk on the next line", "\xef\xbb\xbf 0\nx", 1,
			Error{Line: 2, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected data after the top-level JSON value"}},
		{"number with junk", "100A0", 0,
			Error{Record: 1, Line: 1, Col: 4, Code: CodeSyntax, Msg: "syntax error: unexpected data after the record's closing brace"}},
		{"two arrays", "[][]", 0,
			Error{Line: 1, Col: 3, Code: CodeSyntax, Msg: "syntax error: unexpected data after the top-level JSON value"}},
		{"not JSON", "subject,answers\n", 0,
			Error{Record: 1, Line: 1, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected a value"}},
		{"bare word", "hello", 0,
			Error{Record: 1, Line: 1, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected a value"}},
		{"bad literal", "[tru]", 0,
			Error{Record: 1, Line: 1, Col: 2, Code: CodeSyntax, Msg: "syntax error: invalid literal, expected true, false or null"}},
		{"closing bracket first", "]", 0,
			Error{Record: 1, Line: 1, Col: 1, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected a value"}},
		{"invalid byte outside strings", "[" + ok + ",\xff]", 1,
			Error{Record: 2, Line: 1, Col: 28, Code: CodeSyntax, Msg: "syntax error: unexpected character, expected a value"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := decodeAll(t, FormatJSON, c.in, Limits{})
			assert.Len(t, recs, c.nrecs)
			for _, r := range recs {
				if r.Err != nil {
					assert.Equal(t, CodeWrongType, r.Err.Code) // a top-level number
				}
			}
			e := fatalErr(t, err)
			assert.Equal(t, c.err, *e)
		})
	}
}

func TestJSONLimits(t *testing.T) {
	ok := `{"answers":{"p":{"q":1}}}`
	big := `{"answers":{"p":{"q":"` + strings.Repeat("x", 200_000) + `"}},"n":[[[{}]]]}`
	deep := `{"answers":{"p":{"q":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}}`
	in := "[" + ok + ",\n" + big + ",\n" + deep + ",\n" + ok + "]"
	recs, err := decodeAll(t, FormatJSON, in, Limits{MaxRecordBytes: 1000})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	assert.Nil(t, recs[0].Err)
	checkErr(t, errWant{CodeTooLarge, 2, 1, "record: larger than 1000 bytes", "", ""}, recs[1].Err)
	checkErr(t, errWant{CodeTooDeep, 3, 35, "record: nested deeper than 16 levels", "", ""}, recs[2].Err)
	assert.Nil(t, recs[3].Err)
	assert.Equal(t, 4, recs[3].Line)

	// Brackets are still matched inside a skipped element.
	_, err = decodeAll(t, FormatJSON, "["+`{"answers":{"p":{"q":"`+strings.Repeat("x", 2000)+`"]}}]`, Limits{MaxRecordBytes: 1000})
	assert.Equal(t, CodeSyntax, fatalErr(t, err).Code)

	// Absurd nesting is fatal.
	_, err = decodeAll(t, FormatJSON, "["+strings.Repeat("[", maxScanDepth+1), Limits{})
	e := fatalErr(t, err)
	assert.Equal(t, CodeTooDeep, e.Code)

	// The whole document is limited.
	doc := "[" + ok + "," + ok + "," + ok + "]"
	recs, err = decodeAll(t, FormatJSON, doc, Limits{MaxDocumentBytes: int64(len(doc))})
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	_, err = decodeAll(t, FormatJSON, doc, Limits{MaxDocumentBytes: int64(len(doc) - 1)})
	e = fatalErr(t, err)
	assert.Equal(t, CodeTooLarge, e.Code)
	assert.Equal(t, "input is larger than the limit of 78 bytes", e.Msg)

	// Records limit.
	recs, err = decodeAll(t, FormatJSON, doc, Limits{MaxRecords: 2})
	assert.Len(t, recs, 2)
	assert.Equal(t, CodeTooManyRecords, fatalErr(t, err).Code)
}

func TestJSONInvalidUTF8(t *testing.T) {
	in := "[{\"subject\":\"\xe2\x82\",\"answers\":{\"p\":{\"q\":1}}},\n{\"answers\":{\"p\":{\"q\":1}}}]"
	recs, err := decodeAll(t, FormatJSON, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	checkErr(t, errWant{CodeInvalidUTF8, 1, 14, "record: invalid UTF-8", "", ""}, recs[0].Err)
	assert.Nil(t, recs[1].Err)
}

func TestJSONLargeArrayStreams(t *testing.T) {
	// Many records with a small record limit and a document limit that the whole input fits: the decoder
	// must not need more than one record in memory (checked indirectly: records come back one by one).
	var b strings.Builder
	b.WriteString("[")
	const n = 20000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(fullBattery("S"))
	}
	b.WriteString("]")
	recs, err := decodeAll(t, FormatJSON, b.String(), Limits{MaxRecordBytes: 2000})
	require.NoError(t, err)
	require.Len(t, recs, n)
	assert.Equal(t, n, recs[n-1].Line)
	for _, r := range recs {
		require.Nil(t, r.Err)
	}
}

// smallReader returns its data a few bytes at a time, so that values straddle read-buffer refills.
type smallReader struct {
	data string
	n    int
}

func (r *smallReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, io.EOF
	}
	n := min(r.n, len(p), len(r.data))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

func TestJSONChunkedInput(t *testing.T) {
	in := "[" + strings.Repeat(`123456, {"answers":{"p":{"q":1}}}, true, `, 50) + "7]"
	want, err := decodeAll(t, FormatJSON, in, Limits{})
	require.NoError(t, err)
	require.Len(t, want, 151)
	for n := 1; n < 40; n++ {
		d := NewDecoder(&smallReader{data: in, n: n}, FormatJSON, Limits{})
		for i := 0; ; i++ {
			r, err := d.Next()
			if err == io.EOF {
				require.Equal(t, len(want), i, "chunk size %d", n)
				break
			}
			require.NoError(t, err, "chunk size %d", n)
			require.Equal(t, want[i], r, "chunk size %d, record %d", n, i+1)
		}
	}
}
