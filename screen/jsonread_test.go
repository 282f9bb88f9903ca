package screen_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// roundTrip requires encode → decode → encode to give the same bytes, through ReadReport and through
// json.Unmarshal, and returns the decoded report.
func roundTrip(t *testing.T, what string, enc []byte) *screen.Report {
	t.Helper()
	rep, err := screen.ReadReport(bytes.NewReader(enc))
	require.NoError(t, err, what)
	require.Equal(t, string(enc), string(rep.AppendJSON(nil)), "%s: ReadReport re-encodes identically", what)
	var viaJSON screen.Report
	require.NoError(t, json.Unmarshal(enc, &viaJSON), what)
	require.Equal(t, string(enc), string(viaJSON.AppendJSON(nil)), "%s: json.Unmarshal re-encodes identically", what)
	return rep
}

// Every response file the repository ships (examples, the cross-path signal cases), scored through the
// engine, with and without the rule set, and every follow-up pair of the follow-up example: its JSON
// report reads back to a report that encodes to the same bytes.
func TestReadReportRoundTripsScoredExamples(t *testing.T) {
	engines := map[string]*screen.Engine{}
	for name, opts := range map[string][]screen.Option{"rules": {bundled.Definitions()},
		"norules": {bundled.Definitions(), screen.WithoutRuleSet()}} {
		eng, err := screen.New(opts...)
		require.NoError(t, err)
		engines[name] = eng
	}
	mapper, err := respfile.FHIRMapperFor(engines["rules"])
	require.NoError(t, err)

	var inputs []string
	for _, dir := range []string{"../examples", "../cmd/painscreen/testdata/signal"} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				inputs = append(inputs, path)
			}
			return err
		}))
	}
	n := 0
	for _, path := range inputs {
		for name, data := range inputFiles(t, path) {
			format, ok := respfile.FormatFromPath(name)
			if !ok {
				continue
			}
			dec := respfile.NewDecoder(bytes.NewReader(data), format, respfile.DefaultLimits())
			dec.UseFHIR(mapper)
			var recs []*screen.Response
			for {
				rec, err := dec.Next()
				if err != nil {
					break // the end, or an input the signal cases make unreadable on purpose
				}
				if rec.Err == nil && rec.Response != nil {
					recs = append(recs, rec.Response)
				}
			}
			for en, eng := range engines {
				for i, resp := range recs {
					rep, err := eng.Score(context.Background(), resp)
					if err != nil {
						continue // nothing to score
					}
					roundTrip(t, path+"/"+name+"/"+en, rep.AppendJSON(nil))
					n++
					if i > 0 { // follow-up against the file's first record
						base := *recs[0]
						base.Date, resp.Date = "2026-01-05", "2026-04-01"
						if fu, err := eng.FollowUp(context.Background(), &base, resp); err == nil {
							roundTrip(t, path+"/"+name+"/"+en+"/followup", fu.AppendJSON(nil))
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d reports round-tripped", n)
	assert.Greater(t, n, 100)
}

// inputFiles returns a file's response inputs: the file itself, or a txtar archive's input.* members.
func inputFiles(t *testing.T, path string) map[string][]byte {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if !strings.HasSuffix(path, ".txtar") {
		return map[string][]byte{filepath.Base(path): data}
	}
	out := map[string][]byte{}
	var name string
	var body bytes.Buffer
	flush := func() {
		if strings.HasPrefix(name, "input.") {
			n := name
			if strings.HasSuffix(n, ".fhir.json") {
				n = "input.json"
			}
			out[n] = bytes.Clone(body.Bytes())
		}
		body.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(strings.TrimSpace(line), " --") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "-- "), " --")
			continue
		}
		body.WriteString(line)
	}
	flush()
	return out
}

// Every JSON report stored in the repository (the CLI's testscript goldens, any golden or example file):
// it reads back,
// and re-encodes to the bytes stored, up to the fields the CLI appends after the report (kept columns,
// ehr_context), which ReadReport skips.
func TestReadReportRoundTripsStoredReports(t *testing.T) {
	storedReportExt := map[string]bool{".json": true, ".jsonl": true, ".txt": true, ".txtar": true, ".golden": true, ".md": true, ".out": true}
	n := 0
	for _, dir := range []string{".."} { // the whole module
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "node_modules" {
					return filepath.SkipDir // what npm installs for the interoperability scripts stores no report
				}
				return nil
			}
			if !d.Type().IsRegular() || !storedReportExt[filepath.Ext(path)] {
				return nil // binaries and other files a build leaves behind are not where reports are stored
			}
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				line := strings.TrimSuffix(strings.TrimSpace(sc.Text()), ",")
				if !strings.HasPrefix(line, `{"subject":`) || !strings.Contains(line, `"engine":{"name":`) || !json.Valid([]byte(line)) {
					continue
				}
				rep, err := screen.ReadReport(strings.NewReader(line))
				require.NoError(t, err, path)
				enc := rep.AppendJSON(nil)
				require.True(t, strings.HasPrefix(line, string(enc[:len(enc)-1])), "%s: the stored report re-encodes to its own bytes:\n%s\n%s", path, line, enc)
				roundTrip(t, path, enc)
				n++
			}
			return sc.Err()
		}))
	}
	t.Logf("%d stored reports round-tripped", n)
	assert.Positive(t, n)
}

// Example_readReport reads a report back from its JSON: the results, their reasons and the record's
// errors are all there, and it encodes to the same bytes.
func Example_readReport() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "pt-1", Answers: map[string]map[string]any{
		"phq9": {"q1": 7, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 2},
	}})
	if err != nil {
		panic(err)
	}
	stored := rep.AppendJSON(nil) // a file, a queue, a database …

	back, err := screen.ReadReport(bytes.NewReader(stored))
	if err != nil {
		panic(err)
	}
	f, _ := back.Instrument("phq9").Flag("suicidal_ideation")
	r := f.Reasons()[0]
	fmt.Println(f.Level, f.Rule, r.Name, r.Value)
	fmt.Println(r.Text)
	fmt.Println(errors.Is(back.Err(), screen.ErrInvalidValue))
	fmt.Println(bytes.Equal(back.AppendJSON(nil), stored))
	// Output:
	// urgent phq9@1.0.0#flags.suicidal_ideation answers.q9 2
	// PHQ-9 item 9 (thoughts that you would be better off dead, or of hurting…): More than half the days
	// true
	// true
}

// A stream of reports (JSON Lines) reads one at a time with a json.Decoder.
func TestReadReportStream(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	var buf bytes.Buffer
	var want []string
	for _, q9 := range []int{0, 1, 2} {
		rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"phq9": {"q9": q9}}})
		require.NoError(t, err)
		b := rep.AppendJSON(nil)
		want = append(want, string(b))
		buf.Write(append(b, '\n'))
	}
	dec := json.NewDecoder(&buf)
	var got []string
	for {
		var rep screen.Report
		if err := dec.Decode(&rep); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		got = append(got, string(rep.AppendJSON(nil)))
	}
	assert.Equal(t, want, got)
}

// Errors name the place, never a value.
func TestReadReportErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[]`, "report: want an object"},
		{`{"subject":42}`, "subject: want a string"},
		{`{"subject":"pt-secret","instruments":{"phq9":{"scores":{"total":"x"},"flags":"pt-secret"}}}`, "instruments[0].flags: want an array"},
		{`{"composite":{"applied":true,"referrals":[{"id":1}]}}`, "composite.referrals[0].id: want a string"},
		{`{"subject":"pt-secret"`, "the input ends"},
		{`{"subject":"pt-secret" x}`, "not valid JSON"},
		{strings.Repeat("[", 100), "nested more than"},
	} {
		_, err := screen.ReadReport(strings.NewReader(tc.in))
		require.Error(t, err, tc.in)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "secret")
	}
}

// A Report can be scored into after it was read, and read into after it was scored: each replaces
// everything it held.
func TestReadReportReuse(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	a := &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": 7, "q9": 2}}}
	b := &screen.Response{Answers: map[string]map[string]any{"gad7": {"q1": 1}, "sisq_drug": {"times": 2}}}
	var ra, rb screen.Report
	require.NoError(t, eng.ScoreTo(context.Background(), a, &ra))
	require.NoError(t, eng.ScoreTo(context.Background(), b, &rb))
	encA, encB := ra.AppendJSON(nil), rb.AppendJSON(nil)

	var r screen.Report
	require.NoError(t, eng.ScoreTo(context.Background(), b, &r))
	require.NoError(t, json.Unmarshal(encA, &r))
	assert.Equal(t, string(encA), string(r.AppendJSON(nil)))
	require.NoError(t, eng.ScoreTo(context.Background(), b, &r))
	assert.Equal(t, string(encB), string(r.AppendJSON(nil)))
	require.NoError(t, json.Unmarshal(encA, &r))
	assert.Equal(t, string(encA), string(r.AppendJSON(nil)))
}
