package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// EHR resources for the prefetch.
const (
	ehrPatient = `{"resourceType":"Patient","id":"123","birthDate":"1970-05-01","gender":"female"}`
	oxyQID     = `{"resource":{"resourceType":"MedicationRequest","id":"oxy","status":"active","intent":"order","subject":{"reference":"Patient/123"},
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1049683","display":"oxycodone hydrochloride 10 MG Oral Tablet"}]},
		"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet","system":"http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm","code":"TAB"}}],"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}}}]}}`
	alprazolam = `{"resource":{"resourceType":"MedicationRequest","id":"alp","status":"active","intent":"order","subject":{"reference":"Patient/123"},
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"308048"}]},
		"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d"}}}]}}`
	naloxoneSpray = `{"resource":{"resourceType":"MedicationRequest","id":"nal","status":"active","intent":"order","subject":{"reference":"Patient/123"},
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1725059"}]}}}`
	suboxone = `{"resource":{"resourceType":"MedicationRequest","id":"bup","status":"active","intent":"order","subject":{"reference":"Patient/123"},
		"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1010604"}]},
		"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"film"}}],"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}}}]}}`
)

func bundleOf(entries ...string) json.RawMessage {
	return json.RawMessage(`{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`)
}

// ehrCall makes the CDS call: a PHQ-9 and a DSM-5 checklist (no criteria met) and the treatment
// record in the prefetch.
func ehrCall(t *testing.T, meds ...string) []card {
	t.Helper()
	return ehrCallWith(t, Config{InsecureNoAuth: true}, meds...)
}

func ehrCallWith(t *testing.T, cfg Config, meds ...string) []card {
	t.Helper()
	srv, _ := newServer(t, cfg)
	phq := map[string]int{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0}
	dsm := map[string]int{"larger_or_longer": 0, "cut_down": 0, "time_spent": 0, "craving": 0, "role_failure": 0,
		"social_problems": 0, "activities_given_up": 0, "hazardous_use": 0, "physical_psych_problems": 0,
		"tolerance": 1, "withdrawal": 0, "supervised": 1}
	pre := map[string]any{
		prefetchKey: searchset(qrJSON("a", "123", "2026-11-30", "phq9", phq), qrJSON("b", "123", "2026-11-30", "dsm5_oud", dsm),
			// pain_oud 1.1.0 requires the GCPS-R (1.2.0 does not): no pain on most days.
			qrJSON("c", "123", "2026-11-30", "gcps_r", map[string]int{"pain_frequency": 1})),
		patientPrefetchKey:     json.RawMessage(ehrPatient),
		medicationsPrefetchKey: bundleOf(meds...),
		conditionsPrefetchKey:  bundleOf(),
	}
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", cdsBody(t, "patient-view", "123", pre))
	require.Equal(t, 200, r.status, "%s", r.body)
	var got cdsResult
	require.NoError(t, json.Unmarshal(r.body, &got))
	return got.Cards
}

func cardAbout(cards []card, word string) *card {
	for i := range cards {
		if strings.Contains(strings.ToLower(cards[i].Summary), word) {
			return &cards[i]
		}
	}
	return nil
}

// TestCDSTreatmentContext is the scenario through the CDS endpoint: a patient on oxycodone 10 mg
// four times a day and alprazolam gets the naloxone and opioid–benzodiazepine review cards, whose reasons
// name both MedicationRequests; with rescue naloxone on record there is no naloxone card (rule sets that
// read naloxone_current); on buprenorphine/naloxone film the patient gets moud_continue and naloxone.
func TestCDSTreatmentContext(t *testing.T) {
	_, h := newServer(t, Config{InsecureNoAuth: true})
	cards := ehrCall(t, oxyQID, alprazolam)
	nal, benzo := cardAbout(cards, "naloxone"), cardAbout(cards, "benzodiazepine")
	require.NotNil(t, nal, "naloxone card")
	require.NotNil(t, benzo, "opioid-benzodiazepine review card")
	assert.Equal(t, indicatorWarning, benzo.Indicator)
	assert.Contains(t, nal.Detail, "MedicationRequest/oxy: oxycodone hydrochloride 10 MG Oral Tablet: 1 tablet, 4 per 1 d → 40 mg/day oxycodone × 1.5 = 60 MME/day")
	assert.Contains(t, benzo.Detail, "MedicationRequest/oxy")
	assert.Contains(t, benzo.Detail, "MedicationRequest/alp")
	info := cardAbout(cards, "treatment context")
	require.NotNil(t, info)
	assert.Equal(t, indicatorInfo, info.Indicator)
	assert.Contains(t, info.Detail, "`benzodiazepine`: `true`")
	assert.NotContains(t, info.Detail, "administrative gender", "sex is not taken from the record here")

	withNaloxone := ehrCall(t, oxyQID, alprazolam, naloxoneSpray)
	require.NotNil(t, cardAbout(withNaloxone, "benzodiazepine"))
	if h.ehrFields["naloxone_current"] {
		assert.Nil(t, cardAbout(withNaloxone, "offer naloxone"), "naloxone is already prescribed")
	} else {
		t.Log("the loaded rule set does not read naloxone_current (pain_oud < 1.2.0): the naloxone card stays")
	}

	bup := ehrCall(t, suboxone)
	info = cardAbout(bup, "treatment context")
	require.NotNil(t, info)
	assert.Contains(t, info.Detail, "`moud_current`: `true`")
	assert.Contains(t, info.Detail, "MedicationRequest/bup: buprenorphine 8 MG / naloxone 2 MG Sublingual Film")
	if h.ehrFields["naloxone_current"] {
		assert.Contains(t, info.Detail, "`naloxone_current`: `false`", "buprenorphine/naloxone is not rescue naloxone")
		assert.NotNil(t, cardAbout(bup, "continue"), "moud_continue")
		assert.NotNil(t, cardAbout(bup, "naloxone"), "naloxone")
	}
}

// TestCDSTreatmentContextUnknown: without the medications prefetch nothing is concluded from absence, and
// a paged search (a next link) is not a complete list.
func TestCDSTreatmentContextUnknown(t *testing.T) {
	// A benzodiazepine without an opioid and negative screens: a decided low tier, nothing to act on, so
	// no card at all — not even the treatment context (no card on every chart open).
	assert.Empty(t, ehrCall(t, alprazolam))
	cards := ehrCallWith(t, Config{InsecureNoAuth: true, ShowLowTierCard: true}, alprazolam)
	info := cardAbout(cards, "treatment context")
	require.NotNil(t, info)
	assert.Contains(t, info.Detail, "`opioid_mme`: `0`")
	assert.Nil(t, cardAbout(cards, "review concurrent"))

	assert.True(t, searchComplete(bundleOf(oxyQID)))
	assert.False(t, searchComplete(json.RawMessage(`{"resourceType":"Bundle","link":[{"relation":"next","url":"x"}],"entry":[]}`)))
	assert.False(t, searchComplete(json.RawMessage(`[]`)))

	// A Patient alone gives the age, without an information card.
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	pre := map[string]any{prefetchKey: searchset(qrJSON("a", "123", "2026-11-30", "phq9", map[string]int{"q1": 0, "q2": 0})),
		patientPrefetchKey: json.RawMessage(ehrPatient)}
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID, "", cdsBody(t, "patient-view", "123", pre))
	require.Equal(t, 200, r.status, "%s", r.body)
	var got cdsResult
	require.NoError(t, json.Unmarshal(r.body, &got))
	assert.Nil(t, cardAbout(got.Cards, "treatment context"))
}

func TestDiscoveryTreatmentPrefetch(t *testing.T) {
	srv, _ := newServer(t, Config{})
	r := call(t, srv, "GET", "/cds-services", "", nil)
	require.Equal(t, 200, r.status)
	var doc struct {
		Services []struct {
			Prefetch map[string]string `json:"prefetch"`
		} `json:"services"`
	}
	require.NoError(t, json.Unmarshal(r.body, &doc))
	require.Len(t, doc.Services, 1)
	assert.Equal(t, "MedicationRequest?patient={{context.patientId}}&status=active", doc.Services[0].Prefetch[medicationsPrefetchKey])
	assert.Equal(t, "Condition?patient={{context.patientId}}", doc.Services[0].Prefetch[conditionsPrefetchKey])
}

// TestScoreTreatmentContext: POST /score with a FHIR Bundle that carries the treatment record derives the
// context as `painscreen score` does, and the report ends with ehr_context.
func TestScoreTreatmentContext(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	body := `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + ehrPatient + `},` + oxyQID + `,` + alprazolam + `,` +
		qrJSON("g", "123", "2026-11-30", "gcps_r", map[string]int{"pain_frequency": 1}) + `,` +
		qrJSON("s", "123", "2026-11-30", "sisq_drug", map[string]int{"times": 0}) + `]}`
	r := call(t, srv, "POST", "/score", "", []byte(body))
	require.Equal(t, 200, r.status, "%s", r.body)
	var rep struct {
		Composite struct {
			Referrals []struct {
				ID string `json:"id"`
			} `json:"referrals"`
		} `json:"composite"`
		EHR struct {
			Table  map[string]string `json:"table"`
			Fields []struct {
				Name    string `json:"name"`
				Known   bool   `json:"known"`
				Value   any    `json:"value"`
				Reasons []struct {
					Resource string `json:"resource"`
				} `json:"reasons"`
			} `json:"fields"`
		} `json:"ehr_context"`
	}
	require.NoError(t, json.Unmarshal(r.body, &rep))
	var ids []string
	for _, x := range rep.Composite.Referrals {
		ids = append(ids, x.ID)
	}
	assert.Contains(t, ids, "opioid_benzodiazepine_review")
	assert.Contains(t, rep.EHR.Table["digest"], "sha256:")
	require.Len(t, rep.EHR.Fields, 7)
	assert.Equal(t, "opioid_mme", rep.EHR.Fields[2].Name)
	assert.Equal(t, 60.0, rep.EHR.Fields[2].Value)
	assert.Equal(t, "MedicationRequest/oxy", rep.EHR.Fields[2].Reasons[0].Resource)

	// A native response set has no ehr_context.
	r = call(t, srv, "POST", "/score", "", []byte(`{"answers":{"sisq_drug":{"times":0}}}`))
	require.Equal(t, 200, r.status)
	assert.NotContains(t, string(r.body), "ehr_context")
}

// BenchmarkCDSCall: a whole patient-view call (urgent example's answers), without and with a treatment
// record of 50 active MedicationRequests (5 opioids, a benzodiazepine, naloxone, 43 others) and a Condition.
func BenchmarkCDSCall(b *testing.B) {
	h, err := New(engine(b), Config{InsecureNoAuth: true, Logger: discardLogger(), newUUID: seqUUID()})
	if err != nil {
		b.Fatal(err)
	}
	qrs := searchset(exampleQRs(b, "urgent.yaml", "123", "2026-11-30")...)
	meds := []string{oxyQID, alprazolam, naloxoneSpray, suboxone}
	for i := len(meds); i < 50; i++ {
		meds = append(meds, fmt.Sprintf(`{"resource":{"resourceType":"MedicationRequest","id":"m%d","status":"active","subject":{"reference":"Patient/123"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"%d","display":"lisinopril 10 MG Oral Tablet"}]},
			"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}}}]}}`, i, 314076+i))
	}
	for _, c := range []struct {
		name string
		pre  map[string]any
	}{
		{"answers", map[string]any{prefetchKey: qrs}},
		{"answers+50meds", map[string]any{prefetchKey: qrs, patientPrefetchKey: json.RawMessage(ehrPatient),
			medicationsPrefetchKey: bundleOf(meds...), conditionsPrefetchKey: bundleOf()}},
	} {
		body := cdsBody(b, "patient-view", "123", c.pre)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cds-services/"+DefaultServiceID, bytes.NewReader(body)))
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}

// TestExampleTreatmentBundle: examples/fhir/treatment-context-bundle.json gives what its README says.
func TestExampleTreatmentBundle(t *testing.T) {
	srv, _ := newServer(t, Config{InsecureNoAuth: true})
	r := call(t, srv, "POST", "/score", "", readFile(t, "../examples/fhir/treatment-context-bundle.json"))
	require.Equal(t, 200, r.status, "%s", r.body)
	body := string(r.body)
	assert.Contains(t, body, `"id":"naloxone"`)
	assert.Contains(t, body, `"id":"opioid_benzodiazepine_review"`)
	assert.Contains(t, body, `{"name":"opioid_mme","known":true,"value":60,"reasons":[{"resource":"MedicationRequest/oxy"`)
	assert.Contains(t, body, `{"name":"benzodiazepine","known":true,"value":true,"reasons":[{"resource":"MedicationRequest/alp"`)
	assert.Contains(t, body, `{"name":"prior_overdose","known":true,"value":false`)
	assert.Contains(t, body, `{"name":"age","known":true,"value":58`)
}
