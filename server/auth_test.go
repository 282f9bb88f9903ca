package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenVerification(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := newClock(now)
	srv, _ := newServer(t, authConfig(t, clock))
	priv := ehrKeys(t).priv
	other, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	body := readFile(t, "../examples/responses/low.json")

	sign := func(c jwt.Claims) string { return token(t, priv, jose.ES384, testKid, c) }
	with := func(f func(*jwt.Claims)) string {
		c := goodClaims(now, "/score")
		f(&c)
		return sign(c)
	}
	tests := []struct {
		name   string
		bearer string
		raw    string // Authorization header as is, when set
		status int
		code   string
	}{
		{name: "valid", bearer: sign(goodClaims(now, "/score")), status: 200},
		{name: "audience is the base URL", bearer: with(func(c *jwt.Claims) { c.Audience = jwt.Audience{testURL} }), status: 200},
		{name: "no token", status: 401, code: "missing_token"},
		{name: "basic auth", raw: "Basic dXNlcjpwYXNz", status: 401, code: "missing_token"},
		{name: "garbage", bearer: "not.a.jwt", status: 401, code: "invalid_token"},
		{name: "signed by another key", bearer: token(t, other, jose.ES384, testKid, goodClaims(now, "/score")), status: 401, code: "bad_signature"},
		{name: "unknown kid", bearer: token(t, priv, jose.ES384, "other-kid", goodClaims(now, "/score")), status: 401, code: "unknown_key"},
		{name: "no kid", bearer: token(t, priv, jose.ES384, "", goodClaims(now, "/score")), status: 401, code: "invalid_token"},
		{name: "HMAC", bearer: token(t, []byte(strings.Repeat("k", 48)), jose.HS256, testKid, goodClaims(now, "/score")), status: 401, code: "invalid_token"},
		{name: "expired", bearer: with(func(c *jwt.Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(-3 * time.Minute))
			c.Expiry = jwt.NewNumericDate(now.Add(-time.Minute))
		}), status: 401, code: "expired"},
		{name: "issued in the future", bearer: with(func(c *jwt.Claims) {
			c.IssuedAt = jwt.NewNumericDate(now.Add(2 * time.Minute))
			c.Expiry = jwt.NewNumericDate(now.Add(3 * time.Minute))
		}), status: 401, code: "not_yet_valid"},
		{name: "lives too long", bearer: with(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(now.Add(time.Hour)) }), status: 401, code: "invalid_token"},
		{name: "wrong issuer", bearer: with(func(c *jwt.Claims) { c.Issuer = "https://evil.example.com" }), status: 401, code: "wrong_issuer"},
		{name: "wrong audience", bearer: with(func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://other.example.org/score"} }), status: 401, code: "wrong_audience"},
		{name: "audience of another endpoint", bearer: with(func(c *jwt.Claims) { c.Audience = jwt.Audience{testURL + "/cds-services/x"} }), status: 401, code: "wrong_audience"},
		{name: "no exp", bearer: with(func(c *jwt.Claims) { c.Expiry = nil }), status: 401, code: "invalid_token"},
		{name: "no iat", bearer: with(func(c *jwt.Claims) { c.IssuedAt = nil }), status: 401, code: "invalid_token"},
		{name: "no jti", bearer: with(func(c *jwt.Claims) { c.ID = "" }), status: 401, code: "invalid_token"},
		{name: "too long", bearer: strings.Repeat("a", maxTokenBytes+1), status: 401, code: "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r result
			if tt.raw != "" {
				r = call(t, srv, "POST", "/score", "", body, "Authorization", tt.raw)
			} else {
				r = call(t, srv, "POST", "/score", tt.bearer, body)
			}
			require.Equal(t, tt.status, r.status, "%s", r.body)
			if tt.code != "" {
				assert.Equal(t, tt.code, r.code(t))
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

func TestReplayedToken(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := newClock(now)
	srv, _ := newServer(t, authConfig(t, clock))
	body := readFile(t, "../examples/responses/low.json")
	tok := token(t, ehrKeys(t).priv, jose.ES384, testKid, goodClaims(now, "/score"))
	assert.Equal(t, 200, call(t, srv, "POST", "/score", tok, body).status)
	r := call(t, srv, "POST", "/score", tok, body)
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "replayed", r.code(t))
	// Still refused after it expires (as expired), whatever the cache forgot.
	clock.set(now.Add(10 * time.Minute))
	assert.Equal(t, "expired", call(t, srv, "POST", "/score", tok, body).code(t))
}

func TestReplayCacheBounded(t *testing.T) {
	c := newReplayCache(3)
	now := time.Unix(1000, 0)
	for i := range 3 {
		assert.Equal(t, replayNew, c.add(fmt.Sprint(i), now.Add(time.Minute), now))
	}
	assert.Equal(t, replaySeen, c.add("1", now.Add(time.Minute), now))
	assert.Equal(t, replayFull, c.add("3", now.Add(time.Minute), now), "full of live ids: refuse rather than forget one")
	later := now.Add(2 * time.Minute)
	assert.Equal(t, replayNew, c.add("3", later.Add(time.Minute), later), "expired ids are forgotten")
	assert.LessOrEqual(t, len(c.seen), 3)
	// Out-of-order expiries: a long-lived id at the front does not keep expired ones behind it.
	c = newReplayCache(2)
	assert.Equal(t, replayNew, c.add("long", now.Add(time.Hour), now))
	assert.Equal(t, replayNew, c.add("short", now.Add(time.Second), now))
	assert.Equal(t, replayNew, c.add("next", now.Add(time.Hour), now.Add(time.Minute)))
	assert.Len(t, c.seen, 2)
	for i := range 5000 {
		at := now.Add(time.Duration(i) * time.Second)
		_ = c.add(fmt.Sprint("x", i), at.Add(time.Second), at)
	}
	assert.LessOrEqual(t, len(c.queue)-c.head, 4, "the queue does not grow without bound")
}

func TestReplayCacheFullIs503(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cfg := authConfig(t, newClock(now))
	cfg.ReplayCacheSize = 1
	srv, _ := newServer(t, cfg)
	body := readFile(t, "../examples/responses/low.json")
	sign := func() string { return token(t, ehrKeys(t).priv, jose.ES384, testKid, goodClaims(now, "/score")) }
	assert.Equal(t, 200, call(t, srv, "POST", "/score", sign(), body).status)
	r := call(t, srv, "POST", "/score", sign(), body)
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "busy", r.code(t))
}

// TestRS384 checks the other algorithm CDS Hooks requires of a service, with a JWKS of two keys.
func TestRS384(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ec := ehrKeys(t).priv
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &ec.PublicKey, KeyID: testKid, Algorithm: string(jose.ES384), Use: "sig"},
		{Key: &rsaKey.PublicKey, KeyID: "ehr-rsa", Algorithm: string(jose.RS384), Use: "sig"},
	}}
	jwks, err := json.Marshal(set)
	require.NoError(t, err)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := newServer(t, Config{PublicURL: testURL, JWKS: jwks, Issuers: []string{testIssuer}, now: newClock(now).now})
	body := readFile(t, "../examples/responses/low.json")
	assert.Equal(t, 200, call(t, srv, "POST", "/score", token(t, rsaKey, jose.RS384, "ehr-rsa", goodClaims(now, "/score")), body).status)
	assert.Equal(t, 200, call(t, srv, "POST", "/score", token(t, ec, jose.ES384, testKid, goodClaims(now, "/score")), body).status)
	// An RS384 token naming the EC key's kid is refused for its algorithm before any verification.
	r := call(t, srv, "POST", "/score", token(t, rsaKey, jose.RS384, testKid, goodClaims(now, "/score")), body)
	assert.Equal(t, "wrong_algorithm", r.code(t))
}
