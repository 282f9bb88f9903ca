package compile_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/load"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// bandsOf is scores x (the sum of q1..q3, an int from 0 to 9; or a double from 0 to 9) and b, bands of x
// with the given cuts.
func bandsOf(double bool, cuts ...string) string {
	x := "- {id: x, expr: 'answers.sum([\"q1\", \"q2\", \"q3\"])'}\n"
	if double {
		x = "- {id: x, expr: 'answers.mean([\"q1\", \"q2\", \"q3\"]) * 3.0'}\n"
	}
	s := x + "- id: b\n  bands:\n    of: x\n    cuts:\n"
	for _, c := range cuts {
		s += "      - " + c + "\n"
	}
	return s
}

// TestCompileErrors pins the code and file:line:col of each kind of problem compile finds (the messages
// are pinned where users read them: validate's goldens). Line 22 is the first score of
// compiletest.Instrument; a score's expression starts at column 20 ("- {id: x, expr: '" is 19 wide, +2
// for the indentation).
func TestCompileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, scores string
		maxCost      uint64
		want         []string
	}{
		{"unknown item, at its name", "- {id: x, expr: 'answers.q9'}", 0, []string{"22:28 unknown_item"}},
		{"type error, at the operator", `- {id: x, expr: 'answers.q1 + "a"'}`, 0, []string{"22:31 cel_type"}},
		{"syntax error, at the end", "- {id: x, expr: 'answers.q1 +'}", 0, []string{"22:32 cel_syntax"}},
		{"a constant that always fails", "- {id: x, expr: '1 / 0'}", 0, []string{"22:22 cel_constant"}},
		{"prorated_sum allowing every item missing", `- {id: x, expr: 'answers.prorated_sum(["q1", "q2"], 2)'}`, 0, []string{"22:55 item_list"}},
		{"a later score", "- {id: x, expr: 'scores.y'}\n- {id: y, expr: '1'}", 0, []string{"22:27 forward_reference"}},
		{"over the cost limit, at the expression", "- {id: x, expr: '[1, 2, 3].map(a, [1, 2, 3].map(b, a + b)).size()'}", 20, []string{"22:20 cel_cost"}},
		{"bands with a gap, at the later cut", bandsOf(false, "{min: 0, max: 1, label: lo}", "{min: 3, label: hi}"), 0, []string{"28:11 band_gap"}},
		{"bands that overlap", bandsOf(false, "{min: 0, max: 2, label: lo}", "{min: 2, label: hi}"), 0, []string{"28:11 band_overlap"}},
		{"bands with no boundary", bandsOf(false, "{min: 0, label: lo}", "{max: 9, label: hi}"), 0, []string{"28:11 band_gap"}},
		{"bands out of order", bandsOf(false, "{min: 5, max: 9, label: lo}", "{min: 0, max: 4, label: hi}"), 0, []string{"28:11 band_overlap", "28:11 band_order", "28:11 band_order"}},
		{"fractional bounds on a whole-number score", bandsOf(false, "{max: 1.5, label: lo}", "{label: hi}"), 0, []string{"27:11 band_order"}},
		{"bands of an unknown score", "- {id: x, expr: 'answers.q1'}\n- id: b\n  bands:\n    of: nope\n    cuts:\n      - {max: 1, label: lo}\n      - {label: hi}", 0, []string{"25:11 unknown_score"}},
		{"a flag that is not a bool", "- {id: x, expr: '1'}", 0, nil}, // see the extra flag below
	} {
		t.Run(tc.name, func(t *testing.T) {
			extra := ""
			want := tc.want
			if tc.want == nil {
				extra = "flags:\n  - {id: f, when: answers.q1, level: info, message: m}\n"
				want = []string{"24:19 wrong_type"}
			}
			_, list := compiletest.Build(t, map[string]string{"t.v1.yaml": compiletest.Instrument(tc.scores, extra)}, compile.Options{MaxCost: tc.maxCost})
			var got []string
			for _, d := range list.Errors() {
				assert.Equal(t, "t/t.v1.yaml", d.Pos.File)
				got = append(got, fmt.Sprintf("%d:%d %s", d.Pos.Line, d.Pos.Col, d.Code))
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestBands pins how cuts compile to intervals: a bound given on one side only is shared with the
// neighbour (exclusive on the side that does not give it), the ends are unbounded, and adjacent whole
// numbers on an int score leave no gap.
func TestBands(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		name   string
		double bool
		cuts   []string
		want   []plan.Band
	}{
		{"max shared with the next band", false, []string{"{max: 1, label: lo}", "{label: hi}"},
			[]plan.Band{{Lo: -inf, Hi: 1, Label: value.OfString("lo")}, {Lo: 1, LoOpen: true, Hi: inf, Label: value.OfString("hi")}}},
		{"min shared with the previous band", true, []string{"{min: 0, label: lo}", "{min: 5, label: hi}"},
			[]plan.Band{{Lo: 0, Hi: 5, HiOpen: true, Label: value.OfString("lo")}, {Lo: 5, Hi: inf, Label: value.OfString("hi")}}},
		{"adjacent whole numbers", false, []string{"{min: 0, max: 4, label: lo}", "{min: 5, max: 9, label: hi}"},
			[]plan.Band{{Lo: 0, Hi: 4, Label: value.OfString("lo")}, {Lo: 5, Hi: 9, Label: value.OfString("hi")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := compiletest.Plan(t, map[string]string{"t.v1.yaml": compiletest.Instrument(bandsOf(tc.double, tc.cuts...), "")})
			s := p.Insts[0].Scores[1]
			assert.Equal(t, plan.ScoreBands, s.Kind)
			assert.Equal(t, 0, s.Of)
			assert.Equal(t, tc.want, s.Bands)
		})
	}
	_, list := compiletest.Build(t, map[string]string{"t.v1.yaml": compiletest.Instrument(bandsOf(true, "{min: 0, max: 4, label: lo}", "{min: 5, label: hi}"), "")}, compile.Options{})
	require.Len(t, list.Errors(), 1, "on a double score, 4 to 5 is a gap")
	assert.Equal(t, "band_gap", list.Errors()[0].Code)
}

// TestBuildResult: what compiled is listed by key; a rule set binds its inputs and becomes their default.
func TestBuildResult(t *testing.T) {
	res, list := compiletest.Build(t, map[string]string{"t.v1.yaml": compiletest.Instrument("- {id: total, expr: 'answers.sum([\"q1\", \"q2\"])'}", "")}, compile.Options{})
	require.Empty(t, list.Errors())
	assert.Equal(t, []string{"t@1.0.0"}, res.Instruments)
	assert.Empty(t, res.RuleSets)
	in := res.Plan.ByKey["t@1.0.0"]
	require.NotNil(t, in)
	assert.Same(t, in, res.Plan.Defaults["t"])
	assert.Equal(t, 0, in.Index)
	assert.Equal(t, []int{0, 1}, in.Scores[0].Expr.Reads.Items)
	assert.NotNil(t, in.Scores[0].Expr.Fast, "the fast path covers a sum")
	assert.Nil(t, in.Scores[0].Expr.CEL, "and the interpreter's program is released")

	res, _ = compiletest.Build(t, map[string]string{"t.v1.yaml": compiletest.Instrument("- {id: total, expr: 'answers.sum([\"q1\", \"q2\"])'}", "")}, compile.Options{NoFast: true})
	assert.Nil(t, res.Plan.Insts[0].Scores[0].Expr.Fast, "NoFast")
	assert.NotNil(t, res.Plan.Insts[0].Scores[0].Expr.CEL)
}

func TestBuildNeedsRuntime(t *testing.T) {
	_, err := compile.Build(load.Set{}, compile.Options{MaxCost: 100}, nil)
	assert.ErrorContains(t, err, "Runtime")
}
