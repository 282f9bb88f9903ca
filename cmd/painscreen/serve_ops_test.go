package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/server"
)

const (
	opsIssuer = "https://ehr.example.org"
	opsPublic = "https://cds.example.org/painscreen"
)

// ehrKey is an EHR signing key; tokens are minted with golang-jwt (an implementation independent of
// the service's go-jose).
type ehrKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newEHRKey(t testing.TB, kid string) ehrKey {
	priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	return ehrKey{kid, priv}
}

var opsJTI atomic.Int64

func (k ehrKey) token(t testing.TB, path string) string {
	now := time.Now()
	tok := gojwt.NewWithClaims(gojwt.SigningMethodES384, gojwt.MapClaims{"iss": opsIssuer, "aud": opsPublic + path,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": fmt.Sprintf("ops-%d-%d", now.UnixNano(), opsJTI.Add(1))})
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	require.NoError(t, err)
	return s
}

// writeJWKS writes the public keys as a JWKS file, with a modification time unlike the previous one.
func writeJWKS(t testing.TB, path string, keys ...ehrKey) {
	var set jose.JSONWebKeySet
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "ES384", Use: "sig"})
	}
	b, err := json.Marshal(set)
	require.NoError(t, err)
	tmp := path + ".tmp"
	require.NoError(t, os.WriteFile(tmp, b, 0o600))
	at := time.Now().Add(time.Duration(opsJTI.Add(1)) * time.Second)
	require.NoError(t, os.Chtimes(tmp, at, at))
	require.NoError(t, os.Rename(tmp, path))
}

func postScore(t testing.TB, client *http.Client, url, bearer string) (int, string) {
	body, err := os.ReadFile("../../examples/responses/high.json")
	require.NoError(t, err)
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func getStatus(client *http.Client, url string) (int, string) {
	res, err := client.Get(url)
	if err != nil {
		return -1, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeReloadAndDrain runs serve in process under a base path: a key rotated in the JWKS file is
// accepted after a reload (SIGHUP) that logs what changed; /metrics answers; on shutdown /readyz turns
// 503 while the listener stays open for the drain delay, and both ends of the drain are logged.
func TestServeReloadAndDrain(t *testing.T) {
	dir := t.TempDir()
	jwks := filepath.Join(dir, "ehr.jwks.json")
	k1, k2 := newEHRKey(t, "k1"), newEHRKey(t, "k2")
	writeJWKS(t, jwks, k1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	reload := make(chan struct{}, 1)
	var stderr lockedBuffer
	codec := make(chan int, 1)
	go func() {
		codec <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--issuer", opsIssuer + "=" + jwks, "--public-url", opsPublic,
			"--base-path", "/painscreen/", "--drain-delay", "700ms", "--shutdown-grace", "5s"}, io.Discard, &stderr,
			func(a net.Addr) { addrc <- a }, reload)
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String() + "/painscreen"
	case code := <-codec:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	c := http.DefaultClient
	status, body := postScore(t, c, base+"/score", k1.token(t, "/score"))
	require.Equal(t, 200, status, body)
	status, _ = getStatus(c, base[:len(base)-len("/painscreen")]+"/score")
	assert.Equal(t, 404, status, "nothing outside the base path")

	writeJWKS(t, jwks, k2) // rotation: k2 replaces k1
	reload <- struct{}{}
	require.Eventually(t, func() bool { return bytes.Contains([]byte(stderr.String()), []byte(`"msg":"SIGHUP: reloaded"`)) }, 5*time.Second, 10*time.Millisecond)
	log := stderr.String()
	assert.Contains(t, log, `"keys_added":1,"keys_removed":1`)
	assert.Contains(t, log, `"added":["k2"],"removed":["k1"]`)
	status, body = postScore(t, c, base+"/score", k2.token(t, "/score"))
	assert.Equal(t, 200, status, body)
	status, body = postScore(t, c, base+"/score", k1.token(t, "/score"))
	assert.Equal(t, 401, status)
	assert.Contains(t, body, "unknown_key")

	status, body = getStatus(c, base+"/metrics")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `painscreen_http_requests_total{route="POST /score",status="200"} 2`)
	assert.Contains(t, body, `painscreen_tokens_refused_total{reason="unknown_key"} 1`)

	assert.Equal(t, exitOK, runProbe([]string{base + "/readyz"}, nil, io.Discard, io.Discard))

	cancel()
	saw503 := false
	for start := time.Now(); time.Since(start) < 600*time.Millisecond; time.Sleep(20 * time.Millisecond) {
		if s, _ := getStatus(c, base+"/readyz"); s == 503 {
			saw503 = true
			break
		}
	}
	assert.True(t, saw503, "/readyz answers 503 during the drain")
	assert.Equal(t, exitRecords, runProbe([]string{base + "/readyz"}, nil, io.Discard, io.Discard), "the probe fails while draining")
	select {
	case code := <-codec:
		assert.Equal(t, exitOK, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	log = stderr.String()
	assert.Contains(t, log, `"msg":"shutdown: draining (readiness 503)"`)
	assert.Contains(t, log, `"msg":"shutdown: drained"`)
	assert.NotContains(t, log, "eyJ", "no token in the log")
}

// TestOperationsDocListsEveryFlag: docs/operations.md has one configuration row per serve flag, with its
// environment variable, so that the table cannot fall behind the flags.
func TestOperationsDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	require.NoError(t, err)
	var fl serveFlags
	f := newFlags("serve", "", "", "")
	fl.register(f)
	n := 0
	f.VisitAll(func(x *flag.Flag) {
		n++
		row := fmt.Sprintf("| `--%s` | `%s` |", x.Name, envName(x.Name))
		assert.Contains(t, string(doc), row, "docs/operations.md lacks the row of --%s", x.Name)
	})
	assert.Equal(t, n, bytes.Count(doc, []byte("| `PAINSCREEN_")), "no row for a flag that does not exist")
}

func TestApplyEnv(t *testing.T) {
	env := map[string]string{"PAINSCREEN_ADDR": "127.0.0.1:9", "PAINSCREEN_ISSUER": "a=x.json  b=https://b.example.org/jwks",
		"PAINSCREEN_MAX_BODY": "", "PAINSCREEN_DRAIN_DELAY": "1s", "PAINSCREEN_INSECURE_NO_AUTH": "true"}
	var fl serveFlags
	f := newFlags("serve", "", "", "")
	fl.register(f)
	_, _, ok := f.parse([]string{"--drain-delay", "3s"}, io.Discard, io.Discard)
	require.True(t, ok)
	require.NoError(t, applyEnv(f, func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	assert.Equal(t, "127.0.0.1:9", fl.addr)
	assert.Equal(t, multiFlag{"a=x.json", "b=https://b.example.org/jwks"}, fl.issuers)
	assert.EqualValues(t, 1<<20, fl.maxBody, "an empty variable is unset")
	assert.Equal(t, 3*time.Second, fl.drainDelay, "the command line wins")
	assert.True(t, fl.insecure)
	env["PAINSCREEN_MAX_IN_FLIGHT"] = "many-secret"
	err := applyEnv(f, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PAINSCREEN_MAX_IN_FLIGHT (--max-in-flight)")
	assert.NotContains(t, err.Error(), "secret")
}

// TestServeReloadsDefinitions: with definitions from files, SIGHUP loads them again and switches to
// them when they changed (the digest in /version follows); definitions that no longer load leave the
// running ones serving.
func TestServeReloadsDefinitions(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../instruments/phq9/phq9.v1.yaml")
	require.NoError(t, err)
	def := filepath.Join(dir, "phq9.v1.yaml")
	require.NoError(t, os.WriteFile(def, src, 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	reload := make(chan struct{}, 1)
	var stderr lockedBuffer
	codec := make(chan int, 1)
	go func() {
		codec <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--insecure-no-auth", "--no-bundled", "--instruments", dir,
			"--drain-delay", "0s"}, io.Discard, &stderr, func(a net.Addr) { addrc <- a }, reload)
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case code := <-codec:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	_, v1 := getStatus(http.DefaultClient, base+"/version")
	reloaded := func(n int) {
		t.Helper()
		reload <- struct{}{}
		require.Eventually(t, func() bool { return bytes.Count([]byte(stderr.String()), []byte(`"msg":"SIGHUP: reloaded"`)) == n },
			10*time.Second, 10*time.Millisecond)
	}
	reloaded(1)
	assert.Contains(t, stderr.String(), `"definitions":"unchanged"`)

	changed := bytes.Replace(src, []byte("title: Patient Health Questionnaire-9 (PHQ-9)"), []byte("title: PHQ-9 (reloaded)"), 1)
	require.NoError(t, os.WriteFile(def, changed, 0o600))
	reloaded(2)
	assert.Contains(t, stderr.String(), `"definitions":"reloaded: phq9@1.0.0=`)
	_, v2 := getStatus(http.DefaultClient, base+"/version")
	assert.NotEqual(t, v1, v2, "/version gives the new digest")

	require.NoError(t, os.WriteFile(def, []byte("id: [\n"), 0o600))
	reloaded(3)
	assert.Contains(t, stderr.String(), `"msg":"definitions not reloaded: the running ones stay in use"`)
	_, v3 := getStatus(http.DefaultClient, base+"/version")
	assert.Equal(t, v2, v3)
	status, _ := postScore(t, http.DefaultClient, base+"/score", "")
	assert.Equal(t, 200, status, "still scoring")
	cancel()
	assert.Equal(t, exitOK, <-codec)
}

func TestProbeSelfURL(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "http://127.0.0.1:8080/readyz"},
		{map[string]string{"PAINSCREEN_ADDR": ":9000", "PAINSCREEN_BASE_PATH": "/painscreen/"}, "http://127.0.0.1:9000/painscreen/readyz"},
		{map[string]string{"PAINSCREEN_ADDR": "0.0.0.0:8443", "PAINSCREEN_TLS_CERT": "/c.pem"}, "https://127.0.0.1:8443/readyz"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, selfURL(func(k string) string { return tt.env[k] }))
	}
}

// TestServeFHIRTimeout: --fhir-timeout (or PAINSCREEN_FHIR_TIMEOUT) bounds the reads from an EHR's
// fhirServer (server.Config.FetchTimeout); it must be positive.
func TestServeFHIRTimeout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
		err  string
	}{
		{args: nil, want: server.DefaultFetchTimeout},
		{args: []string{"--fhir-timeout", "2s"}, want: 2 * time.Second},
		{args: []string{"--fhir-timeout", "0s"}, err: "--fhir-timeout must be positive"},
	} {
		var fl serveFlags
		f := newFlags("serve", "", "", "")
		fl.register(f)
		_, _, ok := f.parse(append([]string{"--insecure-no-auth"}, tc.args...), io.Discard, io.Discard)
		require.True(t, ok)
		cfg, err := fl.config(nil)
		if tc.err != "" {
			require.EqualError(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, cfg.FetchTimeout, "%v", tc.args)
	}
}
