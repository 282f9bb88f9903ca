package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/server"
)

func newTestServer(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ps, err := server.New(eng, cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(newMux(ps))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, b
}

func TestMountedService(t *testing.T) {
	srv := newTestServer(t, server.Config{InsecureNoAuth: true})

	status, body := get(t, srv.URL+"/")
	assert.Equal(t, 200, status)
	assert.Contains(t, string(body), "clinic application")

	status, _ = get(t, srv.URL+"/painscreen/healthz")
	assert.Equal(t, 200, status)
	status, body = get(t, srv.URL+"/painscreen/cds-services")
	assert.Equal(t, 200, status)
	assert.Contains(t, string(body), `"hook":"patient-view"`)
	status, _ = get(t, srv.URL+"/elsewhere")
	assert.Equal(t, 404, status)

	high, err := os.ReadFile("../responses/high.json")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(srv.URL+"/painscreen/score", "application/json", bytes.NewReader(high))
			if !assert.NoError(t, err) {
				return
			}
			defer res.Body.Close()
			var rep struct {
				Composite struct{ Tier string } `json:"composite"`
			}
			assert.Equal(t, 200, res.StatusCode)
			assert.NoError(t, json.NewDecoder(res.Body).Decode(&rep))
			assert.Equal(t, "high", rep.Composite.Tier)
		}()
	}
	wg.Wait()
}

// Without keys or the insecure switch, the mounted service refuses to score: an embedding application
// cannot expose scoring without authentication by accident.
func TestMountedServiceNeedsAuth(t *testing.T) {
	srv := newTestServer(t, server.Config{})
	res, err := http.Post(srv.URL+"/painscreen/score", "application/json", bytes.NewReader([]byte(`{"answers":{"phq9":{"q1":1}}}`)))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 401, res.StatusCode)
}
