package respfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A record's date (follow-up) is read as text in every format; the engine checks it is a calendar date.
func TestRecordDate(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Format
		in   string
		want []string // per record: its date, or "!code" for an error record
	}{
		{"jsonl", FormatJSONL, `{"subject":"a","date":"2026-01-05","answers":{"p":{"q":1}}}` + "\n" +
			`{"date":null,"answers":{"p":{"q":1}}}` + "\n" + `{"date":20260105,"answers":{"p":{"q":1}}}` + "\n" +
			`{"date":"a","date":"b","answers":{"p":{"q":1}}}` + "\n" + `{"date":"2026-01-05T10:30:00Z","answers":{"p":{"q":1}}}`,
			[]string{"2026-01-05", "", "!" + CodeWrongType, "!" + CodeDuplicateKey, "2026-01-05"}},
		{"yaml", FormatYAML, "- {date: 2026-01-05, answers: {p: {q: 1}}}\n- {date: '05/01/2026', answers: {p: {q: 1}}}\n- {date: [1], answers: {p: {q: 1}}}\n" +
			"- {date: 2026-01-05T10:30:00+01:00, answers: {p: {q: 1}}}\n",
			[]string{"2026-01-05", "05/01/2026", "!" + CodeWrongType, "2026-01-05"}},
		{"csv", FormatCSV, "subject,date,p.q\na,2026-01-05,1\nb,,2\n", []string{"2026-01-05", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, fatal := decodeAll(t, tc.f, tc.in, Limits{})
			require.NoError(t, fatal)
			require.Len(t, recs, len(tc.want))
			for i, w := range tc.want {
				if w != "" && w[0] == '!' {
					require.NotNil(t, recs[i].Err, "record %d", i+1)
					assert.Equal(t, w[1:], recs[i].Err.Code)
					continue
				}
				require.Nil(t, recs[i].Err, "record %d", i+1)
				assert.Equal(t, w, recs[i].Response.Date)
			}
		})
	}
}
