package screen_test

// Clinical-safety checks of composite contract rev 2 §1a that the YAML suites cannot express: referral text
// (the rescreen addendum), the record's errors next to an urgent flag, strict mode, and regressions of engine
// bugs found while writing the suites.

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func safetyEngine(t *testing.T, opts ...screen.Option) *screen.Engine {
	t.Helper()
	eng, err := screen.New(append([]screen.Option{bundled.Definitions()}, opts...)...)
	require.NoError(t, err)
	return eng
}

func referralIDs(rs []screen.Referral) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func tierNames(ts []screen.Tier) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, string(t))
	}
	return out
}

// negativeBattery is a full pain_oud battery with every screen negative, item 9 answered 0.
func negativeBattery() map[string]map[string]any {
	return map[string]map[string]any{
		"gcps_r":    {"pain_frequency": 1},
		"sisq_drug": {"times": 0},
		"phq9":      {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0},
		"gad7":      {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0},
		"auditc":    {"frequency": 0, "typical_quantity": 0, "binge_frequency": 0},
		"pc_ptsd5":  {"trauma": 0},
	}
}

// Regression: when a domain is open (a list of possible values), the tier and the referrals are evaluated
// over every combination of the possible values, and a referral that reads `tier` (rescreen) must read the
// tier of that combination. The engine read a stale tier there, so rescreen never fired — not even when
// every combination gives tier low.
func TestRescreenReadsEachCombinationsTier(t *testing.T) {
	eng := safetyEngine(t)
	// GCPS-R with pain_frequency unanswered: never (0, 1) gives pain none, most days or every day (2, 3) with
	// no limitation and ratings 0 gives mild. Pain is open, possible none and mild; both give tier low.
	a := negativeBattery()
	a["gcps_r"] = map[string]any{"limit_frequency": 0, "pain_avg": 0, "enjoyment": 0, "activity": 0}
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: a})
	require.NoError(t, err)
	c := rep.Composite
	require.True(t, c.Applied)
	pain, _ := c.Domain("pain")
	assert.Equal(t, "not_assessed", pain.String())
	assert.Equal(t, screen.Tier("low"), c.Tier)
	assert.Empty(t, c.PossibleTiers, "every combination gives low")
	assert.Equal(t, []string{"rescreen"}, referralIDs(c.Referrals))
	assert.Empty(t, c.PossibleReferrals)

	// PHQ-9 item 9 unanswered: safety open (none, suicidal_ideation); tier low or urgent, so the tier is low,
	// urgent is possible, and rescreen fires only in some combinations: possible, never listed as applying.
	a = negativeBattery()
	delete(a["phq9"], "q9")
	rep, err = eng.Score(context.Background(), &screen.Response{Answers: a})
	require.NoError(t, err)
	c = rep.Composite
	assert.Equal(t, screen.Tier("low"), c.Tier)
	assert.ElementsMatch(t, []string{"urgent", "low"}, tierNames(c.PossibleTiers))
	assert.Empty(t, c.Referrals)
	assert.Equal(t, []string{"suicide_safety_assessment", "rescreen"}, referralIDs(c.PossibleReferrals))
}

// §2 rescreen (rev 2): when domains are not assessed, the rescreen text names them.
func TestRescreenAddendumNamesTheDomainsNotAssessed(t *testing.T) {
	eng := safetyEngine(t)
	addendum := func(c *screen.CompositeResult) (string, bool) {
		t.Helper()
		r, ok := c.Referral("rescreen")
		require.True(t, ok, "rescreen referral: referrals %v", referralIDs(c.Referrals))
		require.LessOrEqual(t, len(r.Addenda), 1)
		if len(r.Addenda) == 0 {
			return "", false
		}
		return r.Addenda[0], true
	}

	// Everything assessed: no addendum.
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: negativeBattery()})
	require.NoError(t, err)
	_, ok := addendum(rep.Composite)
	assert.False(t, ok, "no domain is not assessed, so no addendum")

	// Absent optional inputs: named, in the report's order.
	rep, err = eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"gcps_r": {"pain_frequency": 0}, "sisq_drug": {"times": 0}, "auditc": {"frequency": 0, "typical_quantity": 0, "binge_frequency": 0},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"depression", "anxiety", "trauma", "safety"}, rep.Composite.NotAssessed)
	text, ok := addendum(rep.Composite)
	require.True(t, ok)
	assert.Contains(t, text, "Not assessed at this visit: depression, anxiety, trauma, safety.")
	assert.NotContains(t, text, "{not_assessed}")
	assert.NotContains(t, text, "alcohol")
	r, _ := rep.Composite.Referral("rescreen")
	assert.Equal(t, "Rescreen at the next routine visit.", r.Text)
}
