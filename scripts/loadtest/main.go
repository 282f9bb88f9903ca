// Command loadtest sends concurrent requests to a running painscreen service and reports latency
// percentiles, throughput and errors. scripts/loadtest.sh starts the real binary and runs it; run it by
// hand as
//
//	go run ./scripts/loadtest -url http://127.0.0.1:8080/score -body examples/responses/high.json
//
// With -key (a PKCS#8 PEM private key, written with its JWKS by -keygen DIR: key-ES256.pem,
// key-RS256.pem, key-ES384.pem and one jwks.json holding their public halves), every request carries its
// own token signed with -alg (a fresh jti, issued just before use and valid 5 minutes), signed ahead of
// the request by a goroutine per client, so signing is not in the measured latency (it does share the
// CPU with the server when both run on one machine).
//
// Every response must be 200 (and, with -expect, contain that text); anything else is an error, and
// the command exits 1 when there was any.
package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// algs are the algorithms -keygen writes a key for; a key's kid is "loadtest-" + its algorithm.
var algs = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.ES384}

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/score", "endpoint to POST to")
	bodyFile := flag.String("body", "examples/responses/high.json", "request body file")
	contentType := flag.String("content-type", "application/json", "request Content-Type")
	clients := flag.Int("clients", 20, "concurrent clients")
	requests := flag.Int("requests", 2000, "requests per client")
	expect := flag.String("expect", "", "text every response body must contain")
	keyFile := flag.String("key", "", "sign a token per request with this private key (PEM)")
	issuer := flag.String("issuer", "https://ehr.loadtest.invalid", "token issuer")
	audience := flag.String("audience", "", "token audience (default: -url)")
	keygen := flag.String("keygen", "", "write key-ALG.pem for each algorithm and jwks.json into `DIR` and exit")
	alg := flag.String("alg", "ES384", "sign tokens with `ALG` (ES256, RS256 or ES384; the -key must fit)")
	drop := flag.String("drop", "", "remove these comma-separated top-level `MEMBERS` from a JSON body before sending it (a CDS call's fhirServer,fhirAuthorization: so that the service does not try to read an EHR that is not there)")
	flag.Parse()
	if *keygen != "" {
		if err := writeKeys(*keygen); err != nil {
			fail(err)
		}
		return
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		fail(err)
	}
	if *drop != "" {
		if body, err = dropMembers(body, strings.Split(*drop, ",")); err != nil {
			fail(fmt.Errorf("-drop: %s: %w", *bodyFile, err))
		}
	}
	var tokens []chan string
	if *keyFile != "" {
		aud := *audience
		if aud == "" {
			aud = *url
		}
		signer, err := newSigner(*keyFile, jose.SignatureAlgorithm(*alg))
		if err != nil {
			fail(err)
		}
		tokens = make([]chan string, *clients)
		for c := range *clients {
			tokens[c] = make(chan string, 32)
			go signTokens(signer, *issuer, aud, c, *requests, tokens[c])
		}
	}

	tr := &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([][]time.Duration, *clients)
	errs := make([]int, *clients)
	var firstErr sync.Once
	var errText string
	var wg sync.WaitGroup
	start := time.Now()
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[c] = make([]time.Duration, 0, *requests)
			for range *requests {
				req, _ := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
				req.Header.Set("Content-Type", *contentType)
				if tokens != nil {
					tok, ok := <-tokens[c]
					if !ok {
						fail(errors.New("signing a token failed"))
					}
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				var b []byte
				if err == nil {
					b, err = io.ReadAll(res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d: %.200s", res.StatusCode, b)
					}
					if err == nil && *expect != "" && !bytes.Contains(b, []byte(*expect)) {
						err = fmt.Errorf("response without %q", *expect)
					}
				}
				lat[c] = append(lat[c], time.Since(t0))
				if err != nil {
					errs[c]++
					firstErr.Do(func() { errText = err.Error() })
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	nerr := 0
	for c := range *clients {
		all = append(all, lat[c]...)
		nerr += errs[c]
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	fmt.Printf("requests %d (%d clients × %d), errors %d\n", len(all), *clients, *requests, nerr)
	fmt.Printf("elapsed %.2fs, throughput %.0f req/s\n", elapsed.Seconds(), float64(len(all))/elapsed.Seconds())
	fmt.Printf("latency p50 %s, p90 %s, p99 %s, max %s\n", round(pct(0.50)), round(pct(0.90)), round(pct(0.99)), round(all[len(all)-1]))
	if nerr > 0 {
		fmt.Printf("first error: %s\n", errText)
		os.Exit(1)
	}
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadtest:", err)
	os.Exit(2)
}

func writeKeys(dir string) error {
	var set jose.JSONWebKeySet
	for _, alg := range algs {
		var priv crypto.Signer
		var err error
		switch alg {
		case jose.ES256:
			priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		case jose.ES384:
			priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		default:
			priv, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "key-"+string(alg)+".pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return err
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: priv.Public(), KeyID: "loadtest-" + string(alg), Algorithm: string(alg), Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "jwks.json"), b, 0o644)
}

// newSigner reads a private key (PKCS#8 PEM) and returns a JWT signer for it with alg.
func newSigner(keyFile string, alg jose.SignatureAlgorithm) (jose.Signer, error) {
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("-key: not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "loadtest-"+string(alg)))
}

// signTokens signs client c's tokens, each issued when it is signed, into out (buffered: a few ahead).
func signTokens(signer jose.Signer, issuer, audience string, c, n int, out chan<- string) {
	defer close(out)
	run := time.Now().UnixNano()
	for i := range n {
		now := time.Now()
		s, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: issuer, Subject: "loadtest", Audience: jwt.Audience{audience},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)),
			ID: fmt.Sprintf("lt-%d-%d-%d", run, c, i)}).Serialize()
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest: signing:", err)
			return
		}
		out <- s
	}
}

// dropMembers returns the JSON object body without the given top-level members.
func dropMembers(body []byte, names []string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	for _, n := range names {
		delete(m, strings.TrimSpace(n))
	}
	return json.Marshal(m)
}
