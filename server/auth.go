package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Token verification, as CDS Hooks 2.0 asks of a service: the EHR signs a JWT with a private key whose
// public half the service knows (from the EHR's JWKS: a file or an https URL), and sends it as
// "Authorization: Bearer <jwt>". Each trusted issuer has its own key set: the token's iss picks the set,
// so no trusted EHR can act as another. The token must carry a kid naming a key of that set, an
// asymmetric signature algorithm (never none or a shared-secret HMAC) equal to the key's declared alg
// (or fitting its type when it declares none), the service's URL as audience (aud), an expiry (exp) at
// most MaxTokenAge after it was issued (iat) and after now, and a unique id (jti) that has not been seen
// before: a replayed token is refused.

// signatureAlgs are the accepted signature algorithms: CDS Hooks requires ES384 and RS384; the other
// asymmetric ones cost nothing to allow. HS* (a shared secret) and none are never accepted.
var signatureAlgs = []jose.SignatureAlgorithm{
	jose.ES384, jose.RS384, jose.ES256, jose.ES512, jose.RS256, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA,
}

// maxTokenBytes bounds the Authorization header's token before it is parsed.
const maxTokenBytes = 16 << 10

type verifier struct {
	keys     *keyring
	audience string // PublicURL
	skew     time.Duration
	maxAge   time.Duration
	now      func() time.Time
	replay   *replayCache
}

func newVerifier(ctx context.Context, cfg Config) (*verifier, error) {
	kr, err := newKeyring(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if len(kr.order) == 0 {
		return nil, nil
	}
	if cfg.PublicURL == "" {
		return nil, errors.New("server: trusted issuers need PublicURL (the audience tokens must name)")
	}
	return &verifier{keys: kr, audience: cfg.PublicURL, skew: cfg.ClockSkew,
		maxAge: cfg.MaxTokenAge, now: cfg.now, replay: newReplayCache(cfg.ReplayCacheSize)}, nil
}

func unauthorized(code, msg string) *httpError {
	return &httpError{http.StatusUnauthorized, apiError{Code: code, Message: msg}}
}

// verify checks the request's bearer token. Messages say what is wrong with the token, never its content.
func (v *verifier) verify(r *http.Request) *httpError {
	authz := r.Header.Get("Authorization")
	scheme, raw, ok := strings.Cut(authz, " ")
	if authz == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		return unauthorized("missing_token", "an Authorization: Bearer token is required")
	}
	raw = strings.TrimSpace(raw)
	if len(raw) > maxTokenBytes {
		return unauthorized("invalid_token", "the token is too long")
	}
	tok, err := jwt.ParseSigned(raw, signatureAlgs)
	if err != nil {
		return unauthorized("invalid_token", "the token is not a JWT signed with an accepted algorithm (ES384, RS384, …)")
	}
	hdr := tok.Headers[0]
	if hdr.KeyID == "" {
		return unauthorized("invalid_token", "the token's header has no kid")
	}
	// The issuer picks the keys: a token is verified only with the keys of the issuer it claims, so
	// that no trusted EHR can act as another.
	var claimed jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&claimed); err != nil {
		return unauthorized("invalid_token", "the token's claims do not parse")
	}
	if claimed.Issuer == "" {
		return unauthorized("invalid_token", "the token has no iss")
	}
	now := v.now()
	key, ok := v.keys.lookup(r.Context(), claimed.Issuer, hdr.KeyID, now)
	switch {
	case v.keys.issuers[claimed.Issuer] == nil:
		return unauthorized("wrong_issuer", "the token's issuer is not accepted")
	case !ok:
		return unauthorized("unknown_key", "the token's kid names no key of its issuer")
	case key.Algorithm != "" && key.Algorithm != hdr.Algorithm, !algFits(hdr.Algorithm, key.Key):
		return unauthorized("wrong_algorithm", "the token's alg is not the algorithm of the key its kid names")
	}
	var claims jwt.Claims
	if err := tok.Claims(key.Key, &claims); err != nil {
		return unauthorized("bad_signature", "the token's signature does not verify with the key its kid names")
	}
	switch {
	case claims.Expiry == nil:
		return unauthorized("invalid_token", "the token has no exp")
	case claims.IssuedAt == nil:
		return unauthorized("invalid_token", "the token has no iat")
	case claims.ID == "":
		return unauthorized("invalid_token", "the token has no jti")
	case claims.Issuer != claimed.Issuer: // cannot differ: the same payload
		return unauthorized("wrong_issuer", "the token's issuer is not accepted")
	}
	aud := jwt.Audience{v.audience, v.audience + r.URL.Path}
	if err := claims.ValidateWithLeeway(jwt.Expected{AnyAudience: aud, Time: now}, v.skew); err != nil {
		switch {
		case errors.Is(err, jwt.ErrInvalidAudience):
			return unauthorized("wrong_audience", "the token's audience is not this service's URL")
		case errors.Is(err, jwt.ErrExpired):
			return unauthorized("expired", "the token has expired")
		case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
			return unauthorized("not_yet_valid", "the token is not valid yet (check the EHR's clock)")
		}
		return unauthorized("invalid_token", "the token's claims are not valid")
	}
	exp := claims.Expiry.Time()
	if exp.Sub(claims.IssuedAt.Time()) > v.maxAge || exp.Sub(now) > v.maxAge+v.skew {
		return unauthorized("invalid_token", fmt.Sprintf("the token lives longer than %s", v.maxAge))
	}
	switch v.replay.add(claims.Issuer+"\x00"+claims.ID, exp.Add(v.skew), now) {
	case replaySeen:
		return unauthorized("replayed", "the token (its jti) was used before")
	case replayFull:
		return &httpError{http.StatusServiceUnavailable, apiError{Code: "busy", Message: "too many recent tokens to remember; retry"}}
	}
	return nil
}

// replayCache remembers token ids until their token expires, in bounded memory: at most max entries of
// a fixed size (a 128-bit hash of issuer and jti, never the caller's string, which may be long), about
// 100 bytes each with the map's overhead.
type replayCache struct {
	mu    sync.Mutex
	max   int
	seen  map[replayKey]int64 // → unix nanoseconds when it may be forgotten
	queue []replayEntry       // insertion order, for pruning
	head  int
}

type replayKey [16]byte

type replayEntry struct {
	key replayKey
	exp int64
}

type replayResult int

const (
	replayNew replayResult = iota
	replaySeen
	replayFull
)

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, seen: make(map[replayKey]int64)}
}

// add records id until exp; it reports whether the id was already there, or that there is no room.
func (c *replayCache) add(id string, exp, now time.Time) replayResult {
	sum := sha256.Sum256([]byte(id))
	key := replayKey(sum[:16])
	t, e := now.UnixNano(), exp.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, ok := c.seen[key]; ok && t < until {
		return replaySeen
	}
	c.prune(t)
	if len(c.seen) >= c.max {
		return replayFull
	}
	c.seen[key] = e
	c.queue = append(c.queue, replayEntry{key, e})
	return replayNew
}

// prune forgets the expired ids at the front of the queue (tokens live at most a few minutes, so the
// queue is close to expiry order), and the expired ones anywhere when the cache is full.
func (c *replayCache) prune(now int64) {
	forget := func(e replayEntry) {
		if until, ok := c.seen[e.key]; ok && now >= until {
			delete(c.seen, e.key)
		}
	}
	for c.head < len(c.queue) && now >= c.queue[c.head].exp {
		forget(c.queue[c.head])
		c.head++
	}
	if len(c.seen) >= c.max {
		live := c.queue[:0]
		for _, e := range c.queue[c.head:] {
			if now < e.exp {
				live = append(live, e)
			} else {
				forget(e)
			}
		}
		c.queue, c.head = live, 0
	}
	if c.head > 1024 && c.head > len(c.queue)/2 {
		c.queue = append(c.queue[:0], c.queue[c.head:]...)
		c.head = 0
	}
}
