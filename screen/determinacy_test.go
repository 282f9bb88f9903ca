package screen_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// The determinacy rule (composite contract §1a rule 3), checked against brute force: random small
// definitions (items with options or ranges, skip logic, sums, prorated sums, bands, conditions, presence
// tests, flags) and random answer patterns (answered, missing, invalid, answered although skipped). For
// every score and flag the engine leaves to determinacy, it must report exactly what enumerating every
// completion gives: the value when all completions agree (note determined), nothing otherwise.

type genItem struct {
	id      string
	values  []int64 // allowed values
	options bool
	gate    string // enable_when, "" = always asked
	gateOn  func(vals map[string]int64, present map[string]bool) bool
}

func genRandomDefinition(rng *rand.Rand) (string, []genItem) {
	n := 3 + rng.IntN(3)
	var items []genItem
	for i := range n {
		it := genItem{id: fmt.Sprintf("i%d", i)}
		if rng.IntN(3) == 0 {
			it.values = []int64{0, 1, 2, 3}
		} else {
			it.values, it.options = []int64{0, 1, 2}, true
		}
		if i > 0 && rng.IntN(3) == 0 {
			g := items[rng.IntN(i)].id
			c := int64(1 + rng.IntN(2))
			it.gate = fmt.Sprintf("answers.%s >= %d", g, c)
			it.gateOn = func(vals map[string]int64, present map[string]bool) bool { return present[g] && vals[g] >= c }
		}
		items = append(items, it)
	}
	pick := func(k int) []string {
		ids := make([]string, 0, len(items))
		for _, it := range items {
			ids = append(ids, it.id)
		}
		rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
		return ids[:k]
	}
	list := func(ids []string) string { return `["` + strings.Join(ids, `", "`) + `"]` }
	var b strings.Builder
	b.WriteString("id: gen\nversion: 1.0.0\ntitle: Generated\ndomain: test\nstatus: active\nrecall: none\ncitation: tests\nlicense: tests\nitem_text: paraphrased\nitems:\n")
	for _, it := range items {
		fmt.Fprintf(&b, "  - id: %s\n    text: %s\n", it.id, it.id)
		if it.options {
			b.WriteString("    options: [{value: 0, label: a}, {value: 1, label: b}, {value: 2, label: c}]\n")
		} else {
			b.WriteString("    range: {min: 0, max: 3}\n")
		}
		if it.gate != "" {
			fmt.Fprintf(&b, "    enable_when: %q\n", it.gate)
		}
	}
	sumIDs := pick(2 + rng.IntN(len(items)-1))
	b.WriteString("scores:\n")
	if rng.IntN(2) == 0 {
		fmt.Fprintf(&b, "  - {id: total, expr: '%s'}\n", "answers.sum("+list(sumIDs)+")")
	} else {
		fmt.Fprintf(&b, "  - {id: total, expr: '%s'}\n", fmt.Sprintf("int(answers.prorated_sum(%s, 1))", list(sumIDs)))
	}
	fmt.Fprintf(&b, "  - {id: level, bands: {of: total, cuts: [{max: %d, label: low}, {label: high}]}}\n", 1+rng.IntN(3)) // below total's least maximum (4): "high" is reachable, as New requires
	x, y := pick(2)[0], pick(2)[1]
	fmt.Fprintf(&b, "  - {id: either, expr: 'answers.%s > 1 || answers.%s == 0'}\n", x, y)
	fmt.Fprintf(&b, "  - {id: guarded, expr: 'has(answers.%s) ? answers.%s : -1'}\n", x, x)
	fmt.Fprintf(&b, "  - {id: big, when: 'answers.%s != 1', expr: 'scores.total >= %d'}\n", y, 3+rng.IntN(3))
	fmt.Fprintf(&b, "flags:\n  - {id: alert, when: 'answers.%s >= 2 && scores.total > 2', level: urgent, message: Alert}\n", pick(1)[0])
	return b.String(), items
}

// answerPattern answers each item: a valid value, nothing, an invalid value, or (for a gated item) a value
// although the gate may be closed.
func answerPattern(rng *rand.Rand, items []genItem) map[string]any {
	ans := map[string]any{}
	for _, it := range items {
		switch p := rng.IntN(10); {
		case p < 5:
			ans[it.id] = it.values[rng.IntN(len(it.values))]
		case p < 8:
			// missing
		case p < 9:
			ans[it.id] = int64(9) // invalid: unknown
		default:
			ans[it.id] = nil
		}
	}
	if len(ans) == 0 {
		ans[items[0].id] = int64(0)
	}
	return ans
}

// completions enumerates every completion of ans: missing and invalid answers filled with each allowed
// value, items whose gate is closed under the completion left out (a valid answer to one is kept as given:
// answered although skipped, not scored).
func completions(items []genItem, ans map[string]any, visit func(map[string]any)) {
	vals := map[string]int64{}
	present := map[string]bool{}
	var rec func(i int)
	rec = func(i int) {
		if i == len(items) {
			c := map[string]any{}
			for id, v := range vals {
				if present[id] {
					c[id] = v
				}
			}
			visit(c)
			return
		}
		it := items[i]
		given, ok := ans[it.id].(int64)
		valid := ok && slices.Contains(it.values, given)
		if it.gateOn != nil && !it.gateOn(vals, present) {
			if valid {
				vals[it.id], present[it.id] = given, true // kept, not scored
			}
			rec(i + 1)
			delete(present, it.id)
			return
		}
		if valid {
			vals[it.id], present[it.id] = given, true
			rec(i + 1)
			delete(present, it.id)
			return
		}
		for _, v := range it.values {
			vals[it.id], present[it.id] = v, true
			rec(i + 1)
		}
		delete(present, it.id)
	}
	rec(0)
}

func noteAbout(res *screen.InstrumentResult, code, about string) bool {
	for _, n := range res.Notes {
		if n.Code == code && n.About == about {
			return true
		}
	}
	return false
}

func TestDeterminacyMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := 400
	if testing.Short() {
		cases = 80
	}
	determined, open := 0, 0
	for range cases {
		d, o := bruteForceCase(t, rng)
		determined += d
		open += o
	}
	t.Logf("%d results decided by determinacy, %d left open; all as brute force gives", determined, open)
	require.Greater(t, determined, 50)
	require.Greater(t, open, 50)
}

// FuzzDeterminacyMatchesBruteForce runs the brute-force comparison on definitions and answers drawn from
// the fuzzer's seeds.
func FuzzDeterminacyMatchesBruteForce(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(s, s*7+1)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		bruteForceCase(t, rand.New(rand.NewPCG(a, b)))
	})
}

// bruteForceCase generates one definition and five answer patterns and compares the engine's determinacy
// with brute force; it returns how many results were decided and left open.
func bruteForceCase(t testing.TB, rng *rand.Rand) (determined, open int) {
	ctx := context.Background()
	src, items := genRandomDefinition(rng)
	eng, err := screen.New(screen.WithDefinitions(fstest.MapFS{"gen.v1.yaml": {Data: []byte(src)}}, ""))
	require.NoError(t, err, src)
	for range 5 {
		ans := answerPattern(rng, items)
		rep, err := eng.Score(ctx, &screen.Response{Answers: map[string]map[string]any{"gen": ans}})
		if errors.Is(err, screen.ErrNoAnswers) {
			continue // only empty answers: nothing administered
		}
		require.NoError(t, err)
		res := rep.Instrument("gen")
		if res == nil {
			continue // nothing valid answered and nothing invalid: not administered
		}
		// Brute force: every score and flag over every completion.
		type outcome struct {
			val screen.Value
			ok  bool
		}
		scoreSets := map[string]map[outcome]bool{}
		flagSets := map[string]bool{}
		completions(items, ans, func(comp map[string]any) {
			crep, err := eng.Score(ctx, &screen.Response{Answers: map[string]map[string]any{"gen": comp}})
			if crep == nil {
				require.NoError(t, err)
			}
			cres := crep.Instrument("gen")
			for _, id := range []string{"total", "level", "either", "guarded", "big"} {
				if scoreSets[id] == nil {
					scoreSets[id] = map[outcome]bool{}
				}
				vScore, ok := cres.Score(id)
				v := vScore.Value
				if !ok && noteAbout(cres, "not_applicable", id) {
					v = screen.StringValue("(not applicable)")
					ok = true
				}
				scoreSets[id][outcome{v, ok}] = true
			}
			_, fired := cres.Flag("alert")
			failed := slices.ContainsFunc(crep.Errors, func(e screen.ScoreError) bool { return e.Item == "flags.alert" })
			switch {
			case fired:
				flagSets["fired"] = true
			case failed || noteAbout(cres, "flag_not_evaluated", "alert"):
				flagSets["not evaluated"] = true
			default:
				flagSets["not fired"] = true
			}
		})
		where := fmt.Sprintf("%s\nanswers %v\nreport %s", src, ans, rep.AppendJSON(nil))
		for _, id := range []string{"total", "level", "either", "guarded", "big"} {
			gotScore, computed := res.Score(id)
			got := gotScore.Value
			if computed && !noteAbout(res, "determined", id) {
				continue // computed from the answers themselves (a prorated total keeps its value)
			}
			if noteAbout(res, "not_applicable", id) && !noteAbout(res, "determined", id) {
				continue
			}
			set := scoreSets[id]
			var only outcome
			for o := range set {
				only = o
			}
			decided := len(set) == 1 && only.ok
			if noteAbout(res, "determinacy_limit", id) {
				continue
			}
			if decided {
				determined++
				require.True(t, noteAbout(res, "determined", id), "%s: every completion gives %v, but it is not reported\n%s", id, only.val, where)
				if only.val.String() == "(not applicable)" {
					require.False(t, computed, "%s\n%s", id, where)
				} else {
					require.True(t, computed, "%s\n%s", id, where)
					require.Equal(t, only.val, got, "%s\n%s", id, where)
				}
			} else {
				open++
				require.False(t, computed, "%s: completions give %v, but it is reported as %v\n%s", id, set, got, where)
				require.False(t, noteAbout(res, "determined", id), "%s\n%s", id, where)
			}
		}
		// The flag: when the answers leave it open, it fires only if it fires in every completion.
		if noteAbout(res, "flag_not_evaluated", "alert") || noteAbout(res, "determined", "alert") {
			_, fired := res.Flag("alert")
			switch {
			case len(flagSets) == 1 && flagSets["fired"]:
				require.True(t, fired, "alert fires in every completion\n%s", where)
				require.True(t, noteAbout(res, "determined", "alert"), where)
			case len(flagSets) == 1 && flagSets["not fired"]:
				require.False(t, fired, where)
				require.True(t, noteAbout(res, "determined", "alert"), where)
			default:
				require.False(t, fired, where)
				require.False(t, noteAbout(res, "determined", "alert"), where)
			}
		}
	}
	return determined, open
}

// bundledItems turns a bundled instrument's items into the brute force's form (its skip logic is a simple
// comparison with an earlier item).
func bundledItems(t *testing.T, eng *screen.Engine, id string) []genItem {
	t.Helper()
	doc, err := eng.Describe(id)
	require.NoError(t, err)
	var items []genItem
	for _, it := range doc.Items {
		g := genItem{id: it.ID}
		for _, o := range it.Options {
			g.values = append(g.values, o.Value)
		}
		if it.Options == nil {
			for v := *it.Min; v <= *it.Max; v++ {
				g.values = append(g.values, v)
			}
		}
		if it.EnableWhen != "" {
			var x, op string
			var c int64
			_, err := fmt.Sscanf(strings.Replace(it.EnableWhen, "answers.", "", 1), "%s %s %d", &x, &op, &c)
			require.NoError(t, err, it.EnableWhen)
			g.gateOn = func(vals map[string]int64, present map[string]bool) bool {
				v := vals[x]
				return present[x] && (op == ">=" && v >= c || op == "==" && v == c)
			}
		}
		items = append(items, g)
	}
	return items
}

// Every answer pattern (each item answered with each value, unanswered, or invalid) of the small bundled
// instruments: what the engine decides is what brute force gives.
func TestDeterminacyBundledExhaustive(t *testing.T) {
	eng, err := screen.New(bundled.Definitions(), screen.WithoutRuleSet())
	require.NoError(t, err)
	ctx := context.Background()
	for _, id := range []string{"auditc", "phq2", "gad2", "pc_ptsd5", "peg"} {
		t.Run(id, func(t *testing.T) {
			items := bundledItems(t, eng, id)
			doc, _ := eng.Describe(id)
			var scoreIDs []string
			for _, s := range doc.Scores {
				scoreIDs = append(scoreIDs, s.ID)
			}
			patterns, decided := 0, 0
			ans := map[string]any{}
			var rec func(i int)
			rec = func(i int) {
				if i < len(items) {
					for _, v := range append(slices.Clone(items[i].values), -1, 99) {
						switch v {
						case -1:
							delete(ans, items[i].id)
						default:
							ans[items[i].id] = v
						}
						rec(i + 1)
					}
					delete(ans, items[i].id)
					return
				}
				rep, err := eng.Score(ctx, &screen.Response{Context: map[string]any{"sex": "female"}, Answers: map[string]map[string]any{id: ans}})
				if errors.Is(err, screen.ErrNoAnswers) {
					return
				}
				res := rep.Instrument(id)
				if res == nil {
					return
				}
				patterns++
				sets := map[string]map[screen.Value]bool{}
				computedEverywhere := map[string]bool{}
				for _, s := range scoreIDs {
					sets[s], computedEverywhere[s] = map[screen.Value]bool{}, true
				}
				completions(items, ans, func(comp map[string]any) {
					crep, _ := eng.Score(ctx, &screen.Response{Context: map[string]any{"sex": "female"}, Answers: map[string]map[string]any{id: comp}})
					cres := crep.Instrument(id)
					for _, s := range scoreIDs {
						vScore, ok := cres.Score(s)
						v := vScore.Value
						computedEverywhere[s] = computedEverywhere[s] && ok
						sets[s][v] = true
					}
				})
				for _, s := range scoreIDs {
					gotScore, ok := res.Score(s)
					got := gotScore.Value
					if ok && !noteAbout(res, "determined", s) {
						continue
					}
					if len(sets[s]) == 1 && computedEverywhere[s] {
						decided++
						require.True(t, ok, "%s %v: %s is the same in every completion\n%s", id, ans, s, rep.AppendJSON(nil))
						for v := range sets[s] {
							require.Equal(t, v, got, "%s %v: %s", id, ans, s)
						}
					} else {
						require.False(t, ok, "%s %v: %s differs between completions (%v) but is reported", id, ans, s, sets[s])
					}
				}
			}
			rec(0)
			t.Logf("%s: %d answer patterns, %d results decided by determinacy", id, patterns, decided)
		})
	}
}
