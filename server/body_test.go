package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
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
// body), 64 KB once the decoder sized its buffer to the body, and 30 KB since the bodies of requests and
// responses are pooled (13 KB of it is the decoder's interner). The ResponseWriter here keeps nothing, as
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
	bound := uint64(36 << 10)
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
