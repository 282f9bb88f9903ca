package screen_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Follow-up measures are decided like every other result (composite contract §3, rev 3): reported when
// every completion of the two visits' missing or invalid answers gives the same value, otherwise not
// computed with the values they may have. Checked against a brute force written from the contract: a PHQ-9
// total is its own rule's (prorated when 1-2 items are missing and none is invalid), else the sum of each
// completion; response and remission are then the contract's formulas.

// phqTotals returns the PHQ-9 totals a visit can have: one when its own rule computes it, else one per
// completion of the missing (-1) and invalid (-2) items.
func phqTotals(d []int) []float64 {
	sum, answered, missing, invalid := 0, 0, 0, false
	for _, v := range d {
		switch {
		case v == -1:
			missing++
		case v == -2:
			missing++
			invalid = true
		default:
			sum += v
			answered++
		}
	}
	if missing == 0 {
		return []float64{float64(sum)}
	}
	if !invalid && missing <= 2 {
		tenths := (2*10*sum*9 + answered) / (2 * answered)
		return []float64{float64(tenths) / 10}
	}
	var out []float64
	var rec func(k, s int)
	rec = func(k, s int) {
		if k == missing {
			out = append(out, float64(s))
			return
		}
		for v := range 4 {
			rec(k+1, s+v)
		}
	}
	rec(0, sum)
	return out
}

func phqAnswers(d []int) map[string]any {
	m := map[string]any{}
	for i, v := range d {
		switch v {
		case -1:
		case -2:
			m[fmt.Sprintf("q%d", i+1)] = "often"
		default:
			m[fmt.Sprintf("q%d", i+1)] = v
		}
	}
	return m
}

func TestFollowUpDeterminacyMatchesBruteForce(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 28))
	pattern := func() []int {
		d := make([]int, 9)
		for i := range d {
			d[i] = rng.IntN(4)
		}
		for range rng.IntN(5) {
			d[rng.IntN(9)] = []int{-1, -1, -2}[rng.IntN(3)]
		}
		d[8] = 0 // item 9 answered: the tier stays out of the way
		return d
	}
	decided, open := 0, 0
	for c := range 300 {
		bd, cd := pattern(), pattern()
		if c%3 == 0 {
			for i := range bd { // a high baseline, so that response and remission are in play
				bd[i] = max(bd[i], 2)
			}
			bd[8] = 0
		}
		base := &screen.Response{Subject: "p", Date: "2026-01-01", Answers: map[string]map[string]any{"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}, "phq9": phqAnswers(bd)}}
		cur := &screen.Response{Subject: "p", Date: "2026-03-01", Answers: map[string]map[string]any{"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}, "phq9": phqAnswers(cd)}}
		rep, _ := eng.FollowUp(context.Background(), base, cur)
		require.NotNil(t, rep)
		f := rep.FollowUp
		require.True(t, f.Computed)
		where := fmt.Sprintf("baseline %v current %v\n%s", bd, cd, rep.AppendJSON(nil))
		for _, m := range []struct {
			id string
			fn func(b, c float64) bool
		}{
			{"response", func(b, c float64) bool { return b >= 10 && c*2 <= b }},
			{"remission", func(b, c float64) bool { return b >= 10 && c < 5 }},
		} {
			set := map[bool]bool{}
			for _, b := range phqTotals(bd) {
				for _, c := range phqTotals(cd) {
					set[m.fn(b, c)] = true
				}
			}
			gotMeasure, ok := f.Measure("phq9", m.id)
			got := gotMeasure.Value
			var possible []screen.Value
			for _, in := range f.Instruments {
				for _, p := range in.Possible {
					if in.ID == "phq9" && p.ID == m.id {
						possible = p.Values
					}
				}
			}
			if len(set) == 1 {
				decided++
				require.True(t, ok, "%s: every completion gives %v\n%s", m.id, set, where)
				require.Equal(t, fmt.Sprint(set[true]), got.String(), "%s\n%s", m.id, where)
				require.Nil(t, possible, where)
			} else {
				open++
				require.False(t, ok, "%s: completions differ, but it is reported as %v\n%s", m.id, got, where)
				require.Equal(t, []screen.Value{screen.BoolValue(false), screen.BoolValue(true)}, possible, "%s\n%s", m.id, where)
			}
		}
	}
	t.Logf("%d measures decided, %d open", decided, open)
	require.Greater(t, open, 20)
}

// The examples, and a follow-up referral that fires in only some completions listed as possible.
func TestFollowUpDeterminacyExamples(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	ctx := context.Background()
	visitOf := func(date string, phq map[string]any) *screen.Response {
		return &screen.Response{Subject: "p", Date: date, Answers: map[string]map[string]any{
			"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}, "phq9": phq}}
	}
	// Baseline 16; current items sum 14 with three blank: response impossible (14 > 8), decided false.
	partial := map[string]any{"q1": 3, "q2": 3, "q3": 3, "q4": 3, "q5": 2, "q9": 0}
	rep, err := eng.FollowUp(ctx, visitOf("2026-01-01", phq9Total(16)), visitOf("2026-04-01", partial))
	require.NoError(t, err)
	vMeasure, ok := rep.FollowUp.Measure("phq9", "response")
	v := vMeasure.Value
	require.True(t, ok, "%s", rep.AppendJSON(nil))
	assert.Equal(t, "false", v.String())
	vMeasure, ok = rep.FollowUp.Measure("phq9", "remission")
	v = vMeasure.Value
	require.True(t, ok)
	assert.Equal(t, "false", v.String())
	_, ok = rep.FollowUp.Measure("phq9", "change")
	assert.False(t, ok, "change is 14 to 23 minus 16: not decided")
	assert.True(t, hasNote(rep.FollowUp.Notes, "determined", "phq9.response"), "%+v", rep.FollowUp.Notes)
	assert.True(t, hasNote(rep.FollowUp.Notes, "not_computed", "phq9.change"))
	// 1.1.0's treatment_adjustment (days >= 70, baseline >= 10 without response or remission) now fires.
	_, ok = rep.Composite.Referral("treatment_adjustment")
	assert.True(t, ok, "referrals %v", referralIDs(rep.Composite.Referrals))

	// Baseline 16; current items sum 5 with three blank (5 to 14): response open (true up to 8), remission
	// decided false; the treatment_adjustment referral fires in some completions only, so it is possible,
	// never listed.
	low := map[string]any{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q9": 0}
	rep, err = eng.FollowUp(ctx, visitOf("2026-01-01", phq9Total(16)), visitOf("2026-04-01", low))
	require.NoError(t, err)
	_, ok = rep.FollowUp.Measure("phq9", "response")
	assert.False(t, ok)
	vMeasure, ok = rep.FollowUp.Measure("phq9", "remission")
	v = vMeasure.Value
	require.True(t, ok)
	assert.Equal(t, "false", v.String())
	i := slices.IndexFunc(rep.FollowUp.Instruments, func(in screen.FollowUpInstrument) bool { return in.ID == "phq9" })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, []screen.FollowUpPossible{
		{ID: "response", Values: []screen.Value{screen.BoolValue(false), screen.BoolValue(true)}},
	}, rep.FollowUp.Instruments[i].Possible)
	_, ok = rep.Composite.Referral("treatment_adjustment")
	assert.False(t, ok, "fires only in some completions")
	assert.Contains(t, referralIDs(rep.Composite.PossibleReferrals), "treatment_adjustment")
	js := string(rep.AppendJSON(nil))
	assert.Contains(t, js, `"possible":{"phq9":{"response":[false,true]}}`)
}

func hasNote(notes []screen.Note, code, about string) bool {
	return slices.ContainsFunc(notes, func(n screen.Note) bool { return n.Code == code && n.About == about })
}

// min_days: a measure compared fewer days after baseline is not computed, with a note too_early.
func TestFollowUpMinDays(t *testing.T) {
	def := `id: mood
version: 1.0.0
title: Mood
domain: test
status: active
recall: none
citation: tests
license: tests
item_text: paraphrased
items:
  - {id: q1, text: q1, range: {min: 0, max: 10}}
scores:
  - {id: total, expr: answers.q1}
followup:
  - {id: change, expr: current.total - baseline.total}
  - {id: better, expr: current.total < baseline.total, min_days: 28}
  - {id: worse, expr: current.total > baseline.total, min_days: 1}
`
	eng, err := screen.New(screen.WithDefinitions(fstest.MapFS{"mood.v1.yaml": {Data: []byte(def)}}, ""))
	require.NoError(t, err)
	tests := []struct {
		date          string
		better, worse bool // computed
	}{
		{"2026-01-01", false, false}, // same day: days 0
		{"2026-01-02", false, true},  // 1 day: worse only
		{"2026-01-28", false, true},  // 27 days
		{"2026-01-29", true, true},   // 28 days
	}
	for _, tc := range tests {
		t.Run(tc.date, func(t *testing.T) {
			rep, err := eng.FollowUp(context.Background(),
				&screen.Response{Date: "2026-01-01", Answers: map[string]map[string]any{"mood": {"q1": 6}}},
				&screen.Response{Date: tc.date, Answers: map[string]map[string]any{"mood": {"q1": 2}}})
			require.NoError(t, err)
			_, ok := rep.FollowUp.Measure("mood", "change")
			assert.True(t, ok, "change has no min_days")
			_, ok = rep.FollowUp.Measure("mood", "better")
			assert.Equal(t, tc.better, ok)
			assert.Equal(t, !tc.better, hasNote(rep.FollowUp.Notes, "too_early", "mood.better"), "%+v", rep.FollowUp.Notes)
			_, ok = rep.FollowUp.Measure("mood", "worse")
			assert.Equal(t, tc.worse, ok)
			assert.Equal(t, !tc.worse, hasNote(rep.FollowUp.Notes, "too_early", "mood.worse"))
		})
	}
	// A negative min_days is a load error at its position.
	_, err = screen.New(screen.WithDefinitions(fstest.MapFS{"mood.v1.yaml": {Data: []byte(def + "  - {id: x, expr: days > 0, min_days: -1}\n")}}, ""))
	require.ErrorContains(t, err, "min_days")
}
