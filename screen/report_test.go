package screen_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/painscreen/painscreen/bundled"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// A result that depends on something being absent names the failed presence test among its reasons.
func TestReasonsNameFailedPresenceTests(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"gcps_r":    {"pain_frequency": 1},
		"sisq_drug": {"times": 0},
		"phq9":      {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1},
	}})
	require.NoError(t, err)
	safety, ok := rep.Composite.Domain("safety")
	require.True(t, ok)
	assert.Equal(t, "not_assessed", safety.String())
	var d *screen.Domain
	for i := range rep.Composite.Domains {
		if rep.Composite.Domains[i].ID == "safety" {
			d = &rep.Composite.Domains[i]
		}
	}
	assert.Equal(t, []screen.Reason{{Name: "has(phq9.flags.suicidal_ideation)", Value: screen.BoolValue(false), Ref: screen.RefFlag,
		Instrument: "phq9", ID: "suicidal_ideation", Missing: true, Text: "PHQ-9 suicidal ideation flag: not evaluated"}}, d.Reasons())

	// The JSON says the same, and is valid.
	var doc struct {
		Composite struct {
			Explain map[string]struct {
				Rule    string `json:"rule"`
				Reasons []struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"reasons"`
			} `json:"explain"`
		} `json:"composite"`
	}
	require.NoError(t, json.Unmarshal(rep.AppendJSON(nil), &doc))
	got := doc.Composite.Explain["safety"]
	assert.Equal(t, "pain_oud@1.2.0#domains.safety", got.Rule)
	require.Len(t, got.Reasons, 1)
	assert.Equal(t, "has(phq9.flags.suicidal_ideation)", got.Reasons[0].Name)
	assert.Equal(t, false, got.Reasons[0].Value)
}

// JSON output escapes every string the report carries.
func TestReportJSONIsValidWithHostileSubject(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	subject := "pt \"quoted\" \\ back\nline\ttab \x01 \u2028 é 𝄞"
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: subject,
		Answers: map[string]map[string]any{"sisq_drug": {"times": 2}}})
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(rep.AppendJSON(nil), &doc))
	assert.Equal(t, subject, doc["subject"])
}
