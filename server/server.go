package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes    = 1 << 20 // 1 MiB: one response set is a few kilobytes, a CDS request with prefetch tens
	DefaultReplayCacheSize = 100_000
	DefaultClockSkew       = 30 * time.Second
	DefaultMaxTokenAge     = 5 * time.Minute
	DefaultLookback        = 14 * 24 * time.Hour
	DefaultItemNineWindow  = 90 * 24 * time.Hour
	DefaultBodyTimeout     = 10 * time.Second
	// DefaultServiceID is the id of the CDS service in discovery (POST /cds-services/{id}).
	DefaultServiceID = "painscreen-pain-oud"
)

// Config configures a Handler. The zero Config is valid: it serves health, version and discovery, and
// refuses every scoring and CDS call with 401 (no keys to verify tokens with).
type Config struct {
	// PublicURL is the service's external base URL as the EHR calls it, such as
	// "https://cds.example.org/painscreen" (no trailing slash needed). A token's audience (aud) must be
	// this URL or the URL of the endpoint called (PublicURL + "/cds-services/{id}", PublicURL + "/score").
	// Required when JWKS is set.
	PublicURL string
	// TrustedIssuers are the EHRs allowed to call the service, each with its own keys (a token is
	// verified only with the keys of the issuer it claims). None (and no JWKS): every scoring and CDS
	// call is refused with 401 (unless InsecureNoAuth).
	TrustedIssuers []TrustedIssuer
	// JWKS and Issuers are the short form of TrustedIssuers for one EHR: a JSON Web Key Set (RFC 7517)
	// and exactly one issuer (iss) it belongs to. Several Issuers sharing one JWKS are refused: each
	// could act as the others.
	JWKS    []byte
	Issuers []string
	// JWKSRefresh is how often keys from a Source are reloaded. Default DefaultJWKSRefresh.
	JWKSRefresh time.Duration
	// JWKSFetchTimeout bounds the fetch of a key set from an https URL. Default DefaultJWKSFetchTimeout.
	JWKSFetchTimeout time.Duration
	// JWKSClient fetches key sets from https URLs (tests: a client trusting a test server). Default: a
	// client with JWKSFetchTimeout that follows redirects to https only.
	JWKSClient *http.Client
	// BodyTimeout bounds the reading of a request body, which happens before the call takes a slot
	// under MaxInFlight: a client trickling its body holds only its own connection. A body not read in
	// time is refused with 408. Default DefaultBodyTimeout.
	BodyTimeout time.Duration
	// MetricsRoute serves the Prometheus metrics (Handler.Metrics) at GET /metrics too. Off by default:
	// an embedding application or painscreen serve --metrics-addr may serve them elsewhere.
	MetricsRoute bool
	// InsecureNoAuth accepts scoring and CDS calls without a token, for local development only. New logs
	// a warning; never use it where real patients' data flows.
	InsecureNoAuth bool
	// MaxBodyBytes bounds a request body; a larger one is refused with 413. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxInFlight bounds the scoring and CDS calls served at once; a call over it is refused at once
	// with 503 and Retry-After: 1 (no queue: a call takes well under a millisecond, so a queue would only
	// hide an overload from the load balancer). Default 16 × GOMAXPROCS. Health, version and discovery
	// are never limited.
	MaxInFlight int
	// ReplayCacheSize bounds the token ids (jti) remembered to refuse a replayed token. An id is
	// forgotten when its token expires; when the cache is full of unexpired ids, new calls are refused
	// with 503 rather than forgetting one early. Default DefaultReplayCacheSize.
	ReplayCacheSize int
	// ClockSkew is the leeway allowed on exp, nbf and iat. Default DefaultClockSkew.
	ClockSkew time.Duration
	// MaxTokenAge bounds a token's lifetime (exp − iat, and exp − now): CDS Hooks says a token expires
	// at most 5 minutes after it is issued. Default DefaultMaxTokenAge.
	MaxTokenAge time.Duration
	// AllowedOrigins lists the browser origins (scheme://host[:port]) allowed to call the service
	// through CORS; "*" allows any. Default: any, as CDS Hooks expects of a service (a token is needed
	// anyway and no cookie is used).
	AllowedOrigins []string
	// ServiceID is the CDS service id in discovery. Default DefaultServiceID.
	ServiceID string
	// SourceURL is the card source's url (where a clinician learns about the service); optional.
	SourceURL string
	// Logger receives the access log (one record per request, without health data) and warnings.
	// Default: slog.Default().
	Logger *slog.Logger
	// Limits bound the decoding of response sets, native or FHIR (see respfile.Limits); zero fields take
	// the respfile defaults.
	Limits respfile.Limits
	// Lookback is how far back from the newest prefetched QuestionnaireResponse a CDS call takes answers:
	// each instrument's most recent answers authored within Lookback of the newest response are scored
	// together. Default DefaultLookback.
	Lookback time.Duration
	// ItemNineWindow is how far back from the call a PHQ-9 item 9 endorsement in any prefetched
	// QuestionnaireResponse surfaces as a critical card naming its date, whatever else is newer (the scores
	// use the newest answers). Default DefaultItemNineWindow.
	ItemNineWindow time.Duration
	// FetchTimeout bounds the time a CDS call spends reading from the EHR's fhirServer (a missing or failed
	// prefetch, the next pages of a paged search). Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxFetchPages bounds the requests one CDS call makes to fhirServer. Default DefaultMaxFetchPages.
	MaxFetchPages int
	// ShowLowTierCard gives a card (a rescreen reminder) for a decided low tier; by default a decided
	// low tier gives "cards": [].
	ShowLowTierCard bool
	// Feedback counts CDS Hooks card feedback (accepted, overridden) for metrics; optional.
	Feedback FeedbackCounter

	fetchClient *http.Client     // tests: the client of fhirServer fetches
	now         func() time.Time // tests: the clock of token checks
	newUUID     func() string    // tests: card uuids
}

// Handler is the painscreen service: an http.Handler serving
//
//	POST /score                 a response set (native JSON, or FHIR when supported) → the JSON report
//	GET  /cds-services          CDS Hooks discovery
//	POST /cds-services/{id}     a CDS Hooks call → cards
//	POST /cds-services/{id}/feedback  CDS Hooks feedback on the cards (accepted, overridden): counted, logged without health data
//	GET  /healthz, /readyz      liveness; readiness (503 once Drain is called)
//	GET  /version               the engine, definitions and their digests
//
// It is safe for concurrent use. Mount it at the root of a server, or under a prefix with
// http.StripPrefix (PublicURL must then include the prefix).
type Handler struct {
	eng      *screen.Engine
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	auth     *verifier // nil: no keys configured
	metrics  *Metrics
	sem      chan struct{}
	draining atomic.Bool
	version  []byte // the /version body, computed once
	disco    []byte // the /cds-services body
	cards    *cardMaker
	feedback feedbackCounts       // CDS Hooks card feedback (feedback.go)
	mapper   *respfile.FHIRMapper // FHIR QuestionnaireResponse → response set
	writer   *fhir.Writer         // report → FHIR Bundle
	// contextSex: a loaded definition declares the context field sex (set from the prefetched Patient).
	contextSex bool
	// contextAge: a loaded definition declares the context field age (from the Patient's birthDate).
	contextAge bool
	ehrFields  map[string]bool // context fields the treatment record may set (ehrcontext.go)
}

// defaultTo sets *p to d when it is zero or negative (an unset Config field).
func defaultTo[T int | int64 | time.Duration](p *T, d T) {
	if *p <= 0 {
		*p = d
	}
}

// New returns the service around an engine built by the caller (screen.New); the engine is shared by
// every request. It fails when the configuration is inconsistent: a JWKS that does not parse, a JWKS
// without PublicURL or Issuers.
func New(eng *screen.Engine, cfg Config) (*Handler, error) {
	if eng == nil {
		return nil, errors.New("server: nil engine")
	}
	defaultTo(&cfg.MaxBodyBytes, DefaultMaxBodyBytes)
	defaultTo(&cfg.MaxInFlight, 16*runtime.GOMAXPROCS(0))
	defaultTo(&cfg.ReplayCacheSize, DefaultReplayCacheSize)
	defaultTo(&cfg.ClockSkew, DefaultClockSkew)
	defaultTo(&cfg.MaxTokenAge, DefaultMaxTokenAge)
	if len(cfg.AllowedOrigins) == 0 {
		cfg.AllowedOrigins = []string{"*"}
	}
	defaultTo(&cfg.Lookback, DefaultLookback)
	defaultTo(&cfg.ItemNineWindow, DefaultItemNineWindow)
	defaultTo(&cfg.FetchTimeout, DefaultFetchTimeout)
	defaultTo(&cfg.MaxFetchPages, DefaultMaxFetchPages)
	defaultTo(&cfg.JWKSRefresh, DefaultJWKSRefresh)
	defaultTo(&cfg.JWKSFetchTimeout, DefaultJWKSFetchTimeout)
	defaultTo(&cfg.BodyTimeout, DefaultBodyTimeout)
	if cfg.ServiceID == "" {
		cfg.ServiceID = DefaultServiceID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.newUUID == nil {
		cfg.newUUID = randomUUID
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("server: PublicURL %q is not an absolute http(s) URL without query", cfg.PublicURL)
		}
	}
	if safeID(cfg.ServiceID) != cfg.ServiceID {
		return nil, fmt.Errorf("server: ServiceID %q: use 1 to 64 letters, digits, '.', '-' or '_'", cfg.ServiceID)
	}
	if cfg.InsecureNoAuth && (len(cfg.JWKS) > 0 || len(cfg.TrustedIssuers) > 0) {
		return nil, errors.New("server: JWKS and InsecureNoAuth contradict each other")
	}
	h := &Handler{eng: eng, cfg: cfg, log: cfg.Logger, sem: make(chan struct{}, cfg.MaxInFlight), metrics: newMetrics(eng)}
	v, err := newVerifier(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	if v != nil {
		h.auth = v
		v.keys.onLoad = h.keysLoaded
	}
	switch {
	case cfg.InsecureNoAuth:
		h.log.Warn("INSECURE: --insecure-no-auth: scoring and CDS calls are accepted without a token; use only for local development, never with real patients' data")
	case h.auth == nil:
		h.log.Warn("no trusted issuer configured: scoring and CDS calls are refused with 401 until one is (--issuer ISS=JWKS)")
	}
	if h.mapper, err = respfile.FHIRMapperFor(eng); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if h.writer, err = fhir.NewWriter(eng); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	for _, in := range eng.Instruments() {
		if d, err := eng.Describe(in.ID + "@" + in.Version); err == nil {
			for _, c := range d.Context {
				h.contextSex = h.contextSex || c.ID == "sex"
				h.contextAge = h.contextAge || c.ID == "age"
			}
		}
	}
	if d, err := eng.DescribeRuleSet(); err == nil && d != nil {
		h.contextAge = d.MinAge != nil // the rule set's population is by age
		for _, c := range d.Context {
			h.contextAge = h.contextAge || c.ID == "age"
		}
	}
	h.ehrFields = ehrFields(eng)
	h.version = h.versionJSON()
	h.disco = h.discoveryJSON()
	h.cards = h.newCardMaker()
	h.routes()
	return h, nil
}

// Drain makes /readyz answer 503, so that a load balancer stops sending new requests while the server
// shuts down; requests keep being served.
func (h *Handler) Drain() { h.draining.Store(true) }

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("/healthz", h.only(http.MethodGet, h.healthz))
	m.HandleFunc("/readyz", h.only(http.MethodGet, h.readyz))
	m.HandleFunc("/version", h.only(http.MethodGet, h.serveVersion))
	m.HandleFunc("/cds-services", h.only(http.MethodGet, h.discovery))
	m.HandleFunc("/cds-services/{id}", h.only(http.MethodPost, h.guard(h.cdsCall)))
	m.HandleFunc("/cds-services/{id}/feedback", h.only(http.MethodPost, h.guard(h.cdsFeedback)))
	m.HandleFunc("/score", h.only(http.MethodPost, h.guard(h.score)))
	if h.cfg.MetricsRoute {
		m.Handle("/metrics", h.only(http.MethodGet, func(w http.ResponseWriter, r *http.Request) { h.metrics.ServeHTTP(w, r) }))
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Code: "not_found", Message: "no such endpoint"})
	})
	h.mux = m
}

// only serves an endpoint for one method (GET includes HEAD), answers OPTIONS (CORS preflight), and
// refuses other methods with 405 and an Allow header.
func (h *Handler) only(method string, next http.HandlerFunc) http.HandlerFunc {
	allow := method + ", OPTIONS"
	if method == http.MethodGet {
		allow = "GET, HEAD, OPTIONS"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == method, method == http.MethodGet && r.Method == http.MethodHead:
			next(w, r)
		case r.Method == http.MethodOptions:
			h.preflight(w, r, allow)
		default:
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: "use " + method})
		}
	}
}

// ServeHTTP serves one request, writing one access-log record for it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK, cards: -1}
	h.cors(rec, r)
	defer func() {
		if p := recover(); p != nil {
			// A bug, never input: log where, not what the request held.
			h.log.Error("panic serving a request", "route", route(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wrote {
				writeError(rec, http.StatusInternalServerError, apiError{Code: "internal", Message: "internal error"})
			}
		}
		d := time.Since(start)
		h.access(r, rec, d)
		h.metrics.observe(r, rec, d)
	}()
	h.mux.ServeHTTP(rec, r)
}

// access writes the access-log record: method, route (the endpoint pattern, never the raw path or query,
// which an EHR could fill with a patient id), status, size, duration, and the reason of a refusal. Never
// a subject id, an answer, a token or card text.
func (h *Handler) access(r *http.Request, rec *recorder, d time.Duration) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", route(r)),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.n),
		slog.Float64("ms", float64(d.Microseconds())/1000),
		slog.String("remote", remoteHost(r)),
	}
	if rec.code != "" {
		attrs = append(attrs, slog.String("error", rec.code))
	}
	if h.cfg.InsecureNoAuth {
		attrs = append(attrs, slog.Bool("insecure_no_auth", true))
	}
	if rec.cards >= 0 && rec.status == http.StatusOK && strings.HasPrefix(route(r), "POST /cds-services/") {
		attrs = append(attrs, slog.Int("cards", rec.cards))
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// route names the endpoint a request went to: its method and the mux pattern, or "other".
func route(r *http.Request) string {
	switch r.Pattern {
	case "", "/":
		return "other"
	case "/cds-services/{id}":
		return r.Method + " /cds-services/" + safeID(r.PathValue("id"))
	case "/cds-services/{id}/feedback":
		return r.Method + " /cds-services/" + safeID(r.PathValue("id")) + "/feedback"
	}
	return r.Method + " " + r.Pattern
}

// safeID returns a service id for the log: the id when it is a plain identifier, else "unknown".
func safeID(id string) string {
	if len(id) == 0 || len(id) > 64 {
		return "unknown"
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return "unknown"
		}
	}
	return id
}

func remoteHost(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host
}

// recorder remembers what was written, for the access log.
type recorder struct {
	http.ResponseWriter
	status int
	n      int64
	wrote  bool
	code   string // error code of an error response
	cards  int    // cards returned by a CDS call; -1 unknown
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`+"\n"))
}

func (h *Handler) readyz(w http.ResponseWriter, _ *http.Request) {
	if h.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, []byte(`{"status":"draining"}`+"\n"))
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`+"\n"))
}

func (h *Handler) serveVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.version)
}

// versionBody is the /version document.
type versionBody struct {
	Engine      screen.EngineInfo   `json:"engine"`
	Module      string              `json:"module"`
	Go          string              `json:"go"`
	RuleSet     *definitionVersion  `json:"rule_set"`
	Instruments []definitionVersion `json:"instruments"`
	Auth        string              `json:"auth"`
	MMETable    definitionVersion   `json:"mme_table"` // the treatment-context table (screen/ehr)
}

type definitionVersion struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Digest  string `json:"digest"`
	Status  string `json:"status"`
	Default bool   `json:"default,omitempty"`
}

func (h *Handler) versionJSON() []byte {
	v := versionBody{Engine: screen.EngineInfo{Name: screen.EngineName, Version: screen.Version}, Module: "(devel)",
		Go: runtime.Version(), Instruments: []definitionVersion{}, Auth: h.authMode(),
		MMETable: definitionVersion{ID: "ehr", Version: ehr.TableVersion(), Digest: ehr.TableDigest(), Status: "active"}}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v.Module = bi.Main.Version
	}
	if rs, ok := h.eng.RuleSet(); ok {
		v.RuleSet = &definitionVersion{ID: rs.ID, Version: rs.Version, Digest: rs.Digest, Status: rs.Status}
	}
	for _, in := range h.eng.Instruments() {
		v.Instruments = append(v.Instruments, definitionVersion{ID: in.ID, Version: in.Version, Digest: in.Digest, Status: in.Status, Default: in.Default})
	}
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

func (h *Handler) authMode() string {
	switch {
	case h.cfg.InsecureNoAuth:
		return "none (insecure)"
	case h.auth != nil:
		return "jwt"
	}
	return "unconfigured (scoring refused)"
}

// score serves POST /score: one response set → the JSON report.
func (h *Handler) score(w http.ResponseWriter, r *http.Request) {
	var format string
	if r.URL.RawQuery != "" {
		format = r.URL.Query().Get("format")
	}
	if format != "" && format != "json" && format != "fhir" {
		writeError(w, http.StatusBadRequest, apiError{Code: "bad_format", Message: "format must be json or fhir"})
		return
	}
	if accept := r.Header.Get("Accept"); format == "" && accept != "" && acceptsOnlyFHIR(accept) {
		format = "fhir"
	}
	body, e := readBody(r)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	d, e := h.decodeOne(r.Header.Get("Content-Type"), body)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	// Invalid answers spoil only themselves: the report of the usable answers (with its errors) is the
	// answer, so that a signal they raise (an urgent flag) is never lost behind a 400.
	rep, err := h.eng.Score(r.Context(), d.resp)
	if rep == nil {
		status, ae := scoreError(err)
		writeError(w, status, ae)
		return
	}
	buf := getBuf()
	if format == "fhir" {
		out := h.fhirBundle(*buf, rep, d, body)
		hd := w.Header()
		hd["Content-Type"], hd["X-Content-Type-Options"], hd["Cache-Control"] = fhirJSONType, noSniff, noStore
		_, _ = w.Write(out)
		putBuf(buf, out)
		return
	}
	out := append(appendEHRJSON(rep.AppendJSON(*buf), d.ehr), '\n')
	writeJSON(w, http.StatusOK, out)
	putBuf(buf, out)
}

// acceptsOnlyFHIR reports whether an Accept header asks for application/fhir+json and not for
// application/json (the report) or anything.
func acceptsOnlyFHIR(accept string) bool {
	fhirOK := false
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/fhir+json":
			fhirOK = true
		case "application/json", "*/*", "application/*":
			return false
		}
	}
	return fhirOK
}

// inputError maps a decoding problem to a status and error body. respfile messages name positions and
// field paths only.
func inputError(err error) *httpError {
	var ie *respfile.Error
	if errors.As(err, &ie) {
		return &httpError{http.StatusBadRequest, apiError{Code: ie.Code, Message: ie.Msg, Instrument: ie.Instrument, Item: ie.Item, Line: ie.Line, Col: ie.Col}}
	}
	if errors.Is(err, io.EOF) {
		return &httpError{http.StatusBadRequest, apiError{Code: "empty", Message: "the request body holds no response set"}}
	}
	return &httpError{http.StatusBadRequest, apiError{Code: "read_error", Message: "the request body could not be read"}}
}

// scoreError maps a scoring error (Score returned no report) to a status and error body: the failed
// record's error (screen.RecordErrorOf). ScoreError messages never hold answer values or the subject id. An
// evaluation error points at a definition bug: the service's fault (500).
func scoreError(err error) (int, apiError) {
	var se *screen.ScoreError
	switch {
	case errors.As(err, &se):
		re := screen.RecordErrorOf(err)
		ae := apiError{Code: re.Code, Message: re.Message, Instrument: re.Instrument, Item: re.Item}
		if errors.Is(err, screen.ErrEvaluation) {
			return http.StatusInternalServerError, ae
		}
		return http.StatusBadRequest, ae
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, apiError{Code: "canceled", Message: "the request was canceled"}
	}
	return http.StatusInternalServerError, apiError{Code: "internal", Message: "scoring failed"}
}

// apiError is the body of every error response, written as a failed record's "error" object
// (screen.RecordError.AppendErrorJSON, the CLI's shape): {"code","message","instrument","item","line"?,
// "col"?}. Message names fields and positions, never values; Line and Col are where in the body a
// decoding problem is.
type apiError struct {
	Code, Message, Instrument, Item string
	Line, Col                       int
}

type httpError struct {
	status int
	apiError
}

func writeError(w http.ResponseWriter, status int, e apiError) {
	if rec, ok := w.(*recorder); ok {
		rec.code = e.Code
	}
	re := screen.RecordError{Code: e.Code, Message: e.Message, Instrument: e.Instrument, Item: e.Item, ErrLine: e.Line, ErrCol: e.Col}
	writeJSON(w, status, append(re.AppendErrorJSON(nil), '\n'))
}

// The values of the headers every JSON response has, shared by all responses (net/http only reads them;
// Header().Set would make each anew).
var (
	jsonType     = []string{"application/json"}
	fhirJSONType = []string{"application/fhir+json"}
	noSniff      = []string{"nosniff"}
	noStore      = []string{"no-store"}
)

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	hd := w.Header()
	hd["Content-Type"], hd["X-Content-Type-Options"], hd["Cache-Control"] = jsonType, noSniff, noStore
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
