package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/painscreen/painscreen/internal/item9oracle"
	"github.com/painscreen/painscreen/screen/respfile"
)

// FuzzCDSCall sends arbitrary CDS request bodies (seeded with valid calls and their prefetch) through
// the handler: never a panic, never a 5xx, an answer that is JSON, and when the call is answered (200), a
// PHQ-9 item 9 endorsement its prefetch plainly holds (item9oracle) within the item 9 window, undated or
// future-dated, gives a critical card, whatever else the prefetch holds.
func FuzzCDSCall(f *testing.F) {
	for _, s := range cdsSeeds(f) {
		f.Add(s)
	}
	check := cdsChecker(f)
	f.Fuzz(check)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cdsClaims counts the checked calls whose prefetch the oracle says endorses item 9.
var cdsClaims atomic.Int64

// cdsSeeds are the seeds of FuzzCDSCall and TestCDSMutations.
func cdsSeeds(f testing.TB) [][]byte {
	var out [][]byte
	add := func(b []byte) { out = append(out, b) }

	add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(f, "urgent.yaml", "123", "2026-11-30")...)}))
	add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(
		qrJSON("a", "123", "2026-11-30", "phq9", map[string]int{"q1": 1, "q9": 3}),
		qrJSON("b", "123", "2026-10-01", "gcps_r", map[string]int{"pain_frequency": 9}))}))
	add(cdsBody(f, "patient-view", "123", nil))
	add([]byte(`{"hook":"patient-view","hookInstance":"x","context":{"patientId":"1"},"prefetch":{"questionnaireResponses":{"resourceType":"QuestionnaireResponse","item":[{"linkId":"q1","answer":[{"valueInteger":1}]}]}}}`))
	add([]byte(`{"hook":"patient-view","hookInstance":"x","context":{"patientId":"1"},"prefetch":{"questionnaireResponses":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"QuestionnaireResponse","authored":"2026-02-30","item":[{"linkId":"q1","answer":[{"valueCoding":{"code":"LA6570-1"}}]}]}}]}}}`))
	add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(
		qrAt("p1", "2026-11-30T15:00:00Z", "phq9", phq9With(0)), qrAt("p2", "2026-11-30T09:00:00Z", "phq9", phq9With(2)),
		qrAt("g", "2062-01-01", "gcps_r", gcpsMild), qrAt("u", "", "phq9", pick(phq9With(3), "q9")))}))
	add([]byte(`{"hook":"patient-view","hookInstance":"x","context":{"patientId":"123"},"prefetch":{"questionnaireResponses":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"QuestionnaireResponse","questionnaire":"http://loinc.org/q/69737-5","status":"in-progress","authored":"2026-11","item":[{"linkId":"57541","answer":[{"valueInteger":1}]},{"linkId":"44260-8","answer":[{"valueCoding":{"system":"http://loinc.org","code":"LA6570-1"}}]}]}}]}}}`))
	add([]byte(`{"hook":"patient-view","hookInstance":"x","fhirServer":"https://ehr.example.org/fhir","fhirAuthorization":{"access_token":"t","token_type":"Bearer","expires_in":300,"scope":"s","subject":"c"},"context":{"patientId":"123"},"prefetch":{"questionnaireResponses":{"resourceType":"OperationOutcome"},"patient":{"resourceType":"Patient","id":"123","birthDate":"2010-06"}}}`))
	add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(f, "urgent.yaml", "123", "2026-11-30")...),
		patientPrefetchKey: json.RawMessage(ehrPatient), medicationsPrefetchKey: bundleOf(oxyQID, alprazolam, suboxone, naloxoneSpray),
		conditionsPrefetchKey: bundleOf(`{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"T40.1X1A"}]}}}`)})) // treatment record (ehrcontext.go)
	return out
}

// cdsChecker returns FuzzCDSCall's check of one request body.
func cdsChecker(f testing.TB) func(t *testing.T, body []byte) {
	// A fhirServer in a fuzzed body is never called: every fetch fails at once (as an unreachable server).
	noNetwork := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("no network while fuzzing")
	})}
	h, err := New(engine(f), Config{InsecureNoAuth: true, Logger: discardLogger(), newUUID: seqUUID(), now: newClock(callNow).now,
		fetchClient: noNetwork})
	if err != nil {
		f.Fatal(err)
	}
	windowStart := callNow.Add(-DefaultItemNineWindow).Format(time.DateOnly)
	maxString := respfile.DefaultMaxStringBytes // the handler's (Config.Limits is zero)
	path := "/cds-services/" + DefaultServiceID
	return func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body.Bytes())
		}
		if !bytes.HasPrefix(w.Body.Bytes(), []byte("{")) {
			t.Fatalf("not JSON: %q", w.Body.Bytes())
		}
		if w.Code != http.StatusOK {
			return
		}
		var env struct {
			Prefetch map[string]json.RawMessage `json:"prefetch"`
		}
		if json.Unmarshal(body, &env) != nil {
			return
		}
		claimed := false
		for _, e := range item9oracle.Endorsements(env.Prefetch[prefetchKey], maxString) {
			date, _ := authoredDate(e.Authored)
			claimed = claimed || date == "" || date >= windowStart
		}
		if claimed {
			cdsClaims.Add(1)
		}
		if claimed && !strings.Contains(w.Body.String(), `"indicator":"critical"`) {
			t.Fatalf("the prefetch endorses PHQ-9 item 9 and no card is critical: %q\n%s", body, w.Body.Bytes())
		}
	}
}

// TestCDSMutations applies FuzzCDSCall's checks to mutations of its seeds for as long as PAINSCREEN_MUTATE
// says (skipped when it is unset): PAINSCREEN_MUTATE=5m go test -run TestCDSMutations ./server/
func TestCDSMutations(t *testing.T) {
	budget := item9oracle.MutationBudget()
	if budget == 0 {
		t.Skip("set PAINSCREEN_MUTATE (for example 5m) to run")
	}
	seeds, check := cdsSeeds(t), cdsChecker(t)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	n := 0
	before := cdsClaims.Load()
	for end := time.Now().Add(budget); time.Now().Before(end); n++ {
		in := item9oracle.Mutate(r, seeds)
		if !t.Run("", func(t *testing.T) { check(t, in) }) {
			t.Fatalf("input %q", in)
		}
	}
	t.Logf("%d mutated requests, %d answered with an item 9 endorsement the oracle claims", n, cdsClaims.Load()-before)
}

// FuzzScore does the same for POST /score (native and FHIR bodies).
func FuzzScore(f *testing.F) {
	f.Add(readFile(f, "../examples/responses/urgent.json"))
	f.Add(readFile(f, usCorePHQ9))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[` + qrJSON("a", "1", "2026-11-30", "phq9", map[string]int{"q1": 1}) + `]}`))
	h, err := New(engine(f), Config{InsecureNoAuth: true, Logger: discardLogger()})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/score", "/score?format=fhir"} {
			req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code >= 500 {
				t.Fatalf("%s: status %d for %q: %s", path, w.Code, body, w.Body.Bytes())
			}
		}
	})
}
