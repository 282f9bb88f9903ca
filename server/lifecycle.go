package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// Lifecycle says how ServeUntil shuts a server down.
type Lifecycle struct {
	// Drain, when not nil, is called first when the shutdown starts (typically Handler.Drain, so that
	// /readyz answers 503).
	Drain func()
	// DrainDelay is how long the listener stays open after Drain, serving as usual, so that a load
	// balancer's readiness probe sees the 503 and stops sending new requests before connections are
	// refused. Zero: the listener closes at once.
	DrainDelay time.Duration
	// Grace bounds the wait for requests in flight once the listener is closed; connections still busy
	// after it are closed.
	Grace time.Duration
	// Logger, when not nil, is told when the drain starts and ends, and when the server has stopped.
	Logger *slog.Logger
}

// ServeUntil serves srv on ln until ctx is done, then shuts down as lc says: Drain, DrainDelay with the
// listener open, then a graceful Shutdown bounded by Grace. It returns nil after a clean shutdown. With
// srv.TLSConfig set, it serves TLS (the certificates come from the TLSConfig, such as
// CertReloader.GetCertificate).
func ServeUntil(ctx context.Context, srv *http.Server, ln net.Listener, lc Lifecycle) error {
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log := lc.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if lc.Drain != nil {
		lc.Drain()
	}
	start := time.Now()
	log.Info("shutdown: draining (readiness 503)", "drain_delay", lc.DrainDelay.String(), "grace", lc.Grace.String())
	if lc.DrainDelay > 0 {
		select {
		case <-time.After(lc.DrainDelay):
		case err := <-errc: // the listener failed meanwhile
			return err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), lc.Grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
	}
	log.Info("shutdown: drained", "ms", time.Since(start).Milliseconds(), "clean", err == nil)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// LimitPerIP wraps ln so that one client address holds at most n connections at once; a connection over
// the limit is closed at once. Behind a reverse proxy every connection comes from the proxy: give the
// limit with that in mind (or leave it to the proxy).
func LimitPerIP(ln net.Listener, n int) net.Listener {
	return &perIPListener{Listener: ln, max: n, conns: map[string]int{}}
}

type perIPListener struct {
	net.Listener
	max   int
	mu    sync.Mutex
	conns map[string]int
}

func (l *perIPListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil {
			host = c.RemoteAddr().String()
		}
		l.mu.Lock()
		if l.conns[host] >= l.max {
			l.mu.Unlock()
			_ = c.Close()
			continue
		}
		l.conns[host]++
		l.mu.Unlock()
		return &countedConn{Conn: c, release: func() {
			l.mu.Lock()
			if l.conns[host]--; l.conns[host] <= 0 {
				delete(l.conns, host)
			}
			l.mu.Unlock()
		}}, nil
	}
}

type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// CertReloader serves a TLS certificate from a certificate and a key file, reloading them when either
// file changes (checked at most once a second, at a handshake) or when Reload is called; a pair that
// fails to load leaves the previous certificate in use.
type CertReloader struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
	stamp             [2]fileStamp
	checked           time.Time
	// OnReload, when not nil, is told of each reload after the first (nil error: a new certificate).
	OnReload func(error)
}

// NewCertReloader loads the pair once; an error names the file at fault.
func NewCertReloader(certFile, keyFile string) (*CertReloader, error) {
	r := &CertReloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func stampOf(p string) (fileStamp, error) {
	st, err := os.Stat(p)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{st.Size(), st.ModTime()}, nil
}

// load reloads the pair when a file changed; it reports whether it did.
func (r *CertReloader) load() (bool, error) {
	cs, err := stampOf(r.certFile)
	if err != nil {
		return false, fmt.Errorf("the certificate: %w", err)
	}
	ks, err := stampOf(r.keyFile)
	if err != nil {
		return false, fmt.Errorf("the key: %w", err)
	}
	r.mu.RLock()
	same := r.cert != nil && r.stamp == [2]fileStamp{cs, ks}
	r.mu.RUnlock()
	if same {
		return false, nil
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return false, fmt.Errorf("the certificate and key: %w", err)
	}
	r.mu.Lock()
	r.cert, r.stamp = &cert, [2]fileStamp{cs, ks}
	r.mu.Unlock()
	return true, nil
}

// Reload reloads the pair if either file changed; it reports whether it did.
func (r *CertReloader) Reload() (bool, error) {
	changed, err := r.load()
	if (changed || err != nil) && r.OnReload != nil {
		r.OnReload(err)
	}
	return changed, err
}

// GetCertificate is the tls.Config hook.
func (r *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	due := time.Since(r.checked) >= time.Second
	if due {
		r.checked = time.Now()
	}
	r.mu.Unlock()
	if due {
		_, _ = r.Reload()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cert, nil
}

// TLSConfig is a server TLS configuration (TLS 1.2 at least, HTTP/2 and HTTP/1.1) using r.
func (r *CertReloader) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}
}
