package rules_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// TestV12InputsReadByDomains checks composite.md §2 (rev 3): the rule set is applied when an input a domain
// reads is present. The PEG is an input of pain_oud 1.2.0 read only by follow-up, so a record with only a PEG
// is not applied (reason no_inputs), at one visit or two; a follow-up still reads the PEG at both visits.
func TestV12InputsReadByDomains(t *testing.T) {
	eng := v12Engine(t)
	ctx := context.Background()
	peg := func(p, e, a int) map[string]any { return map[string]any{"pain": p, "enjoyment": e, "activity": a} }

	for _, tc := range []struct {
		name    string
		answers map[string]map[string]any
		applied bool
	}{
		{"PEG only: no_inputs", map[string]map[string]any{"peg": peg(7, 7, 7)}, false},
		{"PEG and GCPS-R: applied", map[string]map[string]any{"peg": peg(7, 7, 7), "gcps_r": {"pain_frequency": 1}}, true},
		{"PHQ-2 only: applied", map[string]map[string]any{"phq2": {"q1": 0, "q2": 0}}, true},
		{"AUDIT-C only: applied", map[string]map[string]any{"auditc": {"q1": 0, "q2": 0, "q3": 0}}, true},
	} {
		rep, _ := eng.Score(ctx, &screen.Response{Answers: tc.answers})
		require.NotNil(t, rep, tc.name)
		require.NotNil(t, rep.Composite, tc.name)
		assert.Equal(t, tc.applied, rep.Composite.Applied, tc.name)
		if !tc.applied {
			assert.Equal(t, "no_inputs", rep.Composite.Reason, tc.name)
			assert.Empty(t, rep.Composite.Referrals, tc.name)
		}
	}

	// Two visits, PEG only: the measures are computed, the rule set is not applied.
	base := &screen.Response{Subject: "s", Date: "2026-01-05", Answers: map[string]map[string]any{"peg": peg(6, 6, 6)}}
	cur := &screen.Response{Subject: "s", Date: "2026-05-05", Answers: map[string]map[string]any{"peg": peg(6, 5, 6)}}
	rep, _ := eng.FollowUp(ctx, base, cur)
	require.NotNil(t, rep)
	require.NotNil(t, rep.FollowUp)
	measure, ok := rep.FollowUp.Measure("peg", "meaningful_improvement")
	v := measure.Value
	require.True(t, ok, "PEG read at both visits")
	b, _ := v.Bool()
	assert.False(t, b)
	require.NotNil(t, rep.Composite)
	assert.False(t, rep.Composite.Applied)
	assert.Equal(t, "no_inputs", rep.Composite.Reason)

	// With a domain input present, the PEG at both visits drives pain_treatment_review (baseline mean 6 ≥ 4,
	// no 30 % improvement, 120 days).
	base.Answers["gcps_r"] = map[string]any{"pain_frequency": 1}
	cur.Answers["gcps_r"] = map[string]any{"pain_frequency": 1}
	rep, _ = eng.FollowUp(ctx, base, cur)
	require.NotNil(t, rep.Composite)
	require.True(t, rep.Composite.Applied)
	var ids []string
	for _, r := range rep.Composite.Referrals {
		ids = append(ids, r.ID)
	}
	assert.Contains(t, ids, "pain_treatment_review")
}

// refIDs lists the ids of referrals.
func refIDs(rs []screen.Referral) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestV12FollowUpOpenBaselineReferrals checks §3 (rev 3) on baseline scores the referrals read directly: a
// baseline total or PEG mean the baseline's answers leave open takes every value its completions give, so a
// follow-up referral is listed when all of them fire it and as possible when some do (issue 19).
func TestV12FollowUpOpenBaselineReferrals(t *testing.T) {
	eng := v12Engine(t)
	ctx := context.Background()
	gn := map[string]any{"pain_frequency": 1}
	for _, tc := range []struct {
		name           string
		base, cur      map[string]map[string]any
		days           int
		firm, possible []string
	}{
		// Baseline total 10–22 (four items blank), current 12 at day 70: no completion responds (12 ≤ half
		// the baseline needs 24) or remits, and every baseline is ≥ 10.
		{"PHQ-9 baseline 10-22, current 12, day 70: fired", map[string]map[string]any{"phq9": items(2, 2, 2, 2, 2, nil, nil, nil, nil)},
			map[string]map[string]any{"phq9": items(2, 2, 2, 2, 2, 1, 1, 0, 0)}, 70, []string{"treatment_adjustment"}, nil},
		// Baseline 8–20: ≥ 10 in some completions only.
		{"PHQ-9 baseline 8-20, current 12, day 70: possible", map[string]map[string]any{"phq9": items(2, 2, 2, 1, 1, nil, nil, nil, nil)},
			map[string]map[string]any{"phq9": items(2, 2, 2, 2, 2, 1, 1, 0, 0)}, 70, nil, []string{"treatment_adjustment"}},
		// Before day 70 and no worsening possible (current 12 − baseline ≥ 10 is at most 2): nothing.
		{"PHQ-9 baseline 10-22, current 12, day 40: nothing", map[string]map[string]any{"phq9": items(2, 2, 2, 2, 2, nil, nil, nil, nil)},
			map[string]map[string]any{"phq9": items(2, 2, 2, 2, 2, 1, 1, 0, 0)}, 40, nil, nil},
		// PEG baseline mean (3 + 3 + x) / 3 ∈ [2, 5.3]: ≥ 4 in some; current 5 never improves by 30 % on it.
		{"PEG baseline mean open around 4, day 90: possible", map[string]map[string]any{"gcps_r": gn, "peg": {"pain": 3, "enjoyment": 3}},
			map[string]map[string]any{"gcps_r": gn, "peg": {"pain": 5, "enjoyment": 5, "activity": 5}}, 90, nil, []string{"pain_treatment_review"}},
		// (6 + 6 + x) / 3 ≥ 4 in every completion, current 6 never improves by 30 % on at most 7.3: fired.
		{"PEG baseline mean 4-7.3, day 90: fired", map[string]map[string]any{"gcps_r": gn, "peg": {"pain": 6, "enjoyment": 6}},
			map[string]map[string]any{"gcps_r": gn, "peg": {"pain": 6, "enjoyment": 6, "activity": 6}}, 90, []string{"pain_treatment_review"}, nil},
	} {
		base := &screen.Response{Subject: "s", Date: "2026-01-05", Answers: tc.base}
		cur := &screen.Response{Subject: "s", Date: time.Date(2026, 1, 5+tc.days, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Answers: tc.cur}
		rep, _ := eng.FollowUp(ctx, base, cur)
		require.NotNil(t, rep, tc.name)
		require.NotNil(t, rep.Composite, tc.name)
		require.True(t, rep.Composite.Applied, tc.name)
		for _, id := range fuRefs {
			assert.Equal(t, slices.Contains(tc.firm, id), slices.Contains(refIDs(rep.Composite.Referrals), id), "%s: %s listed", tc.name, id)
			assert.Equal(t, slices.Contains(tc.possible, id), slices.Contains(refIDs(rep.Composite.PossibleReferrals), id), "%s: %s possible", tc.name, id)
		}
		// The reasons show the baseline value the rule read (one its completions give), never null.
		for _, r := range append(slices.Clone(rep.Composite.Referrals), rep.Composite.PossibleReferrals...) {
			for _, why := range r.Reasons() {
				if strings.Contains(why.Name, ".baseline.") && !strings.HasPrefix(why.Name, "has(") {
					assert.False(t, why.Value.IsNull(), "%s: %s reason %s", tc.name, r.ID, why.Name)
				}
			}
		}
	}
}

var fuRefs = []string{"treatment_adjustment", "treat_to_remission", "pain_treatment_review"}

// TestV12FollowUpNearBound checks the determinacy bound of §1a rule 3 (at least 10^6 completions' worth per
// record) on follow-up: five PHQ-9 items blank at each visit is 4^10 ≈ 1.05·10^6 completions of the two
// response sets, and worsening (current − baseline ≥ 5) is false in every one (the baseline is 12–27 and
// the current 0–15), so it is decided, with no determinacy_limit; so is treatment_adjustment (not listed).
func TestV12FollowUpNearBound(t *testing.T) {
	eng := v12Engine(t)
	base := &screen.Response{Subject: "s", Date: "2026-01-05", Answers: map[string]map[string]any{"phq9": items(3, 3, 3, 3, nil, nil, nil, nil, nil)}}
	cur := &screen.Response{Subject: "s", Date: "2026-01-19", Answers: map[string]map[string]any{"phq9": items(0, 0, 0, 0, nil, nil, nil, nil, nil)}}
	rep, _ := eng.FollowUp(context.Background(), base, cur)
	require.NotNil(t, rep)
	require.NotNil(t, rep.FollowUp)
	for _, n := range rep.FollowUp.Notes {
		assert.NotEqual(t, "determinacy_limit", n.Code, "%s: %s", n.About, n.Message)
	}
	measure, ok := rep.FollowUp.Measure("phq9", "worsening")
	v := measure.Value
	require.True(t, ok, "worsening is decided")
	b, _ := v.Bool()
	assert.False(t, b)
	require.NotNil(t, rep.Composite)
	assert.NotContains(t, refIDs(rep.Composite.Referrals), "treatment_adjustment")
	assert.NotContains(t, refIDs(rep.Composite.PossibleReferrals), "treatment_adjustment")
}
