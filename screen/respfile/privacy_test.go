package respfile

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Planted health data: no error text may ever contain it.
const (
	secretSubject = "SECRET-ID-123"
	secretCode    = "LA-SECRET"
)

func assertNoSecrets(t *testing.T, f Format, in string, lim Limits) int {
	t.Helper()
	d := NewDecoder(strings.NewReader(in), f, lim)
	errs := 0
	for i := 0; i < 10000; i++ {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs++
			assert.NotContains(t, strings.ToUpper(err.Error()), "SECRET", "%s fatal error: %v", f, err)
			assert.NotContains(t, err.Error(), "123", "%s fatal error: %v", f, err)
			break
		}
		if r.Err != nil {
			errs++
			for _, s := range []string{r.Err.Error(), r.Err.Msg, r.Err.Instrument, r.Err.Item} {
				assert.NotContains(t, strings.ToUpper(s), "SECRET", "%s record %d: %v", f, r.N, r.Err)
			}
		}
	}
	return errs
}

func TestErrorsDoNotLeakData(t *testing.T) {
	s, c := secretSubject, secretCode
	jsonLines := []string{
		`{"subject":"` + s + `","answers":{"p":{"q":1.5,"r":"` + c + `"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":"` + c + `","q":"` + c + `"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":true}},"note":"` + c + `"}`,
		`{"subject":"` + s + "\xff" + `","answers":{"p":{"q":"` + c + `"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":"` + c + "\xff" + `"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":"` + c + `\ud800"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":"` + c + strings.Repeat("X", 5000) + `"}}}`,
		`{"subject":"` + s + `" "answers":{"p":{"q":"` + c + `"}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":` + c + `}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":"` + c,
		`{"subject":"` + s + `","context":{"sex":"` + c + `","age":4e999},"answers":{"p":{"q":1}}}`,
		`{"subject":"` + s + `","answers":{"p":{"q":null}}}`,
		`{"subject":"` + s + `","answers":{}}`,
		`{"subject":"` + s + `"}`,
		`{"subject":123,"answers":{"p":{"q":"` + c + `"}}}`,
		`{"subject":["` + s + `"],"answers":{"p":{"q":"` + c + `"}}}`,
		`["` + s + `","` + c + `"]`,
		s + " " + c,
		`"` + s + `"`,
		`{"subject":"` + s + `","answers":{"p":{"q":[` + strings.Repeat("[", 30) + `"` + c + `"` + strings.Repeat("]", 31) + `}}}`,
	}
	// Every line is an error record but three: 1.5 as an answer, an item answered twice and 4e999 as a
	// context value are passed on for the engine to report as errors of their item and field (scalar.go).
	n := assertNoSecrets(t, FormatJSONL, strings.Join(jsonLines, "\n"), Limits{})
	assert.Equal(t, len(jsonLines)-3, n)
	n = assertNoSecrets(t, FormatJSONL, strings.Join(jsonLines, "\n"), Limits{MaxRecordBytes: 100})
	assert.Equal(t, len(jsonLines)-3, n)

	// JSON: each bad line as an array element (or the fatal error it causes).
	for _, l := range jsonLines {
		assertNoSecrets(t, FormatJSON, "["+l+"]", Limits{})
		assertNoSecrets(t, FormatJSON, l, Limits{})
	}
	assertNoSecrets(t, FormatJSON, `[{"subject":"`+s+`"}]`+c, Limits{})

	csvIn := "subject,context.sex,p.q,p.r\n" +
		s + "," + c + ",1.5," + c + "\n" +
		s + "," + c + "," + c + "\n" +
		s + "," + c + ",,\n" +
		s + "," + c + "," + c + "\"x," + c + "\n" +
		s + "," + c + ",\"" + c + "\"x," + c + "\n" +
		s + "\xff," + c + ",1," + c + "\n" +
		s + "," + c + "\xff,1," + c + "\n" +
		s + "," + c + ",99999999999999999999," + c + "\n" +
		s + "," + c + "," + strings.Repeat(c, 1000) + ",1\n" +
		s + "," + c + ",\"" + c + "\n"
	n = assertNoSecrets(t, FormatCSV, csvIn, Limits{})
	assert.Equal(t, 7, n, "1.5 and 99999999999999999999 are passed on for the engine to judge; the row with no answer is skipped")
	n = assertNoSecrets(t, FormatCSV, csvIn, Limits{MaxRecordBytes: 40})
	assert.Equal(t, 8, n, "the row with 1.5 is short enough to be read")

	yamlDocs := []string{
		"subject: " + s + "\nanswers: {p: {q: 1.5, r: " + c + "}}\n",
		"subject: " + s + "\nanswers: {p: {q: " + c + ", q: " + c + "}}\n",
		"subject: " + s + "\nanswers: {p: {q: true}}\nnote: " + c + "\n",
		"subject: " + s + "\nanswers: {p: {q: !" + c + " x}}\n",
		"subject: " + s + "\nanswers: {p: {q: !!int " + c + "}}\n",
		"subject: " + s + "\nanswers: {p: {q: &" + c + " 1}}\n",
		"subject: " + s + "\nanswers: {p: {q: 2001-01-01}}\n",
		"subject: " + s + "\nanswers: {p: {q: [" + c + "]}}\n",
		"subject: !!binary " + s + "\nanswers: {p: {q: 1}}\n",
		"subject: " + s + "\nanswers: {p: {q: " + strings.Repeat(c, 1000) + "}}\n",
		"- " + s + "\n- " + c + "\n",
	}
	// Values that parse are passed on for the engine to judge (scalar.go): those documents are records.
	records := map[int]bool{0: true, 1: true, 4: true, 6: true, 7: true}
	for i, doc := range yamlDocs {
		assert.Equal(t, !records[i], assertNoSecrets(t, FormatYAML, doc, Limits{}) > 0, doc)
	}
	// Fatal YAML errors.
	for _, doc := range []string{
		"subject: " + s + "\nanswers: {p: {q: *" + c + "}}\n",
		"subject: " + s + "\nanswers: {p: {q: " + c + "\n",
		"subject: \"" + s + "\n",
		"subject: " + s + "\nanswers: {p: {q: '" + c + "}}\n",
		"subject: " + s + "\n\tanswers: " + c + "\n",
		"subject: " + s + "\xff\n",
		"%TAG !" + c + "! tag:x,2000:\n---\nsubject: " + s + "\n",
		"%" + c + " x\n---\nsubject: " + s + "\n",
		"subject: !" + c + "!x " + s + "\n",
		"subject: \"" + s + "\\q\"\n",
		"subject: " + s + "\n---\n" + c + ": [\n",
	} {
		n := assertNoSecrets(t, FormatYAML, doc, Limits{})
		require.Positive(t, n, doc)
	}
}
