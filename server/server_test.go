package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
)

func TestHealthReadyVersion(t *testing.T) {
	srv, h := newServer(t, Config{})
	r := call(t, srv, "GET", "/healthz", "", nil)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "ok", r.json(t)["status"])
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))

	r = call(t, srv, "GET", "/readyz", "", nil)
	assert.Equal(t, 200, r.status)
	h.Drain()
	r = call(t, srv, "GET", "/readyz", "", nil)
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "draining", r.json(t)["status"])
	assert.Equal(t, 200, call(t, srv, "GET", "/healthz", "", nil).status, "healthz stays up while draining")

	r = call(t, srv, "GET", "/version", "", nil)
	require.Equal(t, 200, r.status)
	var v versionBody
	require.NoError(t, json.Unmarshal(r.body, &v))
	assert.Equal(t, screen.Version, v.Engine.Version)
	require.NotNil(t, v.RuleSet)
	rs, _ := engine(t).RuleSet()
	assert.Equal(t, rs.Digest, v.RuleSet.Digest)
	assert.Len(t, v.Instruments, len(engine(t).Instruments()))
	for _, in := range v.Instruments {
		assert.True(t, strings.HasPrefix(in.Digest, "sha256:"), in.ID)
	}
	assert.Equal(t, "unconfigured (scoring refused)", v.Auth)
	assert.Equal(t, ehr.TableDigest(), v.MMETable.Digest)
	assert.Equal(t, ehr.TableVersion(), v.MMETable.Version)
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/nope", 404},
		{"GET", "/score", 405},
		{"PUT", "/score", 405},
		{"DELETE", "/cds-services", 405},
		{"GET", "/cds-services/" + DefaultServiceID, 405},
		{"POST", "/healthz", 405},
		{"OPTIONS", "/score", 204},
	}
	for _, tt := range tests {
		r := call(t, srv, tt.method, tt.path, "", nil)
		assert.Equal(t, tt.status, r.status, "%s %s: %s", tt.method, tt.path, r.body)
	}
}

func TestScoreNative(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	body := readFile(t, "../examples/responses/high.json")
	r := call(t, srv, "POST", "/score", "", body)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	rep := r.json(t)
	comp := rep["composite"].(map[string]any)
	assert.Equal(t, "high", comp["tier"])

	// The service's report is the engine's JSON, byte for byte.
	var resp screen.Response
	require.NoError(t, json.Unmarshal(body, &resp))
	want, err := engine(t).Score(t.Context(), &resp)
	require.NoError(t, err)
	assert.Equal(t, string(want.AppendJSON(nil))+"\n", string(r.body))
}

func TestScoreErrors(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, MaxBodyBytes: 4096})
	big := `{"answers":{"phq9":{"q1":1}},"subject":"` + strings.Repeat("x", 5000) + `"}`
	tests := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"bad JSON", "/score", `{"answers":`, 400, "syntax"},
		{"not an object", "/score", `[1]`, 400, ""},
		{"empty body", "/score", ``, 400, "empty"},
		{"blank body", "/score", "  \n", 400, "empty"},
		{"no answers", "/score", `{"answers":{}}`, 400, "empty"},
		{"bad subject type", "/score", `{"subject":12,"answers":{"phq9":{"q1":1}}}`, 400, "wrong_type"},
		{"two records", "/score", `[{"answers":{"phq9":{"q1":1}}},{"answers":{"phq9":{"q1":1}}}]`, 400, "too_many_records"},
		{"oversized", "/score", big, 413, "too_large"},
		{"bad format", "/score?format=xml", `{"answers":{"phq9":{"q1":1}}}`, 400, "bad_format"},
		{"fhir without answers", "/score", `{"resourceType":"QuestionnaireResponse","status":"completed"}`, 400, "empty"},
		{"fhir other resource", "/score", `{"resourceType":"Observation"}`, 400, "fhir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "POST", tt.path, "", []byte(tt.body))
			require.Equal(t, tt.status, r.status, "%s", r.body)
			m := r.json(t)
			if tt.code != "" {
				assert.Equal(t, tt.code, m["code"])
			}
			assert.NotEmpty(t, m["message"])
			assert.NotContains(t, string(r.body), "xxxx", "error bodies never echo input")
		})
	}
}

func TestErrorBodiesHoldNoValues(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	// A record that cannot be read (a context field given twice); 1.5 or an item answered twice would be an
	// error of its item, in a 200 report.
	r := call(t, srv, "POST", "/score", "", []byte(`{"subject":"pt-SECRET","context":{"sex":"SECRET-1","sex":"SECRET-2"},"answers":{"phq9":{"q1":"LA-SECRET-CODE"}}}`))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "duplicate_key", r.code(t))
	assert.NotContains(t, string(r.body), "SECRET")
}

// An invalid answer spoils only itself: the report of the other answers is the answer (200), with the
// problem in its errors, so an urgent flag is never lost behind a 400.
func TestScoreWithInvalidAnswers(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	r := call(t, srv, "POST", "/score", "", []byte(`{"answers":{"phq9":{"q1":7,"q9":2},"nope":{"x":1}}}`))
	require.Equal(t, 200, r.status, "%s", r.body)
	m := r.json(t)
	errs := m["errors"].([]any)
	require.Len(t, errs, 2)
	assert.Equal(t, "invalid_value", errs[1].(map[string]any)["code"])
	phq9 := m["instruments"].(map[string]any)["phq9"].(map[string]any)
	assert.Equal(t, "suicidal_ideation", phq9["flags"].([]any)[0].(map[string]any)["id"])
}

func TestNoJWKSRefusesScoringButServesDiscovery(t *testing.T) {
	srv, _ := newServer(t, Config{})
	assert.Equal(t, 200, call(t, srv, "GET", "/cds-services", "", nil).status)
	r := call(t, srv, "POST", "/score", "", readFile(t, "../examples/responses/high.json"))
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "unauthorized", r.code(t))
	assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
	r = call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", []byte(`{}`))
	assert.Equal(t, 401, r.status)
}

func TestConfigErrors(t *testing.T) {
	jwks := ehrKeys(t).jwks
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"jwks without url", Config{JWKS: jwks, Issuers: []string{testIssuer}}, "PublicURL"},
		{"jwks without issuers", Config{JWKS: jwks, PublicURL: testURL}, "Issuers"},
		{"bad jwks", Config{JWKS: []byte(`{"keys":[{"kty":"nope"}]}`), PublicURL: testURL, Issuers: []string{testIssuer}}, "JWKS"},
		{"symmetric key", Config{JWKS: []byte(`{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}`), PublicURL: testURL, Issuers: []string{testIssuer}}, "symmetric"},
		{"relative url", Config{PublicURL: "/painscreen"}, "PublicURL"},
		{"bad service id", Config{ServiceID: "a b"}, "ServiceID"},
		{"jwks and insecure", Config{JWKS: jwks, PublicURL: testURL, Issuers: []string{testIssuer}, InsecureNoAuth: true}, "contradict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Logger = discardLogger()
			_, err := New(engine(t), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := New(nil, Config{})
	assert.Error(t, err)
}

func TestInsecureModeIsLoud(t *testing.T) {
	var log bytes.Buffer
	_, err := New(engine(t), Config{InsecureNoAuth: true, Logger: logTo(&log)})
	require.NoError(t, err)
	assert.Contains(t, log.String(), "INSECURE")
	assert.Contains(t, log.String(), `"level":"WARN"`)
}

func TestCORS(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	r := call(t, srv, "OPTIONS", "/cds-services/"+DefaultServiceID, "", nil,
		"Origin", "https://ehr-app.example.org", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
	assert.Equal(t, 204, r.status)
	assert.Equal(t, "https://ehr-app.example.org", r.header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "GET, POST, OPTIONS", r.header.Get("Access-Control-Allow-Methods"))
	assert.Equal(t, "Authorization, Content-Type", r.header.Get("Access-Control-Allow-Headers"))
	assert.Empty(t, r.header.Get("Access-Control-Allow-Credentials"), "not for any origin")

	r = call(t, srv, "GET", "/cds-services", "", nil, "Origin", "https://ehr-app.example.org")
	assert.Equal(t, "https://ehr-app.example.org", r.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, r.header.Get("Access-Control-Expose-Headers"), "Location")

	srv2, _ := newServer(t, Config{InsecureNoAuth: true, AllowedOrigins: []string{"https://ehr-app.example.org"}})
	r = call(t, srv2, "GET", "/cds-services", "", nil, "Origin", "https://evil.example.com")
	assert.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
	r = call(t, srv2, "GET", "/cds-services", "", nil, "Origin", "https://ehr-app.example.org")
	assert.Equal(t, "https://ehr-app.example.org", r.header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", r.header.Get("Access-Control-Allow-Credentials"))
}

// blockingBody is a request body that delivers its bytes only when released.
type blockingBody struct {
	data    []byte
	release chan struct{}
	started chan struct{}
	once    sync.Once
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func TestConcurrencyLimit(t *testing.T) {
	srv, h := newServer(t, Config{InsecureNoAuth: true, MaxInFlight: 1})
	h.sem <- struct{}{} // a call being served holds the only slot
	r := call(t, srv, "POST", "/score", "", readFile(t, "../examples/responses/low.json"))
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "busy", r.code(t))
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	assert.Equal(t, 200, call(t, srv, "GET", "/healthz", "", nil).status, "health is never limited")
	<-h.sem
	assert.Equal(t, 200, call(t, srv, "POST", "/score", "", readFile(t, "../examples/responses/low.json")).status)
}

// TestSlowBodiesHoldNoSlot: clients trickling their bodies do not take the in-flight slots (the body is
// read before a slot is taken), and one that never finishes is cut after BodyTimeout with 408.
//
// Deterministic (it used to race the clock): the real call is made only once the four slow requests have
// reached the handler (a wrapper counts them in), their bodies stay blocked until the real call has been
// answered, and no timing bound is asserted but that a body that never ends is cut at all.
func TestSlowBodiesHoldNoSlot(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger(), MaxInFlight: 2, BodyTimeout: time.Minute})
	require.NoError(t, err)
	arrived := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	low := readFile(t, "../examples/responses/low.json")
	var slow []*blockingBody
	done := make(chan int, 4)
	for range 4 {
		body := &blockingBody{data: low, release: make(chan struct{}), started: make(chan struct{})}
		slow = append(slow, body)
		go func() {
			req, _ := http.NewRequest("POST", srv.URL+"/score", body)
			req.ContentLength = -1
			res, err := srv.Client().Do(req)
			if err != nil {
				done <- -1
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			done <- res.StatusCode
		}()
	}
	for range 4 {
		<-arrived // each slow request is in the handler, its body blocked until released
	}
	assert.Equal(t, 200, call(t, srv, "POST", "/score", "", low).status, "a real call is served while 4 slow bodies trickle")
	assert.Empty(t, done, "the slow bodies are still being read")
	for _, b := range slow {
		close(b.release)
	}
	for range 4 {
		assert.Equal(t, 200, <-done, "a slow body that completes within BodyTimeout is served")
	}

	// A body that never ends is cut at BodyTimeout.
	h2, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger(), MaxInFlight: 2, BodyTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	srv2 := httptest.NewServer(h2)
	t.Cleanup(srv2.Close)
	never := &blockingBody{data: low, release: make(chan struct{}), started: make(chan struct{})}
	defer close(never.release)
	req, _ := http.NewRequest("POST", srv2.URL+"/score", never)
	req.ContentLength = int64(len(low))
	client := *srv2.Client()
	client.Timeout = time.Minute // a body the server did not cut would fail the test here, not hang it
	res, err := client.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 408, res.StatusCode, "%s", b)
	assert.Contains(t, string(b), "body_timeout")
}

func TestAccessLogHoldsNoPHI(t *testing.T) {
	var log syncBuffer
	srv, _ := newServer(t, Config{InsecureNoAuth: true, Logger: logTo(&log)})
	body := []byte(`{"subject":"pt-SECRET-42","context":{"age":47,"sex":"female"},"answers":{"phq9":{"q1":1,"q2":"LA6570-1","q9":0}}}`)
	assert.Equal(t, 200, call(t, srv, "POST", "/score?subject=pt-SECRET-42", "", body).status)
	assert.Equal(t, 404, call(t, srv, "GET", "/Patient/pt-SECRET-42", "", nil).status)
	assert.Equal(t, 400, call(t, srv, "POST", "/score", "", []byte(`{"subject":"pt-SECRET-42","subject":"pt-SECRET-42","answers":{"phq9":{"q1":1}}}`)).status)
	out := log.String()
	assert.NotContains(t, out, "SECRET")
	assert.NotContains(t, out, "LA6570")
	assert.NotContains(t, out, "female")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	require.Len(t, lines, 3)
	assert.Equal(t, "POST /score", lines[0]["route"])
	assert.EqualValues(t, 200, lines[0]["status"])
	assert.Equal(t, "other", lines[1]["route"])
	assert.Equal(t, "duplicate_key", lines[2]["error"])
	assert.Equal(t, true, lines[0]["insecure_no_auth"], "every record says the service runs without authentication")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Every error body is a failed record's "error" object as the CLI writes it (screen.RecordError):
// {"code","message","instrument","item","line"?,"col"?}, instrument and item always present.
func TestErrorBodiesAreTheFailedRecordShape(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	r := call(t, srv, "POST", "/score", "", []byte("{\"subject\":\"pt-1\",\n \"subject\":\"pt-2\",\"answers\":{\"phq9\":{\"q1\":1}}}"))
	require.Equal(t, 400, r.status)
	// (An item answered twice is not a record error: it is the item's conflicting_answers, and the record is scored.)
	re := screen.RecordError{Code: "duplicate_key", ErrLine: 2}
	var got map[string]any
	require.NoError(t, json.Unmarshal(r.body, &got))
	re.Message, _ = got["message"].(string)
	if col, ok := got["col"].(float64); ok {
		re.ErrCol = int(col)
	}
	assert.Equal(t, string(re.AppendErrorJSON(nil))+"\n", string(r.body))
	assert.NotContains(t, re.Message, "line", "the position is in line and col, not in the message")

	r = call(t, srv, "GET", "/nope", "", nil)
	assert.Equal(t, `{"code":"not_found","message":"no such endpoint","instrument":"","item":""}`+"\n", string(r.body))
}
