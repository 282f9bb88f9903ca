package fhir_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// lowBattery is the bundled low example; each case changes PHQ-9 item 9.
func lowBattery(q9 any) *screen.Response {
	phq9 := map[string]any{"q1": 0, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0}
	if q9 != nil {
		phq9["q9"] = q9
	}
	return &screen.Response{Subject: "pt-open", Date: "2026-03-04", Context: map[string]any{"age": 63, "sex": "female"},
		Answers: map[string]map[string]any{
			"gcps_r":    {"pain_frequency": 1},
			"sisq_drug": {"times": 0},
			"phq9":      phq9,
			"gad7":      {"q1": 1, "q2": 0, "q3": 1, "q4": 0, "q5": 0, "q6": 1, "q7": 0},
			"auditc":    {"frequency": 1, "typical_quantity": 0, "binge_frequency": 0},
			"pc_ptsd5":  {"trauma": 0},
		}}
}

// composite.md §1b: a RiskAssessment is final only when the tier is decided; a tier the answers leave
// open (PHQ-9 item 9 unanswered or invalid) is preliminary with a prediction per possible tier, most
// pressing first.
func TestRiskAssessmentOpenTier(t *testing.T) {
	eng := bundledEngine(t)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		q9     any
		status string
		tiers  []string
		golden string
	}{
		{"decided low", 0, "final", []string{"low"}, ""},
		{"item 9 endorsed", 1, "final", []string{"urgent"}, ""},
		{"item 9 unanswered", nil, "preliminary", []string{"urgent", "low"}, "risk-open-q9-missing.json"},
		{"item 9 invalid", 7, "preliminary", []string{"urgent", "low"}, "risk-open-q9-invalid.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := eng.Score(context.Background(), lowBattery(tc.q9))
			require.NoError(t, err)
			if tc.q9 == 7 {
				require.Error(t, rep.Err()) // the invalid answer is an error of the record, which is still scored
			} else {
				require.NoError(t, rep.Err())
			}
			require.NotNil(t, rep)
			b := w.NewBundle(rep, fhir.Input{Subject: rep.Subject, Date: "2026-03-04", Seed: "open"})
			ra := b.Entry[len(b.Entry)-1].Resource.(*fhir.RiskAssessment)
			assert.Equal(t, tc.status, ra.Status)
			var got []string
			for _, p := range ra.Prediction {
				got = append(got, p.QualitativeRisk.Text)
			}
			assert.Equal(t, tc.tiers, got)
			var flag *fhir.Observation
			for _, e := range b.Entry {
				if o, ok := e.Resource.(*fhir.Observation); ok && o.Code.Coding[0].Code == "phq9.suicidal_ideation" {
					flag = o
				}
			}
			switch tc.q9 {
			case 0:
				assert.Nil(t, flag, "denied: no flag Observation")
			case 1:
				require.NotNil(t, flag)
				assert.True(t, *flag.ValueBoolean)
			default:
				require.NotNil(t, flag, "an open urgent flag is an Observation, never absent")
				assert.Nil(t, flag.ValueBoolean)
				assert.Equal(t, "preliminary", flag.Status)
				want := map[any]string{nil: "unknown", 7: "error"}[tc.q9]
				assert.Equal(t, want, flag.DataAbsentReason.Coding[0].Code)
				assert.Contains(t, flag.Note[0].Text, "Not ruled out: PHQ-9 item 9")
			}
			if tc.golden == "" {
				return
			}
			js, err := json.MarshalIndent(ra, "", "  ")
			require.NoError(t, err)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, append(js, '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(js)+"\n")
		})
	}
}

// Follow-up results are Observations derivedFrom the baseline's and the current responses, over the
// period between them; results read from an in-progress response are preliminary (issue 22).
func TestBundleFollowUp(t *testing.T) {
	eng := bundledEngine(t)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	phq := func(v int) map[string]any {
		return map[string]any{"q1": v, "q2": v, "q3": v, "q4": v, "q5": v, "q6": v, "q7": 0, "q8": 0, "q9": 0}
	}
	base := &screen.Response{Subject: "Patient/7", Date: "2026-01-05", Answers: map[string]map[string]any{"phq9": phq(3)}}
	cur := &screen.Response{Subject: "Patient/7", Date: "2026-04-06", Answers: map[string]map[string]any{"phq9": phq(1)}}
	rep, err := eng.FollowUp(context.Background(), base, cur)
	require.NoError(t, err)
	require.NotNil(t, rep.FollowUp)
	require.True(t, rep.FollowUp.Computed)

	for _, tc := range []struct {
		name        string
		preliminary bool
		status      string
	}{{"completed", false, "final"}, {"in-progress", true, "preliminary"}} {
		t.Run(tc.name, func(t *testing.T) {
			in := fhir.Input{Subject: rep.Subject, Date: cur.Date, Seed: "fu",
				Responses: []fhir.ResponseRef{{Reference: "QuestionnaireResponse/cur", Instrument: "phq9", Preliminary: tc.preliminary}},
				Baseline:  []fhir.ResponseRef{{Reference: "QuestionnaireResponse/base", Instrument: "phq9"}}}
			b := w.NewBundle(rep, in)
			got := map[string]*fhir.Observation{}
			var ra *fhir.RiskAssessment
			for _, e := range b.Entry {
				switch r := e.Resource.(type) {
				case *fhir.Observation:
					if r.Code.Coding[0].System == fhir.FollowUpSystem {
						got[r.Code.Coding[0].Code] = r
					} else {
						assert.Equal(t, tc.status, r.Status, "score Observations")
					}
				case *fhir.RiskAssessment:
					ra = r
				}
			}
			for _, m := range rep.FollowUp.Instruments[0].Measures {
				o := got["phq9."+m.ID]
				require.NotNil(t, o, m.ID)
				assert.Equal(t, tc.status, o.Status)
				assert.Equal(t, []fhir.Reference{{Reference: "QuestionnaireResponse/base"}, {Reference: "QuestionnaireResponse/cur"}}, o.DerivedFrom)
				assert.Equal(t, &fhir.Period{Start: "2026-01-05", End: "2026-04-06"}, o.EffectivePeriod)
				assert.Contains(t, o.Note[0].Text, "91 days")
			}
			require.Contains(t, got, "phq9.response")
			require.NotNil(t, got["phq9.response"].ValueBoolean)
			assert.True(t, *got["phq9.response"].ValueBoolean, "18 → 6: a response")
			require.NotNil(t, ra)
			if tc.status == "preliminary" {
				assert.Equal(t, "preliminary", ra.Status)
			}
			js, err := json.Marshal(b)
			require.NoError(t, err)
			assert.NotContains(t, string(js), `"effectiveDateTime":""`)
		})
	}
}
