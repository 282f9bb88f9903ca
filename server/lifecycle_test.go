package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func TestLimitPerIP(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := LimitPerIP(raw, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", raw.Addr().String())
		require.NoError(t, err)
		return c
	}
	c1, c2 := dial(), dial()
	s1, s2 := <-accepted, <-accepted
	c3 := dial() // over the cap: closed by the server
	_ = c3.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err = c3.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the third connection of one address is closed")
	require.NoError(t, s1.Close()) // a slot frees up
	c4 := dial()
	select {
	case s4 := <-accepted:
		s4.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("a connection under the cap was not accepted")
	}
	for _, c := range []net.Conn{c1, c2, c3, c4, s2} {
		c.Close()
	}
}

// TestServeUntilDrains: after the context ends, /readyz answers 503 on the still open listener for the
// drain delay, then the server stops.
func TestServeUntilDrains(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger()})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var log syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- ServeUntil(ctx, NewHTTPServer(h), ln, Lifecycle{Drain: h.Drain, DrainDelay: 400 * time.Millisecond, Grace: time.Second, Logger: logTo(&log)})
	}()
	url := "http://" + ln.Addr().String() + "/readyz"
	res, err := http.Get(url)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	cancel()
	require.Eventually(t, func() bool {
		res, err := http.Get(url)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 503
	}, time.Second, 10*time.Millisecond, "readiness 503 while the listener is still open")
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("ServeUntil did not return")
	}
	assert.Contains(t, log.String(), "shutdown: draining")
	assert.Contains(t, log.String(), "shutdown: drained")
}

func writeTestCert(t *testing.T, dir string, serial int64) (string, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	kd, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600))
	at := time.Now().Add(time.Duration(serial) * time.Second)
	require.NoError(t, os.Chtimes(cert, at, at))
	return cert, key
}

func TestCertReloader(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeTestCert(t, dir, 1)
	r, err := NewCertReloader(cert, key)
	require.NoError(t, err)
	var reloads []error
	r.OnReload = func(err error) { reloads = append(reloads, err) }
	serial := func() int64 {
		c, err := r.GetCertificate(&tls.ClientHelloInfo{})
		require.NoError(t, err)
		x, err := x509.ParseCertificate(c.Certificate[0])
		require.NoError(t, err)
		return x.SerialNumber.Int64()
	}
	assert.EqualValues(t, 1, serial())
	changed, err := r.Reload()
	assert.False(t, changed)
	assert.NoError(t, err)
	writeTestCert(t, dir, 2)
	changed, err = r.Reload()
	assert.True(t, changed)
	assert.NoError(t, err)
	assert.EqualValues(t, 2, serial())
	// A broken pair keeps the previous certificate.
	require.NoError(t, os.WriteFile(cert, []byte("not a certificate"), 0o600))
	_, err = r.Reload()
	assert.Error(t, err)
	assert.EqualValues(t, 2, serial())
	assert.Len(t, reloads, 2)
	_, err = NewCertReloader(filepath.Join(dir, "none.pem"), key)
	assert.ErrorContains(t, err, "the certificate")
}

// TestWithEngine: a Handler switched to other definitions keeps the keys, the replay cache and the
// metrics of the one it replaces.
func TestWithEngine(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cfg := authConfig(t, newClock(now))
	cfg.MetricsRoute = true
	srv, h := newServer(t, cfg)
	body := readFile(t, "../examples/responses/low.json")
	tok := ehrSigner(t).mint(t, testIssuer, now, "/score")
	require.Equal(t, 200, call(t, srv, "POST", "/score", tok, body).status)

	eng, err := screen.New(bundled.Definitions(), screen.WithoutRuleSet())
	require.NoError(t, err)
	n, err := h.WithEngine(eng)
	require.NoError(t, err)
	srv2 := httptest.NewServer(n)
	defer srv2.Close()
	assert.Equal(t, "replayed", call(t, srv2, "POST", "/score", tok, body).code(t), "the replay cache is shared")
	r := call(t, srv2, "POST", "/score", ehrSigner(t).mint(t, testIssuer, now, "/score"), body)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.NotContains(t, string(r.body), `"composite"`, "the new definitions answer")
	assert.Contains(t, string(call(t, srv2, "GET", "/version", "", nil).body), `"auth":"jwt"`)
	m := string(call(t, srv2, "GET", "/metrics", "", nil).body)
	assert.Contains(t, m, `painscreen_http_requests_total{route="POST /score",status="200"} 2`, "metrics are shared")
	assert.NotContains(t, m, `kind="rule_set"`, "definition_info lists the new definitions")
	h.Drain()
	n2, err := h.WithEngine(eng)
	require.NoError(t, err)
	srv3 := httptest.NewServer(n2)
	defer srv3.Close()
	assert.Equal(t, 503, call(t, srv3, "GET", "/readyz", "", nil).status, "a draining handler's successor drains")
}
