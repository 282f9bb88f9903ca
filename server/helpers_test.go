package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

var (
	engineOnce sync.Once
	testEngine *screen.Engine
	engineErr  error
)

func engine(t testing.TB) *screen.Engine {
	t.Helper()
	engineOnce.Do(func() { testEngine, engineErr = screen.New(bundled.Definitions()) })
	require.NoError(t, engineErr)
	return testEngine
}

const (
	testURL    = "https://cds.example.org/painscreen"
	testIssuer = "https://ehr.example.org"
	testKid    = "ehr-key-1"
)

// testKeys is an EHR's signing key and the JWKS that publishes its public half.
type testKeys struct {
	priv *ecdsa.PrivateKey
	jwks []byte
}

var (
	keysOnce sync.Once
	keys     testKeys
)

func ehrKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: testKid, Algorithm: string(jose.ES384), Use: "sig"}}}
		b, err := json.Marshal(set)
		if err != nil {
			panic(err)
		}
		keys = testKeys{priv: priv, jwks: b}
	})
	return keys
}

// fixedClock is a settable clock for token checks.
type fixedClock struct{ t atomic.Int64 }

func (c *fixedClock) now() time.Time   { return time.Unix(0, c.t.Load()) }
func (c *fixedClock) set(t time.Time)  { c.t.Store(t.UnixNano()) }
func newClock(t time.Time) *fixedClock { c := &fixedClock{}; c.set(t); return c }
func seqUUID() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
}
func discardLogger() *slog.Logger    { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
func logTo(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(p))
	require.NoError(t, err)
	return b
}

// token signs claims with key (ES384) and kid.
func token(t testing.TB, key any, alg jose.SignatureAlgorithm, kid string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return s
}

var jtiSeq atomic.Int64

// goodClaims are valid claims at now for the endpoint path.
func goodClaims(now time.Time, path string) jwt.Claims {
	return jwt.Claims{
		Issuer:   testIssuer,
		Subject:  "ehr-client",
		Audience: jwt.Audience{testURL + path},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(time.Minute)),
		ID:       fmt.Sprintf("jti-%d", jtiSeq.Add(1)),
	}
}

// newServer returns a test server around a Handler with cfg (the logger discards unless set).
func newServer(t testing.TB, cfg Config) (*httptest.Server, *Handler) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.newUUID == nil {
		cfg.newUUID = seqUUID()
	}
	h, err := New(engine(t), cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, h
}

// authConfig is a Config that verifies tokens of the test EHR at clock.
func authConfig(t testing.TB, clock *fixedClock) Config {
	return Config{PublicURL: testURL, JWKS: ehrKeys(t).jwks, Issuers: []string{testIssuer}, now: clock.now}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

func (r result) code(t testing.TB) string {
	t.Helper()
	c, _ := r.json(t)["code"].(string)
	return c
}

func call(t testing.TB, srv *httptest.Server, method, path, bearer string, body []byte, hdr ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return result{res.StatusCode, res.Header, b}
}
