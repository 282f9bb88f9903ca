package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzCDSCall sends arbitrary CDS request bodies (seeded with valid calls and their prefetch) through
// the handler: never a panic, never a 5xx, and an answer that is JSON.
func FuzzCDSCall(f *testing.F) {
	f.Add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(f, "urgent.yaml", "123", "2026-11-30")...)}))
	f.Add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(
		qrJSON("a", "123", "2026-11-30", "phq9", map[string]int{"q1": 1, "q9": 3}),
		qrJSON("b", "123", "2026-10-01", "gcps_r", map[string]int{"pain_frequency": 9}))}))
	f.Add(cdsBody(f, "patient-view", "123", nil))
	f.Add(cdsBody(f, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(f, "urgent.yaml", "123", "2026-11-30")...),
		patientPrefetchKey: json.RawMessage(ehrPatient), medicationsPrefetchKey: bundleOf(oxyQID, alprazolam, suboxone, naloxoneSpray),
		conditionsPrefetchKey: bundleOf(`{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"T40.1X1A"}]}}}`)})) // treatment record (ehrcontext.go)
	f.Add([]byte(`{"hook":"patient-view","hookInstance":"x","context":{"patientId":"1"},"prefetch":{"questionnaireResponses":{"resourceType":"QuestionnaireResponse","item":[{"linkId":"q1","answer":[{"valueInteger":1}]}]}}}`))
	f.Add([]byte(`{"hook":"patient-view","hookInstance":"x","context":{"patientId":"1"},"prefetch":{"questionnaireResponses":{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"QuestionnaireResponse","authored":"2026-02-30","item":[{"linkId":"q1","answer":[{"valueCoding":{"code":"LA6570-1"}}]}]}}]}}}`))
	h, err := New(engine(f), Config{InsecureNoAuth: true, Logger: discardLogger(), newUUID: seqUUID()})
	if err != nil {
		f.Fatal(err)
	}
	path := "/cds-services/" + DefaultServiceID
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body.Bytes())
		}
		if !bytes.HasPrefix(w.Body.Bytes(), []byte("{")) {
			t.Fatalf("not JSON: %q", w.Body.Bytes())
		}
	})
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
