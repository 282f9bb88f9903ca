package compile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

func cutStrings(cuts []plan.Cut) []string {
	var out []string
	for _, c := range cuts {
		cut := catalog.Cut{Op: c.Op, N: c.N, Real: c.Real}
		for _, t := range c.Terms {
			cut.Terms = append(cut.Terms, catalog.Term{Path: t.Path, Sum: t.Sum})
		}
		out = append(out, cut.String())
	}
	return out
}

// TestReads pins what the compiler finds an instrument's expression reads: items and scores by index, the
// paths as written, the cut-points (the value on the left) and the missing-data rules.
func TestReads(t *testing.T) {
	for _, tc := range []struct {
		expr          string
		items, scores []int
		cuts          []string
		real          bool
		missing       []plan.MissingRule
	}{
		{expr: "scores.total >= 3", scores: []int{0}, cuts: []string{"scores.total >= 3"}},
		{expr: "3 <= scores.total", scores: []int{0}, cuts: []string{"scores.total >= 3"}},
		{expr: "10 > answers.q1", items: []int{0}, cuts: []string{"answers.q1 < 10"}},
		{expr: `has(scores.limit) && scores.limit == 5 ? scores.total >= 4 : scores.total >= 3`, scores: []int{1, 1, 0, 0},
			cuts: []string{"scores.total >= 4", "scores.total >= 3"}},
		{expr: `answers.sum(["q1", "q2"]) >= 12.5`, items: []int{0, 1}, cuts: []string{`answers.sum(["q1", "q2"]) >= 12.5`}, real: true,
			missing: []plan.MissingRule{{Items: []string{"q1", "q2"}}}},
		{expr: "answers.q1 + answers.q2 >= 3 ? 'positive' : 'negative'", items: []int{0, 1}, cuts: []string{"answers.q1 + answers.q2 >= 3"}},
		{expr: "answers.q1 == 1", items: []int{0}},                    // equality is not a cut-point
		{expr: "scores.total >= scores.limit", scores: []int{0, 1}},   // no constant
		{expr: "(answers.q1 == 1 ? 1 : 0) + 1 >= 2", items: []int{0}}, // not a value read from a case
		{expr: `answers.prorated_sum(["q1", "q2", "q3"], 1)`, items: []int{0, 1, 2}, // a missing-data rule
			missing: []plan.MissingRule{{Items: []string{"q1", "q2", "q3"}, Max: 1}}},
		{expr: `answers.mean(["q3", "q1"]) > 1.0`, items: []int{2, 0}, // a mean is not a value a case gives
			missing: []plan.MissingRule{{Items: []string{"q3", "q1"}}}},
		{expr: `answers.answered(["q1", "q2"]) >= 1`, items: []int{0, 1}, cuts: nil}, // counts answers: no rule, and not a sum
	} {
		t.Run(tc.expr, func(t *testing.T) {
			p := compiletest.Plan(t, map[string]string{"t.v1.yaml": compiletest.Instrument(
				"- {id: total, expr: 'answers.sum([\"q1\", \"q2\", \"q3\"])'}\n- {id: limit, expr: '5'}\n- id: x\n  expr: |-\n    "+tc.expr+"\n", "")})
			r := p.Insts[0].Scores[2].Expr.Reads
			assert.Equal(t, tc.items, r.Items, "items")
			assert.Equal(t, tc.scores, r.Scores, "scores")
			assert.Equal(t, tc.cuts, cutStrings(r.Cuts), "cuts")
			for _, c := range r.Cuts {
				assert.Equal(t, tc.real, c.Real, "a constant written as a double")
			}
			assert.Equal(t, tc.missing, r.Missing, "missing-data rules")
		})
	}
}

// TestReadsPaths pins the paths a rule set's expression reads, as written: has() reads its field, a
// comprehension's variable is a path of one name.
func TestReadsPaths(t *testing.T) {
	rules := `id: r
version: 1.0.0
title: R
status: active
description: R.
citation: none
license: none
inputs:
  t: {version: "^1", required: true}
domains:
  - id: oud
    values: [mild, none]
    expr: "has(t.total) && t.total >= 2 ? 'mild' : 'none'"
tiers:
  - {id: low}
referrals:
  - id: x
    priority: routine
    when: "has(t.answers.q1) && domains.oud in ['mild'] ? tier == 'low' : [1].exists(x, x > t.total)"
    text: X.
    rationale: X.
    source: none
`
	p := compiletest.Plan(t, map[string]string{"t.v1.yaml": compiletest.Instrument("- {id: total, expr: 'answers.sum([\"q1\", \"q2\"])'}\n", ""), "r.v1.yaml": rules})
	require.NotNil(t, p.Rules)
	got := p.Rules.Referrals[0].When.Reads.Paths
	for _, want := range [][]string{{"t", "answers", "q1"}, {"domains", "oud"}, {"tier"}, {"x"}, {"t", "total"}} {
		assert.Contains(t, got, want)
	}
	r := p.Rules.Domains[0].Prog.Reads
	assert.Equal(t, []string{"t.total >= 2"}, cutStrings(r.Cuts))
	require.Len(t, r.Inputs, 1)
	assert.Equal(t, []int{0, 0}, r.Inputs[0].Scores, "the input's score, read twice")
	assert.Nil(t, r.Items, "a rule set reads its inputs' fields through Inputs")
}
