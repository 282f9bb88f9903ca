package server

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetrics(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cfg := authConfig(t, newClock(now))
	cfg.MetricsRoute = true
	srv, h := newServer(t, cfg)
	body := []byte(`{"subject":"pt-SECRET-42","answers":{"phq9":{"q1":1,"q9":0}}}`)
	tok := ehrSigner(t).mint(t, testIssuer, now, "/score")
	require.Equal(t, 200, call(t, srv, "POST", "/score", tok, body).status)
	assert.Equal(t, "replayed", call(t, srv, "POST", "/score", tok, body).code(t))
	assert.Equal(t, 401, call(t, srv, "POST", "/score", "", body).status)
	call(t, srv, "POST", "/cds-services/pt-SECRET-42", "", []byte(`{}`))
	call(t, srv, "GET", "/Patient/pt-SECRET-42", "", nil)
	call(t, srv, "BREW", "/score", "", nil)
	h.Metrics().CardsIssued("critical", 2)
	h.Metrics().CardsIssued("pt-SECRET-42", 1)
	h.Metrics().Feedback("accepted")
	h.Metrics().Feedback("pt-SECRET-42")

	r := call(t, srv, "GET", "/metrics", "", nil)
	require.Equal(t, 200, r.status)
	out := string(r.body)
	for _, want := range []string{
		`painscreen_http_requests_total{route="POST /score",status="200"} 1`,
		`painscreen_http_requests_total{route="POST /score",status="401"} 2`,
		`painscreen_http_requests_total{route="POST /cds-services/{id}",status="401"} 1`,
		`painscreen_http_requests_total{route="other",status="404"} 1`,
		`painscreen_http_requests_total{route="OTHER /score",status="405"} 1`,
		`painscreen_tokens_refused_total{reason="replayed"} 1`,
		`painscreen_tokens_refused_total{reason="missing_token"} 2`,
		`painscreen_tokens_refused_total{reason="expired"} 0`,
		`painscreen_cards_total{indicator="critical"} 2`,
		`painscreen_cards_total{indicator="other"} 1`,
		`painscreen_card_feedback_total{outcome="accepted"} 1`,
		`painscreen_card_feedback_total{outcome="other"} 1`,
		`painscreen_in_flight 0`,
		`painscreen_http_request_duration_seconds_bucket{route="POST /score",le="+Inf"} 3`,
		`painscreen_definition_info{digest="sha256:`,
		`kind="rule_set"`,
		`go_goroutines`,
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "SECRET", "no health data in any label")
	assert.False(t, strings.Contains(out, tok[:20]), "no token")
}

// TestMetricsRouteOff: without MetricsRoute, /metrics is not served by the handler.
func TestMetricsRouteOff(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	assert.Equal(t, 404, call(t, srv, "GET", "/metrics", "", nil).status)
}

// ehrSigner wraps the test EHR's key (the one of authConfig) as a golang-jwt signer.
func ehrSigner(t testing.TB) signer {
	return signer{kid: testKid, alg: gojwtES384, priv: ehrKeys(t).priv, jwkAlg: "ES384"}
}

// TestMetricsCountCardsAndFeedback: the cards of real CDS calls are counted by indicator, and card
// feedback by outcome, through the handler's own metrics.
func TestMetricsCountCardsAndFeedback(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, MetricsRoute: true})
	endorsed := map[string]int{"q1": 1, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 2}
	pre := map[string]any{prefetchKey: searchset(qrJSON("a", "123", "2026-11-30", "phq9", endorsed))}
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", cdsBody(t, "patient-view", "123", pre))
	require.Equal(t, 200, r.status, "%s", r.body)
	fb := `{"feedback":[{"card":"00000000-0000-4000-8000-000000000001","outcome":"accepted","outcomeTimestamp":"2026-12-07T10:00:00Z"}]}`
	require.Equal(t, 200, call(t, srv, "POST", "/cds-services/"+DefaultServiceID+"/feedback", "", []byte(fb)).status)
	out := string(call(t, srv, "GET", "/metrics", "", nil).body)
	assert.Contains(t, out, `painscreen_cards_total{indicator="critical"} 1`)
	assert.Contains(t, out, `painscreen_card_feedback_total{outcome="accepted"} 1`)
}
