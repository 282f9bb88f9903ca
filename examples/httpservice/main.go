// Command httpservice shows how a Go program embeds the painscreen service in its own HTTP server: the
// clinic's application keeps its routes, and mounts painscreen's handler (package server: POST /score,
// CDS Hooks, health, version) under /painscreen/.
//
//	go run ./examples/httpservice -addr localhost:8080 -insecure-no-auth
//	curl -s localhost:8080/                                                    # the application's own page
//	curl -s --data-binary @examples/responses/high.json localhost:8080/painscreen/score
//	curl -s localhost:8080/painscreen/cds-services                             # CDS Hooks discovery
//
// With real EHR callers, give the JWKS of their keys instead of -insecure-no-auth:
//
//	go run ./examples/httpservice -public-url https://clinic.example.org/painscreen \
//	    -jwks ehr.jwks.json -issuer https://ehr.example.org
//
// The engine is built once and shared by every request. SIGINT or SIGTERM shuts the server down
// gracefully (painscreen's /readyz turns 503, requests in flight finish).
package main

import (
	"context"
	"flag"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/server"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on (host:port)")
	publicURL := flag.String("public-url", "", "external URL of the mounted service (…/painscreen): the token audience")
	jwks := flag.String("jwks", "", "JWKS file with the EHRs' public keys")
	issuer := flag.String("issuer", "", "accepted token issuer")
	insecure := flag.Bool("insecure-no-auth", false, "accept calls without a token (local development only)")
	flag.Parse()

	cfg := server.Config{PublicURL: *publicURL, InsecureNoAuth: *insecure, Logger: slog.Default()}
	switch {
	case *jwks != "" && *issuer == "":
		log.Fatal("-jwks needs -issuer: the EHR (token iss) whose keys it holds; a token without an issuer is never accepted")
	case *jwks == "" && *issuer != "":
		log.Fatal("-issuer needs -jwks: the EHR's keys")
	case *jwks != "":
		// The issuer is bound to its own keys; the file is re-read when it changes (checked every
		// Config.JWKSRefresh while tokens arrive, and at once for a token naming an unknown kid).
		cfg.TrustedIssuers = []server.TrustedIssuer{{Issuer: *issuer, Source: *jwks}}
	}
	if *insecure {
		if host, _, _ := net.SplitHostPort(*addr); host != "localhost" && !net.ParseIP(host).IsLoopback() {
			log.Fatal("-insecure-no-auth listens on a loopback address only (localhost, 127.0.0.1, ::1)")
		}
	}
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		log.Fatalf("loading definitions: %v", err)
	}
	ps, err := server.New(eng, cfg)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("listening on %s; painscreen under /painscreen/", ln.Addr())
	if err := server.Serve(ctx, server.NewHTTPServer(newMux(ps)), ln, 10*time.Second, ps.Drain); err != nil {
		log.Fatal(err)
	}
}

// newMux is the application's router: its own pages, and painscreen under /painscreen/.
func newMux(ps *server.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "clinic application: painscreen is mounted at /painscreen/\n")
	})
	mux.Handle("/painscreen/", http.StripPrefix("/painscreen", ps))
	return mux
}
