package respfile_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// badValues are answers that are wrong for any item of the bundled catalogue, each as JSON, YAML and a CSV
// cell write it (a CSV cell has no objects or arrays: "{}" is text there, which no item has as a code).
var badValues = []struct {
	name            string
	json, yaml, csv string
	secret          string // text of the value that must not appear in an error message
}{
	{"fraction", "2.5", "2.5", "2.5", "2.5"},
	{"exponent", "1e2", "1e2", "1e2", "1e2"},
	{"huge exponent", "1e400", "1e400", "1e400", "1e400"},
	{"beyond int64", "99999999999999999999", "99999999999999999999", "99999999999999999999", "99999999999999999999"},
	{"negative beyond int64", "-99999999999999999999", "-99999999999999999999", "-99999999999999999999", "99999999999999999999"},
	{"boolean", "true", "true", "true", ""},
	{"object", `{"n":7}`, "{n: 7}", "{}", ""},
	{"array", "[7]", "[7]", "[]", ""},
	{"text", `"many"`, "many", "many", "many"},
	{"YAML hex", `"0x1F"`, "0x1F", "0x1F", "0x1F"},
}

// phq9Q9 is a PHQ-9 with item 9 = 3: whatever else is wrong with the record, the urgent flag must fire.
var phq9Q9 = map[string]string{"q1": "1", "q2": "1", "q3": "0", "q4": "1", "q5": "0", "q6": "0", "q7": "0", "q8": "0", "q9": "3"}

var phq9Order = []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}

// writeRecord writes one record with PHQ-9 (item 9 = 3, or bad at item) and sisq_drug.times in format f.
func writeRecord(f respfile.Format, badInst, badItem, bad string) string {
	type kv struct{ k, v string }
	var phq []kv
	for _, id := range phq9Order {
		v := phq9Q9[id]
		if badInst == "phq9" && badItem == id {
			v = bad
		}
		phq = append(phq, kv{id, v})
	}
	times, age := "2", "47"
	switch {
	case badInst == "sisq_drug":
		times = bad
	case badInst == "context":
		age = bad
	}
	switch f {
	case respfile.FormatCSV:
		var h, r []string
		h, r = append(h, "subject", "context.age"), append(r, "S-1", age)
		for _, p := range phq {
			h, r = append(h, "phq9."+p.k), append(r, p.v)
		}
		h, r = append(h, "sisq_drug.times"), append(r, times)
		return strings.Join(h, ",") + "\n" + strings.Join(r, ",") + "\n"
	case respfile.FormatYAML:
		var b strings.Builder
		b.WriteString("subject: S-1\ncontext: {age: " + age + "}\nanswers:\n  phq9: {")
		for i, p := range phq {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.k + ": " + p.v)
		}
		b.WriteString("}\n  sisq_drug: {times: " + times + "}\n")
		return b.String()
	}
	var b strings.Builder
	b.WriteString(`{"subject":"S-1","context":{"age":` + age + `},"answers":{"phq9":{`)
	for i, p := range phq {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + p.k + `":` + p.v)
	}
	b.WriteString(`},"sisq_drug":{"times":` + times + "}}}")
	if f == respfile.FormatJSONL {
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBadValueSpoilsOnlyItsItem: composite contract §1 and §1a rule 1 (rev 3). In every input format,
// whatever is wrong with an answer or a context value that parses, the record is scored: the report
// exists, the error names the instrument and item (or context field) and never the value, and PHQ-9
// item 9 = 3 still raises the urgent flag.
func TestBadValueSpoilsOnlyItsItem(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	places := []struct{ inst, item string }{{"sisq_drug", "times"}, {"phq9", "q1"}, {"context", "age"}}
	formats := []respfile.Format{respfile.FormatJSON, respfile.FormatJSONL, respfile.FormatYAML, respfile.FormatCSV}
	for _, v := range badValues {
		for _, at := range places {
			for _, f := range formats {
				bad := v.json
				switch f {
				case respfile.FormatYAML:
					bad = v.yaml
				case respfile.FormatCSV:
					bad = v.csv
				}
				t.Run(v.name+"/"+at.inst+"."+at.item+"/"+string(f), func(t *testing.T) {
					in := writeRecord(f, at.inst, at.item, bad)
					dec := respfile.NewDecoder(strings.NewReader(in), f, respfile.DefaultLimits())
					rec, err := dec.Next()
					require.NoError(t, err)
					require.Nil(t, rec.Err, "a bad value is not an error of the record: %v", rec.Err)
					_, err = dec.Next()
					require.ErrorIs(t, err, io.EOF)

					rep, err := eng.Score(context.Background(), rec.Response)
					require.NoError(t, err, "the record is scored")
					var re *screen.ResponseErrors
					require.True(t, errors.As(rep.Err(), &re), "the bad value is an error of the record's report")
					require.Len(t, rep.Errors, 1, "%v", rep.Errors)
					e := rep.Errors[0]
					if at.inst == "context" {
						assert.Equal(t, "invalid_context", e.Code)
						assert.Equal(t, "context.age", e.Item)
					} else {
						assert.Contains(t, []string{"not_integer", "wrong_type", "invalid_value"}, e.Code)
						assert.Equal(t, at.inst, e.Instrument)
						assert.Equal(t, at.item, e.Item)
					}
					if v.secret != "" {
						assert.NotContains(t, e.Error(), v.secret, "the value is health data")
					}
					var phq *screen.InstrumentResult
					for i := range rep.Instruments {
						if rep.Instruments[i].ID == "phq9" {
							phq = &rep.Instruments[i]
						}
					}
					require.NotNil(t, phq)
					flag, ok := phq.Flag("suicidal_ideation")
					require.True(t, ok, "PHQ-9 item 9 = 3 raises the urgent flag whatever else is wrong")
					assert.Equal(t, screen.Level("urgent"), flag.Level)
					if c := rep.Composite; c != nil && c.Applied {
						assert.Equal(t, screen.Tier("urgent"), c.Tier)
					}
				})
			}
		}
	}
}
