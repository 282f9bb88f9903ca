package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/respfile"
)

// fillValue is the answer a round-trip test gives an item: its highest option or the top of its range,
// so that every item skip logic may ask is asked.
func fillValue(it catalog.ItemDoc) int64 {
	if len(it.Options) > 0 {
		return it.Options[len(it.Options)-1].Value
	}
	if it.Max != nil {
		return *it.Max
	}
	return 0
}

// scoreTemplateOutput decodes a filled template and scores every record; each must score without errors
// and with the rule set applied.
func scoreTemplateOutput(t *testing.T, eng *screen.Engine, f respfile.Format, in []byte) {
	t.Helper()
	d := respfile.NewDecoder(bytes.NewReader(in), f, respfile.Limits{})
	if f == respfile.FormatCSV {
		items, docs := engineItems(eng)
		d = respfile.NewCSVDecoder(bytes.NewReader(in), respfile.Limits{}, respfile.CSVOptions{Items: items, IsAnswer: docs.isAnswer})
	}
	n := 0
	for {
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		require.Nil(t, rec.Err, "%v", rec.Err)
		rep, err := eng.Score(t.Context(), rec.Response)
		require.NoError(t, err)
		assert.Empty(t, rep.Errors)
		require.NotNil(t, rep.Composite)
		assert.True(t, rep.Composite.Applied, rep.Composite.Reason)
		assert.NotEmpty(t, rep.Instruments)
		for _, in := range rep.Instruments {
			assert.Equal(t, screen.StatusComplete, in.Status, in.ID)
		}
		n++
	}
	assert.Equal(t, 1, n)
}

func TestTemplateRoundTrip(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rs, ok := eng.RuleSet()
	require.True(t, ok)
	items := map[string]catalog.ItemDoc{} // inst.item -> doc
	for id := range rs.Inputs {
		doc, err := eng.Describe(id)
		require.NoError(t, err)
		for _, it := range doc.Items {
			items[id+"."+it.ID] = it
		}
	}
	template := func(t *testing.T, format string) []byte {
		var b bytes.Buffer
		require.NoError(t, respfile.WriteTemplate(&b, eng, format))
		return b.Bytes()
	}

	t.Run("csv", func(t *testing.T) {
		header := strings.TrimSuffix(string(template(t, "csv")), "\n")
		var row []string
		for _, col := range strings.Split(header, ",") {
			switch {
			case col == "subject":
				row = append(row, "t-1")
			case col == "context.sex":
				row = append(row, "female")
			default:
				it, ok := items[col]
				require.True(t, ok, col)
				row = append(row, strconv.FormatInt(fillValue(it), 10))
			}
		}
		scoreTemplateOutput(t, eng, respfile.FormatCSV, []byte(header+"\n"+strings.Join(row, ",")+"\n"))
	})

	t.Run("jsonl", func(t *testing.T) {
		var rec struct {
			Subject *string                            `json:"subject"`
			Context map[string]any                     `json:"context"`
			Answers map[string]map[string]*json.Number `json:"answers"`
		}
		require.NoError(t, json.Unmarshal(template(t, "jsonl"), &rec))
		s := "t-1"
		rec.Subject = &s
		for k := range rec.Context {
			rec.Context[k] = "female"
		}
		for inst, m := range rec.Answers {
			for id, v := range m {
				require.Nil(t, v, "every answer is null in the template")
				n := json.Number(strconv.FormatInt(fillValue(items[inst+"."+id]), 10))
				m[id] = &n
			}
		}
		b, err := json.Marshal(rec)
		require.NoError(t, err)
		scoreTemplateOutput(t, eng, respfile.FormatJSONL, append(b, '\n'))
	})

	t.Run("yaml", func(t *testing.T) {
		inst := ""
		var out []string
		key := regexp.MustCompile(`^(\s*)([^#\s][^:]*):(\s*#.*)?$`)
		for _, line := range strings.Split(string(template(t, "yaml")), "\n") {
			m := key.FindStringSubmatch(line)
			switch {
			case m == nil:
			case len(m[1]) == 2 && m[2] == "sex":
				line = "  sex: female"
			case len(m[1]) == 2:
				inst = m[2]
			case len(m[1]) == 4:
				it, ok := items[inst+"."+m[2]]
				require.True(t, ok, line)
				line += " " + strconv.FormatInt(fillValue(it), 10)
			}
			out = append(out, line)
		}
		y := strings.Join(out, "\n")
		y = strings.Replace(y, `subject: ""`, "subject: t-1", 1)
		scoreTemplateOutput(t, eng, respfile.FormatYAML, []byte(y))
	})

	t.Run("redcap", func(t *testing.T) {
		rows, err := csv.NewReader(bytes.NewReader(template(t, "redcap"))).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows[0], 18, "REDCap's data dictionary has 18 columns")
		assert.Equal(t, "Variable / Field Name", rows[0][0])
		// A REDCap "raw" export: the record id, the event, every field, and each form's status.
		header := []string{"subject", "redcap_event_name"}
		row := []string{"t-1", "baseline_arm_1"}
		forms := []string{}
		name := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
		for _, r := range rows[1:] {
			field, form, typ, choices := r[0], r[1], r[3], r[5]
			assert.Regexp(t, name, field)
			if len(forms) == 0 || forms[len(forms)-1] != form {
				forms = append(forms, form)
			}
			header = append(header, field)
			switch {
			case field == "subject":
				header = header[:len(header)-1] // already first
			case field == "context__sex":
				row = append(row, "female")
			case field == "date":
				require.Equal(t, "date_ymd", r[7])
				row = append(row, "2026-01-05") // REDCap's raw export of a date_ymd field
			case typ == "radio":
				ch := strings.Split(choices, " | ")
				v, _, ok := strings.Cut(ch[len(ch)-1], ", ")
				require.True(t, ok, choices)
				row = append(row, v)
			default:
				require.Equal(t, "text", typ)
				require.Equal(t, "integer", r[7], field)
				row = append(row, r[9])
			}
		}
		for _, f := range forms {
			header = append(header, f+"_complete")
			row = append(row, "2")
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		require.NoError(t, w.WriteAll([][]string{header, row}))
		scoreTemplateOutput(t, eng, respfile.FormatCSV, b.Bytes())
	})
}
