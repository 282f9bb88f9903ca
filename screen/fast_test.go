package screen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/stretchr/testify/require"
)

// withInterpreterOnly evaluates every expression with CEL's interpreter: the reference the fast path
// must match.
func withInterpreterOnly() Option { return func(c *config) error { c.noFast = true; return nil } }

// withBundled loads the bundled content without package bundled (which imports this one).
func withBundled() []Option {
	return []Option{WithDefinitions(instruments.FS, "instruments"), WithDefinitions(rules.FS, "rules")}
}

// randomResponse answers each item of the given instruments at random: usually a valid option value,
// sometimes an option code, missing, null, or (rarely) an invalid value.
func randomResponse(rng *rand.Rand, e *Engine, ids []string) *Response {
	r := &Response{Subject: fmt.Sprint("s", rng.IntN(1000)), Answers: map[string]map[string]any{}}
	switch rng.IntN(4) {
	case 0:
		r.Context = map[string]any{"sex": "male", "age": rng.IntN(100)}
	case 1:
		r.Context = map[string]any{"sex": []string{"female", "m", "other", "man"}[rng.IntN(4)]}
	case 2:
		r.Context = map[string]any{"age": 70}
	}
	for _, id := range ids {
		in := e.plan.Defaults[id]
		items := map[string]any{}
		for _, it := range in.Items {
			if it.Enable != nil && rng.IntN(2) == 0 {
				continue // often leave gated items out, so that many response sets score
			}
			switch p := rng.IntN(100); {
			case p < 12:
				continue
			case p < 15:
				items[it.ID] = nil
			case p < 16:
				items[it.ID] = 99
			case it.Options != nil:
				o := it.Options[rng.IntN(len(it.Options))]
				if o.Code != "" && p < 40 {
					items[it.ID] = o.Code
				} else {
					items[it.ID] = o.Value
				}
			case it.ID == "big":
				items[it.ID] = []int64{0, 1, -1, 1 << 62, -(1 << 62), 9223372036854775807, -9223372036854775808}[rng.IntN(7)]
			default:
				items[it.ID] = it.Min + int64(rng.IntN(20))
			}
		}
		r.Answers[id] = items
	}
	return r
}

// TestFastPathMatchesInterpreter scores random response sets with and without the fast path and requires
// byte-identical reports (values, statuses, notes, reasons — so the reads each evaluator records agree) or
// identical errors.
func TestFastPathMatchesInterpreter(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		ids  []string
		n    int
	}{
		// Missing answers make both evaluators decide results over completions, which is slow through CEL's
		// interpreter: these counts keep the test to seconds (a fifth of them under the race detector).
		{"operators", []Option{WithDefinitions(os.DirFS("testdata/exprs"), "exprs")}, []string{"ops"}, 1500},
		{"bundled", withBundled(), []string{"phq9", "phq2", "gad7", "gad2", "peg", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5", "promis_pi_4a"}, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			if testing.Short() {
				n /= 10
			}
			if raceEnabled {
				n /= 5
			}
			fast, err := New(tc.opts...)
			require.NoError(t, err)
			slow, err := New(append(slices.Clone(tc.opts), withInterpreterOnly())...)
			require.NoError(t, err)
			if tc.name == "operators" {
				// The comprehension and size() are the interpreter's; everything else is the fast path's.
				var fastN, slowN int
				for _, s := range fast.plan.Insts[0].Scores {
					if s.Expr != nil && s.Expr.Fast != nil {
						fastN++
					} else if s.Expr != nil {
						slowN++
					}
				}
				require.Equal(t, 2, slowN, "expressions left to the interpreter")
				require.Greater(t, fastN, 25)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			ctx := context.Background()
			kinds := map[string]int{}
			for i := 0; i < n; i++ {
				// Some response sets answer only some of the instruments.
				ids := tc.ids
				if len(ids) > 1 {
					ids = slices.DeleteFunc(slices.Clone(ids), func(string) bool { return rng.IntN(3) == 0 })
					if len(ids) == 0 {
						ids = tc.ids[:1]
					}
				}
				r := randomResponse(rng, fast, ids)
				a, aerr := fast.Score(ctx, r)
				b, berr := slow.Score(ctx, r)
				if aerr != nil || berr != nil {
					require.Error(t, aerr, "case %d: interpreter failed (%v), fast path did not", i, berr)
					require.Error(t, berr, "case %d: fast path failed (%v), interpreter did not", i, aerr)
					var se *ScoreError
					if errors.As(aerr, &se) {
						kinds[se.Code]++
					}
					require.Equal(t, berr.Error(), aerr.Error(), "case %d", i)
					continue
				}
				kinds["ok"]++
				require.Equal(t, string(b.AppendJSON(nil)), string(a.AppendJSON(nil)), "case %d", i)
			}
			t.Logf("%d response sets: %v", n, kinds)
			require.Greater(t, kinds["ok"], n/10, "too few response sets scored to compare")
		})
	}
}

// TestScoreToReusesWithoutLeaks scores random response sets into one reused Report and requires each
// result to equal a fresh Score: nothing from an earlier, larger or different report may leak through.
func TestScoreToReusesWithoutLeaks(t *testing.T) {
	e, err := New(withBundled()...)
	require.NoError(t, err)
	ids := []string{"phq9", "phq2", "gad7", "gad2", "peg", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5", "promis_pi_4a"}
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	var reused Report
	scored := 0
	for i := 0; i < 2000; i++ {
		sub := slices.DeleteFunc(slices.Clone(ids), func(string) bool { return rng.IntN(2) == 0 })
		if len(sub) == 0 {
			sub = ids[:1]
		}
		r := randomResponse(rng, e, sub)
		fresh, ferr := e.Score(ctx, r)
		rerr := e.ScoreTo(ctx, r, &reused)
		if ferr != nil {
			require.Error(t, rerr)
			continue
		}
		require.NoError(t, rerr)
		scored++
		require.Equal(t, string(fresh.AppendJSON(nil)), string(reused.AppendJSON(nil)), "case %d", i)
	}
	require.Greater(t, scored, 300)
}

// TestReusedStateMatchesNewState scores random response sets with the engine's pooled, reused state and
// with a state made for the record alone: Reset clears only what the last record wrote (the instruments
// it answered, the placeholders of the inputs it lacked), so anything it missed would show here.
func TestReusedStateMatchesNewState(t *testing.T) {
	e, err := New(withBundled()...)
	require.NoError(t, err)
	ids := []string{"phq9", "phq2", "gad7", "gad2", "peg", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5", "promis_pi_4a"}
	rng := rand.New(rand.NewPCG(5, 6))
	ctx := context.Background()
	var reused Report
	scored := 0
	for i := 0; i < 600; i++ {
		sub := slices.DeleteFunc(slices.Clone(ids), func(string) bool { return rng.IntN(2) == 0 })
		if len(sub) == 0 {
			sub = ids[:1]
		}
		r := randomResponse(rng, e, sub)
		rerr := e.ScoreTo(ctx, r, &reused)
		s := e.pool.New().(*scratch)
		ferr := s.st.Score(ctx, r.Subject, r.Context, r.Answers, e.requireComposite)
		if ferr != nil {
			require.Error(t, rerr, "case %d", i)
			continue
		}
		require.NoError(t, rerr, "case %d", i)
		var fresh Report
		s.report(&fresh, r.Subject)
		fresh.mem.arena.rc = &e.rc
		scored++
		require.Equal(t, string(fresh.AppendJSON(nil)), string(reused.AppendJSON(nil)), "case %d", i)
	}
	require.Greater(t, scored, 100)
}
