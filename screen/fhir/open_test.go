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
			if tc.q9 == 7 {
				require.Error(t, err) // the invalid answer is an error of the record, which is still scored
			} else {
				require.NoError(t, err)
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
