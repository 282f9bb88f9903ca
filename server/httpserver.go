package server

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Timeouts of NewHTTPServer.
const (
	ReadHeaderTimeout = 5 * time.Second   // a client trickling its headers is cut off after this
	ReadTimeout       = 15 * time.Second  // the whole request, body included
	WriteTimeout      = 30 * time.Second  // from the end of the headers to the end of the response
	IdleTimeout       = 120 * time.Second // a kept-alive connection with no request
	MaxHeaderBytes    = 64 << 10
)

// NewHTTPServer returns an http.Server for h with the timeouts above, so that a slow or idle client
// cannot hold a connection (a goroutine, a file descriptor) for long.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Serve serves srv on ln until ctx is done, then shuts down gracefully: it calls drain (when not nil,
// typically Handler.Drain, so /readyz turns 503), stops accepting connections, and waits up to grace
// for the requests in flight to finish; connections still busy after that are closed. It returns nil
// after a clean shutdown.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, drain func()) error {
	return ServeUntil(ctx, srv, ln, Lifecycle{Drain: drain, Grace: grace})
}
