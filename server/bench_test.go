package server

import (
	"bytes"
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
