package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tokens here are minted by github.com/golang-jwt/jwt/v5, a JWT library independent of the go-jose the
// service verifies with: the service must accept what another implementation signs, and refuse what
// it must refuse for the service's own reasons, not because both sides share a bug.

const (
	issuerA = "https://ehr-a.example.org"
	issuerB = "https://ehr-b.example.org"
)

type signer struct {
	kid    string
	alg    gojwt.SigningMethod
	priv   crypto.Signer
	jwkAlg string // the alg the JWK declares ("" none)
}

func newSigner(t testing.TB, kid, alg string) signer {
	t.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "RS256", "RS384":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	require.NoError(t, err)
	return signer{kid: kid, alg: gojwt.GetSigningMethod(alg), priv: priv, jwkAlg: alg}
}

func (s signer) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: s.priv.Public(), KeyID: s.kid, Algorithm: s.jwkAlg, Use: "sig"}
}

func jwksOf(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	require.NoError(t, err)
	return b
}

// mint signs a token with golang-jwt: iss, aud testURL+path, 1 minute, a fresh jti.
func (s signer) mint(t testing.TB, iss string, now time.Time, path string) string {
	return s.mintWith(t, s.alg, gojwt.MapClaims{"iss": iss, "sub": "ehr-client", "aud": testURL + path,
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": fmt.Sprintf("gojwt-%d", jtiSeq.Add(1))})
}

func (s signer) mintWith(t testing.TB, alg gojwt.SigningMethod, claims gojwt.MapClaims) string {
	t.Helper()
	tok := gojwt.NewWithClaims(alg, claims)
	tok.Header["kid"] = s.kid
	str, err := tok.SignedString(s.priv)
	require.NoError(t, err)
	return str
}

func TestIndependentLibraryTokens(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	signers := []signer{newSigner(t, "es256", "ES256"), newSigner(t, "rs256", "RS256"), newSigner(t, "es384", "ES384"), newSigner(t, "rs384", "RS384")}
	var keys []jose.JSONWebKey
	for _, s := range signers {
		keys = append(keys, s.jwk())
	}
	srv, _ := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, keys...)}},
		now: newClock(now).now})
	body := readFile(t, "../examples/responses/low.json")
	for _, s := range signers {
		t.Run(s.jwkAlg, func(t *testing.T) {
			r := call(t, srv, "POST", "/score", s.mint(t, issuerA, now, "/score"), body)
			assert.Equal(t, 200, r.status, "%s", r.body)
		})
	}
	// No iss at all: refused, whatever key signed it.
	noIss := signers[0].mintWith(t, signers[0].alg, gojwt.MapClaims{"aud": testURL + "/score", "iat": now.Unix(),
		"exp": now.Add(time.Minute).Unix(), "jti": "no-iss"})
	r := call(t, srv, "POST", "/score", noIss, body)
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "invalid_token", r.code(t))
}

// TestCrossIssuer: two trusted EHRs, each with its own keys. A token claiming one issuer but signed
// with the other's key is refused, in both directions, whether the kids differ or collide.
func TestCrossIssuer(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	a, b := newSigner(t, "a-1", "ES384"), newSigner(t, "b-1", "ES384")
	aSame, bSame := newSigner(t, "shared-kid", "ES256"), newSigner(t, "shared-kid", "ES256")
	srv, _ := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{
		{Issuer: issuerA, JWKS: jwksOf(t, a.jwk(), aSame.jwk())},
		{Issuer: issuerB, JWKS: jwksOf(t, b.jwk(), bSame.jwk())},
	}, now: newClock(now).now})
	body := readFile(t, "../examples/responses/low.json")
	tests := []struct {
		name   string
		tok    string
		status int
		code   string
	}{
		{"A signed by A", a.mint(t, issuerA, now, "/score"), 200, ""},
		{"B signed by B", b.mint(t, issuerB, now, "/score"), 200, ""},
		{"claims A, signed by B", b.mint(t, issuerA, now, "/score"), 401, "unknown_key"},
		{"claims B, signed by A", a.mint(t, issuerB, now, "/score"), 401, "unknown_key"},
		{"claims A, B's key under a kid both use", bSame.mint(t, issuerA, now, "/score"), 401, "bad_signature"},
		{"claims B, A's key under a kid both use", aSame.mint(t, issuerB, now, "/score"), 401, "bad_signature"},
		{"untrusted issuer", a.mint(t, "https://evil.example.com", now, "/score"), 401, "wrong_issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "POST", "/score", tt.tok, body)
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.code != "" {
				assert.Equal(t, tt.code, r.code(t))
			}
		})
	}
}

// TestKeyAlgorithmEnforced: a token's alg must be the alg its JWK declares.
func TestKeyAlgorithmEnforced(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	rs := newSigner(t, "rsa", "RS256") // the JWK declares RS256
	ec := newSigner(t, "ec", "ES384")
	ec.jwkAlg = "" // declares none: any alg fitting a P-384 key (ES384 only)
	srv, _ := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, rs.jwk(), ec.jwk())}},
		now: newClock(now).now})
	body := readFile(t, "../examples/responses/low.json")
	claims := func() gojwt.MapClaims {
		return gojwt.MapClaims{"iss": issuerA, "aud": testURL + "/score", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
			"jti": fmt.Sprintf("alg-%d", jtiSeq.Add(1))}
	}
	assert.Equal(t, 200, call(t, srv, "POST", "/score", rs.mintWith(t, gojwt.SigningMethodRS256, claims()), body).status)
	for _, m := range []gojwt.SigningMethod{gojwt.SigningMethodRS384, gojwt.SigningMethodPS256} {
		r := call(t, srv, "POST", "/score", rs.mintWith(t, m, claims()), body)
		assert.Equal(t, "wrong_algorithm", r.code(t), "an RS256 key verifying a %s token", m.Alg())
	}
	assert.Equal(t, 200, call(t, srv, "POST", "/score", ec.mintWith(t, gojwt.SigningMethodES384, claims()), body).status)
}

func TestKeySetsRefusedAtLoad(t *testing.T) {
	ec := newSigner(t, "ec", "ES384")
	rsaKey := newSigner(t, "rsa", "RS384")
	mismatch := rsaKey.jwk()
	mismatch.Algorithm = "ES384"
	private := jose.JSONWebKey{Key: ec.priv, KeyID: "leaked", Algorithm: "ES384", Use: "sig"}
	hmac := jose.JSONWebKey{Key: []byte(strings.Repeat("k", 32)), KeyID: "shared", Algorithm: "HS256", Use: "sig"}
	noKid := ec.jwk()
	noKid.KeyID = ""
	good := jwksOf(t, ec.jwk())
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"private key", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, private)}}}, `key "leaked" is a private key`},
		{"symmetric key", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, hmac)}}}, "symmetric"},
		{"alg the key does not fit", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, mismatch)}}}, "declares alg ES384, which its key type does not fit"},
		{"no kid", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, noKid)}}}, "no kid"},
		{"duplicate kid", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: jwksOf(t, ec.jwk(), ec.jwk())}}}, "two keys have the kid"},
		{"empty issuer", Config{TrustedIssuers: []TrustedIssuer{{Issuer: "", JWKS: good}}}, "empty issuer"},
		{"empty issuer, short form", Config{JWKS: good, Issuers: []string{" "}}, "empty issuer"},
		{"one JWKS for two issuers", Config{JWKS: good, Issuers: []string{issuerA, issuerB}}, "act as another"},
		{"issuer twice", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: good}, {Issuer: issuerA, JWKS: good}}}, "configured twice"},
		{"http URL", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: "http://ehr.example.org/jwks"}}}, "must be https"},
		{"missing file", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: filepath.Join(t.TempDir(), "none.json")}}}, "no such file"},
		{"both JWKS and Source", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: good, Source: "x.json"}}}, "either its JWKS or its Source"},
		{"no PublicURL", Config{TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, JWKS: good}}}, "need PublicURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.PublicURL == "" && tt.name != "no PublicURL" {
				tt.cfg.PublicURL = testURL
			}
			tt.cfg.Logger = discardLogger()
			_, err := New(engine(t), tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// jwksServer serves a key set over TLS on loopback; the set can change and fetches are counted.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	fetches atomic.Int64
	delay   time.Duration
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	s := &jwksServer{body: body}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		b, d := s.body, s.delay
		s.mu.Unlock()
		time.Sleep(d)
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(b []byte) { s.mu.Lock(); s.body = b; s.mu.Unlock() }

// TestJWKSOverHTTPS: keys fetched from an https URL; a key the EHR adds is accepted after a refresh
// caused by its unknown kid (rate-limited), without a restart; a removed key stops verifying after the
// periodic refresh.
func TestJWKSOverHTTPS(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := newClock(now)
	k1, k2, k3 := newSigner(t, "k1", "ES256"), newSigner(t, "k2", "RS256"), newSigner(t, "k3", "ES384")
	js := newJWKSServer(t, jwksOf(t, k1.jwk()))
	var log syncBuffer
	srv, h := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: js.URL + "/jwks"}},
		JWKSClient: js.Client(), JWKSRefresh: time.Hour, now: clock.now, Logger: logTo(&log)})
	body := readFile(t, "../examples/responses/low.json")
	require.EqualValues(t, 1, js.fetches.Load())
	assert.Equal(t, 200, call(t, srv, "POST", "/score", k1.mint(t, issuerA, now, "/score"), body).status)

	js.set(jwksOf(t, k1.jwk(), k2.jwk()))
	r := call(t, srv, "POST", "/score", k2.mint(t, issuerA, now, "/score"), body)
	assert.Equal(t, 200, r.status, "a key added to the served JWKS is accepted without a restart: %s", r.body)
	assert.EqualValues(t, 2, js.fetches.Load())
	assert.Contains(t, log.String(), `"added":["k2"]`)

	// Unknown kids refetch at most once per minUnknownKidRefresh (k2's refetch was just now).
	js.set(jwksOf(t, k1.jwk(), k2.jwk(), k3.jwk()))
	assert.Equal(t, "unknown_key", call(t, srv, "POST", "/score", newSigner(t, "nope", "ES256").mint(t, issuerA, now, "/score"), body).code(t))
	assert.Equal(t, "unknown_key", call(t, srv, "POST", "/score", k3.mint(t, issuerA, now, "/score"), body).code(t),
		"the rate limit holds: no fetch")
	assert.EqualValues(t, 2, js.fetches.Load())
	later := now.Add(minUnknownKidRefresh)
	clock.set(later)
	assert.Equal(t, 200, call(t, srv, "POST", "/score", k3.mint(t, issuerA, later, "/score"), body).status)
	assert.EqualValues(t, 3, js.fetches.Load())

	// The periodic refresh drops a removed key (in the background, after the interval).
	js.set(jwksOf(t, k2.jwk(), k3.jwk()))
	muchLater := now.Add(2 * time.Hour)
	clock.set(muchLater)
	assert.Equal(t, 200, call(t, srv, "POST", "/score", k2.mint(t, issuerA, muchLater, "/score"), body).status)
	require.Eventually(t, func() bool { return !contains(h.auth.keys.kids(issuerA), "k1") }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, "unknown_key", call(t, srv, "POST", "/score", k1.mint(t, issuerA, muchLater, "/score"), body).code(t))
	assert.NotContains(t, log.String(), "eyJ", "no token in the log")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestJWKSFetchLimits(t *testing.T) {
	k1 := newSigner(t, "k1", "ES256")
	t.Run("too large", func(t *testing.T) {
		js := newJWKSServer(t, []byte(`{"keys":[]`+strings.Repeat(" ", MaxJWKSBytes)+`}`))
		_, err := New(engine(t), Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: js.URL}},
			JWKSClient: js.Client(), Logger: discardLogger()})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "larger than")
	})
	t.Run("too slow", func(t *testing.T) {
		js := newJWKSServer(t, jwksOf(t, k1.jwk()))
		js.delay = time.Second
		start := time.Now()
		_, err := New(engine(t), Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: js.URL}},
			JWKSClient: js.Client(), JWKSFetchTimeout: 100 * time.Millisecond, Logger: discardLogger()})
		require.Error(t, err)
		assert.Less(t, time.Since(start), 900*time.Millisecond)
	})
	t.Run("a failed refresh keeps the keys", func(t *testing.T) {
		js := newJWKSServer(t, jwksOf(t, k1.jwk()))
		h, err := New(engine(t), Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: js.URL}},
			JWKSClient: js.Client(), Logger: discardLogger()})
		require.NoError(t, err)
		js.set([]byte(`{"keys":[{"kty":"oct","kid":"x","k":"c2VjcmV0c2VjcmV0c2VjcmV0"}]}`))
		ch := h.Reload(context.Background())
		require.Len(t, ch, 1)
		require.Error(t, ch[0].Err)
		assert.Equal(t, []string{"k1"}, h.auth.keys.kids(issuerA))
	})
}

// TestReloadFromFile: Reload (SIGHUP in painscreen serve) re-reads a changed key file and says what
// changed; an unchanged file is not parsed again.
func TestReloadFromFile(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	k1, k2 := newSigner(t, "k1", "ES384"), newSigner(t, "k2", "RS384")
	path := filepath.Join(t.TempDir(), "ehr.jwks.json")
	require.NoError(t, os.WriteFile(path, jwksOf(t, k1.jwk()), 0o600))
	srv, h := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: path}}, now: newClock(now).now})
	assert.Empty(t, h.Reload(context.Background())[0].Added, "unchanged")
	require.NoError(t, os.WriteFile(path, jwksOf(t, k2.jwk()), 0o600))
	require.NoError(t, os.Chtimes(path, time.Now().Add(time.Second), time.Now().Add(time.Second)))
	ch := h.Reload(context.Background())
	require.Len(t, ch, 1)
	require.NoError(t, ch[0].Err)
	assert.Equal(t, []string{"k2"}, ch[0].Added)
	assert.Equal(t, []string{"k1"}, ch[0].Removed)
	body := readFile(t, "../examples/responses/low.json")
	assert.Equal(t, 200, call(t, srv, "POST", "/score", k2.mint(t, issuerA, now, "/score"), body).status)
}

var gojwtES384 = gojwt.SigningMethodES384

// FuzzCheckedKeys: any key set either loads, holding only public signature keys with a kid and an alg
// (when declared) that fits the key, or is refused with an error; never a panic.
func FuzzCheckedKeys(f *testing.F) {
	ec := newSigner(f, "ec", "ES384")
	rs := newSigner(f, "rs", "RS256")
	f.Add(jwksOf(f, ec.jwk(), rs.jwk()))
	f.Add(jwksOf(f, jose.JSONWebKey{Key: ec.priv, KeyID: "p", Algorithm: "ES384", Use: "sig"}))
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"x","k":"c2VjcmV0"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","kid":"x","crv":"P-384","alg":"RS256"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		keys, err := checkedKeys(raw)
		if err != nil {
			return
		}
		for kid, k := range keys {
			if kid == "" || kid != k.KeyID || !k.IsPublic() || isSymmetric(k.Key) || (k.Algorithm != "" && !algFits(k.Algorithm, k.Key)) {
				t.Fatalf("accepted a key it must refuse: kid %q alg %q", kid, k.Algorithm)
			}
		}
	})
}

// TestKeySwitchBurst: when the EHR switches to a new key, the burst of concurrent calls naming it all
// succeed: one reloads the keys, the others wait for that load rather than being refused.
func TestKeySwitchBurst(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	k1, k2 := newSigner(t, "k1", "ES256"), newSigner(t, "k2", "ES256")
	js := newJWKSServer(t, jwksOf(t, k1.jwk()))
	srv, _ := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: js.URL}},
		JWKSClient: js.Client(), JWKSRefresh: time.Hour, now: newClock(now).now})
	js.mu.Lock()
	js.body, js.delay = jwksOf(t, k1.jwk(), k2.jwk()), 300*time.Millisecond
	js.mu.Unlock()
	body := readFile(t, "../examples/responses/low.json")
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		tok := k2.mint(t, issuerA, now, "/score")
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, srv, "POST", "/score", tok, body).status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		assert.Equal(t, 200, s)
	}
	assert.EqualValues(t, 2, js.fetches.Load(), "one load for the burst")
}

// TestKeyFileChangeIsSeen: a changed key file is read within fileCheckInterval at a token's verification,
// without SIGHUP and without waiting for the refresh interval.
func TestKeyFileChangeIsSeen(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := newClock(now)
	k1, k2 := newSigner(t, "k1", "ES384"), newSigner(t, "k2", "ES384")
	path := filepath.Join(t.TempDir(), "ehr.jwks.json")
	require.NoError(t, os.WriteFile(path, jwksOf(t, k1.jwk(), k2.jwk()), 0o600))
	srv, h := newServer(t, Config{PublicURL: testURL, TrustedIssuers: []TrustedIssuer{{Issuer: issuerA, Source: path}},
		JWKSRefresh: time.Hour, now: clock.now})
	body := readFile(t, "../examples/responses/low.json")
	require.NoError(t, os.WriteFile(path, jwksOf(t, k2.jwk()), 0o600)) // k1 revoked
	require.NoError(t, os.Chtimes(path, time.Now().Add(time.Second), time.Now().Add(time.Second)))
	later := now.Add(fileCheckInterval + time.Second)
	clock.set(later)
	assert.Equal(t, 200, call(t, srv, "POST", "/score", k2.mint(t, issuerA, later, "/score"), body).status)
	require.Eventually(t, func() bool { return !contains(h.auth.keys.kids(issuerA), "k1") }, 5*time.Second, 5*time.Millisecond)
}
