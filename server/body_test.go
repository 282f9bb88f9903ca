package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAllSized reads every byte whatever the announced length: none, exact, too short, too long, and
// from a reader that returns a byte at a time.
func TestReadAllSized(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, hint := range []int64{-1, 0, 1, 100, 2999, 3000, 3001, 1 << 30} {
		b, err := readAllSized(strings.NewReader(body), hint)
		require.NoError(t, err, hint)
		assert.Equal(t, body, string(b), hint)
		b, err = readAllSized(iotest.OneByteReader(strings.NewReader(body)), hint)
		require.NoError(t, err, hint)
		assert.Equal(t, body, string(b), hint)
	}
	if b, err := readAllSized(strings.NewReader(body), 3000); assert.NoError(t, err) {
		assert.Equal(t, 3001, cap(b), "one allocation of the announced length and a byte")
	}
	_, err := readAllSized(iotest.ErrReader(errors.New("boom")), 10)
	assert.EqualError(t, err, "boom")
}

// TestScoreMemory: one POST /score of a full battery allocates about its decoded answers and its report,
// not a buffer per call: about 145 KB per call at first (a 64 KiB decoder buffer, two copies of the
// body), 64 KB once the decoder sized its buffer to the body, 30 KB once the bodies of requests and
// responses were pooled, and 22 KB since a decoder of a body in memory goes without the 8 KiB cache of
// its interner. The ResponseWriter here keeps nothing, as
// a connection's does not: the httptest recorder's copy of the 20 KB response is not the service's.
func TestScoreMemory(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	body := readFile(t, "../examples/responses/high.json")
	req := httptest.NewRequest(http.MethodPost, "/score", nil)
	w := &discardWriter{h: http.Header{}}
	call := func() {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		w.status, w.n = 0, 0
		clear(w.h)
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.status)
		require.Greater(t, w.n, 10_000, "the report")
	}
	call()
	const n = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		call()
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("%d bytes allocated per call", per)
	bound := uint64(28 << 10)
	if raceEnabled {
		bound = 96 << 10 // the race detector drops pooled buffers at random, and instruments allocations
	}
	assert.LessOrEqual(t, per, bound)
}

// discardWriter is a ResponseWriter that counts what is written and keeps none of it.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}

// TestPooledBuffersKeepCallsApart: request and response bodies come from a pool, so concurrent calls
// must never see each other's bytes. Many calls at once, each with its own subject and answers (and
// sizes: a body larger than the pooled buffers now and then), in JSON and FHIR, each answer must be
// exactly what the same call gets alone.
func TestPooledBuffersKeepCallsApart(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, MaxInFlight: 64})
	type job struct {
		path string
		body []byte
		want string
	}
	var jobs []job
	for i := range 24 {
		body := fmt.Sprintf(`{"subject":"pt-%d","context":{"age":%d,"sex":"female"},"answers":{"phq9":{"q1":%d,"q2":%d,"q3":1,"q4":0,"q5":2,"q6":1,"q7":0,"q8":1,"q9":%d},"gad7":{"q1":%d,"q2":1,"q3":2,"q4":1,"q5":0,"q6":1,"q7":3}}}`,
			i, 20+i, i%4, (i/4)%4, i%2, i%3)
		if i%5 == 0 {
			body += strings.Repeat(" ", 40<<10) // larger than a pooled buffer
		}
		path := "/score"
		if i%3 == 0 {
			path = "/score?format=fhir"
		}
		r := call(t, srv, "POST", path, "", []byte(body))
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		jobs = append(jobs, job{path, []byte(body), string(r.body)})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16*40)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 40 {
				j := jobs[(g*7+k)%len(jobs)]
				res, err := srv.Client().Post(srv.URL+j.path, "application/json", bytes.NewReader(j.body))
				if err != nil {
					errs <- err.Error()
					return
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(b) != j.want {
					errs <- fmt.Sprintf("%s: a call's answer differs from the same call alone", j.path)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
