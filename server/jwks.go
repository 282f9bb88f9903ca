package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TrustedIssuer binds one token issuer (an EHR) to its own keys: a token claiming this issuer is
// verified only with these keys, never with another issuer's (CDS Hooks 2.0: each EHR publishes its
// JWKS). Exactly one of JWKS and Source is set.
type TrustedIssuer struct {
	// Issuer is the token's iss, exactly (such as "https://ehr.example.org"). Required.
	Issuer string
	// JWKS is the key set itself (RFC 7517 JSON), fixed for the Handler's life.
	JWKS []byte
	// Source is where the key set is loaded from: a file path, or an "https://" URL fetched with a
	// timeout and a size limit. It is loaded by New, reloaded by Handler.Reload and every
	// Config.JWKSRefresh, and at once (rate-limited) when a token names a kid the set does not hold, so
	// a key the EHR adds is accepted without a restart.
	Source string
}

// Defaults of the key sets.
const (
	DefaultJWKSRefresh      = 5 * time.Minute
	DefaultJWKSFetchTimeout = 10 * time.Second
	// MaxJWKSBytes bounds a key set, read from a file or fetched.
	MaxJWKSBytes = 1 << 20
	// minUnknownKidRefresh is the least time between two loads of one issuer's keys caused by tokens
	// naming an unknown kid: a caller inventing kids cannot make the service hammer the EHR.
	minUnknownKidRefresh = 30 * time.Second
	// fileCheckInterval is how often a key file's size and modification time are checked (a stat, at a
	// token's verification), so that a changed file is read within seconds.
	fileCheckInterval = 10 * time.Second
)

// algFits reports whether key is of the type (and curve) the algorithm alg needs.
func algFits(alg string, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
		return want != "" && k.Curve.Params().Name == want
	case ed25519.PublicKey:
		return alg == string(jose.EdDSA)
	}
	return false
}

// checkedKeys parses a key set and checks every signature key: a kid, a public key (a private or
// symmetric key is refused: a JWKS publishes public halves only, and a private key there means the
// EHR's signing key has leaked), and an alg, when given, that is accepted and fits the key.
func checkedKeys(raw []byte) (map[string]jose.JSONWebKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("does not parse: %w", err)
	}
	keys := make(map[string]jose.JSONWebKey, len(set.Keys))
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		switch {
		case k.KeyID == "":
			return nil, fmt.Errorf("key %d has no kid (CDS Hooks tokens name their key)", i+1)
		case isSymmetric(k.Key):
			return nil, fmt.Errorf("key %q is a symmetric (shared-secret) key: only public keys verify EHR tokens", k.KeyID)
		case !k.IsPublic():
			return nil, fmt.Errorf("key %q is a private key: a JWKS must publish only public keys (replace this key: it has leaked)", k.KeyID)
		case k.Algorithm != "" && !slices.Contains(signatureAlgs, jose.SignatureAlgorithm(k.Algorithm)):
			return nil, fmt.Errorf("key %q declares alg %q, not an accepted signature algorithm", k.KeyID, k.Algorithm)
		case k.Algorithm != "" && !algFits(k.Algorithm, k.Key):
			return nil, fmt.Errorf("key %q declares alg %s, which its key type does not fit", k.KeyID, k.Algorithm)
		case !algFitsAny(k.Key):
			return nil, fmt.Errorf("key %q is of an unsupported type", k.KeyID)
		}
		if _, dup := keys[k.KeyID]; dup {
			return nil, fmt.Errorf("two keys have the kid %q", k.KeyID)
		}
		keys[k.KeyID] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("holds no signature key")
	}
	return keys, nil
}

func isSymmetric(key any) bool { _, ok := key.([]byte); return ok }

func algFitsAny(key any) bool {
	for _, a := range signatureAlgs {
		if algFits(string(a), key) {
			return true
		}
	}
	return false
}

// issuerKeys is one issuer's current keys and where they come from.
type issuerKeys struct {
	issuer string
	source string // "" (inline), a path, or an https URL
	client *http.Client
	limit  time.Duration // fetch timeout

	mu       sync.RWMutex
	keys     map[string]jose.JSONWebKey
	loaded   time.Time // when keys were last loaded (or checked unchanged)
	fileStat fileStamp

	load       sync.Mutex  // one load at a time
	refreshing atomic.Bool // a background refresh is under way
	lastForced time.Time   // the last load caused by an unknown kid
}

type fileStamp struct {
	size  int64
	mtime time.Time
}

// key returns the key kid names.
func (ik *issuerKeys) key(kid string) (jose.JSONWebKey, bool) {
	ik.mu.RLock()
	defer ik.mu.RUnlock()
	k, ok := ik.keys[kid]
	return k, ok
}

func (ik *issuerKeys) age(now time.Time) time.Duration {
	ik.mu.RLock()
	defer ik.mu.RUnlock()
	return now.Sub(ik.loaded)
}

// KeyChange says what a load of one issuer's keys changed.
type KeyChange struct {
	Issuer  string   `json:"issuer"`
	Added   []string `json:"added,omitempty"`   // kids
	Removed []string `json:"removed,omitempty"` // kids
	Err     error    `json:"-"`                 // the load failed: the previous keys stay in use
}

// reload loads the keys from their source; it keeps the previous keys when the load fails.
func (ik *issuerKeys) reload(ctx context.Context, now time.Time) KeyChange {
	ch := KeyChange{Issuer: ik.issuer}
	if ik.source == "" {
		return ch
	}
	ik.load.Lock()
	defer ik.load.Unlock()
	raw, stamp, err := ik.fetch(ctx)
	if err == nil && raw == nil { // a file, unchanged
		ik.mu.Lock()
		ik.loaded = now
		ik.mu.Unlock()
		return ch
	}
	var keys map[string]jose.JSONWebKey
	if err == nil {
		keys, err = checkedKeys(raw)
	}
	if err != nil {
		ch.Err = fmt.Errorf("the keys of issuer %q (%s): %w", ik.issuer, ik.source, err)
		return ch
	}
	ik.mu.Lock()
	for kid := range keys {
		if _, ok := ik.keys[kid]; !ok {
			ch.Added = append(ch.Added, kid)
		}
	}
	for kid := range ik.keys {
		if _, ok := keys[kid]; !ok {
			ch.Removed = append(ch.Removed, kid)
		}
	}
	ik.keys, ik.loaded, ik.fileStat = keys, now, stamp
	ik.mu.Unlock()
	slices.Sort(ch.Added)
	slices.Sort(ch.Removed)
	return ch
}

// fetch reads the source. For a file whose size and modification time have not changed since the last
// load, it returns nil bytes and no error.
func (ik *issuerKeys) fetch(ctx context.Context) ([]byte, fileStamp, error) {
	if !strings.HasPrefix(ik.source, "https://") {
		fh, err := os.Open(ik.source)
		if err != nil {
			return nil, fileStamp{}, err
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			return nil, fileStamp{}, err
		}
		if !st.Mode().IsRegular() {
			return nil, fileStamp{}, errors.New("not a regular file")
		}
		stamp := fileStamp{st.Size(), st.ModTime()}
		ik.mu.RLock()
		same := ik.keys != nil && stamp == ik.fileStat
		ik.mu.RUnlock()
		if same {
			return nil, stamp, nil
		}
		b, err := readLimited(fh)
		return b, stamp, err
	}
	ctx, cancel := context.WithTimeout(ctx, ik.limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ik.source, nil)
	if err != nil {
		return nil, fileStamp{}, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	res, err := ik.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		return nil, fileStamp{}, fmt.Errorf("fetch: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fileStamp{}, fmt.Errorf("fetch: status %d", res.StatusCode)
	}
	b, err := readLimited(res.Body)
	return b, fileStamp{}, err
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxJWKSBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxJWKSBytes)
	}
	return b, nil
}

// keyring is every trusted issuer's keys.
type keyring struct {
	issuers map[string]*issuerKeys
	order   []string // issuers as configured
	refresh time.Duration
	onLoad  func(KeyChange) // logs and counts a load
}

// newKeyring builds the issuers' keys, loading every source once: a source that does not load is a
// configuration error.
func newKeyring(ctx context.Context, cfg Config) (*keyring, error) {
	trusted := slices.Clone(cfg.TrustedIssuers)
	if len(cfg.JWKS) > 0 {
		switch len(cfg.Issuers) {
		case 0:
			return nil, errors.New("server: a JWKS needs Issuers (the EHR whose tokens are accepted)")
		case 1:
			trusted = append(trusted, TrustedIssuer{Issuer: cfg.Issuers[0], JWKS: cfg.JWKS})
		default:
			return nil, errors.New("server: one JWKS for several Issuers would let each issuer act as another: give each issuer its own keys (TrustedIssuers)")
		}
	} else if len(cfg.Issuers) > 0 {
		return nil, errors.New("server: Issuers without a JWKS: give each issuer its keys (TrustedIssuers)")
	}
	client := cfg.JWKSClient
	if client == nil {
		client = &http.Client{Timeout: cfg.JWKSFetchTimeout, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Scheme != "https" {
				return errors.New("redirect away from https")
			}
			return nil
		}}
	}
	kr := &keyring{issuers: map[string]*issuerKeys{}, refresh: cfg.JWKSRefresh}
	now := cfg.now()
	for i, ti := range trusted {
		switch {
		case strings.TrimSpace(ti.Issuer) == "":
			return nil, fmt.Errorf("server: trusted issuer %d has an empty issuer: a token with no iss must never be accepted", i+1)
		case kr.issuers[ti.Issuer] != nil:
			return nil, fmt.Errorf("server: issuer %q is configured twice", ti.Issuer)
		case (len(ti.JWKS) > 0) == (ti.Source != ""):
			return nil, fmt.Errorf("server: issuer %q: give either its JWKS or its Source", ti.Issuer)
		case strings.HasPrefix(ti.Source, "http:"):
			return nil, fmt.Errorf("server: issuer %q: its JWKS URL must be https (keys fetched in clear text could be swapped)", ti.Issuer)
		}
		ik := &issuerKeys{issuer: ti.Issuer, source: ti.Source, client: client, limit: cfg.JWKSFetchTimeout}
		if len(ti.JWKS) > 0 {
			keys, err := checkedKeys(ti.JWKS)
			if err != nil {
				return nil, fmt.Errorf("server: the JWKS of issuer %q %w", ti.Issuer, err)
			}
			ik.keys, ik.loaded = keys, now
		} else if ch := ik.reload(ctx, now); ch.Err != nil {
			return nil, fmt.Errorf("server: %w", ch.Err)
		}
		kr.issuers[ti.Issuer] = ik
		kr.order = append(kr.order, ti.Issuer)
	}
	return kr, nil
}

// reloadAll reloads every issuer's keys from its source.
func (kr *keyring) reloadAll(ctx context.Context, now time.Time) []KeyChange {
	var out []KeyChange
	for _, iss := range kr.order {
		ik := kr.issuers[iss]
		if ik.source == "" {
			continue
		}
		ch := ik.reload(ctx, now)
		kr.report(ch)
		out = append(out, ch)
	}
	return out
}

func (kr *keyring) report(ch KeyChange) {
	if kr.onLoad != nil {
		kr.onLoad(ch)
	}
}

// lookup returns the key kid names among iss's keys. When the kid is unknown it reloads the issuer's
// keys first (at most once per minUnknownKidRefresh; a call finding a load under way waits for it, so
// that the burst of calls following an EHR's switch to a new key all find it); when the keys are older
// than the refresh interval (fileCheckInterval for a file) it reloads them in the background.
func (kr *keyring) lookup(ctx context.Context, iss, kid string, now time.Time) (jose.JSONWebKey, bool) {
	ik := kr.issuers[iss]
	if ik == nil {
		return jose.JSONWebKey{}, false
	}
	interval := kr.refresh
	if !strings.HasPrefix(ik.source, "https://") {
		interval = min(interval, fileCheckInterval)
	}
	if ik.source != "" && ik.age(now) > interval && ik.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer ik.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ik.limit+time.Second)
			defer cancel()
			kr.report(ik.reload(ctx, now))
		}()
	}
	if k, ok := ik.key(kid); ok || ik.source == "" {
		return k, ok
	}
	ik.mu.Lock()
	due := now.Sub(ik.lastForced) >= minUnknownKidRefresh
	if due {
		ik.lastForced = now
	}
	ik.mu.Unlock()
	if !due {
		waitLoad(ik)
		return ik.key(kid)
	}
	kr.report(ik.reload(ctx, now))
	return ik.key(kid)
}

// kids lists the kids of every issuer, for tests.
func (kr *keyring) kids(iss string) []string {
	ik := kr.issuers[iss]
	if ik == nil {
		return nil
	}
	ik.mu.RLock()
	defer ik.mu.RUnlock()
	var out []string
	for kid := range ik.keys {
		out = append(out, kid)
	}
	slices.Sort(out)
	return out
}

// waitLoad returns once no load of ik's keys is under way.
func waitLoad(ik *issuerKeys) {
	ik.load.Lock()
	defer ik.load.Unlock()
}
