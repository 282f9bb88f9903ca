package respfile

import (
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
)

// utf16LE writes s as UTF-16 little-endian, with or without a byte order mark.
func utf16LE(s string, bom bool) string {
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// utf16BE is utf16LE big-endian.
func utf16BE(s string, bom bool) string {
	le := []byte(utf16LE(s, bom))
	for i := 0; i+1 < len(le); i += 2 {
		le[i], le[i+1] = le[i+1], le[i]
	}
	return string(le)
}

// A UTF-16 file (as spreadsheet programs export "Unicode text") is said to be UTF-16 in every format,
// with or without a byte order mark, instead of failing with a syntax error on its first byte.
func TestUTF16InputIsNamed(t *testing.T) {
	docs := map[Format]string{
		FormatJSON:  `{"answers":{"p":{"q":1}}}`,
		FormatJSONL: `{"answers":{"p":{"q":1}}}` + "\n",
		FormatCSV:   "p.q\n1\n",
		FormatYAML:  "answers: {p: {q: 1}}\n",
	}
	want := Error{Line: 1, Col: 1, Code: CodeInvalidUTF8, Msg: "input is UTF-16; response files must be UTF-8"}
	for f, doc := range docs {
		for name, in := range map[string]string{
			"LE with BOM": utf16LE(doc, true), "BE with BOM": utf16BE(doc, true),
			"LE": utf16LE(doc, false), "BE": utf16BE(doc, false),
		} {
			t.Run(string(f)+"/"+name, func(t *testing.T) {
				recs, err := decodeAll(t, f, in, Limits{})
				assert.Empty(t, recs)
				assert.Equal(t, want, *fatalErr(t, err))
			})
		}
	}
}

// A CSV header name with white space around it is a header error: it would otherwise name an instrument
// or item no definition has, and fail every row.
func TestCSVHeaderSpaces(t *testing.T) {
	for _, in := range []string{"subject, p.q\ns,1\n", "p.q ,p.r\n1,2\n", "\"p.q\t\"\n1\n"} {
		recs, err := decodeAll(t, FormatCSV, in, Limits{})
		assert.Empty(t, recs)
		e := fatalErr(t, err)
		assert.Equal(t, CodeCSVHeader, e.Code)
		assert.Contains(t, e.Msg, "has white space at its start or end (header names are not trimmed)")
	}
}
