package server

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

const usCorePHQ9 = "../screen/respfile/testdata/fhir/uscore-phq9-questionnaireresponse.json"

func TestScoreFHIRInput(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	body := readFile(t, usCorePHQ9)
	for _, ct := range []string{"application/json", "application/fhir+json", "application/fhir+json; fhirVersion=4.0"} {
		r := call(t, srv, "POST", "/score", "", body, "Content-Type", ct)
		require.Equal(t, 200, r.status, "%s: %s", ct, r.body)
		m := r.json(t)
		assert.Equal(t, "Patient/example", m["subject"])
		phq9 := m["instruments"].(map[string]any)["phq9"].(map[string]any)
		assert.NotEmpty(t, phq9["scores"])
	}
	// A Bundle of two subjects is two response sets: one per request.
	two := `{"resourceType":"Bundle","type":"collection","entry":[` + qrJSON("a", "1", "2026-11-30", "phq9", map[string]int{"q1": 1}) + `,` +
		qrJSON("b", "2", "2026-11-30", "phq9", map[string]int{"q1": 1}) + `]}`
	r := call(t, srv, "POST", "/score", "", []byte(two))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "too_many_records", r.code(t))
	r = call(t, srv, "POST", "/score", "", []byte(`{"resourceType":"Patient"}`))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "fhir", r.code(t))
	r = call(t, srv, "POST", "/score", "", []byte(`{"answers":{"phq9":{"q1":1}}}`), "Content-Type", "application/fhir+json")
	assert.Equal(t, 400, r.status, "a native body labelled FHIR is not FHIR")
}

func TestScoreFHIROutput(t *testing.T) {
	srv, h := newServer(t, Config{InsecureNoAuth: true})
	body := readFile(t, usCorePHQ9)
	r := call(t, srv, "POST", "/score?format=fhir", "", body)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, "application/fhir+json", r.header.Get("Content-Type"))
	var b fhir.Bundle
	require.NoError(t, json.Unmarshal(r.body, &b))
	assert.Equal(t, "Bundle", b.ResourceType)
	assert.NotEmpty(t, b.Entry)
	assert.Contains(t, string(r.body), `"QuestionnaireResponse/phq-9-example"`, "Observations are derivedFrom the response")
	// The same request gives the same Bundle, byte for byte; it is the writer's Bundle of the report.
	again := call(t, srv, "POST", "/score?format=fhir", "", body)
	assert.Equal(t, string(r.body), string(again.body))
	dec := respfile.NewDecoder(strings.NewReader(string(body)), respfile.FormatFHIR, respfile.Limits{})
	dec.UseFHIR(h.mapper)
	rec, err := dec.Next()
	require.NoError(t, err)
	rep, _ := engine(t).Score(t.Context(), rec.Response)
	require.NotNil(t, rep)
	assert.Equal(t, string(h.fhirBundle(nil, rep, &decoded{resp: rec.Response, sources: rec.Sources}, body)), string(r.body))

	// Content negotiation: Accept: application/fhir+json alone asks for the Bundle.
	r = call(t, srv, "POST", "/score", "", body, "Accept", "application/fhir+json")
	assert.Equal(t, "application/fhir+json", r.header.Get("Content-Type"))
	for _, accept := range []string{"", "application/json", "application/fhir+json, application/json;q=0.9", "*/*"} {
		r = call(t, srv, "POST", "/score", "", body, "Accept", accept)
		assert.Equal(t, "application/json", r.header.Get("Content-Type"), accept)
	}

	// Native input, FHIR output.
	r = call(t, srv, "POST", "/score?format=fhir", "", readFile(t, "../examples/responses/urgent.json"))
	require.Equal(t, 200, r.status)
	assert.Contains(t, string(r.body), `"resourceType":"RiskAssessment"`)
}

// qrJSON is a Bundle entry holding a QuestionnaireResponse to painscreen's Questionnaire of inst, with
// integer answers (the option values).
func qrJSON(id, patient, date, inst string, answers map[string]int) string {
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	items := make([]string, len(keys))
	for i, k := range keys {
		items[i] = fmt.Sprintf(`{"linkId":%q,"answer":[{"valueInteger":%d}]}`, k, answers[k])
	}
	subject := ""
	if patient != "" {
		subject = fmt.Sprintf(`,"subject":{"reference":"Patient/%s"}`, patient)
	}
	return fmt.Sprintf(`{"fullUrl":"https://ehr.example.org/fhir/QuestionnaireResponse/%s","resource":{"resourceType":"QuestionnaireResponse","id":%q,`+
		`"questionnaire":"%s%s","status":"completed"%s,"authored":"%sT10:00:00Z","item":[%s]},"search":{"mode":"match"}}`,
		id, id, fhir.QuestionnaireBase, inst, subject, date, strings.Join(items, ","))
}

// searchset wraps entries as the EHR's search result.
func searchset(entries ...string) map[string]any {
	var b map[string]any
	s := `{"resourceType":"Bundle","type":"searchset","total":` + fmt.Sprint(len(entries)) + `,"entry":[` + strings.Join(entries, ",") + `]}`
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		panic(err)
	}
	return b
}

// optionValue is the value of the option of inst's item with the given code.
func optionValue(t testing.TB, inst, item, code string) (int64, bool) {
	doc, err := engine(t).Describe(inst)
	require.NoError(t, err)
	for _, it := range doc.Items {
		if it.ID != item {
			continue
		}
		for _, o := range it.Options {
			if o.Code == code {
				return o.Value, true
			}
		}
	}
	return 0, false
}

// exampleQRs turns an example response file into one QuestionnaireResponse per instrument.
func exampleQRs(t testing.TB, name, patient, date string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "examples", "responses", name))
	require.NoError(t, err)
	defer f.Close()
	format, _ := respfile.FormatFromPath(name)
	rec, err := respfile.NewDecoder(f, format, respfile.Limits{}).Next()
	require.NoError(t, err)
	var out []string
	insts := make([]string, 0, len(rec.Response.Answers))
	for k := range rec.Response.Answers {
		insts = append(insts, k)
	}
	sort.Strings(insts)
	for _, inst := range insts {
		ans := map[string]int{}
		for item, v := range rec.Response.Answers[inst] {
			switch v := v.(type) {
			case int64:
				ans[item] = int(v)
			case string: // an option's code (LOINC answer code): its value
				n, ok := optionValue(t, inst, item, v)
				require.True(t, ok, "%s: answer %s.%s is not an option code of the bundled instrument", name, inst, item)
				ans[item] = int(n)
			case nil:
			default:
				t.Fatalf("%s: answer %s.%s is neither an option value nor an option code", name, inst, item)
			}
		}
		out = append(out, qrJSON(inst+"-"+date, patient, date, inst, ans))
	}
	return out
}

type cdsResult struct {
	Cards []card `json:"cards"`
}

// TestCDSPatientView: the EHR's prefetched QuestionnaireResponses give the same cards as the same
// answers scored natively (differential: the FHIR path loses nothing).
func TestCDSPatientView(t *testing.T) {
	srv, h := newServer(t, Config{InsecureNoAuth: true, SourceURL: "https://cds.example.org/painscreen/about"})
	path := "/cds-services/" + DefaultServiceID
	// Every example response file, none skipped: a fixture that cannot be sent as FHIR fails the test. The
	// files left out are named here with the reason, and at most one may be.
	left := map[string]string{"not_applied.yaml": "its result turns on the respondent's age, which QuestionnaireResponses do not carry"}
	names, err := filepath.Glob(filepath.Join("..", "examples", "responses", "*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 6, "the differential cases are the example response files")
	ran := 0
	for _, name := range names {
		name := filepath.Base(name)
		if _, ok := left[name]; ok {
			delete(left, name)
			continue
		}
		ran++
		t.Run(name, func(t *testing.T) {
			body := cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(t, name, "123", "2026-11-30")...)})
			r := call(t, srv, "POST", path, "", body)
			require.Equal(t, 200, r.status, "%s", r.body)
			var got cdsResult
			require.NoError(t, json.Unmarshal(r.body, &got))

			rep := exampleReport(t, name)
			want := h.cards.cards(rep)
			require.Len(t, got.Cards, len(want))
			for i := range want {
				assert.Equal(t, want[i].Summary, got.Cards[i].Summary)
				assert.Equal(t, want[i].Indicator, got.Cards[i].Indicator)
				// The details agree but for context the example files carry (age, sex) and FHIR does not.
				if rep.Instrument("auditc") == nil {
					assert.Equal(t, want[i].Detail, got.Cards[i].Detail)
				}
			}
		})
	}
	assert.Empty(t, left, "files left out of the differential that no longer exist")
	assert.GreaterOrEqual(t, ran, len(names)-1, "at most one example file is left out")
}

func TestCDSPrefetchSelection(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true, now: newClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)).now})
	path := "/cds-services/" + DefaultServiceID
	gcps := map[string]int{"pain_frequency": 3, "limit_frequency": 3, "pain_avg": 7, "enjoyment": 7, "activity": 7}
	drug := map[string]int{"times": 0}
	phq9 := func(q9 int) map[string]int {
		return map[string]int{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": q9}
	}
	post := func(entries ...string) cdsResult {
		t.Helper()
		r := call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset(entries...)}))
		require.Equal(t, 200, r.status, "%s", r.body)
		var res cdsResult
		require.NoError(t, json.Unmarshal(r.body, &res))
		return res
	}
	critical := func(res cdsResult) int {
		n := 0
		for _, c := range res.Cards {
			if c.Indicator == indicatorCritical {
				n++
			}
		}
		return n
	}
	// The newest PHQ-9 wins, whatever the order of the search result.
	res := post(qrJSON("p-old", "123", "2026-11-01", "phq9", phq9(2)), qrJSON("g", "123", "2026-11-30", "gcps_r", gcps),
		qrJSON("d", "123", "2026-11-30", "sisq_drug", drug), qrJSON("p-new", "123", "2026-11-29", "phq9", phq9(0)))
	require.Equal(t, 1, critical(res), "item 9 endorsed a month ago, not yesterday: one card naming the date, no flag")
	assert.Contains(t, res.Cards[0].Summary, "2026-11-01")
	res = post(qrJSON("p-old", "123", "2026-11-01", "phq9", phq9(0)), qrJSON("g", "123", "2026-11-30", "gcps_r", gcps),
		qrJSON("d", "123", "2026-11-30", "sisq_drug", drug), qrJSON("p-new", "123", "2026-11-29", "phq9", phq9(2)))
	assert.Equal(t, 1, critical(res), "the newest PHQ-9 endorses item 9: the flag and the referral, one card")
	// Outside the lookback (14 days before the newest response): not scored, but its item 9 still surfaces.
	res = post(qrJSON("p-old", "123", "2026-11-01", "phq9", phq9(2)), qrJSON("g", "123", "2026-11-30", "gcps_r", gcps),
		qrJSON("d", "123", "2026-11-30", "sisq_drug", drug))
	require.Equal(t, 1, critical(res))
	assert.Contains(t, res.Cards[0].Summary, "2026-11-01")
	// Outside the item 9 window (90 days before the call): not said.
	res = post(qrJSON("p-old", "123", "2026-08-01", "phq9", phq9(2)), qrJSON("g", "123", "2026-11-30", "gcps_r", gcps),
		qrJSON("d", "123", "2026-11-30", "sisq_drug", drug))
	assert.Zero(t, critical(res))
	// No QuestionnaireResponse at all: nothing to say.
	res = post()
	assert.NotNil(t, res.Cards)
	assert.Empty(t, res.Cards)
	r := call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset()}))
	assert.JSONEq(t, `{"cards":[]}`, string(r.body))
	// A response of another patient: refused, never mixed in.
	r = call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset(
		qrJSON("g", "123", "2026-11-30", "gcps_r", gcps), qrJSON("x", "999", "2026-11-30", "phq9", phq9(2)))}))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "wrong_patient", r.code(t))
	assert.NotContains(t, string(r.body), "999")
	// A broken response is said on a card, and the others are scored.
	broken := `{"resource":{"resourceType":"QuestionnaireResponse","status":"entered-in-error","subject":{"reference":"Patient/123"},"item":[]}}`
	res = post(qrJSON("p", "123", "2026-11-30", "phq9", phq9(2)), broken)
	assert.Equal(t, indicatorCritical, res.Cards[0].Indicator)
	var unread bool
	for _, c := range res.Cards {
		unread = unread || strings.Contains(c.Summary, "could not be read")
	}
	assert.True(t, unread)
	// A prefetch that is not FHIR.
	r = call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: map[string]any{"resourceType": "Patient"}}))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "fhir", r.code(t))
	r = call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: []int{1}}))
	assert.Equal(t, 400, r.status)
}

// TestCDSWithToken: a CDS call with a token for the service's URL.
func TestCDSWithToken(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := newServer(t, authConfig(t, newClock(now)))
	path := "/cds-services/" + DefaultServiceID
	body := cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: searchset(exampleQRs(t, "urgent.yaml", "123", "2026-11-30")...)})
	tok := token(t, ehrKeys(t).priv, jose.ES384, testKid, goodClaims(now, path))
	r := call(t, srv, "POST", path, tok, body)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Contains(t, string(r.body), `"indicator":"critical"`)
	r = call(t, srv, "POST", path, tok, body)
	assert.Equal(t, "replayed", r.code(t))
}

// TestCDSExampleRequest keeps examples/cds/patient-view.json (a patient-view call whose prefetch holds
// the urgent example's answers as QuestionnaireResponses; the README and scripts/loadtest.sh use it) in
// step with the QuestionnaireResponses painscreen reads (-update rewrites it), and checks its cards.
func TestCDSExampleRequest(t *testing.T) {
	var req map[string]any
	require.NoError(t, json.Unmarshal(cdsBody(t, "patient-view", "example-123",
		map[string]any{prefetchKey: searchset(exampleQRs(t, "urgent.yaml", "example-123", "2026-11-30")...)}), &req))
	req["fhirServer"] = "https://ehr.example.org/fhir"
	got, err := json.MarshalIndent(req, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	file := filepath.Join("..", "examples", "cds", "patient-view.json")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, got, 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))

	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", want)
	require.Equal(t, 200, r.status, "%s", r.body)
	var res cdsResult
	require.NoError(t, json.Unmarshal(r.body, &res))
	require.NotEmpty(t, res.Cards)
	assert.Equal(t, indicatorCritical, res.Cards[0].Indicator)
}

// TestCDSPatientBirthSex: the prefetched Patient's US Core birth sex selects AUDIT-C's cut-point (≥ 4 for
// men, ≥ 3 for women); without it, the sensitive one applies. Patient.gender is not read.
func TestCDSPatientBirthSex(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	path := "/cds-services/" + DefaultServiceID
	qrs := searchset(
		qrJSON("g", "123", "2026-11-30", "gcps_r", map[string]int{"pain_frequency": 1, "limit_frequency": 1, "pain_avg": 2, "enjoyment": 2, "activity": 2}),
		qrJSON("d", "123", "2026-11-30", "sisq_drug", map[string]int{"times": 0}),
		qrJSON("a", "123", "2026-11-30", "auditc", map[string]int{"frequency": 2, "typical_quantity": 1, "binge_frequency": 0}))
	patient := func(sex, gender string) map[string]any {
		p := map[string]any{"resourceType": "Patient", "id": "123", "gender": gender}
		if sex != "" {
			p["extension"] = []any{map[string]any{"url": birthSexURL, "valueCode": sex}}
		}
		return p
	}
	alcoholCard := func(pre map[string]any) bool {
		t.Helper()
		r := call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", pre))
		require.Equal(t, 200, r.status, "%s", r.body)
		return strings.Contains(string(r.body), "brief alcohol intervention")
	}
	assert.True(t, alcoholCard(map[string]any{prefetchKey: qrs}), "sex unknown: the sensitive cut-point")
	assert.True(t, alcoholCard(map[string]any{prefetchKey: qrs, patientPrefetchKey: nil}))
	assert.True(t, alcoholCard(map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("F", "female")}))
	assert.False(t, alcoholCard(map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("M", "male")}), "a man's cut-point is 4")
	assert.True(t, alcoholCard(map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("", "male")}), "gender is not birth sex")
	assert.True(t, alcoholCard(map[string]any{prefetchKey: qrs, patientPrefetchKey: patient("UNK", "male")}))

	other := patient("M", "male")
	other["id"] = "999"
	r := call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: qrs, patientPrefetchKey: other}))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "wrong_patient", r.code(t))
	r = call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", map[string]any{prefetchKey: qrs, patientPrefetchKey: []int{1}}))
	assert.Equal(t, 400, r.status)
	assert.Equal(t, "fhir", r.code(t))
}
