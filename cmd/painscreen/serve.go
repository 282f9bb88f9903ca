package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/server"
)

const serveAbout = `Serves painscreen over HTTP until SIGINT or SIGTERM: POST /score (a response set → the JSON report),
CDS Hooks 2.0 (GET /cds-services discovery, POST /cds-services/ID for patient-view → cards),
GET /healthz, /readyz and /version.

Scoring and CDS calls need a JWT bearer token signed by a key of --jwks, from an --issuer, for the
audience --public-url; without --jwks they are refused with 401 (health, version and discovery still
answer). --insecure-no-auth accepts calls without a token, for local development only.

On SIGINT or SIGTERM, /readyz turns 503, the listener closes, and requests in flight finish (up to
--shutdown-grace); the exit status is then 0. The access log (JSON on stderr) holds no subject ids,
answers, tokens or card text.`

const serveExamples = `  painscreen serve --insecure-no-auth      # local development on 127.0.0.1:8080
  painscreen serve --addr :8443 \
      --public-url https://cds.example.org/painscreen \
      --jwks ehr-keys.json --issuer https://ehr.example.org
  curl -s -H 'Authorization: Bearer …' \
      --data-binary @examples/responses/high.json localhost:8080/score`

type serveFlags struct {
	defFlags
	addr       string
	publicURL  string
	jwks       string
	issuers    multiFlag
	insecure   bool
	maxBody    int64
	maxFlight  int
	origins    multiFlag
	serviceID  string
	sourceURL  string
	grace      time.Duration
	logFormat  string
	replaySize int
}

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, stdout, stderr, nil)
}

// serve runs the service until ctx is done. listening, when not nil, is told the address listened on.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, listening func(net.Addr)) int {
	var fl serveFlags
	f := newFlags("serve", "painscreen serve [flags]", serveAbout, serveExamples)
	fl.register(f, true)
	f.StringVar(&fl.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port, logged)")
	f.StringVar(&fl.publicURL, "public-url", "", "the service's external base `URL` as the EHR calls it: the audience tokens must name")
	f.StringVar(&fl.jwks, "jwks", "", "verify bearer tokens with the public keys of this JWKS `FILE` (the EHRs' keys)")
	f.Var(&fl.issuers, "issuer", "accept tokens from this issuer (`ISS`, the token's iss); repeatable; required with --jwks")
	f.BoolVar(&fl.insecure, "insecure-no-auth", false, "accept scoring and CDS calls without a token: local development only")
	f.Int64Var(&fl.maxBody, "max-body", server.DefaultMaxBodyBytes, "refuse request bodies over `BYTES` with 413")
	f.IntVar(&fl.maxFlight, "max-in-flight", 0, "serve at most `N` scoring and CDS calls at once, refusing more with 503 (default 16 × GOMAXPROCS)")
	f.Var(&fl.origins, "cors-origin", "allow this browser `ORIGIN` (scheme://host[:port]) through CORS; repeatable (default: any)")
	f.StringVar(&fl.serviceID, "service-id", server.DefaultServiceID, "the CDS service `ID` in discovery")
	f.StringVar(&fl.sourceURL, "source-url", "", "the `URL` cards give as their source (where clinicians learn about the service)")
	f.DurationVar(&fl.grace, "shutdown-grace", 20*time.Second, "on SIGTERM, wait up to `DURATION` for requests in flight")
	f.StringVar(&fl.logFormat, "log-format", "json", "access log on stderr, as `FORMAT`: json or text")
	f.IntVar(&fl.replaySize, "replay-cache", server.DefaultReplayCacheSize, "remember up to `N` token ids (jti) to refuse replays")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return f.fail(stderr, "unexpected argument %q", pos[0])
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
	if fl.grace <= 0 {
		return f.fail(stderr, "--shutdown-grace must be positive")
	}
	if fl.maxBody <= 0 {
		return f.fail(stderr, "--max-body must be positive")
	}
	cfg := server.Config{PublicURL: fl.publicURL, Issuers: fl.issuers, InsecureNoAuth: fl.insecure, MaxBodyBytes: fl.maxBody,
		MaxInFlight: fl.maxFlight, AllowedOrigins: fl.origins, ServiceID: fl.serviceID, SourceURL: fl.sourceURL,
		ReplayCacheSize: fl.replaySize, Logger: logger}
	if fl.jwks != "" {
		if fl.insecure {
			return f.fail(stderr, "--jwks and --insecure-no-auth contradict each other")
		}
		b, err := readSmallFile(fl.jwks, 1<<20)
		if err != nil {
			return f.fail(stderr, "--jwks: %v", err)
		}
		cfg.JWKS = b
	}

	opts, ruleRef, err := fl.options()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	if ruleRef != "" {
		opts = append(opts, screen.RequireComposite())
	}
	eng, err := screen.New(opts...)
	if err != nil {
		return reportLoadError(stderr, err)
	}
	h, err := server.New(eng, cfg)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	ln, err := net.Listen("tcp", fl.addr)
	if err != nil {
		fmt.Fprintf(stderr, "painscreen serve: %s\n", safe(err.Error()))
		return exitUsage
	}
	logger.Info("listening", "addr", ln.Addr().String(), "engine", screen.Version)
	if listening != nil {
		listening(ln.Addr())
	}
	if err := server.Serve(ctx, server.NewHTTPServer(h), ln, fl.grace, h.Drain); err != nil {
		logger.Error("shutdown", "error", err.Error())
		return exitRecords
	}
	logger.Info("stopped")
	return exitOK
}

// readSmallFile reads a regular file of at most max bytes.
func readSmallFile(p string, max int64) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}
