package batch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// fakeScorer returns a report naming the subject after a random delay, so that scorers finish out of
// order; subjects starting with "bad" fail.
type fakeScorer struct {
	maxDelay time.Duration
	calls    atomic.Int64
}

func (f *fakeScorer) ScoreTo(_ context.Context, r *screen.Response, dst *screen.Report) error {
	f.calls.Add(1)
	if f.maxDelay > 0 {
		// Sleeping is coarse (tens of microseconds at least), so only some records sleep; the others
		// yield, which is enough to shuffle the order in which scorers finish.
		if rand.IntN(16) == 0 {
			time.Sleep(time.Duration(rand.Int64N(int64(f.maxDelay))))
		} else {
			runtime.Gosched()
		}
	}
	if strings.HasPrefix(r.Subject, "bad") {
		return errors.New("fake scoring failure")
	}
	*dst = screen.Report{Subject: r.Subject, Engine: screen.EngineInfo{Name: "fake", Version: "0"}}
	return nil
}

func jsonlInput(n int, line func(i int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if line != nil {
			if l := line(i); l != "" {
				b.WriteString(l)
				b.WriteByte('\n')
				continue
			}
		}
		fmt.Fprintf(&b, `{"subject":"s%d","answers":{"x":{"a":1}}}`+"\n", i)
	}
	return b.String()
}

type outRec struct {
	Subject string `json:"subject"`
	Record  int    `json:"record"`
	Line    int    `json:"line"`
	File    string `json:"file"`
	Fatal   bool   `json:"fatal"`
	Error   *struct {
		Code string `json:"code"`
	} `json:"error"`
}

// newTestRunner returns a runner of sc writing JSONL (or JSON) to w.
func newTestRunner(t testing.TB, sc scorer, jobs int, w io.Writer, f render.Format) *Runner {
	t.Helper()
	enc, err := render.NewEncoder(nil, f, render.Options{})
	require.NoError(t, err)
	return newRunner(sc, enc.NewWriter(w), Options{Jobs: jobs}, nil)
}

func runPipeline(t *testing.T, ctx context.Context, sc scorer, jobs int, in io.Reader, format respfile.Format) ([]outRec, *Runner, error) {
	t.Helper()
	var buf bytes.Buffer
	pl := newTestRunner(t, sc, jobs, &buf, render.JSONL)
	err := pl.Run(ctx, Source{Name: "in", R: in, Format: format, Live: true})
	require.NoError(t, pl.w.Flush())
	var recs []outRec
	s := bufio.NewScanner(&buf)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		var r outRec
		require.NoError(t, json.Unmarshal(s.Bytes(), &r), s.Text())
		recs = append(recs, r)
	}
	return recs, pl, err
}

func TestPipelineOrder(t *testing.T) {
	const n = 3000 // many more records than the batches in flight, so batches are recycled
	for _, jobs := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("jobs=", jobs), func(t *testing.T) {
			sc := &fakeScorer{maxDelay: 200 * time.Microsecond}
			recs, out, err := runPipeline(t, context.Background(), sc, jobs, strings.NewReader(jsonlInput(n, nil)), respfile.FormatJSONL)
			require.NoError(t, err)
			require.Len(t, recs, n)
			for i, r := range recs {
				require.Equal(t, fmt.Sprintf("s%d", i+1), r.Subject)
			}
			require.Equal(t, int64(n), sc.calls.Load())
			require.Equal(t, n, out.Summary().Scored)
		})
	}
}

// Every input record gives exactly one output record, in order, including after a malformed line, a
// scoring failure and a truncated last line.
func TestPipelineOneOutputPerInput(t *testing.T) {
	const n = 500
	in := jsonlInput(n, func(i int) string {
		switch {
		case i == 7:
			return `{"subject":"s7","answers":{"x":{"a":`
		case i%50 == 0:
			return fmt.Sprintf(`{"subject":"bad%d","answers":{"x":{"a":1}}}`, i)
		}
		return ""
	})
	in += `{"subject":"last","answers":` // truncated, no line end
	sc := &fakeScorer{maxDelay: 200 * time.Microsecond}
	recs, out, err := runPipeline(t, context.Background(), sc, 4, strings.NewReader(in), respfile.FormatJSONL)
	require.NoError(t, err)
	require.Len(t, recs, n+1)
	for i, r := range recs[:n] {
		switch {
		case i+1 == 7:
			require.NotNil(t, r.Error)
			require.Equal(t, "syntax", r.Error.Code)
			require.Equal(t, 7, r.Record)
			require.Equal(t, 7, r.Line)
			require.Empty(t, r.Subject, "a record that did not decode has no subject")
		case (i+1)%50 == 0:
			require.NotNil(t, r.Error)
			require.Equal(t, "internal", r.Error.Code)
			require.Equal(t, fmt.Sprintf("bad%d", i+1), r.Subject)
			require.Equal(t, "in", r.File)
		default:
			require.Nil(t, r.Error)
			require.Equal(t, fmt.Sprintf("s%d", i+1), r.Subject)
		}
	}
	last := recs[n]
	require.NotNil(t, last.Error)
	require.Equal(t, "syntax", last.Error.Code)
	require.Equal(t, n+1, last.Record)
	require.Equal(t, n+1, out.Summary().Records)
	require.Equal(t, n+1-out.Summary().Failed, out.Summary().Scored)
}

// A JSON array with a syntax error: the elements before it, then one fatal error record.
func TestPipelineFatal(t *testing.T) {
	in := `[{"subject":"a","answers":{"x":{"a":1}}},` + "\n" + `{"subject":"b","answers":{"x":{"a":1}}} {"subject":"c"}]`
	recs, _, err := runPipeline(t, context.Background(), &fakeScorer{}, 2, strings.NewReader(in), respfile.FormatJSON)
	var fe *FatalInputError
	require.ErrorAs(t, err, &fe)
	require.GreaterOrEqual(t, len(recs), 2)
	require.Equal(t, "a", recs[0].Subject)
	last := recs[len(recs)-1]
	require.True(t, last.Fatal, "the last output record says the rest of the input was not read")
	require.Equal(t, "syntax", last.Error.Code)
	require.Equal(t, len(recs), last.Record)
}

func TestPipelineEmpty(t *testing.T) {
	for _, f := range []respfile.Format{respfile.FormatJSONL, respfile.FormatJSON, respfile.FormatCSV, respfile.FormatYAML} {
		recs, _, err := runPipeline(t, context.Background(), &fakeScorer{}, 2, strings.NewReader(""), f)
		var fe *FatalInputError
		require.ErrorAs(t, err, &fe, f)
		require.Len(t, recs, 1, f)
		require.Equal(t, "empty", recs[0].Error.Code, f)
	}
}

// blockingReader returns its data, then blocks until released (like stdin with nothing more to read).
type blockingReader struct {
	r       io.Reader
	release chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		<-b.release
		return 0, io.EOF
	}
	return n, err
}

// Cancelling stops the run promptly even while the reader is blocked on its input, and every record read
// before is scored and written (docs/hardening.md: records in flight are finished).
func TestPipelineCancel(t *testing.T) {
	br := &blockingReader{r: strings.NewReader(jsonlInput(1000, nil)), release: make(chan struct{})}
	defer close(br.release)
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	pl := newTestRunner(t, &fakeScorer{}, 2, &buf, render.JSONL)
	done := make(chan error, 1)
	go func() { done <- pl.Run(ctx, Source{Name: "in", R: br, Format: respfile.FormatJSONL, Live: true}) }()
	// Wait until the reader has read everything there is and is blocked.
	require.Eventually(t, func() bool { return pl.Read() == 1000 }, 5*time.Second, time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrInterrupted)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	written := pl.Written()
	require.Equal(t, int64(1000), written)
	require.NoError(t, pl.w.Flush())
	require.Equal(t, int(written), bytes.Count(buf.Bytes(), []byte("\n")), "whole records only")
}

// Records are written as soon as the input has nothing more for the moment, not when a batch is full.
func TestPipelineShipsWhenIdle(t *testing.T) {
	br := &blockingReader{r: strings.NewReader(jsonlInput(3, nil)), release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pl := newTestRunner(t, &fakeScorer{}, 2, io.Discard, render.JSONL)
	done := make(chan error, 1)
	go func() { done <- pl.Run(ctx, Source{Name: "in", R: br, Format: respfile.FormatJSONL, Live: true}) }()
	require.Eventually(t, func() bool { return pl.Written() == 3 }, 5*time.Second, time.Millisecond,
		"the 3 records are written while the input waits")
	close(br.release) // end of input
	require.NoError(t, <-done)
}

// A cancelled context before the start writes nothing.
func TestPipelineCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recs, _, err := runPipeline(t, ctx, &fakeScorer{}, 2, strings.NewReader(jsonlInput(10, nil)), respfile.FormatJSONL)
	require.ErrorIs(t, err, ErrInterrupted)
	require.Empty(t, recs)
}

// The JSON array framing over several sources and an empty run.
func TestOutputJSONFraming(t *testing.T) {
	var buf bytes.Buffer
	pl := newTestRunner(t, &fakeScorer{}, 2, &buf, render.JSON)
	for _, in := range []string{jsonlInput(2, nil), jsonlInput(3, nil)} {
		require.NoError(t, pl.Run(context.Background(), Source{Name: "in", R: strings.NewReader(in), Format: respfile.FormatJSONL}))
	}
	require.NoError(t, pl.w.Close())
	var v []map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &v), buf.String())
	require.Len(t, v, 5)

	buf.Reset()
	pl = newTestRunner(t, &fakeScorer{}, 2, &buf, render.JSON)
	require.NoError(t, pl.w.Close())
	require.Equal(t, "[]\n", buf.String())
}

// errorsInReport returns a report holding an answer's error and no error, as Engine.ScoreTo does when its
// errors live in the report: the record still counts as failed (scored with errors), and its report is
// written.
type errorsInReport struct{}

func (errorsInReport) ScoreTo(_ context.Context, r *screen.Response, dst *screen.Report) error {
	*dst = screen.Report{Subject: r.Subject, Errors: []screen.ScoreError{{Code: "invalid_value", Instrument: "x", Item: "a"}}}
	return nil
}

func TestPipelineErrorsInReport(t *testing.T) {
	recs, pl, err := runPipeline(t, context.Background(), errorsInReport{}, 2, strings.NewReader(jsonlInput(3, nil)), respfile.FormatJSONL)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	sum := pl.Summary()
	require.Equal(t, 3, sum.Scored)
	require.Equal(t, 3, sum.Partial)
	require.Equal(t, 3, sum.Failed)
	require.Equal(t, map[string]int{"invalid_value": 3}, sum.Codes)
}
