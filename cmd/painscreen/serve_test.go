package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer collects the log of a running server.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestServeStartsAndStops runs `painscreen serve` in process: it listens, scores, answers discovery,
// refuses nothing in insecure mode, and exits 0 when its context (the signal) ends.
func TestServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	var stderr lockedBuffer
	codec := make(chan int, 1)
	go func() {
		codec <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--insecure-no-auth", "--shutdown-grace", "5s", "--drain-delay", "0s"}, io.Discard, &stderr,
			func(a net.Addr) { addrc <- a }, nil)
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case code := <-codec:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	body, err := os.ReadFile("../../examples/responses/urgent.json")
	require.NoError(t, err)
	res, err := http.Post(base+"/score", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	var rep map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&rep))
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "urgent", rep["composite"].(map[string]any)["tier"])

	res, err = http.Get(base + "/version")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Contains(t, string(b), `"digest":"sha256:`)

	cancel()
	select {
	case code := <-codec:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	log := stderr.String()
	assert.Contains(t, log, "INSECURE")
	assert.Contains(t, log, `"msg":"listening"`)
	assert.Contains(t, log, `"route":"POST /score"`)
	assert.Contains(t, log, `"msg":"stopped"`)
	assert.NotContains(t, log, "pt-0004", "no subject id in the log")
	assert.False(t, strings.Contains(log, "suicide"), "no card or report text in the log")
}
