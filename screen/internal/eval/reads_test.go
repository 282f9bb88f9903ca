package eval_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// TestReadsCoverRecorded is a differential test of the two accounts of what an expression reads: every
// item and score evaluation records reading for a score or a flag (its reasons) is one the compiler found
// it reads (plan.Reads, what lint, coverage and diff rely on), over random answer sets, some items
// unanswered, for every bundled instrument.
func TestReadsCoverRecorded(t *testing.T) {
	res, list := compiletest.BuildFS(t, bundled.FS, compile.Options{NoRules: true})
	require.Empty(t, list.Errors())
	p := res.Plan
	st := eval.NewState(p)
	rng := rand.New(rand.NewPCG(1, 2))
	static := func(in *plan.Instrument, progs ...*plan.Program) (items, scores []int) {
		for _, pr := range progs {
			if pr != nil {
				items = append(items, pr.Reads.Items...)
				scores = append(scores, pr.Reads.Scores...)
			}
		}
		return items, scores
	}
	checked := 0
	for _, in := range p.Insts {
		for range 200 {
			answers := map[string]any{}
			for _, it := range in.Items {
				if rng.IntN(5) == 0 {
					continue
				}
				if n, ok := it.Values(); ok {
					answers[it.ID] = it.ValueAt(rng.Int64N(n))
				} else {
					answers[it.ID] = it.Min
				}
			}
			if len(answers) == 0 {
				continue
			}
			st.Reset()
			err := st.Score(context.Background(), "", nil, map[string]map[string]any{in.Key: answers}, false)
			require.NoError(t, err)
			var ie *eval.InstEval
			for _, r := range st.Reads {
				if r.IE != nil && r.IE.Inst == in {
					ie = r.IE
					break
				}
			}
			if ie == nil {
				continue
			}
			check := func(what string, sp eval.Span, items, scores []int) {
				for _, r := range st.Reads[sp.From:sp.To] {
					if r.IE == nil || r.IE.Inst != in {
						continue
					}
					switch r.Kind {
					case plan.ReadItem:
						require.True(t, slices.Contains(items, int(r.Idx)), "%s %s read item %s, which its reads do not list", in.Key, what, in.Items[r.Idx].ID)
					case plan.ReadScore:
						require.True(t, slices.Contains(scores, int(r.Idx)), "%s %s read score %s, which its reads do not list", in.Key, what, in.Scores[r.Idx].ID)
					}
					checked++
				}
			}
			for si, s := range in.Scores {
				items, scores := static(in, s.When, s.Expr)
				if s.Kind != plan.ScoreExpr {
					scores = append(scores, s.Of)
				}
				check("score "+s.ID, ie.SR[si], items, scores)
			}
			for fi, f := range in.Flags {
				items, scores := static(in, f.When)
				check("flag "+f.ID, ie.FR[fi], items, scores)
			}
		}
	}
	require.Greater(t, checked, 5000, "reads were compared")
}
