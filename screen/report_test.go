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
	d, ok := rep.Composite.Domain("safety")
	require.True(t, ok)
	assert.Equal(t, "not_assessed", d.Value.String())
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

// The accessors are uniform: Score, Flag, Domain, Referral and Measure return the result itself (value,
// rule, reasons) and whether it is there, and are safe on a nil result.
func TestAccessorsReturnResults(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	visit := func(date string, q9 int) *screen.Response {
		return &screen.Response{Date: date, Context: map[string]any{"age": 47}, Answers: map[string]map[string]any{
			"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0},
			"phq9": {"q1": 3, "q2": 3, "q3": 3, "q4": 3, "q5": 3, "q6": 3, "q7": 0, "q8": 0, "q9": q9},
		}}
	}
	rep, err := eng.FollowUp(context.Background(), visit("2026-01-05", 0), visit("2026-03-30", 1))
	require.NoError(t, err)
	phq9 := rep.Instrument("phq9")
	s, ok := phq9.Score("total")
	require.True(t, ok)
	assert.Equal(t, "total", s.ID)
	assert.True(t, screen.IntValue(19).Equal(s.Value), "%v", s.Value)
	assert.Equal(t, "phq9@"+phq9.Version+"#scores.total", s.Rule)
	assert.NotEmpty(t, s.Reasons())
	f, ok := phq9.Flag("suicidal_ideation")
	require.True(t, ok)
	assert.Equal(t, screen.LevelUrgent, f.Level)
	d, ok := rep.Composite.Domain("safety")
	require.True(t, ok)
	assert.Equal(t, "safety", d.ID)
	assert.Equal(t, "pain_oud@1.2.0#domains.safety", d.Rule)
	assert.NotEmpty(t, d.Reasons())
	r, ok := rep.Composite.Referral("suicide_safety_assessment")
	require.True(t, ok)
	assert.Equal(t, screen.PriorityUrgent, r.Priority)
	m, ok := rep.FollowUp.Measure("phq9", "change")
	require.True(t, ok)
	assert.Equal(t, "change", m.ID)
	assert.True(t, screen.IntValue(1).Equal(m.Value), "%v", m.Value)
	assert.NotEmpty(t, m.Reasons())

	var none *screen.InstrumentResult
	_, ok = none.Score("total")
	assert.False(t, ok)
	_, ok = none.Flag("x")
	assert.False(t, ok)
	var nc *screen.CompositeResult
	_, ok = nc.Domain("pain")
	assert.False(t, ok)
	_, ok = nc.Referral("x")
	assert.False(t, ok)
	var nf *screen.FollowUpResult
	_, ok = nf.Measure("phq9", "change")
	assert.False(t, ok)
}
