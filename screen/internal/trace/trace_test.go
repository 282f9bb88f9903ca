package trace_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
)

const rules = `id: r
version: 1.0.0
title: R
status: active
description: R.
citation: none
license: none
inputs:
  t: {version: "^1", required: true}
domains:
  - id: mood
    values: [low, ok]
    expr: "has(t.total) && t.total >= 2 ? 'low' : 'ok'"
tiers:
  - {id: raised, when: "domains.mood == 'low'"}
  - {id: low}
referrals:
  - {id: x, priority: routine, when: "tier == 'raised' && t.flags.f", text: X., rationale: X., source: none}
`

func testPlan(t *testing.T) *plan.Plan {
	t.Helper()
	p := compiletest.Plan(t, map[string]string{
		"t.v1.yaml": compiletest.Instrument("- {id: total, expr: 'answers.sum([\"q1\", \"q2\"])'}",
			"flags:\n  - {id: f, when: answers.q3 == 3, level: warning, message: m}\n"),
		"u.v1.yaml": strings.Replace(compiletest.Instrument("- {id: total, expr: 'answers.q1'}", ""), "id: t\n", "id: u\n", 1),
		"r.v1.yaml": rules,
	})
	require.NotNil(t, p.Rules)
	return p
}

// TestFirstRead: within a span each field counts once, at its first read, whatever the kind of read (a
// failed presence test and a value read are the same field); the same index of another instrument, or of
// another kind, is another field; Begin starts afresh.
func TestFirstRead(t *testing.T) {
	p := testPlan(t)
	require.Len(t, p.Insts, 2)
	ie, other := &eval.InstEval{Inst: p.Insts[0]}, &eval.InstEval{Inst: p.Insts[1]}
	tr := trace.New(p)
	reads := []eval.Read{
		{IE: ie, Kind: plan.ReadItem, Idx: 0},
		{IE: ie, Kind: plan.ReadScore, Idx: 0},
		{IE: ie, Kind: plan.ReadItem, Idx: 0, Missing: true},
		{IE: ie, Kind: plan.ReadItem, Idx: 1},
		{IE: other, Kind: plan.ReadItem, Idx: 0},
		{IE: other, Kind: plan.ReadItem, Idx: 0},
		{Kind: plan.ReadDomain, Idx: 0},
		{Kind: plan.ReadContext, Idx: 0},
		{Kind: plan.ReadContext, Idx: 0},
		{Kind: plan.ReadTier},
		{IE: ie, Kind: plan.ReadFlag, Idx: 0},
		{IE: ie, Kind: plan.ReadStatus},
		{Kind: plan.ReadTier},
	}
	want := []bool{true, true, false, true, true, false, true, true, false, true, true, true, false}
	tr.Begin()
	for i, r := range reads {
		assert.Equal(t, want[i], tr.First(r), "read %d", i)
	}
	tr.Begin()
	assert.True(t, tr.First(reads[0]), "a new span")
	assert.False(t, tr.First(reads[0]))
}

// TestFieldNames: a field is named as the expression wrote it, from the instrument or qualified from the
// rule set, and as has(...) for a failed presence test.
func TestFieldNames(t *testing.T) {
	p := testPlan(t)
	for _, tc := range []struct {
		f    trace.Field
		want string
	}{
		{trace.Field{Kind: plan.ReadItem, Idx: 1}, "answers.q2"},
		{trace.Field{Kind: plan.ReadItem, Idx: 1, Rules: true}, "t.answers.q2"},
		{trace.Field{Kind: plan.ReadItem, Idx: 3, Missing: true}, "has(answers.q4)"},
		{trace.Field{Kind: plan.ReadScore, Idx: 0}, "scores.total"},
		{trace.Field{Kind: plan.ReadScore, Idx: 0, Rules: true}, "t.total"},
		{trace.Field{Kind: plan.ReadScore, Idx: 0, Rules: true, Missing: true}, "has(t.total)"},
		{trace.Field{Kind: plan.ReadFlag, Idx: 0, Rules: true}, "t.flags.f"},
		{trace.Field{Kind: plan.ReadStatus, Rules: true}, "t.status"},
		{trace.Field{Kind: plan.ReadDomain, Inst: -1, Idx: 0}, "domains.mood"},
		{trace.Field{Kind: plan.ReadTier, Inst: -1}, "tier"},
		{trace.Field{Kind: plan.ReadContext, Inst: -1, Idx: 0}, "context.age"},
		{trace.Field{Kind: plan.ReadDays, Inst: -1, Rules: true}, "followup.days"},
		{trace.Field{Kind: plan.ReadDays, Inst: -1}, "days"},
		{trace.Field{Kind: plan.ReadBaseline, Idx: 0}, "baseline.total"},
		{trace.Field{Kind: plan.ReadBaseline, Idx: 0, Rules: true}, "t.baseline.total"},
	} {
		assert.Equal(t, tc.want, tc.f.Name(p), "%+v", tc.f)
	}
}
