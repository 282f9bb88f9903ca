package server_test

import (
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
		InsecureNoAuth: true, // local development; in production: PublicURL, JWKS and Issuers
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
