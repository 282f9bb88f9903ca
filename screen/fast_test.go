package screen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// withInterpreterOnly evaluates every expression with CEL's interpreter: the reference the fast path
// must match.
func withInterpreterOnly() Option { return func(c *config) error { c.noFast = true; return nil } }

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
		in := e.defaults[id]
		items := map[string]any{}
		for _, it := range in.items {
			if it.enable != nil && rng.IntN(2) == 0 {
				continue // often leave gated items out, so that many response sets score
			}
			switch p := rng.IntN(100); {
			case p < 12:
				continue
			case p < 15:
				items[it.id] = nil
			case p < 16:
				items[it.id] = 99
			case it.options != nil:
				o := it.options[rng.IntN(len(it.options))]
				if o.Code != "" && p < 40 {
					items[it.id] = o.Code
				} else {
					items[it.id] = o.Value
				}
			case it.id == "big":
				items[it.id] = []int64{0, 1, -1, 1 << 62, -(1 << 62), 9223372036854775807, -9223372036854775808}[rng.IntN(7)]
			default:
				items[it.id] = it.min + int64(rng.IntN(20))
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
		{"operators", []Option{WithDefinitions(os.DirFS("testdata/exprs"), "exprs")}, []string{"ops"}, 6000},
		{"bundled", []Option{WithBundled()}, []string{"phq9", "phq2", "gad7", "gad2", "peg", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5", "promis_pi_4a"}, 3000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			if testing.Short() {
				n /= 10
			}
			fast, err := New(tc.opts...)
			require.NoError(t, err)
			slow, err := New(append(slices.Clone(tc.opts), withInterpreterOnly())...)
			require.NoError(t, err)
			if tc.name == "operators" {
				// The comprehension and size() are the interpreter's; everything else is the fast path's.
				var fastN, slowN int
				for _, s := range fast.insts[0].scores {
					if s.expr != nil && s.expr.fast != nil {
						fastN++
					} else if s.expr != nil {
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
	e, err := New(WithBundled())
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

// The word-at-a-time JSON string scan must agree with a byte-by-byte definition on every byte in every
// position.
func TestNeedsEscape8(t *testing.T) {
	var buf [8]byte
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			for i := range buf {
				buf[i] = 'a'
			}
			buf[pos] = byte(c)
			want := c < 0x20 || c == '"' || c == '\\' || c >= 0x80
			got := needsEscape8(load8(string(buf[:]), 0))
			require.Equal(t, want, got, "byte %#x at %d", c, pos)
		}
	}
	// Neighbouring bytes must not trigger or mask each other (borrows across bytes).
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 200000; n++ {
		for i := range buf {
			buf[i] = byte(rng.IntN(256))
		}
		want := false
		for _, c := range buf {
			want = want || c < 0x20 || c == '"' || c == '\\' || c >= 0x80
		}
		require.Equal(t, want, needsEscape8(load8(string(buf[:]), 0)), "%x", buf)
	}
}
