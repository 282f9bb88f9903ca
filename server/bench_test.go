package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// BenchmarkScore is one POST /score through the handler (no network): decoding, scoring, the JSON report.
func BenchmarkScore(b *testing.B) {
	h, err := New(engine(b), Config{InsecureNoAuth: true, Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	body := readFile(b, "../examples/responses/high.json")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/score", bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkScoreJWT is BenchmarkScore with an ES384 token verified per request (tokens signed
// beforehand).
func BenchmarkScoreJWT(b *testing.B) {
	now := time.Now()
	cfg := authConfig(b, newClock(now))
	cfg.Logger = discardLogger()
	h, err := New(engine(b), cfg)
	if err != nil {
		b.Fatal(err)
	}
	body := readFile(b, "../examples/responses/high.json")
	toks := make([]string, 2000)
	for i := range toks {
		toks[i] = token(b, ehrKeys(b).priv, jose.ES384, testKid, goodClaims(now, "/score"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == len(toks) {
			b.StopTimer()
			cfg.ReplayCacheSize = len(toks)
			h.auth.replay = newReplayCache(len(toks)) // the tokens may be used again
			i = 0
			b.StartTimer()
		}
		req := httptest.NewRequest("POST", "/score", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+toks[i])
		i++
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkCards maps the urgent example's report to cards.
func BenchmarkCards(b *testing.B) {
	m := testMaker(b)
	rep := exampleReport(b, "urgent.yaml")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.cards(rep)
	}
}

// BenchmarkVerify is the token check alone (signature, claims, replay cache), by algorithm.
func BenchmarkVerify(b *testing.B) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ec := ehrKeys(b).priv
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &ec.PublicKey, KeyID: "ec", Use: "sig"}, {Key: &rsaKey.PublicKey, KeyID: "rsa", Use: "sig"}}}
	jwks, _ := json.Marshal(set)
	now := time.Now()
	for _, alg := range []struct {
		name string
		key  any
		alg  jose.SignatureAlgorithm
		kid  string
	}{{"ES384", ec, jose.ES384, "ec"}, {"RS384", rsaKey, jose.RS384, "rsa"}} {
		b.Run(alg.name, func(b *testing.B) {
			v, err := newVerifier(context.Background(), Config{PublicURL: testURL, JWKS: jwks, Issuers: []string{testIssuer}, ClockSkew: time.Second,
				MaxTokenAge: time.Minute, ReplayCacheSize: 1 << 20, now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			toks := make([]string, 1000)
			for i := range toks {
				toks[i] = token(b, alg.key, alg.alg, alg.kid, goodClaims(now, "/score"))
			}
			i := 0
			for b.Loop() {
				if i == len(toks) {
					v.replay = newReplayCache(1 << 20)
					i = 0
				}
				req := httptest.NewRequest("POST", "/score", nil)
				req.Header.Set("Authorization", "Bearer "+toks[i])
				i++
				if e := v.verify(req); e != nil {
					b.Fatal(e.Message)
				}
			}
		})
	}
}
