package server

import (
	"bytes"
	"errors"
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

// TestScoreMemory: one POST /score of a full battery allocates a few times its report, not a 64 KiB
// decoder buffer and a second copy of the body (about 145 KB per call before, 64 KB now with the
// recorder's copy of the 11 KB response).
func TestScoreMemory(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	body := readFile(t, "../examples/responses/high.json")
	call := func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/score", bytes.NewReader(body)))
		require.Equal(t, http.StatusOK, w.Code, "%s", w.Body.Bytes())
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
	bound := uint64(96 << 10)
	if raceEnabled {
		bound = 160 << 10
	}
	assert.LessOrEqual(t, per, bound)
}
