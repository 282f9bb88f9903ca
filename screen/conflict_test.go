package screen_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Conflicting answers (an item answered more than once): an error conflicting_answers of the item, which is
// unknown; a flag that one of the answers fires is still reported, with Flag.Conflict naming the items
// (composite contract §1a rules 1 and 4, issue 21).

func TestConflictingAnswersBundled(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	zeros := func() map[string]any {
		m := map[string]any{}
		for i := 1; i <= 8; i++ {
			m[fmt.Sprintf("q%d", i)] = int64(0)
		}
		return m
	}
	tests := []struct {
		name     string
		q9       any
		fired    bool     // the flag is in the report
		conflict []string // its Conflict
		code     string   // the error of q9 ("" for none)
	}{
		{"two answers, one endorses", []any{int64(0), int64(2)}, true, []string{"q9"}, "conflicting_answers"},
		{"code and number disagree", []any{"LA6568-5", int64(2)}, true, []string{"q9"}, "conflicting_answers"},
		{"both endorse", []any{int64(1), int64(3)}, true, []string{"q9"}, "conflicting_answers"},
		{"repeated endorsement", []any{int64(2), int64(2)}, true, []string{"q9"}, "conflicting_answers"},
		{"repeated denial", []any{int64(0), int64(0)}, false, nil, "conflicting_answers"},
		{"an invalid answer does not endorse", []any{int64(0), int64(7)}, false, nil, "conflicting_answers"},
		{"a fraction does not endorse", []any{int64(0), 2.5}, false, nil, "conflicting_answers"},
		{"nulls are no answers", []any{nil, int64(1)}, true, []string{"q9"}, "conflicting_answers"},
		{"a code and ordinal that disagree, beside another answer", []any{int64(0), []any{"LA6568-5", int64(2)}}, true, []string{"q9"}, "conflicting_answers"},
		{"one answer in a list is a wrong type", []any{int64(2)}, false, nil, "wrong_type"},
		{"a single endorsement is a plain flag", int64(2), true, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := zeros()
			ans["q9"] = tc.q9
			rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"phq9": ans}})
			require.NoError(t, err, "an item's problem spoils only itself: the report holds it")
			phq := rep.Instrument("phq9")
			f, ok := phq.Flag("suicidal_ideation")
			require.Equal(t, tc.fired, ok)
			assert.Equal(t, tc.conflict, f.Conflict)
			if tc.code == "" {
				require.Empty(t, rep.Errors)
				return
			}
			require.Error(t, rep.Err())
			require.Len(t, rep.Errors, 1)
			e := rep.Errors[0]
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, "q9", e.Item)
			assert.Equal(t, screen.StatusError, phq.Status)
			if tc.code == "conflicting_answers" {
				assert.True(t, errors.Is(&e, screen.ErrConflictingAnswers))
				// The total reads the invalid item: never prorated (§1a rule 1).
				_, has := phq.Score("total")
				assert.False(t, has)
			}
			assert.Equal(t, tc.conflict != nil, noteAbout(phq, "fired_in_conflicting_answer", "suicidal_ideation"))
			js := string(rep.AppendJSON(nil))
			if tc.conflict != nil {
				assert.Contains(t, js, `"conflict":["q9"]`)
				// The tier is not decided: urgent stays possible, and item 9 is what settles it (§1b).
				c := rep.Composite
				require.NotNil(t, c)
				assert.False(t, c.TierDecided)
				assert.Contains(t, c.PossibleTiers, screen.Tier("urgent"))
				assert.Contains(t, c.Settle, "phq9.q9")
			} else {
				assert.NotContains(t, js, `"conflict"`)
			}
			// Never the answer values in error text.
			assert.NotContains(t, e.Message, "LA6568")
		})
	}
}

// TestConflictingAnswersMatchBruteForce checks the engine against brute force over random definitions: a
// flag the valid answers do not fire is reported with Conflict exactly when, for some choice among the valid
// answers of its conflicting items, it fires in every completion of the other missing or invalid answers.
func TestConflictingAnswersMatchBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	cases := 300
	if testing.Short() {
		cases = 60
	}
	conflicted, not := 0, 0
	for range cases {
		c, n := conflictBruteForceCase(t, rng)
		conflicted += c
		not += n
	}
	t.Logf("%d flags fired in a conflicting answer, %d not; all as brute force gives", conflicted, not)
	require.Greater(t, conflicted, 20)
	require.Greater(t, not, 20)
}

// FuzzConflictingAnswersMatchBruteForce runs the brute-force comparison on definitions and answers drawn
// from the fuzzer's seeds.
func FuzzConflictingAnswersMatchBruteForce(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(s, s*7+1)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		conflictBruteForceCase(t, rand.New(rand.NewPCG(a, b)))
	})
}

// conflictBruteForceCase generates one definition and five answer patterns with conflicting answers and
// compares the engine with brute force; it returns how many flags fired in a conflicting answer and not.
func conflictBruteForceCase(t testing.TB, rng *rand.Rand) (conflicted, not int) {
	ctx := context.Background()
	src, items := genRandomDefinition(rng)
	eng, err := screen.New(screen.WithDefinitions(fstest.MapFS{"gen.v1.yaml": {Data: []byte(src)}}, ""))
	require.NoError(t, err, src)
	for range 5 {
		ans := answerPattern(rng, items)
		// One or two items answered twice: two allowed values (maybe equal), or one and an invalid one.
		var lists []string
		for k := 0; k < 1+rng.IntN(2); k++ {
			it := items[rng.IntN(len(items))]
			a := it.values[rng.IntN(len(it.values))]
			b := it.values[rng.IntN(len(it.values))]
			if rng.IntN(5) == 0 {
				b = 9
			}
			if _, dup := ans[it.id].([]any); !dup {
				lists = append(lists, it.id)
			}
			ans[it.id] = []any{a, b}
		}
		rep, err := eng.Score(ctx, &screen.Response{Answers: map[string]map[string]any{"gen": ans}})
		require.NoError(t, err)
		require.NotEmpty(t, rep.Errors)
		res := rep.Instrument("gen")
		require.NotNil(t, res)
		f, fired := res.Flag("alert")
		where := fmt.Sprintf("%s\nanswers %v\nreport %s", src, ans, rep.AppendJSON(nil))
		if fired && f.Conflict == nil {
			continue // the valid answers fire it
		}
		// Brute force: each choice among the valid answers of the lists, then every completion.
		want := false
		var choose func(k int, a map[string]any)
		choose = func(k int, a map[string]any) {
			if want {
				return
			}
			if k == len(lists) {
				all, n := true, 0
				completions(items, a, func(comp map[string]any) {
					crep, err := eng.Score(ctx, &screen.Response{Answers: map[string]map[string]any{"gen": comp}})
					if crep == nil {
						require.NoError(t, err)
					}
					_, ok := crep.Instrument("gen").Flag("alert")
					all = all && ok
					n++
				})
				want = all && n > 0
				return
			}
			id := lists[k]
			for _, v := range ans[id].([]any) {
				if v.(int64) == 9 {
					continue
				}
				b := map[string]any{}
				for key, x := range a {
					b[key] = x
				}
				b[id] = v
				choose(k+1, b)
			}
		}
		choose(0, ans)
		require.Equal(t, want, fired, where)
		if fired {
			conflicted++
		} else {
			not++
		}
	}
	return conflicted, not
}

// TestConflictingAnswersPastTheBudget: when checking the conflicting answers would pass the record's
// determinacy bound, the flag is not reported as fired, and a note determinacy_limit says it is open.
func TestConflictingAnswersPastTheBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: big\nversion: 1.0.0\ntitle: Big\ndomain: test\nstatus: active\nrecall: none\ncitation: tests\nlicense: tests\nitem_text: paraphrased\nitems:\n")
	b.WriteString("  - {id: c, text: c, options: [{value: 0, label: a}, {value: 1, label: b}]}\n")
	var ids []string
	for i := range 10 {
		fmt.Fprintf(&b, "  - {id: i%d, text: i%d, range: {min: 0, max: 10}}\n", i, i)
		ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("i%d", i)))
	}
	fmt.Fprintf(&b, "scores:\n  - {id: total, expr: 'answers.sum([%s])'}\n", strings.Join(ids, ", "))
	fmt.Fprintf(&b, "flags:\n  - {id: alert, when: 'answers.c >= 1 && answers.sum([%s]) >= 0', level: urgent, message: Alert}\n", strings.Join(ids, ", "))
	eng, err := screen.New(screen.WithDefinitions(fstest.MapFS{"big.v1.yaml": {Data: []byte(b.String())}}, ""))
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"big": {"c": []any{int64(0), int64(1)}}}})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Errors)
	res := rep.Instrument("big")
	_, fired := res.Flag("alert")
	assert.False(t, fired)
	assert.True(t, noteAbout(res, "determinacy_limit", "alert"), "%s", rep.AppendJSON(nil))
	n := 0
	for _, note := range res.Notes {
		if note.Code == "determinacy_limit" {
			n++
		}
	}
	assert.Equal(t, 1, n, "one note")
}
