package rules_test

import (
	"context"
	"testing"

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
	v, ok := rep.FollowUp.Measure("peg", "meaningful_improvement")
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
