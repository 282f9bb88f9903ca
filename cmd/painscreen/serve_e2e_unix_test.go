//go:build unix

package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with this serial, and returns its pool.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.CertPool {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "painscreen test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true,
		BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	at := time.Now().Add(time.Duration(serial) * time.Second)
	require.NoError(t, os.Chtimes(certFile, at, at))
	require.NoError(t, os.Chtimes(keyFile, at, at))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

func tlsClient(pool *x509.CertPool) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestServeBinaryEndToEnd builds painscreen and runs `painscreen serve` configured by the environment
// only, with TLS: it scores with a token, scrapes /metrics on the separate metrics address, rotates the
// EHR's key and the TLS certificate and sends SIGHUP, then SIGTERM, observing /readyz 503 during the
// drain and exit status 0.
func TestServeBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "painscreen")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	certFile, keyFile, jwks := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ehr.jwks.json")
	pool1 := writeCert(t, certFile, keyFile, 1)
	k1, k2 := newEHRKey(t, "k1"), newEHRKey(t, "k2")
	writeJWKS(t, jwks, k1)

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "PAINSCREEN_ADDR=127.0.0.1:0", "PAINSCREEN_METRICS_ADDR=127.0.0.1:0",
		"PAINSCREEN_TLS_CERT="+certFile, "PAINSCREEN_TLS_KEY="+keyFile, "PAINSCREEN_ISSUER="+opsIssuer+"="+jwks,
		"PAINSCREEN_PUBLIC_URL="+opsPublic, "PAINSCREEN_DRAIN_DELAY=1500ms", "PAINSCREEN_SHUTDOWN_GRACE=5s")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	addrOf := func(msg string) string {
		re := regexp.MustCompile(`"msg":"` + msg + `","addr":"([^"]+)"`)
		var addr string
		require.Eventually(t, func() bool {
			m := re.FindStringSubmatch(stderr.String())
			if m != nil {
				addr = m[1]
			}
			return m != nil
		}, 10*time.Second, 10*time.Millisecond, "%s", stderr.String())
		return addr
	}
	base, metrics := "https://"+addrOf("listening"), "http://"+addrOf("metrics listening")

	c := tlsClient(pool1)
	status, body := postScore(t, c, base+"/score", k1.token(t, "/score"))
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, `"tier":"high"`)
	status, body = getStatus(http.DefaultClient, metrics+"/metrics")
	require.Equal(t, 200, status)
	assert.Contains(t, body, `painscreen_http_requests_total{route="POST /score",status="200"} 1`)
	assert.Contains(t, body, `painscreen_definition_info`)
	status, _ = getStatus(c, base+"/metrics")
	assert.Equal(t, 404, status, "with a metrics address, /metrics is not on the public one")

	// Rotation: a new EHR key replaces the old one, a new certificate replaces the old one; SIGHUP.
	writeJWKS(t, jwks, k2)
	pool2 := writeCert(t, certFile, keyFile, 2)
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), `"msg":"SIGHUP: reloaded"`) }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, stderr.String(), `"certificate_changed":true`)
	c2 := tlsClient(pool2) // a new connection: trusts only the new certificate
	status, body = postScore(t, c2, base+"/score", k2.token(t, "/score"))
	assert.Equal(t, 200, status, body)
	status, body = postScore(t, c2, base+"/score", k1.token(t, "/score"))
	assert.Equal(t, 401, status, body)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	saw503 := false
	for start := time.Now(); time.Since(start) < 1200*time.Millisecond; time.Sleep(20 * time.Millisecond) {
		if s, _ := getStatus(c2, base+"/readyz"); s == 503 {
			saw503 = true
			break
		}
	}
	assert.True(t, saw503, "/readyz answers 503 during the drain")
	select {
	case err := <-exited:
		assert.NoError(t, err, "exit status 0")
	case <-time.After(10 * time.Second):
		t.Fatal("painscreen serve did not stop after SIGTERM")
	}
	log := stderr.String()
	assert.Contains(t, log, `"msg":"shutdown: drained"`)
	assert.Contains(t, log, `"msg":"stopped"`)
	assert.NotContains(t, log, "pt-0003", "no subject id in the log")
	assert.NotContains(t, log, "eyJ", "no token in the log")
}
