package respfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatFromPath(t *testing.T) {
	cases := []struct {
		path string
		want Format
		ok   bool
	}{
		{"a.json", FormatJSON, true},
		{"dir.v2/A.JSON", FormatJSON, true},
		{"a.jsonl", FormatJSONL, true},
		{"a.NDJSON", FormatJSONL, true},
		{"a.yaml", FormatYAML, true},
		{"a.Yml", FormatYAML, true},
		{"/x/y/export.csv", FormatCSV, true},
		{"r-export.TSV", FormatCSV, true},
		{"a.txt", "", false},
		{"json", "", false},
		{"a.json.gz", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := FormatFromPath(c.path)
		assert.Equal(t, c.want, got, c.path)
		assert.Equal(t, c.ok, ok, c.path)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{
		"json": FormatJSON, "JSONL": FormatJSONL, "ndjson": FormatJSONL, " yaml ": FormatYAML, "yml": FormatYAML, "csv": FormatCSV, "tsv": FormatCSV,
	} {
		got, err := ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "xml", "json5", "psv"} {
		_, err := ParseFormat(in)
		assert.Error(t, err, in)
	}
}

func TestLimitsDefaults(t *testing.T) {
	d := DefaultLimits()
	assert.Equal(t, Limits{MaxRecordBytes: 1 << 20, MaxDocumentBytes: 256 << 20, MaxDepth: 16, MaxStringBytes: 4096, MaxAnswers: 10000}, d)
	assert.Equal(t, d, Limits{}.withDefaults(), "zero fields take the defaults")
	assert.Equal(t, d, Limits{MaxRecordBytes: -1, MaxDocumentBytes: -5, MaxDepth: -1, MaxStringBytes: -1, MaxAnswers: -1, MaxRecords: -1}.withDefaults())
	l := Limits{MaxRecordBytes: 10, MaxDocumentBytes: 20, MaxDepth: 1, MaxStringBytes: 30, MaxAnswers: 40, MaxRecords: 50}.withDefaults()
	assert.Equal(t, Limits{MaxRecordBytes: 10, MaxDocumentBytes: 20, MaxDepth: 3, MaxStringBytes: 30, MaxAnswers: 40, MaxRecords: 50}, l,
		"set fields are kept; depth is raised to the 3 a valid record needs")
	assert.Equal(t, 1000, Limits{MaxDepth: 1 << 30}.withDefaults().MaxDepth)
}

func TestErrorString(t *testing.T) {
	cases := []struct {
		e    Error
		want string
	}{
		{Error{Record: 7, Line: 7, Msg: "answers.phq9.q1: number is not an integer"}, "record 7 (line 7): answers.phq9.q1: number is not an integer"},
		{Error{Record: 7, Line: 9, Col: 40, Msg: "m"}, "record 7 (line 9, col 40): m"},
		{Error{Record: 3, Msg: "m"}, "record 3: m"},
		{Error{Line: 2, Col: 5, Msg: "m"}, "line 2, col 5: m"},
		{Error{Line: 2, Msg: "m"}, "line 2: m"},
		{Error{Msg: "input is empty"}, "input is empty"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.e.Error())
	}
}

func TestShowKey(t *testing.T) {
	assert.Equal(t, "phq9@1.0.0", showKey("phq9@1.0.0"))
	assert.Equal(t, "q_1-b", showKey("q_1-b"))
	assert.Equal(t, `"has space"`, showKey("has space"))
	assert.Equal(t, `"\n\x00"`, showKey("\n\x00"))
	assert.Equal(t, `""`, showKey(""))
	long := showKey(string(make([]byte, 100)))
	assert.Less(t, len(long), 4*maxKeyInMsg+10)
	assert.Contains(t, long, "…")
	assert.Equal(t, "answers.phq9.q1", path("answers", "phq9", "q1"))
	assert.Equal(t, `context."a b"`, path("context", "a b"))
}

func TestUnknownFormat(t *testing.T) {
	_, err := decodeAll(t, Format("xml"), "x", Limits{})
	require.Error(t, err)
	var e *Error
	assert.NotErrorAs(t, err, &e, "a bad format is not a problem with the data")
}
