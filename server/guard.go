package server

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/painscreen/painscreen/screen"
)

// guard checks what every scoring and CDS call needs: a bounded body, read within BodyTimeout before
// anything else (so that a client trickling its body holds no slot), then room under the concurrency
// limit (so that token verification, the costliest step of a call, is bounded too), then a verified
// token.
func (h *Handler) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		buf := getBuf()
		body, e := h.preread(w, r, *buf)
		if e != nil {
			writeError(w, e.status, e.apiError)
			return
		}
		defer putBuf(buf, body) // the call is over when next returns: nothing refers to the body then
		select {
		case h.sem <- struct{}{}:
			h.metrics.inFlight.Inc()
			defer func() { <-h.sem; h.metrics.inFlight.Dec() }()
		default:
			w.Header().Set("Retry-After", "1")
			writeError(w, http.StatusServiceUnavailable, apiError{Code: "busy", Message: "too many requests in flight; retry"})
			return
		}
		if e := h.authenticate(r); e != nil {
			if e.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				h.metrics.tokenRefused(e.Code)
			}
			writeError(w, e.status, e.apiError)
			return
		}
		r.Body = &prereadBody{Reader: bytes.NewReader(body), b: body}
		next(w, r)
	}
}

// authenticate verifies the request's bearer token; nil when the call may go on.
func (h *Handler) authenticate(r *http.Request) *httpError {
	if h.cfg.InsecureNoAuth {
		return nil
	}
	if h.auth == nil {
		return unauthorized("unauthorized", "the service has no keys to verify tokens with (no trusted issuer configured)")
	}
	return h.auth.verify(r)
}

// preread reads the whole body (bounded by MaxBodyBytes) within BodyTimeout, before the call takes a
// slot: a slow client then holds its own connection only.
func (h *Handler) preread(w http.ResponseWriter, r *http.Request, buf []byte) ([]byte, *httpError) {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(h.cfg.BodyTimeout)
	if err := rc.SetReadDeadline(deadline); err == nil {
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	if n := r.ContentLength; n > 0 && int64(cap(buf)) <= n {
		buf = make([]byte, 0, min(n, maxPresize)+1) // one byte more than announced, to see EOF without growing
	}
	b, err := readInto(buf, http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err == nil {
		return b, nil
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &httpError{http.StatusRequestEntityTooLarge, apiError{Code: "too_large", Message: "the request body is over the limit of " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"}}
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		return nil, &httpError{http.StatusRequestTimeout, apiError{Code: "body_timeout", Message: "the request body did not arrive within " + h.cfg.BodyTimeout.String()}}
	}
	return nil, &httpError{http.StatusBadRequest, apiError{Code: "read_error", Message: "the request body could not be read"}}
}

// Reload reloads what can change while the service runs: the keys of every issuer configured with a
// Source (files re-read, URLs re-fetched). It returns what changed, issuer by issuer; an issuer whose
// keys fail to load keeps its previous keys (and its KeyChange holds the error). It is safe to call at
// any time, such as on SIGHUP.
func (h *Handler) Reload(ctx context.Context) []KeyChange {
	if h.auth == nil {
		return nil
	}
	return h.auth.keys.reloadAll(ctx, h.cfg.now())
}

// keysLoaded logs and counts a load of an issuer's keys (kids and issuers are configuration, not
// health data).
func (h *Handler) keysLoaded(ch KeyChange) {
	if ch.Err != nil {
		h.metrics.keyLoads.WithLabelValues("error").Inc()
		h.log.Warn("keys not reloaded: the previous keys stay in use", "issuer", ch.Issuer, "error", ch.Err.Error())
		return
	}
	h.metrics.keyLoads.WithLabelValues("ok").Inc()
	if len(ch.Added)+len(ch.Removed) > 0 {
		h.log.Info("keys reloaded", "issuer", ch.Issuer, "added", ch.Added, "removed", ch.Removed)
	}
}

// WithEngine returns a Handler serving eng with h's configuration, sharing h's token verification (its
// keys, and its replay cache: a token used before the switch stays used) and metrics; painscreen serve
// switches to it when SIGHUP reloads the definitions. h goes on serving what is routed to it; the caller
// routes new requests to the returned Handler.
func (h *Handler) WithEngine(eng *screen.Engine) (*Handler, error) {
	cfg := h.cfg
	cfg.JWKS, cfg.Issuers, cfg.TrustedIssuers = nil, nil, nil // the keys are shared, not loaded again
	cfg.Logger = slog.New(slog.DiscardHandler)                // New's start-up warnings were said once
	n, err := New(eng, cfg)
	if err != nil {
		return nil, err
	}
	n.cfg, n.log, n.auth, n.metrics = h.cfg, h.log, h.auth, h.metrics
	n.metrics.setDefinitions(eng)
	n.version = n.versionJSON() // its auth mode is h's
	if h.draining.Load() {
		n.Drain()
	}
	return n, nil
}

// Engine returns the engine the Handler serves.
func (h *Handler) Engine() *screen.Engine { return h.eng }
