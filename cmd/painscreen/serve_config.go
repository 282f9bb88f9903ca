package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/painscreen/painscreen/server"
)

// envPrefix starts the environment variable of every serve flag: PAINSCREEN_MAX_BODY is --max-body.
const envPrefix = "PAINSCREEN_"

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its environment variable, when set; a
// repeatable flag takes several values separated by white space; an empty variable is unset. An error names the variable and the
// flag, never the value (a bad value may be a secret pasted into the wrong variable).
func applyEnv(f *cmdFlags, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var errs []error
	f.VisitAll(func(fl *flag.Flag) {
		v, ok := lookup(envName(fl.Name))
		if !ok || v == "" || given[fl.Name] { // an empty variable counts as unset
			return
		}
		values := []string{v}
		if _, multi := fl.Value.(*multiFlag); multi {
			values = strings.Fields(v)
		}
		for _, one := range values {
			if err := f.Set(fl.Name, one); err != nil {
				errs = append(errs, fmt.Errorf("%s (--%s): not a valid value", envName(fl.Name), fl.Name))
				return
			}
		}
	})
	return errors.Join(errs...)
}

// config turns the flags into the service's configuration; errors name the flag at fault.
func (fl *serveFlags) config(logger *slog.Logger) (server.Config, error) {
	positive := []struct {
		name string
		d    time.Duration
	}{{"shutdown-grace", fl.grace}, {"body-timeout", fl.bodyTimeout}, {"jwks-refresh", fl.jwksRefresh},
		{"jwks-timeout", fl.jwksTimeout}, {"fhir-timeout", fl.fhirTimeout}, {"clock-skew", fl.clockSkew}, {"max-token-age", fl.maxTokenAge}, {"lookback", fl.lookback}}
	for _, p := range positive {
		if p.d <= 0 {
			return server.Config{}, fmt.Errorf("--%s must be positive", p.name)
		}
	}
	switch {
	case fl.drainDelay < 0:
		return server.Config{}, errors.New("--drain-delay must not be negative")
	case fl.maxBody <= 0:
		return server.Config{}, errors.New("--max-body must be positive")
	case fl.maxConnsPerIP < 0:
		return server.Config{}, errors.New("--max-conns-per-ip must not be negative")
	case (fl.tlsCert == "") != (fl.tlsKey == ""):
		return server.Config{}, errors.New("--tls-cert and --tls-key go together")
	case fl.insecureRemote && !fl.insecure:
		return server.Config{}, errors.New("--insecure-allow-remote only makes sense with --insecure-no-auth")
	}
	base := strings.TrimRight(fl.basePath, "/")
	if base != "" && (!strings.HasPrefix(base, "/") || strings.ContainsAny(base, "?#% ") || strings.Contains(base, "//")) {
		return server.Config{}, fmt.Errorf("--base-path %q: give a path such as /painscreen", fl.basePath)
	}
	fl.basePath = base
	trusted, err := fl.trustedIssuers()
	if err != nil {
		return server.Config{}, err
	}
	if len(trusted) > 0 && fl.insecure {
		return server.Config{}, errors.New("--issuer (or --jwks) and --insecure-no-auth contradict each other")
	}
	if len(trusted) > 0 && fl.publicURL == "" {
		return server.Config{}, errors.New("--public-url is required with --issuer: it is the audience the EHR's tokens must name")
	}
	return server.Config{PublicURL: fl.publicURL, TrustedIssuers: trusted, InsecureNoAuth: fl.insecure, MaxBodyBytes: fl.maxBody,
		MaxInFlight: fl.maxFlight, AllowedOrigins: fl.origins, ServiceID: fl.serviceID, SourceURL: fl.sourceURL,
		ReplayCacheSize: fl.replaySize, Logger: logger, JWKSRefresh: fl.jwksRefresh, JWKSFetchTimeout: fl.jwksTimeout,
		FetchTimeout: fl.fhirTimeout,
		BodyTimeout:  fl.bodyTimeout, ClockSkew: fl.clockSkew, MaxTokenAge: fl.maxTokenAge, Lookback: fl.lookback,
		MetricsRoute: fl.metricsAddr == ""}, nil
}

// trustedIssuers reads --issuer ISS=JWKS (and the short form --jwks FILE --issuer ISS).
func (fl *serveFlags) trustedIssuers() ([]server.TrustedIssuer, error) {
	var out []server.TrustedIssuer
	var bare []string
	for _, v := range fl.issuers {
		iss, src, ok := strings.Cut(v, "=")
		iss = strings.TrimSpace(iss)
		switch {
		case iss == "":
			return nil, errors.New("--issuer: an empty issuer (give ISS=JWKS)")
		case !ok:
			bare = append(bare, iss)
			continue
		case strings.TrimSpace(src) == "":
			return nil, fmt.Errorf("--issuer %s=: the keys (a JWKS file or an https URL) are missing", iss)
		}
		out = append(out, server.TrustedIssuer{Issuer: iss, Source: strings.TrimSpace(src)})
	}
	switch {
	case fl.jwks != "" && len(bare) == 0:
		return nil, errors.New("--jwks needs the --issuer whose keys it holds")
	case fl.jwks == "" && len(bare) > 0:
		return nil, fmt.Errorf("--issuer %s has no keys: give --issuer ISS=JWKS (a file or an https URL)", bare[0])
	case len(bare) > 1:
		return nil, errors.New("--jwks serves one --issuer: with several, one key set would let each act as another; give each its keys with --issuer ISS=JWKS")
	case len(bare) == 1:
		out = append(out, server.TrustedIssuer{Issuer: bare[0], Source: fl.jwks})
	}
	return out, nil
}

// flagNames rewrites the Go field names of a server.New error as the flags that set them.
func flagNames(err error) string {
	msg := strings.TrimPrefix(err.Error(), "server: ")
	return strings.NewReplacer("PublicURL", "--public-url", "ServiceID", "--service-id", "TrustedIssuers", "--issuer ISS=JWKS",
		"InsecureNoAuth", "--insecure-no-auth").Replace(msg)
}
