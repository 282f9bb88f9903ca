package batch_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// runFile scores a file with the bundled engine into format f and returns the output, the summary and the
// failures reported.
func runFile(t *testing.T, eng *screen.Engine, path string, f render.Format, opts batch.Options) (string, batch.Summary, []batch.Status) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	format, ok := respfile.FormatFromPath(path)
	require.True(t, ok)
	var buf bytes.Buffer
	w, err := render.NewWriter(&buf, eng, f, render.Options{FollowUp: opts.FollowUp})
	require.NoError(t, err)
	var failed []batch.Status
	opts.OnFailure = func(s *batch.Status) { failed = append(failed, *s) }
	r, err := batch.NewRunner(eng, w, opts)
	require.NoError(t, err)
	require.NoError(t, r.Run(context.Background(), batch.Source{Name: "in", R: bytes.NewReader(data), Format: format}))
	require.NoError(t, w.Close())
	return buf.String(), r.Summary(), failed
}

// The output does not depend on the number of scorers (differential: 1 against 4), in every format.
func TestRunnerJobsAgree(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	for _, c := range []struct {
		path     string
		followUp bool
	}{{"../../examples/responses/batch.jsonl", false}, {"../../examples/responses/batch.csv", false}, {"../../examples/followup/cohort.jsonl", true}} {
		for _, f := range []render.Format{render.JSONL, render.CSV, render.Text, render.Long} {
			one, sum1, fail1 := runFile(t, eng, c.path, f, batch.Options{Jobs: 1, FollowUp: c.followUp})
			four, sum4, fail4 := runFile(t, eng, c.path, f, batch.Options{Jobs: 4, FollowUp: c.followUp})
			assert.Equal(t, one, four, "%s %s", c.path, f)
			assert.Equal(t, sum1, sum4)
			assert.Equal(t, fail1, fail4)
			assert.Equal(t, sum1.Records, sum1.Scored+sum1.Failed-sum1.Partial)
		}
	}
}

// A failed record is tallied and reported to OnFailure with its position and code, in order.
func TestRunnerFailures(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	in := `{"subject":"a","answers":{"phq9":{"q1":9}}}
{"subject":"b","answers":{"phq9":
{"subject":"c","answers":{"phq2":{"q1":1,"q2":1}}}
`
	var buf bytes.Buffer
	w, err := render.NewWriter(&buf, eng, render.JSONL, render.Options{})
	require.NoError(t, err)
	var failed []batch.Status
	r, err := batch.NewRunner(eng, w, batch.Options{OnFailure: func(s *batch.Status) { failed = append(failed, *s) }})
	require.NoError(t, err)
	require.NoError(t, r.Run(context.Background(), batch.Source{Name: "in.jsonl", R: strings.NewReader(in), Format: respfile.FormatJSONL}))
	require.NoError(t, w.Close())
	require.Len(t, failed, 2)
	assert.Equal(t, 1, failed[0].N)
	assert.True(t, failed[0].Partial, "a bad answer spoils only itself: the record is reported")
	assert.Equal(t, "in.jsonl", failed[0].File)
	assert.Equal(t, 2, failed[1].N)
	assert.Equal(t, "syntax", failed[1].Failure.Code)
	sum := r.Summary()
	assert.Equal(t, 3, sum.Records)
	assert.Equal(t, 2, sum.Scored)
	assert.Equal(t, 2, sum.Failed)
	assert.Equal(t, 1, sum.Partial)
	assert.Equal(t, int64(3), r.Written())
	assert.Equal(t, 3, strings.Count(buf.String(), "\n"))
}

func TestNewRunnerJobs(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	w, err := render.NewWriter(&bytes.Buffer{}, eng, render.JSONL, render.Options{})
	require.NoError(t, err)
	for _, jobs := range []int{-1, batch.MaxJobs + 1} {
		_, err := batch.NewRunner(eng, w, batch.Options{Jobs: jobs})
		assert.Error(t, err, jobs)
	}
}
