package screen_test

// Clinical-safety checks of composite contract rev 2 §1a that the YAML suites cannot express: referral text
// (the rescreen addendum), the record's errors next to an urgent flag, strict mode, and regressions of engine
// bugs found while writing the suites.

import (
	"context"
	"errors"
	"slices"
	"strings"
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
	// Every overdose risk factor reported (pain_oud 1.2.0: overdose_risk is none only when all four are
	// known), so pain is the only domain not assessed.
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: a, Context: map[string]any{
		"prior_overdose": false, "moud_current": false, "opioid_mme": 0, "benzodiazepine": false}})
	require.NoError(t, err)
	c := rep.Composite
	require.True(t, c.Applied)
	painDomain, _ := c.Domain("pain")
	pain := painDomain.Value
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

	// Everything assessed (overdose risk factors too): no addendum.
	noRisk := map[string]any{"prior_overdose": false, "opioid_mme": 0}
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: negativeBattery(), Context: noRisk})
	require.NoError(t, err)
	_, ok := addendum(rep.Composite)
	assert.False(t, ok, "no domain is not assessed, so no addendum")

	// Absent optional inputs: named, in the report's order.
	rep, err = eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"gcps_r": {"pain_frequency": 0}, "sisq_drug": {"times": 0}, "auditc": {"frequency": 0, "typical_quantity": 0, "binge_frequency": 0},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"depression", "anxiety", "trauma", "safety", "overdose_risk"}, rep.Composite.NotAssessed)
	text, ok := addendum(rep.Composite)
	require.True(t, ok)
	// Rev 3: the questionnaire domains only; the missing treatment context is the note context_unknown.
	assert.Contains(t, text, "Not assessed at this visit: Depression, Anxiety, PTSD, Safety (PHQ-9 item 9).")
	assert.NotContains(t, text, "Overdose risk")
	assert.True(t, slices.ContainsFunc(rep.Composite.Notes, func(n screen.Note) bool {
		return n.Code == "context_unknown" && strings.Contains(n.Message, "on MOUD, opioid dose, benzodiazepine, prior opioid overdose")
	}), "notes %+v", rep.Composite.Notes)
	assert.NotContains(t, text, "{not_assessed}")
	assert.NotContains(t, text, "alcohol")
	r, _ := rep.Composite.Referral("rescreen")
	assert.Equal(t, "Rescreen at the next routine visit.", r.Text)
}

// A domain that is not assessed but whose every possible value gives tier low (pain none or mild, pain
// frequency unanswered) is still not assessed: the rescreen text must name it (composite.md §2, rescreen).
//
// Referral addenda are evaluated over the combinations of possible domain values, in which pain is none or
// mild — never not_assessed — so an addendum conditioned on "some domain is not_assessed" would be dropped
// although the report lists pain as not assessed: the rescreen addendum is unconditional, and left out only
// when {not_assessed} would name no domain.
func TestRescreenAddendumNamesAnOpenDomain(t *testing.T) {
	eng := safetyEngine(t)
	a := negativeBattery()
	a["gcps_r"] = map[string]any{"limit_frequency": 0, "pain_avg": 0, "enjoyment": 0, "activity": 0}
	// Every overdose risk factor reported (pain_oud 1.2.0: overdose_risk is none only when all four are
	// known), so pain is the only domain not assessed.
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: a, Context: map[string]any{
		"prior_overdose": false, "moud_current": false, "opioid_mme": 0, "benzodiazepine": false}})
	require.NoError(t, err)
	c := rep.Composite
	require.Equal(t, []string{"pain"}, c.NotAssessed)
	r, ok := c.Referral("rescreen")
	require.True(t, ok)
	require.Len(t, r.Addenda, 1, "the report says pain was not assessed; the rescreen text must say so")
	assert.Contains(t, r.Addenda[0], "Not assessed at this visit: Chronic pain.")
}

// §1a rule 1: an invalid answer spoils only itself. The record's errors name it (never its value), its
// instrument's status is error and no score that reads it is prorated, what the valid answers settle is still
// reported, and the notes do not call the invalid answer "not answered".
func TestInvalidAnswerSpoilsOnlyItself(t *testing.T) {
	eng := safetyEngine(t)
	a := negativeBattery()
	a["phq9"]["q9"] = 1       // urgent
	a["gad7"]["q3"] = "often" // not an option code
	a["gcps_r"] = map[string]any{"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 4, "enjoyment": 4, "activity": 4}
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "pt-1", Answers: a})
	require.NoError(t, err, "a report exists: Score returns it and no error")
	require.NotNil(t, rep)
	err = rep.Err()
	var re *screen.ResponseErrors
	require.ErrorAs(t, err, &re, "a record with an invalid answer is a failed record")
	require.Len(t, re.Errors, 1)
	assert.True(t, errors.Is(err, screen.ErrInvalidValue))
	require.Len(t, rep.Errors, 1)
	e := rep.Errors[0]
	assert.Equal(t, "invalid_value", e.Code)
	assert.Equal(t, "gad7", e.Instrument)
	assert.Equal(t, "q3", e.Item)
	assert.NotContains(t, e.Message, "often", "errors never carry the answer")
	assert.NotContains(t, e.Error(), "pt-1", "errors never carry the subject")

	gad7 := rep.Instrument("gad7")
	require.NotNil(t, gad7)
	assert.Equal(t, screen.StatusError, gad7.Status)
	// Six answers of 0 and one unknown: the total (0..3) is not computed and not prorated, but the
	// severity is minimal whatever the unknown answer is, and anxiety is negative.
	_, ok := gad7.Score("total")
	assert.False(t, ok)
	sevScore, ok := gad7.Score("severity")
	sev := sevScore.Value
	require.True(t, ok, "notes: %v", gad7.Notes)
	assert.Equal(t, "minimal", sev.String())
	for _, n := range gad7.Notes {
		assert.NotEqual(t, "prorated", n.Code)
		if n.Code == "not_computed" && n.About == "total" {
			assert.Contains(t, n.Message, "not valid")
			assert.NotContains(t, n.Message, "not answered")
		}
	}
	assert.True(t, slices.ContainsFunc(gad7.Notes, func(n screen.Note) bool { return n.Code == "unknown_answers" }))

	// Rule 4: the urgent flag and tier are there, whatever else failed.
	phq9 := rep.Instrument("phq9")
	_, fired := phq9.Flag("suicidal_ideation")
	assert.True(t, fired)
	c := rep.Composite
	require.True(t, c.Applied)
	assert.Equal(t, screen.Tier("urgent"), c.Tier)
	anxDomain, _ := c.Domain("anxiety")
	anx := anxDomain.Value
	assert.Equal(t, "negative", anx.String())
	assert.Equal(t, []string{"suicide_safety_assessment", "integrated_pain_care"}, referralIDs(c.Referrals))

	// Strict mode: the first problem ends the record, as before.
	_, err = safetyEngine(t, screen.WithStrictAnswers()).Score(context.Background(), &screen.Response{Answers: a})
	var se *screen.ScoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "invalid_value", se.Code)
	assert.False(t, errors.As(err, &re))
}

// §1a rule 4: an urgent flag that fired is in the report when the rule set is not applied (here: a
// respondent under 18, outside pain_oud's population) and when other answers are invalid.
func TestUrgentFlagSurfacesWithoutTheRuleSet(t *testing.T) {
	eng := safetyEngine(t)
	rep, err := eng.Score(context.Background(), &screen.Response{Context: map[string]any{"age": 16}, Answers: map[string]map[string]any{
		"phq9":   {"q9": 2},
		"auditc": {"frequency": 9},
		"phq10":  {"q1": 1},
	}})
	require.NoError(t, err)
	require.NotNil(t, rep)
	var re *screen.ResponseErrors
	require.ErrorAs(t, rep.Err(), &re)
	codes := []string{}
	for _, e := range rep.Errors {
		codes = append(codes, e.Code+" "+e.Instrument+"."+e.Item)
	}
	assert.Equal(t, []string{"invalid_value auditc.frequency", "unknown_instrument phq10."}, codes)
	require.NotNil(t, rep.Composite)
	assert.False(t, rep.Composite.Applied)
	phq9 := rep.Instrument("phq9")
	require.NotNil(t, phq9)
	f, fired := phq9.Flag("suicidal_ideation")
	require.True(t, fired)
	assert.Equal(t, screen.LevelUrgent, f.Level)
}

// §1a rule 2: an answer to an item skip logic does not ask is kept with a note, is not scored and is not an
// error; in strict mode it is the error disabled_item. The PC-PTSD-5 note says what a yes there means.
func TestAnsweredWhenSkipped(t *testing.T) {
	eng := safetyEngine(t, screen.WithoutRuleSet())
	resp := &screen.Response{Answers: map[string]map[string]any{"pc_ptsd5": {"trauma": 0, "nightmares": 1, "avoidance": 1, "on_guard": 1}}}
	rep, err := eng.Score(context.Background(), resp)
	require.NoError(t, err)
	res := rep.Instrument("pc_ptsd5")
	assert.Equal(t, screen.StatusComplete, res.Status)
	totScore, _ := res.Score("total")
	tot := totScore.Value
	assert.Equal(t, "0", tot.String())
	var about []string
	for _, n := range res.Notes {
		if n.Code == "answered_when_skipped" {
			about = append(about, n.About)
			assert.Contains(t, n.Message, "symptoms were endorsed without a reported traumatic event")
		}
	}
	assert.Equal(t, []string{"nightmares", "avoidance", "on_guard"}, about)

	_, err = safetyEngine(t, screen.WithoutRuleSet(), screen.WithStrictAnswers()).Score(context.Background(), resp)
	assert.ErrorIs(t, err, screen.ErrDisabledItem)
	var se *screen.ScoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "nightmares", se.Item)
}
