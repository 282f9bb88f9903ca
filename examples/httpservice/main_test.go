package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

var (
	engineOnce sync.Once
	engine     *screen.Engine
	engineErr  error
)

// newTestServer serves the handler around one engine shared by every test, as main shares it.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = screen.New(bundled.Definitions()) })
	if engineErr != nil {
		t.Fatalf("screen.New: %v", engineErr)
	}
	srv := httptest.NewServer(newHandler(engine))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../responses/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScoreHappyPath(t *testing.T) {
	srv := newTestServer(t)
	status, hdr, body := do(t, srv, http.MethodPost, "/score", readExample(t, "high.json"))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var rep struct {
		Subject   string `json:"subject"`
		Composite struct {
			Applied   bool   `json:"applied"`
			Tier      string `json:"tier"`
			Referrals []struct {
				ID      string   `json:"id"`
				Addenda []string `json:"addenda"`
			} `json:"referrals"`
		} `json:"composite"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	if rep.Subject != "pt-0003" || !rep.Composite.Applied || rep.Composite.Tier != "high" {
		t.Errorf("subject %q, applied %v, tier %q; want pt-0003, applied, high", rep.Subject, rep.Composite.Applied, rep.Composite.Tier)
	}
	if len(rep.Composite.Referrals) == 0 || rep.Composite.Referrals[0].ID != "moud" || len(rep.Composite.Referrals[0].Addenda) != 1 {
		t.Errorf("referrals %+v: want moud first, with its addendum", rep.Composite.Referrals)
	}

	// The body is the report's own JSON encoding.
	rec, err := respfile.NewDecoder(bytes.NewReader(readExample(t, "high.json")), respfile.FormatJSON, respfile.DefaultLimits()).Next()
	if err != nil || rec.Err != nil {
		t.Fatalf("decoding high.json: %v %v", err, rec.Err)
	}
	direct, err := engine.Score(context.Background(), rec.Response)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(direct.AppendJSON(nil), '\n'); !bytes.Equal(body, want) {
		t.Errorf("body differs from Report.AppendJSON:\n got %s\nwant %s", body, want)
	}
}

func TestScoreNotApplied(t *testing.T) {
	srv := newTestServer(t)
	status, _, body := do(t, srv, http.MethodPost, "/score", []byte(`{"answers": {"sisq_drug": {"times": 1}}}`))
	if status != http.StatusOK || !bytes.Contains(body, []byte(`"applied":false`)) {
		t.Errorf("status %d, body %s: want 200 with a composite that was not applied", status, body)
	}
}

// secret values appear in the requests below; no error body may echo them.
const secretSubject, secretCode = "pt-SECRET-7731", "LA-SECRET-999"

func TestScoreErrors(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		name           string
		body           string
		status         int
		code           string
		instrument     string
		item           string
		messageHasWord string
	}{
		{name: "bad JSON", body: `{"subject": "` + secretSubject + `", "answers": {"phq9": {"q1": 1,}}}`,
			status: 400, code: "syntax"},
		{name: "not JSON at all", body: `subject=` + secretSubject, status: 400, code: "syntax"},
		{name: "empty body", body: ``, status: 400, code: "empty"},
		{name: "no answers key", body: `{"subject": "` + secretSubject + `"}`, status: 400, code: "missing_field"},
		{name: "unknown item", body: `{"subject": "` + secretSubject + `", "answers": {"gcps_r": {"pain_frequency": 1}, "phq9": {"q10": "` + secretCode + `"}}}`,
			status: 400, code: "unknown_item", instrument: "phq9", item: "q10"},
		{name: "answer code not on the scale", body: `{"subject": "` + secretSubject + `", "answers": {"gcps_r": {"pain_frequency": 1}, "phq9": {"q1": "` + secretCode + `"}}}`,
			status: 400, code: "invalid_value", instrument: "phq9", item: "q1"},
		{name: "out of range", body: `{"answers": {"gcps_r": {"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 11, "enjoyment": 5, "activity": 5}, "sisq_drug": {"times": 0}}}`,
			status: 400, code: "invalid_value", instrument: "gcps_r", item: "pain_avg"},
		{name: "boolean answer", body: `{"answers": {"sisq_drug": {"times": true}}}`, status: 400, code: "wrong_type", instrument: "sisq_drug", item: "times"},
		{name: "unknown instrument", body: `{"answers": {"phq99": {"q1": 1}}}`, status: 400, code: "unknown_instrument", instrument: "phq99"},
		{name: "two response sets", body: `[{"answers": {"sisq_drug": {"times": 0}}}, {"answers": {"sisq_drug": {"times": 1}}}]`,
			status: 400, code: "too_many_records"},
		{name: "body over the limit", body: `{"subject": "` + strings.Repeat("x", maxBodyBytes+1) + `"}`, status: 413, code: "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := do(t, srv, http.MethodPost, "/score", []byte(tc.body))
			if status != tc.status {
				t.Errorf("status %d, want %d (%s)", status, tc.status, body)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var e apiError
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body is not JSON: %v\n%s", err, body)
			}
			if e.Code != tc.code || e.Instrument != tc.instrument || e.Item != tc.item {
				t.Errorf("error %+v, want code %s, instrument %q, item %q", e, tc.code, tc.instrument, tc.item)
			}
			if e.Message == "" {
				t.Error("empty message")
			}
			if bytes.Contains(body, []byte("SECRET")) {
				t.Errorf("error body echoes request content: %s", body)
			}
		})
	}
}

func TestMethods(t *testing.T) {
	srv := newTestServer(t)
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/score", 405, "POST"},
		{http.MethodPut, "/score", 405, "POST"},
		{http.MethodDelete, "/score", 405, "POST"},
		{http.MethodGet, "/healthz", 200, ""},
		{http.MethodHead, "/healthz", 200, ""},
		{http.MethodPost, "/healthz", 405, "GET, HEAD"},
		{http.MethodGet, "/nowhere", 404, ""},
	} {
		status, hdr, body := do(t, srv, tc.method, tc.path, nil)
		if status != tc.status {
			t.Errorf("%s %s: status %d, want %d (%s)", tc.method, tc.path, status, tc.status, body)
		}
		if tc.allow != "" && hdr.Get("Allow") != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, hdr.Get("Allow"), tc.allow)
		}
		if tc.method == http.MethodGet && tc.path == "/healthz" && strings.TrimSpace(string(body)) != `{"status":"ok"}` {
			t.Errorf("GET /healthz: body %s", body)
		}
	}
}

// TestConcurrent sends every example response set from many goroutines at once (run with -race): each
// answer must be byte-identical to the one the same request gets on its own.
func TestConcurrent(t *testing.T) {
	srv := newTestServer(t)
	names := []string{"low.json", "elevated.json", "high.json", "urgent.json"}
	requests, want := map[string][]byte{}, map[string][]byte{}
	for _, n := range names {
		requests[n] = readExample(t, n)
		status, _, body := do(t, srv, http.MethodPost, "/score", requests[n])
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", n, status)
		}
		want[n] = body
	}
	bad := []byte(`{"answers": {"phq9": {"q10": 1}}}`)
	const workers, perWorker = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				n := names[(w+i)%len(names)]
				body := requests[n]
				wantBody, wantStatus := want[n], http.StatusOK
				if i%5 == 4 {
					body, wantBody, wantStatus = bad, nil, http.StatusBadRequest
				}
				res, err := srv.Client().Post(srv.URL+"/score", "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					continue
				}
				got, _ := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case res.StatusCode != wantStatus:
					errs <- fmt.Errorf("%s: status %d, want %d", n, res.StatusCode, wantStatus)
				case wantBody != nil && !bytes.Equal(got, wantBody):
					errs <- fmt.Errorf("%s: body differs under concurrency", n)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestGracefulShutdown: when the context ends, run stops accepting requests and returns nil.
func TestGracefulShutdown(t *testing.T) {
	newTestServer(t) // builds the shared engine
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, newHandler(engine)) }()
	url := "http://" + ln.Addr().String() + "/healthz"
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: status %d", res.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the context was canceled")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("server still answers after shutdown")
	}
}
