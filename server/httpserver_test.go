package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServe runs Serve on a loopback port with the handler; cancel stops it, and done yields Serve's
// result.
func startServe(t *testing.T, h *Handler, grace time.Duration) (addr string, cancel context.CancelFunc, done chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- Serve(ctx, NewHTTPServer(h), ln, grace, h.Drain) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, done
}

// TestShutdownUnderLoad: on shutdown, requests in flight finish (a slow one included), readiness turns
// 503 first, and no client sees a server error or a cut response.
func TestShutdownUnderLoad(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	base, cancel, done := startServe(t, h, 10*time.Second)
	body := readFile(t, "../examples/responses/high.json")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

	// A slow request in flight: its body arrives after the shutdown starts.
	slow := &blockingBody{data: body, release: make(chan struct{}), started: make(chan struct{})}
	slowDone := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/score", slow)
		req.ContentLength = int64(len(body))
		res, err := client.Do(req)
		if err != nil {
			slowDone <- -1
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Contains(b, []byte(`"tier":"high"`)) {
			slowDone <- -2
			return
		}
		slowDone <- res.StatusCode
	}()
	<-slow.started

	var ok, refused, bad atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Post(base+"/score", "application/json", bytes.NewReader(body))
				if err != nil {
					refused.Add(1) // the listener is closed: a new connection is refused
					time.Sleep(time.Millisecond)
					continue
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case err == nil && res.StatusCode == 200 && bytes.HasSuffix(b, []byte("}\n")):
					ok.Add(1)
				default:
					bad.Add(1)
				}
			}
		}()
	}
	require.Eventually(t, func() bool { return ok.Load() > 50 }, 10*time.Second, time.Millisecond)
	cancel()
	require.Eventually(t, func() bool { return h.draining.Load() }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	close(slow.release) // the in-flight request completes after the shutdown began
	assert.Equal(t, 200, <-slowDone, "the request in flight finished")
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, bad.Load(), "no client saw an error status or a cut response")
	assert.Positive(t, ok.Load())
	t.Logf("ok %d, refused after close %d", ok.Load(), refused.Load())
}

// TestShutdownGraceExpires: a request that outlives the grace period is cut, and Serve says so.
func TestShutdownGraceExpires(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	base, cancel, done := startServe(t, h, 100*time.Millisecond)
	slow := &blockingBody{data: []byte(`{}`), release: make(chan struct{}), started: make(chan struct{})}
	defer close(slow.release)
	go func() {
		req, _ := http.NewRequest("POST", base+"/score", slow)
		req.ContentLength = 2
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	<-slow.started
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its grace period")
	}
}

// TestSlowHeadersAreCut: a client trickling its request headers one byte at a time cannot hold the
// connection past ReadHeaderTimeout.
func TestSlowHeadersAreCut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the header timeout")
	}
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	base, _, _ := startServe(t, h, time.Second)
	conn, err := net.Dial("tcp", base[len("http://"):])
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	head := []byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + string(bytes.Repeat([]byte("a"), 1000)))
	var writeErr error
	for _, c := range head {
		if _, writeErr = conn.Write([]byte{c}); writeErr != nil {
			break
		}
		// Is the connection closed? A read with a short deadline tells.
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		var buf [512]byte
		n, err := conn.Read(buf[:])
		if n > 0 || (err != nil && !isTimeout(err)) {
			writeErr = errors.New("closed")
			break
		}
		if time.Since(start) > ReadHeaderTimeout+3*time.Second {
			break
		}
	}
	elapsed := time.Since(start)
	require.Error(t, writeErr, "the server still held the connection after %s", elapsed)
	assert.Less(t, elapsed, ReadHeaderTimeout+2*time.Second)
	assert.GreaterOrEqual(t, elapsed, ReadHeaderTimeout-100*time.Millisecond)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
