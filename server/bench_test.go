package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
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

// BenchmarkVerify is the token check alone (signature, claims, replay cache), for every algorithm the
// service accepts (signatureAlgs): RSA 2048-bit keys for RS*/PS*, the matching curve for ES*, Ed25519.
func BenchmarkVerify(b *testing.B) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	ecKeys := map[jose.SignatureAlgorithm]*ecdsa.PrivateKey{jose.ES384: ehrKeys(b).priv}
	for alg, curve := range map[jose.SignatureAlgorithm]elliptic.Curve{jose.ES256: elliptic.P256(), jose.ES512: elliptic.P521()} {
		if ecKeys[alg], err = ecdsa.GenerateKey(curve, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &rsaKey.PublicKey, KeyID: "rsa", Use: "sig"},
		{Key: edKey.Public(), KeyID: "ed", Use: "sig"}}}
	for alg, k := range ecKeys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: string(alg), Use: "sig"})
	}
	jwks, _ := json.Marshal(set)
	now := time.Now()
	for _, alg := range signatureAlgs {
		var key any
		var kid string
		switch {
		case alg == jose.EdDSA:
			key, kid = edKey, "ed"
		case ecKeys[alg] != nil:
			key, kid = ecKeys[alg], string(alg)
		default:
			key, kid = rsaKey, "rsa"
		}
		b.Run(string(alg), func(b *testing.B) {
			v, err := newVerifier(context.Background(), Config{PublicURL: testURL, JWKS: jwks, Issuers: []string{testIssuer}, ClockSkew: time.Second,
				MaxTokenAge: time.Minute, ReplayCacheSize: 1 << 20, now: func() time.Time { return now }})
			if err != nil {
				b.Fatal(err)
			}
			toks := make([]string, 1000)
			for i := range toks {
				toks[i] = token(b, key, alg, kid, goodClaims(now, "/score"))
			}
			b.ReportAllocs()
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

// BenchmarkScoreHTTP is POST /score over loopback TCP from 20 concurrent clients (as scripts/loadtest.sh
// sends it, without a token), with the access log formatted as painscreen serve writes it (JSON) and
// dropped: the whole request path, for a CPU profile of the service under load (-cpuprofile; the
// clients' share is in the profile too: focus on Handler.ServeHTTP and net/http's server).
func BenchmarkScoreHTTP(b *testing.B) {
	h, err := New(engine(b), Config{InsecureNoAuth: true, Logger: logTo(io.Discard)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := readFile(b, "../examples/responses/high.json")
	tr := &http.Transport{MaxIdleConns: 20, MaxIdleConnsPerHost: 20, MaxConnsPerHost: 20}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.SetParallelism(10) // 20 clients on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/score", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Error(res.StatusCode)
				return
			}
		}
	})
}
