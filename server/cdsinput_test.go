package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// callNow is the clock of these tests: the day of the CDS call.
var callNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// qrAt is a Bundle entry holding a QuestionnaireResponse of Patient/123 to painscreen's Questionnaire of
// inst, authored as given ("" for no authored), with integer answers.
func qrAt(id, authored, inst string, answers map[string]int) string {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	items := make([]string, len(keys))
	for i, k := range keys {
		items[i] = fmt.Sprintf(`{"linkId":%q,"answer":[{"valueInteger":%d}]}`, k, answers[k])
	}
	a := ""
	if authored != "" {
		a = fmt.Sprintf(`"authored":%q,`, authored)
	}
	return fmt.Sprintf(`{"fullUrl":"https://ehr.example.org/fhir/QuestionnaireResponse/%s","resource":{"resourceType":"QuestionnaireResponse","id":%q,`+
		`"questionnaire":"%s%s","status":"completed","subject":{"reference":"Patient/123"},%s"item":[%s]}}`,
		id, id, fhir.QuestionnaireBase, inst, a, strings.Join(items, ","))
}

func phq9With(q9 int) map[string]int {
	return map[string]int{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": q9}
}

func pick(m map[string]int, keys ...string) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

var gcpsMild = map[string]int{"pain_frequency": 1, "limit_frequency": 0, "pain_avg": 2, "enjoyment": 2, "activity": 2}

// cardsOf posts a patient-view call with the given prefetch (and other request members) and returns its
// cards.
func cardsOf(t *testing.T, srv *httptest.Server, req map[string]any) cdsResult {
	t.Helper()
	body := map[string]any{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
		"context": map[string]any{"userId": "Practitioner/1", "patientId": "123"}}
	for k, v := range req {
		body[k] = v
	}
	b, err := json.Marshal(body)
	require.NoError(t, err)
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", b)
	require.Equal(t, 200, r.status, "%s", r.body)
	var res cdsResult
	require.NoError(t, json.Unmarshal(r.body, &res))
	return res
}

func criticals(res cdsResult) []string {
	var out []string
	for _, c := range res.Cards {
		if c.Indicator == indicatorCritical {
			out = append(out, c.Summary+"\n"+c.Detail)
		}
	}
	return out
}

func hasSummary(res cdsResult, sub string) bool {
	for _, c := range res.Cards {
		if strings.Contains(c.Summary, sub) {
			return true
		}
	}
	return false
}

// TestCDSMergeWithoutLoss: the prefetch merge of issue 21. Every case has a PHQ-9 item 9 endorsement that
// must surface as a critical card (the flag of the scored PHQ-9, or the card naming an older, undated or
// future-dated one), whatever the order, dates and split of the responses.
func TestCDSMergeWithoutLoss(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now})
	p9 := phq9With(2)
	tests := []struct {
		name     string
		entries  []string
		critical bool
		mention  string // a critical card's summary names this (a date)
		note     string // a card's summary says this
	}{
		{"two PHQ-9s on one date, newer denies, listed first", []string{
			qrAt("b", "2026-11-30T15:00:00Z", "phq9", phq9With(0)), qrAt("a", "2026-11-30T09:00:00Z", "phq9", p9)}, true, "2026-11-30", ""},
		{"two PHQ-9s on one date, newer endorses, listed last", []string{
			qrAt("a", "2026-11-30T09:00:00Z", "phq9", phq9With(0)), qrAt("b", "2026-11-30T15:00:00Z", "phq9", p9)}, true, "", ""},
		{"two PHQ-9s on one date, time zones: 15:00+05:00 is before 12:00Z", []string{
			qrAt("a", "2026-11-30T15:00:00+05:00", "phq9", phq9With(0)), qrAt("b", "2026-11-30T12:00:00Z", "phq9", p9)}, true, "", ""},
		{"PHQ-9 split over two responses of one date", []string{
			qrAt("a", "2026-11-30T09:00:00Z", "phq9", pick(p9, "q1", "q2", "q3", "q4", "q5")),
			qrAt("b", "2026-11-30T09:05:00Z", "phq9", pick(p9, "q6", "q7", "q8", "q9"))}, true, "", ""},
		{"split responses that conflict on item 9", []string{
			qrAt("a", "2026-11-30T09:00:00Z", "phq9", pick(phq9With(0), "q1", "q2", "q9")),
			qrAt("b", "2026-11-30T09:05:00Z", "phq9", pick(p9, "q3", "q9"))}, true, "answered more than once", "note"},
		{"undated PHQ-9 beside dated responses", []string{
			qrAt("g", "2026-11-30T09:00:00Z", "gcps_r", gcpsMild), qrAt("p", "", "phq9", p9)}, true, "", "note"},
		{"partial date 2026-11", []string{
			qrAt("g", "2026-11-30T09:00:00Z", "gcps_r", gcpsMild), qrAt("p", "2026-11", "phq9", p9)}, true, "", "note"},
		{"a typo'd future date never pushes real responses out", []string{
			qrAt("g", "2062-11-30T09:00:00Z", "gcps_r", gcpsMild), qrAt("p", "2026-11-28T09:00:00Z", "phq9", p9)}, true, "", "note"},
		{"year 9999", []string{
			qrAt("g", "9999-01-01", "gcps_r", gcpsMild), qrAt("p", "2026-11-28", "phq9", p9)}, true, "", "note"},
		{"future-dated PHQ-9 endorsing item 9", []string{
			qrAt("g", "2026-11-30", "gcps_r", gcpsMild), qrAt("p", "2062-01-01", "phq9", p9)}, true, "", "note"},
		{"undated PHQ-9 endorsing beside a dated one denying", []string{
			qrAt("p1", "2026-11-30", "phq9", phq9With(0)), qrAt("p2", "", "phq9", p9)}, true, "undated", "note"},
		{"future-dated PHQ-9 endorsing beside a dated one denying", []string{
			qrAt("p1", "2026-11-30", "phq9", phq9With(0)), qrAt("p2", "2062-01-01", "phq9", p9)}, true, "2062-01-01", "note"},
		{"PHQ-9 20 days before the newest response", []string{
			qrAt("g", "2026-11-30", "gcps_r", gcpsMild), qrAt("p", "2026-11-10", "phq9", p9)}, true, "2026-11-10", "note"},
		{"an older complete PHQ-9 decides when the newest is partial; the partial one's item 9 still surfaces", []string{
			qrAt("old", "2026-11-25", "phq9", phq9With(0)), qrAt("new", "2026-11-30", "phq9", pick(p9, "q9"))}, true, "2026-11-30", ""},
		{"older than the item 9 window (90 days)", []string{
			qrAt("g", "2026-11-30", "gcps_r", gcpsMild), qrAt("p", "2026-08-01", "phq9", p9)}, false, "", "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, order := range [][]string{tt.entries, reversed(tt.entries)} {
				res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: searchset(order...)}})
				crit := criticals(res)
				if !tt.critical {
					assert.Empty(t, crit)
					continue
				}
				require.NotEmpty(t, crit, "no critical card: %+v", res.Cards)
				if tt.mention != "" {
					assert.True(t, strings.Contains(strings.Join(crit, "\n"), tt.mention), "%q in %q", tt.mention, crit)
				}
				if tt.note != "" {
					assert.True(t, hasSummary(res, "note(s) on how"), "a notes card")
				}
			}
		})
	}
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// fakeFHIR is an in-test FHIR server on loopback: pages of a QuestionnaireResponse search and a Patient,
// requiring the bearer token.
type fakeFHIR struct {
	srv      *httptest.Server
	pages    []string // searchset Bundles; page i links to page i+1
	patient  string
	token    string
	requests atomic.Int64
	badAuth  atomic.Int64
	fail     bool
}

func newFakeFHIR(t *testing.T, token string, pages ...[]string) *fakeFHIR {
	f := &fakeFHIR{token: token}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			f.badAuth.Add(1)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if f.fail {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		switch {
		case r.URL.Path == "/fhir/Patient/123":
			_, _ = w.Write([]byte(f.patient))
		case r.URL.Path == "/fhir/QuestionnaireResponse" && r.URL.Query().Get("patient") == "123":
			i := 0
			_, _ = fmt.Sscan(r.URL.Query().Get("page"), &i)
			if i >= len(f.pages) {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte(f.pages[i]))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	for i, entries := range pages {
		link := ""
		if i+1 < len(pages) {
			link = fmt.Sprintf(`"link":[{"relation":"next","url":"%s/fhir/QuestionnaireResponse?patient=123&page=%d"}],`, f.srv.URL, i+1)
		}
		f.pages = append(f.pages, `{"resourceType":"Bundle","type":"searchset",`+link+`"entry":[`+strings.Join(entries, ",")+`]}`)
	}
	return f
}

func (f *fakeFHIR) base() string { return f.srv.URL + "/fhir" }

func auth(token string) map[string]any {
	return map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 300, "scope": "patient/QuestionnaireResponse.read", "subject": "painscreen"}
}

func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// TestCDSPrefetchShapes: the CDS Hooks 2.0 request shapes — null, OperationOutcome, a paged searchset,
// an absent key with fhirServer and fhirAuthorization — each read as the specification says.
func TestCDSPrefetchShapes(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now})
	page1 := []string{qrAt("g", "2026-11-30", "gcps_r", gcpsMild)}
	page2 := []string{qrAt("p", "2026-11-30", "phq9", phq9With(3))}
	oo := rawJSON(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout"}]}`)

	t.Run("null is no data", func(t *testing.T) {
		r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: nil}))
		require.Equal(t, 200, r.status)
		assert.JSONEq(t, `{"cards":[]}`, string(r.body))
	})
	t.Run("absent without fhirServer", func(t *testing.T) {
		r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", cdsBody(t, "patient-view", "123", nil))
		assert.Equal(t, 412, r.status)
		assert.Equal(t, "no_prefetch", r.code(t))
	})
	t.Run("absent: fetched from fhirServer with the token, every page", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-1", page1, page2)
		f.patient = `{"resourceType":"Patient","id":"123","birthDate":"1970-01-01"}`
		res := cardsOf(t, srv, map[string]any{"fhirServer": f.base(), "fhirAuthorization": auth("tok-1")})
		assert.NotEmpty(t, criticals(res), "item 9 on page 2")
		assert.Zero(t, f.badAuth.Load())
		assert.EqualValues(t, 3, f.requests.Load(), "two pages and the Patient")
	})
	t.Run("OperationOutcome without fhirServer: what there is, and a card", func(t *testing.T) {
		res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: oo}})
		require.Len(t, res.Cards, 1)
		assert.Equal(t, indicatorWarning, res.Cards[0].Indicator)
		assert.Contains(t, res.Cards[0].Summary, "incomplete")
	})
	t.Run("OperationOutcome with fhirServer: fetched", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-2", append(page1, page2...))
		res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: oo, patientPrefetchKey: nil},
			"fhirServer": f.base(), "fhirAuthorization": auth("tok-2")})
		assert.NotEmpty(t, criticals(res))
		assert.False(t, hasSummary(res, "incomplete"), "fhirServer gave the data")
	})
	t.Run("paged searchset without fhirServer: answered, and said incomplete", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-3", page1, page2)
		var first map[string]any
		require.NoError(t, json.Unmarshal([]byte(f.pages[0]), &first))
		res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: first}})
		assert.True(t, hasSummary(res, "incomplete"))
		assert.Zero(t, f.requests.Load())
	})
	t.Run("paged searchset with fhirServer: the rest is fetched", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-4", page1, page2)
		var first map[string]any
		require.NoError(t, json.Unmarshal([]byte(f.pages[0]), &first))
		res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: first, patientPrefetchKey: nil},
			"fhirServer": f.base(), "fhirAuthorization": auth("tok-4")})
		assert.NotEmpty(t, criticals(res))
		assert.False(t, hasSummary(res, "incomplete"))
		assert.EqualValues(t, 1, f.requests.Load())
	})
	t.Run("a next link to another server is not followed", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-5", page1, page2)
		other := newFakeFHIR(t, "never-sent", page2)
		first := strings.Replace(f.pages[0], f.srv.URL, other.srv.URL, 1)
		res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: rawJSON(first), patientPrefetchKey: nil},
			"fhirServer": f.base(), "fhirAuthorization": auth("tok-5")})
		assert.True(t, hasSummary(res, "incomplete"))
		assert.Zero(t, other.requests.Load(), "the token never goes to another server")
	})
	t.Run("fhirServer fails", func(t *testing.T) {
		f := newFakeFHIR(t, "tok-6", page1)
		f.fail = true
		res := cardsOf(t, srv, map[string]any{"fhirServer": f.base(), "fhirAuthorization": auth("tok-6")})
		require.NotEmpty(t, res.Cards)
		assert.True(t, hasSummary(res, "incomplete"))
	})
	t.Run("fhirServer over plain http elsewhere than loopback", func(t *testing.T) {
		b, _ := json.Marshal(map[string]any{"hook": "patient-view", "hookInstance": "x", "context": map[string]any{"patientId": "123"},
			"fhirServer": "http://ehr.example.org/fhir", "fhirAuthorization": auth("t")})
		r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", b)
		assert.Equal(t, 400, r.status)
		assert.Equal(t, "bad_fhir_server", r.code(t))
	})
}

// TestCDSStrictEnvelope: duplicate members and case variants of the protocol's members are refused.
func TestCDSStrictEnvelope(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now})
	pre := `{"questionnaireResponses":null}`
	for name, body := range map[string]string{
		"duplicate hook":         `{"hook":"patient-view","hook":"order-select","hookInstance":"x","context":{"patientId":"123"},"prefetch":` + pre + `}`,
		"Hook":                   `{"Hook":"patient-view","hookInstance":"x","context":{"patientId":"123"},"prefetch":` + pre + `}`,
		"PatientId":              `{"hook":"patient-view","hookInstance":"x","context":{"PatientId":"123"},"prefetch":` + pre + `}`,
		"duplicate patientId":    `{"hook":"patient-view","hookInstance":"x","context":{"patientId":"999","patientId":"123"},"prefetch":` + pre + `}`,
		"duplicate prefetch key": `{"hook":"patient-view","hookInstance":"x","context":{"patientId":"123"},"prefetch":{"questionnaireResponses":null,"questionnaireResponses":null}}`,
		"prefetch key case":      `{"hook":"patient-view","hookInstance":"x","context":{"patientId":"123"},"prefetch":{"QuestionnaireResponses":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", []byte(body))
			assert.Equal(t, 400, r.status, "%s", r.body)
			assert.NotContains(t, string(r.body), "999")
		})
	}
}

// TestCDSPatientAge: Patient.birthDate gives the age at the response date; a 16-year-old is outside the
// rule set's adult population (no adult MOUD referral), an adult is not.
func TestCDSPatientAge(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now})
	oud := map[string]int{"larger_or_longer": 1, "cut_down": 1, "time_spent": 1, "craving": 1, "role_failure": 1, "social_problems": 1,
		"activities_given_up": 0, "hazardous_use": 0, "physical_psych_problems": 0, "tolerance": 0, "withdrawal": 0, "supervised": 0}
	qrs := searchset(qrAt("o", "2026-11-30", "dsm5_oud", oud), qrAt("g", "2026-11-30", "gcps_r", gcpsMild))
	patient := func(birth string) map[string]any {
		return map[string]any{"resourceType": "Patient", "id": "123", "birthDate": birth}
	}
	adult := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("1980-05-01")}})
	teen := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("2010-06-15")}})
	require.NotEmpty(t, adult.Cards)
	assert.Less(t, len(teen.Cards), len(adult.Cards), "no adult referrals for a 16-year-old")
	for _, c := range teen.Cards {
		assert.NotEqual(t, indicatorWarning, c.Indicator, "%s", c.Summary)
	}
	for _, tt := range []struct {
		birth string
		age   int
		ok    bool
	}{
		{"2010-06-15", 16, true}, {"2010-11-30", 16, true}, {"2010-12-01", 15, true}, {"2010", 0, false}, {"2009-03", 17, true},
		{"2008-02-29", 18, true}, {"2030-01-01", 0, false}, {"bogus", 0, false},
	} {
		age, ok := respfile.AgeAt(tt.birth, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
		assert.Equal(t, tt.ok, ok, tt.birth)
		assert.Equal(t, tt.age, age, tt.birth)
	}
}

// TestCDSHistoryReference: a subject reference with a version (Patient/123/_history/2) is the patient.
func TestCDSHistoryReference(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now})
	e := strings.Replace(qrAt("p", "2026-11-30", "phq9", phq9With(1)), `"Patient/123"`, `"Patient/123/_history/2"`, 1)
	res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: searchset(e)}})
	assert.NotEmpty(t, criticals(res))
	assert.False(t, samePatient("Patient/1234/_history/2", "123"))
}

func TestStrictMembersScanner(t *testing.T) {
	body := []byte(` { "a" : "x\"}{" , "b\"c" : {"k":[1,{"z":"]"}]} , "prefetch" : {"p":[{"q":"}"}]} , "n" : -1.5e3 , "t":true}`)
	assert.Nil(t, strictMembers(body, "the request", []string{"a", "prefetch"}))
	assert.Equal(t, `{"p":[{"q":"}"}]}`, string(memberValue(body, "prefetch")))
	assert.Equal(t, "-1.5e3", string(memberValue(body, "n")))
	assert.Nil(t, memberValue(body, "missing"))
	e := strictMembers([]byte(`{"a":1,"b":{"a":2},"a":3}`), "x", nil)
	require.NotNil(t, e)
	assert.Equal(t, "duplicate_key", e.apiError.Code)
	e = strictMembers([]byte(`{"PreFetch":{}}`), "x", []string{"prefetch"})
	require.NotNil(t, e)
	assert.Equal(t, "bad_member", e.apiError.Code)
}

// TestCDSMemory: a CDS call of nearly 1 MiB (the default body limit) allocates a bounded multiple of its body (the
// body itself, the prefetch as encoding/json copies it, the treatment-record reading, and the FHIR
// decoder's at most 4 ×).
func TestCDSMemory(t *testing.T) {
	h, err := New(engine(t), Config{InsecureNoAuth: true, Logger: discardLogger(), newUUID: seqUUID(), now: newClock(callNow).now,
		MaxBodyBytes: 2 << 20})
	require.NoError(t, err)
	var entries []string
	for i := 0; len(entries) < 1380; i++ { // just under DefaultMaxBodyBytes
		entries = append(entries, qrAt(fmt.Sprintf("r%d", i), fmt.Sprintf("2026-%02d-%02d", 1+i%11, 1+i%28), "phq9", phq9With(i%2)))
	}
	body := cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset(entries...)})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cds-services/"+DefaultServiceID, bytes.NewReader(body)))
	runtime.ReadMemStats(&after)
	require.Equal(t, 200, w.Code, "%s", w.Body.Bytes())
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("body %d bytes, %d bytes allocated (%.2f ×)", len(body), alloc, float64(alloc)/float64(len(body)))
	// Measured at about 8.5 × on a normal build and 11.8 × under the race detector (which changes inlining
	// and escape analysis): the bound is 10 × for the build that runs in production.
	bound := uint64(10 * len(body))
	if raceEnabled {
		bound = uint64(13 * len(body))
	}
	assert.LessOrEqual(t, alloc, bound)
}

// TestScoreFHIRPreliminary: the Observations of an in-progress QuestionnaireResponse are preliminary, with
// a note; those of a completed one are final.
func TestScoreFHIRPreliminary(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	for status, want := range map[string]string{"in-progress": "preliminary", "completed": "final", "COMPLETED": "preliminary"} {
		qr := strings.Replace(qrAt("p", "2026-11-30", "phq9", phq9With(1)), `"status":"completed"`, `"status":"`+status+`"`, 1)
		qr = strings.TrimSuffix(qr[strings.Index(qr, `"resource":`)+len(`"resource":`):], "}")
		r := call(t, srv, "POST", "/score?format=fhir", "", []byte(qr), "Content-Type", "application/fhir+json")
		require.Equal(t, 200, r.status, "%s", r.body)
		var b struct {
			Entry []struct {
				Resource struct {
					ResourceType string `json:"resourceType"`
					Status       string `json:"status"`
				} `json:"resource"`
			} `json:"entry"`
		}
		require.NoError(t, json.Unmarshal(r.body, &b))
		n := 0
		for _, e := range b.Entry {
			if e.Resource.ResourceType == "Observation" {
				assert.Equal(t, want, e.Resource.Status, status)
				n++
			}
		}
		assert.NotZero(t, n)
		if want == "preliminary" {
			assert.Contains(t, string(r.body), "this result is preliminary")
		}
	}
}

// TestCDSSlowFHIRServer: an EHR's fhirServer that does not answer holds a CDS call no longer than
// Config.FetchTimeout (serve --fhir-timeout); the call then answers with what the prefetch holds — the
// item-9 card among it — and says the EHR's data were incomplete, so the cards reach the clinician before
// the EHR gives up on the call.
func TestCDSSlowFHIRServer(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // never answers while the call waits
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hang.Close() })
	const timeout = 300 * time.Millisecond
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(callNow).now, FetchTimeout: timeout})
	qrs := searchset(qrAt("p", "2026-11-30", "phq9", phq9With(2)))
	start := time.Now()
	// The questionnaire responses are prefetched; the Patient is not, so it is read from the fhirServer.
	res := cardsOf(t, srv, map[string]any{"prefetch": map[string]any{prefetchKey: qrs}, "fhirServer": hang.URL + "/fhir"})
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, timeout, "the call waited for the fhirServer")
	assert.Less(t, took, timeout+2*time.Second, "and no longer than FetchTimeout")
	assert.NotEmpty(t, criticals(res), "the item-9 card")
	assert.True(t, hasSummary(res, "incomplete"), "the data it could not read are said to be missing")
}
