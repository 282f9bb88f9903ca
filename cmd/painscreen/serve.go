package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/server"
)

const serveAbout = `Serves painscreen over HTTP until SIGINT or SIGTERM: POST /score (a response set → the JSON report),
CDS Hooks 2.0 (GET /cds-services discovery, POST /cds-services/ID for patient-view → cards),
GET /healthz, /readyz, /version and /metrics (Prometheus).

Scoring and CDS calls need a JWT bearer token from a trusted EHR: --issuer ISS=JWKS binds each issuer
to its own keys (a JWKS file or an https URL), and the token's audience must be --public-url. Without
--issuer they are refused with 401 (health, version and discovery still answer). --insecure-no-auth
accepts calls without a token, for local development only, on a loopback address only (unless
--insecure-allow-remote too).

Every flag can be given in the environment instead: PAINSCREEN_ and the flag's name in capitals with
'_' for '-' (--max-body: PAINSCREEN_MAX_BODY); a repeatable flag takes several values separated by
spaces. A flag on the command line wins over the environment.

SIGHUP reloads the keys (files re-read, URLs re-fetched), the TLS certificate and the definitions
of --instruments and --rules (switching to them only when they load), and logs what changed. On SIGINT or SIGTERM, /readyz turns 503 for --drain-delay
while requests are still served, then the listener closes and requests in flight finish (up to
--shutdown-grace); the exit status is then 0. The log (JSON on stderr) holds no subject ids, answers,
tokens or card text.`

const serveExamples = `  painscreen serve --insecure-no-auth      # local development on 127.0.0.1:8080
  painscreen serve --addr :8443 --tls-cert cert.pem --tls-key key.pem \
      --public-url https://cds.example.org/painscreen --base-path /painscreen \
      --issuer https://ehr.example.org=https://ehr.example.org/jwks.json
  PAINSCREEN_ISSUER='https://ehr.example.org=/etc/painscreen/ehr.jwks.json' \
  PAINSCREEN_PUBLIC_URL=https://cds.example.org painscreen serve
  curl -s -H 'Authorization: Bearer …' \
      --data-binary @examples/responses/high.json localhost:8080/score`

type serveFlags struct {
	defFlags
	addr, publicURL, jwks, basePath                    string
	issuers, origins                                   multiFlag
	insecure, insecureRemote                           bool
	maxBody                                            int64
	maxFlight, replaySize, maxConnsPerIP               int
	serviceID, sourceURL, logFormat                    string
	grace, drainDelay                                  time.Duration
	tlsCert, tlsKey, metricsAddr                       string
	jwksRefresh, jwksTimeout, bodyTimeout, fhirTimeout time.Duration
	clockSkew, maxTokenAge, lookback                   time.Duration
}

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // a reload is pending already
			}
		}
	}()
	return serve(ctx, args, stdout, stderr, nil, reload)
}

func (fl *serveFlags) register(f *cmdFlags) {
	fl.defFlags.register(f, true)
	f.StringVar(&fl.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port, logged)")
	f.StringVar(&fl.publicURL, "public-url", "", "the service's external base `URL` as the EHR calls it: the audience tokens must name;\nrequired with --issuer")
	f.Var(&fl.issuers, "issuer", "trust tokens from the issuer ISS verified with its own keys: a JWKS file or an https URL\n(`ISS=JWKS`); repeatable. The form ISS alone takes its keys from --jwks")
	f.StringVar(&fl.jwks, "jwks", "", "the JWKS `FILE` of the one --issuer given without its own keys")
	f.BoolVar(&fl.insecure, "insecure-no-auth", false, "accept scoring and CDS calls without a token: local development only, on a loopback address")
	f.BoolVar(&fl.insecureRemote, "insecure-allow-remote", false, "with --insecure-no-auth, listen on a non-loopback address all the same")
	f.Int64Var(&fl.maxBody, "max-body", server.DefaultMaxBodyBytes, "refuse request bodies over `BYTES` with 413")
	f.DurationVar(&fl.bodyTimeout, "body-timeout", server.DefaultBodyTimeout, "refuse a request body not received within `DURATION` with 408")
	f.IntVar(&fl.maxFlight, "max-in-flight", 0, "serve at most `N` scoring and CDS calls at once, refusing more with 503 (default 16 × GOMAXPROCS)")
	f.IntVar(&fl.maxConnsPerIP, "max-conns-per-ip", 64, "accept at most `N` connections at once from one client address (0: no limit; behind a\nproxy every connection comes from the proxy)")
	f.Var(&fl.origins, "cors-origin", "allow this browser `ORIGIN` (scheme://host[:port]) through CORS; repeatable (default: any)")
	f.StringVar(&fl.serviceID, "service-id", server.DefaultServiceID, "the CDS service `ID` in discovery")
	f.StringVar(&fl.sourceURL, "source-url", "", "the `URL` cards give as their source (where clinicians learn about the service)")
	f.StringVar(&fl.basePath, "base-path", "", "serve every endpoint under this `PATH` prefix (such as /painscreen), as a reverse proxy\nforwards it")
	f.StringVar(&fl.tlsCert, "tls-cert", "", "serve HTTPS with this certificate chain `FILE` (PEM; reloaded when it changes)")
	f.StringVar(&fl.tlsKey, "tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	f.StringVar(&fl.metricsAddr, "metrics-addr", "", "serve /metrics on this `HOST:PORT` only (default: on --addr, with the other endpoints;\n'off': nowhere)")
	f.DurationVar(&fl.grace, "shutdown-grace", 20*time.Second, "on SIGTERM, wait up to `DURATION` for requests in flight")
	f.DurationVar(&fl.drainDelay, "drain-delay", 5*time.Second, "on SIGTERM, answer /readyz 503 for `DURATION` before the listener closes")
	f.DurationVar(&fl.jwksRefresh, "jwks-refresh", server.DefaultJWKSRefresh, "reload the issuers' keys every `DURATION`")
	f.DurationVar(&fl.jwksTimeout, "jwks-timeout", server.DefaultJWKSFetchTimeout, "bound the fetch of a JWKS URL to `DURATION`")
	f.DurationVar(&fl.fhirTimeout, "fhir-timeout", server.DefaultFetchTimeout, "a CDS call reads what its prefetch lacks from the EHR's fhirServer for at most `DURATION`,\nthen answers with what it has (keep it below the EHR's own timeout for CDS calls)")
	f.DurationVar(&fl.clockSkew, "clock-skew", server.DefaultClockSkew, "tolerate this `DURATION` of clock difference on a token's exp, nbf and iat")
	f.DurationVar(&fl.maxTokenAge, "max-token-age", server.DefaultMaxTokenAge, "refuse tokens living longer than `DURATION`")
	f.DurationVar(&fl.lookback, "lookback", server.DefaultLookback, "CDS calls score the answers authored within `DURATION` of the newest response")
	f.StringVar(&fl.logFormat, "log-format", "json", "log on stderr, as `FORMAT`: json or text")
	f.IntVar(&fl.replaySize, "replay-cache", server.DefaultReplayCacheSize, "remember up to `N` token ids (jti) to refuse replays")
}

// serve runs the service until ctx is done. listening, when not nil, is told the address listened on;
// each value on reload reloads keys, certificate and definitions (SIGHUP).
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, listening func(net.Addr), reload <-chan struct{}) int {
	var fl serveFlags
	f := newFlags("serve", "painscreen serve [flags]", serveAbout, serveExamples)
	fl.register(f)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return f.fail(stderr, "unexpected argument %q", pos[0])
	}
	if err := applyEnv(f, os.LookupEnv); err != nil {
		return f.fail(stderr, "%v", err)
	}
	var logger *slog.Logger
	switch fl.logFormat {
	case "json":
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	case "text":
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	default:
		return f.fail(stderr, "--log-format must be json or text")
	}
	cfg, err := fl.config(logger)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	var certs *server.CertReloader
	if fl.tlsCert != "" {
		if certs, err = server.NewCertReloader(fl.tlsCert, fl.tlsKey); err != nil {
			return f.fail(stderr, "--tls-cert/--tls-key: %v", err)
		}
		certs.OnReload = func(err error) {
			if err != nil {
				logger.Warn("TLS certificate not reloaded: the previous one stays in use", "error", err.Error())
				return
			}
			logger.Info("TLS certificate reloaded")
		}
	}

	eng, err := fl.engine()
	var le *loadError
	if errors.As(err, &le) {
		return reportLoadError(stderr, le.err)
	} else if err != nil {
		return f.fail(stderr, "%v", err)
	}
	h, err := server.New(eng, cfg)
	if err != nil {
		return f.fail(stderr, "%v", flagNames(err))
	}
	// The service's live heap is a few megabytes, so at the collector's default target (4 MB at least) it
	// collected every hundred calls or so: about 7 % of its CPU under load. A target of 400 % collects a
	// fifth as often for about 12 MB more RSS (docs/performance.md). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	ln, err := net.Listen("tcp", fl.addr)
	if err != nil {
		fmt.Fprintf(stderr, "painscreen serve: %s\n", safe(err.Error()))
		return exitUsage
	}
	if fl.insecure && !fl.insecureRemote && !isLoopback(ln.Addr()) {
		ln.Close()
		return f.fail(stderr, "--insecure-no-auth listens on loopback addresses only (127.0.0.1, ::1), not %s: "+
			"give --insecure-allow-remote too if you really mean to expose an unauthenticated service", fl.addr)
	}
	if fl.maxConnsPerIP > 0 {
		ln = server.LimitPerIP(ln, fl.maxConnsPerIP)
	}
	var metricsLn net.Listener
	if fl.metricsAddr != "" && fl.metricsAddr != "off" {
		if metricsLn, err = net.Listen("tcp", fl.metricsAddr); err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "painscreen serve: --metrics-addr: %s\n", safe(err.Error()))
			return exitUsage
		}
	}
	// The handler serving requests; SIGHUP switches it when it reloads the definitions.
	var cur atomic.Pointer[server.Handler]
	cur.Store(h)
	srv := server.NewHTTPServer(mountAt(fl.basePath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur.Load().ServeHTTP(w, r)
	})))
	scheme := "http"
	if certs != nil {
		srv.TLSConfig, scheme = certs.TLSConfig(), "https"
	}
	logger.Info("listening", "addr", ln.Addr().String(), "scheme", scheme, "base_path", fl.basePath, "engine", screen.Version)
	if listening != nil {
		listening(ln.Addr())
	}
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	metricsDone := make(chan error, 1)
	if metricsLn != nil {
		logger.Info("metrics listening", "addr", metricsLn.Addr().String())
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", h.Metrics())
		go func() {
			metricsDone <- server.ServeUntil(bg, server.NewHTTPServer(mux), metricsLn, server.Lifecycle{Grace: time.Second})
		}()
	} else {
		metricsDone <- nil
	}
	go func() {
		tick := time.NewTicker(fl.jwksRefresh)
		defer tick.Stop()
		for {
			select {
			case <-bg.Done():
				return
			case <-tick.C:
				h.Reload(bg)
			case <-reload:
				if ctx.Err() == nil { // not while shutting down
					fl.reloadAll(bg, logger, &cur, certs)
				}
			}
		}
	}()
	err = server.ServeUntil(ctx, srv, ln, server.Lifecycle{Drain: func() { cur.Load().Drain() }, DrainDelay: fl.drainDelay, Grace: fl.grace, Logger: logger})
	stopBG()
	<-metricsDone
	if err != nil {
		logger.Error("shutdown", "error", err.Error())
		return exitRecords
	}
	logger.Info("stopped")
	return exitOK
}

// loadError is a definitions load failure, reported with its diagnostics.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }

// engine loads the definitions the flags name.
func (fl *serveFlags) engine() (*screen.Engine, error) {
	opts, ruleRef, err := fl.options()
	if err != nil {
		return nil, err
	}
	if ruleRef != "" {
		opts = append(opts, screen.RequireComposite())
	}
	eng, err := screen.New(opts...)
	if err != nil {
		return nil, &loadError{err}
	}
	return eng, nil
}

// reloadAll is SIGHUP: keys, the certificate, and the definitions when some come from files
// (--instruments, --rules); one log line says what changed. Definitions that no longer load leave the
// running ones in place.
func (fl *serveFlags) reloadAll(ctx context.Context, logger *slog.Logger, cur *atomic.Pointer[server.Handler], certs *server.CertReloader) {
	h := cur.Load()
	var added, removed, failed int
	for _, ch := range h.Reload(ctx) {
		added += len(ch.Added)
		removed += len(ch.Removed)
		if ch.Err != nil {
			failed++
		}
	}
	certChanged := false
	if certs != nil {
		certChanged, _ = certs.Reload()
	}
	defs := "bundled (unchanged)"
	if len(fl.instruments) > 0 || len(fl.rules) > 0 {
		defs = fl.reloadDefinitions(logger, cur)
	}
	logger.Info("SIGHUP: reloaded", "keys_added", added, "keys_removed", removed, "issuers_failed", failed,
		"certificate_changed", certChanged, "definitions", defs)
}

// reloadDefinitions loads the definitions again and switches to them when they load and differ; it
// says what happened.
func (fl *serveFlags) reloadDefinitions(logger *slog.Logger, cur *atomic.Pointer[server.Handler]) string {
	eng, err := fl.engine()
	if err != nil {
		var le *loadError
		if errors.As(err, &le) {
			err = le.err
		}
		logger.Warn("definitions not reloaded: the running ones stay in use", "error", err.Error())
		return "failed to load (unchanged)"
	}
	h := cur.Load()
	if digests(h.Engine()) == digests(eng) {
		return "unchanged"
	}
	n, err := h.WithEngine(eng)
	if err != nil {
		logger.Warn("definitions not reloaded: the running ones stay in use", "error", err.Error())
		return "failed to load (unchanged)"
	}
	cur.Store(n)
	return "reloaded: " + digests(eng)
}

// digests lists an engine's definitions as id@version=digest, sorted.
func digests(eng *screen.Engine) string {
	var out []string
	for _, in := range eng.Instruments() {
		out = append(out, in.ID+"@"+in.Version+"="+shortDigest(in.Digest))
	}
	if rs, ok := eng.RuleSet(); ok {
		out = append(out, rs.ID+"@"+rs.Version+"="+shortDigest(rs.Digest))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	return d[:min(12, len(d))]
}

// mountAt serves h under the path prefix base ("" or "/": at the root).
func mountAt(base string, h http.Handler) http.Handler {
	if base == "" {
		return h
	}
	mux := http.NewServeMux()
	mux.Handle(base+"/", http.StripPrefix(base, h))
	return mux
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
