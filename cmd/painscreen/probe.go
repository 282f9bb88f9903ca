package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

const probeAbout = `Asks a running painscreen serve whether it is ready (GET URL), and exits 0 when it answers
2xx, 1 when it answers anything else or not at all. It is the health check of a container with no
shell or curl (deploy/Containerfile); it prints nothing unless --verbose.

Without URL it asks the /readyz of the server configured by the same environment, on the loopback
address: the port of PAINSCREEN_ADDR (default 8080), under PAINSCREEN_BASE_PATH, over HTTPS when
PAINSCREEN_TLS_CERT is set (then without verifying the certificate, which names the public host).

--insecure-skip-verify accepts any TLS certificate, for a server checking itself over HTTPS on a
loopback address; it is refused for other addresses.`

const probeExamples = `  painscreen probe
  painscreen probe http://127.0.0.1:9090/healthz
  painscreen probe --insecure-skip-verify https://127.0.0.1:8443/readyz`

func runProbe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("probe", "painscreen probe [flags] [URL]", probeAbout, probeExamples)
	timeout := f.Duration("timeout", 2*time.Second, "give up after `DURATION`")
	skip := f.Bool("insecure-skip-verify", false, "accept any TLS certificate (loopback URLs only)")
	verbose := f.Bool("verbose", false, "print the status or the error")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	var target string
	switch len(pos) {
	case 0:
		target = selfURL(os.Getenv)
		*skip = *skip || strings.HasPrefix(target, "https:")
	case 1:
		target = pos[0]
	default:
		return f.fail(stderr, "one URL at most")
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return f.fail(stderr, "the URL must be an absolute http(s) URL")
	}
	if *skip {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return f.fail(stderr, "--insecure-skip-verify is for loopback addresses only")
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: *skip}} //nolint:gosec // loopback only, checked above
	client := &http.Client{Timeout: *timeout, Transport: tr}
	res, err := client.Get(u.String())
	if err != nil {
		if *verbose {
			fmt.Fprintf(stderr, "painscreen probe: %s\n", safe(err.Error()))
		}
		return exitRecords
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if *verbose {
		_, _ = io.WriteString(stdout, res.Status+"\n")
	}
	if res.StatusCode/100 != 2 {
		return exitRecords
	}
	return exitOK
}

// selfURL is the loopback /readyz of the server that the environment configures.
func selfURL(getenv func(string) string) string {
	port := "8080"
	if _, p, err := net.SplitHostPort(getenv(envName("addr"))); err == nil && p != "" && p != "0" {
		port = p
	}
	scheme := "http"
	if getenv(envName("tls-cert")) != "" {
		scheme = "https"
	}
	base := strings.TrimRight(getenv(envName("base-path")), "/")
	return scheme + "://127.0.0.1:" + port + base + "/readyz"
}
