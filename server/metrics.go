package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/painscreen/painscreen/screen"
)

// Metrics are the service's Prometheus metrics, in a registry of their own (with the Go runtime and
// process collectors). No label ever holds health data: routes are endpoint patterns, statuses and
// reasons are fixed codes, indicators and outcomes are checked against fixed lists.
//
//	painscreen_http_requests_total{route,status}         requests served
//	painscreen_http_request_duration_seconds{route}      latency histogram
//	painscreen_in_flight                                 scoring and CDS calls being served
//	painscreen_tokens_refused_total{reason}              tokens refused (missing_token, expired, …)
//	painscreen_cards_total{indicator}                    CDS cards returned (info, warning, critical)
//	painscreen_card_feedback_total{outcome}              card feedback received (accepted, overridden)
//	painscreen_jwks_loads_total{result}                  key set loads (ok, error)
//	painscreen_definition_info{kind,id,version,digest}   1 per loaded definition
type Metrics struct {
	registry *prometheus.Registry
	handler  http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	refused  *prometheus.CounterVec
	cards    *prometheus.CounterVec
	feedback *prometheus.CounterVec
	keyLoads *prometheus.CounterVec
	info     *prometheus.GaugeVec
}

func newMetrics(eng *screen.Engine) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "painscreen_http_requests_total",
			Help: "HTTP requests served, by route (endpoint pattern) and status."}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "painscreen_http_request_duration_seconds",
			Help:    "HTTP request latency, by route, from the request's headers to the end of its response.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "painscreen_in_flight",
			Help: "Scoring and CDS calls being served (bounded by --max-in-flight)."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "painscreen_tokens_refused_total",
			Help: "Bearer tokens refused, by reason."}, []string{"reason"}),
		cards: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "painscreen_cards_total",
			Help: "CDS Hooks cards returned, by indicator."}, []string{"indicator"}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "painscreen_card_feedback_total",
			Help: "CDS Hooks card feedback received, by outcome."}, []string{"outcome"}),
		keyLoads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "painscreen_jwks_loads_total",
			Help: "Loads of trusted issuers' key sets (start, refresh, reload, unknown kid), by result."}, []string{"result"}),
	}
	m.info = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "painscreen_definition_info",
		Help: "The loaded definitions (value 1): kind (instrument, rule_set), id, version and content digest."},
		[]string{"kind", "id", "version", "digest"})
	m.setDefinitions(eng)
	m.registry.MustRegister(m.requests, m.duration, m.inFlight, m.refused, m.cards, m.feedback, m.keyLoads, m.info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range tokenReasons {
		m.refused.WithLabelValues(r) // present at 0, so that a rate() sees the first refusal
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

// setDefinitions makes painscreen_definition_info list the definitions of eng.
func (m *Metrics) setDefinitions(eng *screen.Engine) {
	m.info.Reset()
	if eng == nil {
		return
	}
	for _, in := range eng.Instruments() {
		m.info.WithLabelValues("instrument", in.ID, in.Version, in.Digest).Set(1)
	}
	if rs, ok := eng.RuleSet(); ok {
		m.info.WithLabelValues("rule_set", rs.ID, rs.Version, rs.Digest).Set(1)
	}
}

// tokenReasons are the codes of a refused token (the error codes of 401 responses).
var tokenReasons = []string{"missing_token", "invalid_token", "unknown_key", "wrong_algorithm", "bad_signature",
	"wrong_issuer", "wrong_audience", "expired", "not_yet_valid", "replayed", "unauthorized"}

// Metrics returns the service's metrics.
func (h *Handler) Metrics() *Metrics { return h.metrics }

// ServeHTTP serves the metrics in the Prometheus text format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// Registry is the registry holding the metrics, for an application that gathers them with its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// CardsIssued counts n cards of a CDS response with this indicator (info, warning or critical; anything
// else counts as "other").
func (m *Metrics) CardsIssued(indicator string, n int) {
	switch indicator {
	case "info", "warning", "critical":
	default:
		indicator = "other"
	}
	if n > 0 {
		m.cards.WithLabelValues(indicator).Add(float64(n))
	}
}

// Feedback counts one card feedback outcome (accepted or overridden, as CDS Hooks 2.0 names them;
// anything else counts as "other").
func (m *Metrics) Feedback(outcome string) {
	switch outcome {
	case "accepted", "overridden":
	default:
		outcome = "other"
	}
	m.feedback.WithLabelValues(outcome).Inc()
}

func (m *Metrics) tokenRefused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// observe counts a served request.
func (m *Metrics) observe(r *http.Request, rec *recorder, d time.Duration) {
	rt := metricRoute(r)
	m.requests.WithLabelValues(rt, strconv.Itoa(rec.status)).Inc()
	m.duration.WithLabelValues(rt).Observe(d.Seconds())
}

// metricRoute is the route label: a fixed method and the mux pattern (never the path, which holds a
// caller-chosen service id), or "other".
func metricRoute(r *http.Request) string {
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodOptions:
	default:
		method = "OTHER"
	}
	switch r.Pattern {
	case "", "/":
		return "other"
	}
	return method + " " + r.Pattern
}
