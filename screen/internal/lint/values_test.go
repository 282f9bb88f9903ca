package lint

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// TestValueSets pins what the analysis says each kind of expression can give, over items q1-q4 scored
// 0-3, a yes/no item yn (0, 1), a 0-10 range item r, an unbounded range item n, and earlier scores.
func TestValueSets(t *testing.T) {
	freq := &def.Scale{ID: "frequency", Options: []def.Option{{Value: 0}, {Value: 1}, {Value: 2}, {Value: 3}}}
	yn := &def.Scale{ID: "yn", Options: []def.Option{{Value: 0}, {Value: 1}}}
	i64 := func(v int64) *int64 { return &v }
	in := &def.Instrument{Items: []*def.Item{
		{ID: "q1", Scale: freq}, {ID: "q2", Scale: freq}, {ID: "q3", Scale: freq}, {ID: "q4", Scale: freq},
		{ID: "yn", Scale: yn}, {ID: "r", Min: i64(0), Max: i64(10)}, {ID: "n", Min: i64(0)},
	}}
	for _, tc := range []struct {
		expr string
		want string // "lo–hi [values]" or "unknown"
	}{
		{`answers.sum(["q1", "q2", "q3", "q4"])`, "0–12 int [0 1 2 3 4 5 6 7 8 9 10 11 12]"},
		{`answers.q1 + answers.yn * 10`, "0–13 int [0 1 2 3 10 11 12 13]"},
		{`answers.yn == 1 ? 0 : answers.sum(["q1", "q2"])`, "0–6 int [0 1 2 3 4 5 6]"},
		{`answers.sum(["q1", "q2"]) + (answers.yn == 1 ? 0 : 1) * answers.sum(["q3", "q4"])`, "0–12 int [0 1 2 3 4 5 6 7 8 9 10 11 12]"},
		{`answers.mean(["q1", "q2"])`, "0–3 [0 0.5 1 1.5 2 2.5 3]"},
		{`round(answers.mean(["q1", "q2", "q3"]), 1)`, "0–3 [0 0.3 0.7 1 1.3 1.7 2 2.3 2.7 3]"},
		{`answers.prorated_sum(["q1", "q2", "q3"], 1)`, "0–9 [0 1 1.5 2 3 4 4.5 5 6 7 7.5 8 9]"},
		{`answers.answered(["q1", "q2", "q3"])`, "0–3 int [0 1 2 3]"},
		{`answers.r - 5`, "-5–5 int [-5 -4 -3 -2 -1 0 1 2 3 4 5]"},
		{`-answers.yn`, "-1–0 int [-1 0]"},
		{`scores.base * 2`, "0–24 int [0 2 4 6 8 10 12 14 16 18 20 22 24]"},
		{`answers.n`, "0–∞ int"},
		{`answers.sum(["q1"]) / 2`, "unknown"},
		{`size([answers.q1])`, "unknown"},
		{`answers.q1 >= 2`, "unknown"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			a := newAnalyser(in)
			a.scores["base"] = a.expr(&def.Expr{Src: `answers.sum(["q1", "q2", "q3", "q4"])`})
			s := a.expr(&def.Expr{Src: tc.expr})
			got := "unknown"
			if s.ok {
				got = s.text()
				if s.lo == s.hi {
					got = fmt.Sprintf("%v–%v", s.lo, s.hi)
				}
				if s.integer {
					got += " int"
				}
				if s.vals != nil {
					got += " " + fmt.Sprint(s.vals)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestProratedMatchesEngine: the prorated values the analysis lists are exactly those the engine's
// rounding gives (round half-up of 10·sum·listed/answered, in tenths), checked by brute force.
func TestProratedMatchesEngine(t *testing.T) {
	freq := &def.Scale{Options: []def.Option{{Value: 0}, {Value: 1}, {Value: 2}, {Value: 3}}}
	var items []*def.Item
	for i := range 5 {
		items = append(items, &def.Item{ID: fmt.Sprintf("q%d", i+1), Scale: freq})
	}
	a := newAnalyser(&def.Instrument{Items: items})
	s := a.expr(&def.Expr{Src: `answers.prorated_sum(["q1", "q2", "q3", "q4", "q5"], 2)`})
	require.True(t, s.ok)
	want := map[float64]bool{}
	for answered := 3; answered <= 5; answered++ {
		for sum := int64(0); sum <= int64(3*answered); sum++ {
			num := 10 * sum * 5
			tenths := (2*num + int64(answered)) / (2 * int64(answered))
			want[float64(tenths)/10] = true
		}
	}
	require.Len(t, s.vals, len(want))
	for _, v := range s.vals {
		assert.True(t, want[v], "%v is not a value the engine gives", v)
	}
}
