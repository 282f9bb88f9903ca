package render_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// records decodes in and scores it: a report for each record that decodes, a failure for the others.
func records(t *testing.T, eng *screen.Engine, in string) []render.Record {
	t.Helper()
	dec := respfile.NewDecoder(strings.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
	var out []render.Record
	for {
		rec, err := dec.Next()
		if err != nil {
			return out
		}
		r := render.Record{File: "in.jsonl", N: rec.N, Line: rec.Line, Input: &rec}
		if rec.Err != nil {
			r.Failure = &screen.RecordError{Code: rec.Err.Code, Message: rec.Err.Msg, ErrLine: rec.Err.Line, ErrCol: rec.Err.Col}
		} else {
			r.Report, err = eng.Score(context.Background(), rec.Response)
			require.NoError(t, err, "a report whenever one exists")
			require.NotNil(t, r.Report)
		}
		out = append(out, r)
	}
}

const twoRecords = `{"subject":"pt-1","answers":{"phq9":{"q1":3,"q2":3,"q3":3,"q4":3,"q5":3,"q6":3,"q7":3,"q8":3,"q9":2}}}
{"subject":"pt-2","answers":{"phq2":{"q1":`

var allFormats = []render.Format{render.JSONL, render.JSON, render.Text, render.CSV, render.FHIR, render.Long, render.Brief}

// Every format writes one output record per record, the failure included; Write and Appenders handing
// their bytes to WriteEncoded give the same bytes.
func TestWriterFormats(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	recs := records(t, eng, twoRecords)
	require.Len(t, recs, 2)
	require.NotNil(t, recs[1].Failure)
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := render.NewWriter(&buf, eng, f, render.Options{})
			require.NoError(t, err)
			for i := range recs {
				require.NoError(t, w.Write(&recs[i]))
			}
			require.NoError(t, w.Close())
			out := buf.String()

			// The same through an Appender.
			var buf2 bytes.Buffer
			enc, err := render.NewEncoder(eng, f, render.Options{})
			require.NoError(t, err)
			w2 := enc.NewWriter(&buf2)
			app := enc.NewAppender()
			var b []byte
			for i := range recs {
				b = app.Append(b, &recs[i])
			}
			require.NoError(t, w2.WriteEncoded(b))
			require.NoError(t, w2.Close())
			assert.Equal(t, out, buf2.String())

			switch f {
			case render.JSON:
				var v []map[string]any
				require.NoError(t, json.Unmarshal(buf.Bytes(), &v))
				require.Len(t, v, 2)
				assert.Equal(t, "pt-1", v[0]["subject"])
				assert.Equal(t, "syntax", v[1]["error"].(map[string]any)["code"])
			case render.JSONL, render.FHIR, render.Brief:
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				require.Len(t, lines, 2)
				if f != render.Brief {
					for _, l := range lines {
						assert.True(t, json.Valid([]byte(l)), l)
					}
				}
			case render.CSV:
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				require.NoError(t, err)
				require.Len(t, rows, 3)
				assert.Equal(t, "status", rows[0][5])
				assert.Equal(t, "ok", rows[1][5])
				assert.Equal(t, "error", rows[2][5])
			case render.Long:
				rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
				require.NoError(t, err)
				assert.Equal(t, []string{"file", "record", "subject", "date", "kind", "id", "value", "band", "note"}, rows[0])
				assert.Equal(t, "error", rows[len(rows)-1][4])
			case render.Text:
				assert.Contains(t, out, "pt-1")
				assert.Contains(t, out, "ERROR")
			}
		})
	}
}

// The record's date is in the JSON report, in the date column of csv and long and in brief's date= field,
// for a report and for a failed record whose response decoded; a record without a date leaves it empty.
func TestWriterDate(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	recs := records(t, eng, `{"subject":"pt-1","date":"2026-01-05","answers":{"phq2":{"q1":1,"q2":1}}}
{"subject":"pt-2","answers":{"phq2":{"q1":1,"q2":1}}}`)
	require.Len(t, recs, 2)
	// A response that decoded but has no report (a batch failure such as a duplicated subject): a failed
	// record that keeps its date.
	in := respfile.Record{N: 3, Line: 3, Response: &screen.Response{Subject: "pt-3", Date: "2026-02-01"}}
	recs = append(recs, render.Record{File: "in.jsonl", N: 3, Line: 3, Input: &in, Failure: &screen.RecordError{Code: "duplicate_subject", Message: "a duplicated subject"}})
	write := func(f render.Format) string {
		var buf bytes.Buffer
		w, err := render.NewWriter(&buf, eng, f, render.Options{})
		require.NoError(t, err)
		for i := range recs {
			require.NoError(t, w.Write(&recs[i]))
		}
		require.NoError(t, w.Close())
		return buf.String()
	}

	lines := strings.Split(strings.TrimSuffix(write(render.JSONL), "\n"), "\n")
	require.Len(t, lines, 3)
	assert.True(t, strings.HasPrefix(lines[0], `{"subject":"pt-1","date":"2026-01-05","engine":`), lines[0])
	assert.NotContains(t, lines[1], `"date"`)

	rows, err := csv.NewReader(strings.NewReader(write(render.CSV))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	assert.Equal(t, []string{"subject", "date", "status"}, rows[0][3:6])
	assert.Equal(t, []string{"pt-1", "2026-01-05", "ok"}, rows[1][3:6])
	assert.Equal(t, []string{"pt-2", "", "ok"}, rows[2][3:6])
	assert.Equal(t, []string{"pt-3", "2026-02-01", "error"}, rows[3][3:6])

	rows, err = csv.NewReader(strings.NewReader(write(render.Long))).ReadAll()
	require.NoError(t, err)
	dates := map[string]map[string]bool{}
	for _, r := range rows[1:] {
		if dates[r[2]] == nil {
			dates[r[2]] = map[string]bool{}
		}
		dates[r[2]][r[3]] = true
	}
	assert.Equal(t, map[string]map[string]bool{"pt-1": {"2026-01-05": true}, "pt-2": {"": true}, "pt-3": {"2026-02-01": true}}, dates)

	lines = strings.Split(strings.TrimSuffix(write(render.Brief), "\n"), "\n")
	require.Len(t, lines, 3)
	assert.True(t, strings.HasPrefix(lines[0], "in.jsonl:1 pt-1 ok date=2026-01-05 "), lines[0])
	assert.NotContains(t, lines[1], "date=")
	assert.True(t, strings.HasPrefix(lines[2], "in.jsonl:3 pt-3 error date=2026-02-01 duplicate_subject: "), lines[2])
}

// The PHQ-9 item-9 flag is in every format that shows flags.
func TestWriterSafetyFlag(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	recs := records(t, eng, twoRecords)
	for _, f := range []render.Format{render.JSONL, render.Text, render.CSV, render.Long, render.Brief} {
		var buf bytes.Buffer
		w, err := render.NewWriter(&buf, eng, f, render.Options{})
		require.NoError(t, err)
		require.NoError(t, w.Write(&recs[0]))
		require.NoError(t, w.Close())
		assert.Contains(t, strings.ToLower(buf.String()), "suicid", f)
	}
}

// An output without records still has its framing.
func TestWriterEmpty(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	for _, c := range []struct {
		f    render.Format
		want string
	}{{render.JSON, "[]\n"}, {render.JSONL, ""}, {render.Text, ""}, {render.Long, "file,record,subject,date,kind,id,value,band,note\n"}} {
		var buf bytes.Buffer
		w, err := render.NewWriter(&buf, eng, c.f, render.Options{})
		require.NoError(t, err)
		require.NoError(t, w.Close())
		assert.Equal(t, c.want, buf.String(), c.f)
	}
}

func TestNewEncoderOptions(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	_, err = render.NewEncoder(eng, render.Text, render.Options{CSVSafe: true})
	assert.Error(t, err, "CSVSafe is for the CSV formats")
	_, err = render.NewEncoder(eng, render.Format(99), render.Options{})
	assert.Error(t, err)
	_, err = render.NewEncoder(eng, render.Text, render.Options{Width: -1})
	assert.Error(t, err)
	enc, err := render.NewEncoder(eng, render.CSV, render.Options{CSVSafe: true, Keep: []string{"site"}})
	require.NoError(t, err)
	assert.Equal(t, render.CSV, enc.Format())
}

func TestParseFormat(t *testing.T) {
	for _, f := range allFormats {
		got, err := render.ParseFormat(" " + strings.ToUpper(f.String()) + " ")
		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	got, err := render.ParseFormat("ndjson")
	require.NoError(t, err)
	assert.Equal(t, render.JSONL, got)
	_, err = render.ParseFormat("xml")
	assert.ErrorContains(t, err, "unknown output format")
}

// A record with a report and nothing else (no Input, no position), or with neither report nor failure, is
// written in every format without a panic.
func TestWriterMinimalRecords(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "s", Answers: map[string]map[string]any{"phq2": {"q1": 1, "q2": 1}}})
	require.NoError(t, err)
	require.NotNil(t, rep)
	for _, f := range allFormats {
		var buf bytes.Buffer
		w, err := render.NewWriter(&buf, eng, f, render.Options{FollowUp: true, Keep: []string{"site"}})
		require.NoError(t, err)
		require.NoError(t, w.Write(&render.Record{Report: rep}))
		require.NoError(t, w.Write(&render.Record{File: "x", N: 2}))
		require.NoError(t, w.Close())
		assert.NotEmpty(t, buf.String(), f)
	}
}
