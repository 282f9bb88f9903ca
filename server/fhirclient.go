package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Fetching from the EHR's FHIR server (CDS Hooks 2.0 "FHIR Resource Access"): when the EHR did not
// prefetch, reported a failed prefetch (an OperationOutcome), or sent a paged searchset, the service reads
// the rest itself from fhirServer with the fhirAuthorization bearer token. A fetch is bounded: at most
// MaxFetchPages pages, each at most MaxBodyBytes, all within FetchTimeout; it only ever calls URLs under
// fhirServer (a next link elsewhere is not followed: the token would go to another server).

// Defaults of the fetching limits.
const (
	DefaultFetchTimeout  = 10 * time.Second
	DefaultMaxFetchPages = 20
)

// fhirAuthorization is the CDS Hooks fhirAuthorization object (only what the service uses).
type fhirAuthorization struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   *int64 `json:"expires_in"`
	Scope       string `json:"scope"`
	Subject     string `json:"subject"`
	Patient     string `json:"patient,omitempty"`
}

// fetcher reads resources from the EHR's FHIR server.
type fetcher struct {
	base    *url.URL // fhirServer, without a trailing slash on its path
	token   string   // "" when the EHR gave no fhirAuthorization
	client  *http.Client
	maxBody int64
	pages   int // pages left
}

// errFetch is the error of a failed fetch; its text never holds health data (no patient id, no URL
// query), only what went wrong.
type errFetch struct{ msg string }

func (e *errFetch) Error() string { return e.msg }

// newFetcher returns a fetcher for a call's fhirServer, or nil when the call has none. A server that is
// not https is refused (nil, error) unless it is on the loopback interface (a test or a sidecar).
func (h *Handler) newFetcher(server string, auth *fhirAuthorization) (*fetcher, error) {
	if server == "" {
		return nil, nil
	}
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, &errFetch{"fhirServer is not an absolute URL without query"}
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, &errFetch{"fhirServer must be an https URL"}
	}
	f := &fetcher{base: u, client: h.cfg.fetchClient, maxBody: h.cfg.MaxBodyBytes, pages: h.cfg.MaxFetchPages}
	if auth != nil {
		f.token = auth.AccessToken
	}
	if f.client == nil {
		f.client = &http.Client{Timeout: h.cfg.FetchTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect could take the token elsewhere
		}}
	}
	return f, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolve turns a relative reference ("QuestionnaireResponse?patient=1") or an absolute URL under the
// base into the URL to get; ok is false for a URL outside the base.
func (f *fetcher) resolve(ref string) (string, bool) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", false
	}
	if !u.IsAbs() {
		return f.base.String() + "/" + strings.TrimLeft(ref, "/"), true
	}
	if u.Scheme != f.base.Scheme || u.Host != f.base.Host || u.User != nil {
		return "", false
	}
	if u.Path != f.base.Path && !strings.HasPrefix(u.Path, strings.TrimRight(f.base.Path, "/")+"/") {
		return "", false
	}
	return u.String(), true
}

// get reads one page: ref relative to fhirServer or an absolute URL under it.
func (f *fetcher) get(ctx context.Context, ref string) ([]byte, error) {
	if f.pages <= 0 {
		return nil, &errFetch{"the search has more pages than the service reads (MaxFetchPages)"}
	}
	f.pages--
	target, ok := f.resolve(ref)
	if !ok {
		return nil, &errFetch{"a link points outside fhirServer: not followed"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, &errFetch{"the request to fhirServer could not be made"}
	}
	req.Header.Set("Accept", "application/fhir+json")
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	res, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &errFetch{"fhirServer did not answer in time"}
		}
		return nil, &errFetch{"fhirServer could not be reached"}
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, &errFetch{"fhirServer answered " + res.Status}
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, f.maxBody+1))
	if err != nil {
		return nil, &errFetch{"fhirServer's answer could not be read"}
	}
	if int64(len(b)) > f.maxBody {
		return nil, &errFetch{"fhirServer's answer is larger than the body limit"}
	}
	return b, nil
}
