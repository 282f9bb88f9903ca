package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/server"
)

// Mount the service under a prefix of an application's own server, and score a response set.
func Example() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	ps, err := server.New(eng, server.Config{
		InsecureNoAuth: true, // local development; in production: PublicURL and TrustedIssuers
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/painscreen/", http.StripPrefix("/painscreen", ps))
	srv := httptest.NewServer(mux) // in production: server.Serve(ctx, server.NewHTTPServer(mux), ln, grace, ps.Drain)
	defer srv.Close()

	res, err := http.Post(srv.URL+"/painscreen/score", "application/json",
		strings.NewReader(`{"answers":{"phq9":{"q1":0,"q2":0,"q3":0,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":1}}}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, strings.Contains(string(body), `"id":"suicidal_ideation","level":"urgent"`))
	// Output: 200 true
}

// Trust two EHRs, each with its own keys: a token claiming one is never verified with the other's keys.
// Keys from a file or an https URL are reloaded (every JWKSRefresh, for a token naming an unknown kid, and
// by Handler.Reload); a key set holding a private key is refused.
func ExampleTrustedIssuer() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	jwks := `{"keys":[{"use":"sig","kty":"EC","kid":"ehr-1","crv":"P-384","alg":"ES384",` +
		`"x":"AkA4vU51l1K4k1mhV5_YPiYPzdIpzZ0iafXoHou_hfN2FBjdkW14fgFJvtXW9tCo",` +
		`"y":"DGNipNJoc_lOJQSsoc6rIy_JcbTh_11TtnleMniwEimFnZwz75V1vAjohdFl4HeT"}]}`
	cfg := server.Config{
		PublicURL: "https://cds.example.org/painscreen",
		TrustedIssuers: []server.TrustedIssuer{
			{Issuer: "https://ehr.example.org", JWKS: []byte(jwks)},
			// In production the other EHR's keys would come from its https URL or a file:
			{Issuer: "https://other-ehr.example.net", Source: "testdata/other-ehr.jwks.json"},
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	_, err = server.New(eng, cfg)
	fmt.Println(err) // the file is not there: the service does not start
	cfg.TrustedIssuers = cfg.TrustedIssuers[:1]
	ps, err := server.New(eng, cfg)
	fmt.Println(err, ps.Reload(context.Background())) // inline keys: nothing to reload
	// Output:
	// server: the keys of issuer "https://other-ehr.example.net" (testdata/other-ehr.jwks.json): open testdata/other-ehr.jwks.json: no such file or directory
	// <nil> []
}
