package screen

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/load"
)

// The bundled definitions, as bundled.Definitions() loads them (package bundled imports screen, so an
// internal test cannot use it).
func bundledRoots() []Option {
	return []Option{WithDefinitions(instruments.FS, "instruments"), WithDefinitions(rules.FS, "rules")}
}

func withoutCache() Option { return func(c *config) error { c.noCache = true; return nil } }

func recordInto(r *compile.Recorder) Option {
	return func(c *config) error { c.record = r; return nil }
}

// bundledLoads are the engines a program makes from the bundled definitions: the newest rule set, each
// rule-set version pinned, and instruments only.
func bundledLoads(t *testing.T) [][]Option {
	t.Helper()
	res, err := Check(bundledRoots()...)
	require.NoError(t, err)
	require.False(t, res.Diagnostics.HasErrors(), "%v", res.Diagnostics)
	loads := [][]Option{nil, {WithoutRuleSet()}}
	for _, rs := range res.RuleSets {
		loads = append(loads, []Option{WithRuleSet(rs)})
	}
	return loads
}

const bundledCachePath = "internal/compile/bundled.cache"

// TestBundledCache regenerates the embedded cache of the bundled definitions (every expression's parse,
// the static checks' clean verdicts) from scratch and fails when the committed one differs: after any change
// of a bundled definition, of the CEL dialect or of the static checks, run
// `go test ./screen -run TestBundledCache -update` (or `go generate ./screen/internal/compile`).
func TestBundledCache(t *testing.T) {
	rec := &compile.Recorder{}
	for _, opts := range bundledLoads(t) {
		cfg, err := configure(append(append(bundledRoots(), opts...), withoutCache(), recordInto(rec)))
		require.NoError(t, err)
		res, list, err := build(cfg, false)
		require.NoError(t, err)
		require.False(t, list.HasErrors(), "%v", list)
		require.Zero(t, res.ParseHits)
		require.Zero(t, res.CheckHits)
	}
	require.Zero(t, rec.Conflicts, "a cache key does not say everything a parse or check depends on")
	require.Zero(t, rec.Unfaithful, "an encoded checked expression does not decode to itself")
	got := rec.Encode()
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		require.NoError(t, os.WriteFile(filepath.FromSlash(bundledCachePath), got, 0o644))
	}
	want, err := os.ReadFile(filepath.FromSlash(bundledCachePath))
	require.NoError(t, err)
	require.True(t, bytes.Equal(got, want), "%s is stale: run go test ./screen -run TestBundledCache -update", bundledCachePath)
	c, err := compile.DecodeCache(want)
	require.NoError(t, err)
	parses, checked, verdicts, files := c.Len()
	assert.Equal(t, len(rec.Files), files)
	assert.Positive(t, files, "the rule-set files are known")
	assert.Equal(t, len(rec.Parses), parses)
	assert.Equal(t, len(rec.Checked), checked)
	assert.Positive(t, verdicts, "the bundled loads have clean verdicts (TestBundledCacheUsed: each of them)")
}

// TestBundledCacheUsed: New over the bundled definitions takes every parse and the static checks' verdict
// from the cache, and the engine is the same as one built without it; Check never uses it.
func TestBundledCacheUsed(t *testing.T) {
	for _, opts := range bundledLoads(t) {
		cfg, err := configure(append(bundledRoots(), opts...))
		require.NoError(t, err)
		res, list, err := build(cfg, false)
		require.NoError(t, err)
		require.False(t, list.HasErrors())
		assert.Equal(t, res.Parses, res.ParseHits, "every parse from the cache")
		assert.Positive(t, res.Exprs)
		assert.Equal(t, res.Exprs, res.CheckHits, "every checked expression from the cache")
		assert.True(t, res.LintCached, "the static checks' verdict from the cache")

		cfg, err = configure(append(bundledRoots(), opts...))
		require.NoError(t, err)
		res, _, err = build(cfg, true)
		require.NoError(t, err)
		assert.Zero(t, res.ParseHits, "validate parses everything")
		assert.Zero(t, res.CheckHits, "validate checks everything")
		assert.False(t, res.LintCached, "validate runs every static check")
	}
}

// TestBundledRuleSetsDeferred: New parses only the rule-set version it applies; the cache knows the others'
// files parse cleanly. A broken copy of a version it does not apply still fails New.
func TestBundledRuleSetsDeferred(t *testing.T) {
	lim := def.DefaultLimits()
	c := compile.Bundled()
	var list diag.List
	sources, err := load.ReadWith([]load.Root{{FS: rules.FS, Label: "rules"}}, lim, &list,
		func(name string, src []byte) (*def.RuleSet, bool) { return c.RuleSetFile(name, src, lim) })
	require.NoError(t, err)
	require.Empty(t, list)
	require.Greater(t, len(sources), 1)
	for _, s := range sources {
		require.NotNil(t, s.File.RuleSet, s.Name)
		assert.True(t, s.File.RuleSet.Deferred(), s.Name)
	}

	// An older version, broken: not known, parsed, and New fails on it.
	old := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(rules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.FS, p)
		old[p] = &fstest.MapFile{Data: b}
		return err
	}))
	const older = "pain_oud/pain_oud.v1.0.yaml"
	require.Contains(t, old, older)
	old[older] = &fstest.MapFile{Data: append(append([]byte{}, old[older].Data...), "\ntiers: [unclosed\n"...)}
	_, err = New(WithDefinitions(instruments.FS, "instruments"), WithDefinitions(old, "rules"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pain_oud.v1.0.yaml")
}

// TestEditedBundledMisses: a bundled definition changed in any way misses the cache: its expressions are
// parsed again, and the static checks run — an edit they reject fails New exactly as it fails Check.
func TestEditedBundledMisses(t *testing.T) {
	const path = "phq9/phq9.v1.yaml"
	src, err := fs.ReadFile(instruments.FS, path)
	require.NoError(t, err)
	edited := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(instruments.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(instruments.FS, p)
		edited[p] = &fstest.MapFile{Data: b}
		return err
	}))

	// A harmless edit (a comment does not change the digest; a changed title does): parsed again.
	edited[path] = &fstest.MapFile{Data: bytes.Replace(src, []byte("\ntitle: "), []byte("\ntitle: Edited "), 1)}
	require.NotEqual(t, src, edited[path].Data)
	cfg, err := configure([]Option{WithDefinitions(edited, "instruments"), WithDefinitions(rules.FS, "rules")})
	require.NoError(t, err)
	res, list, err := build(cfg, false)
	require.NoError(t, err)
	require.False(t, list.HasErrors(), "%v", list)
	assert.Less(t, res.CheckHits, res.Exprs, "the edited instrument's expressions are parsed and checked")
	assert.Positive(t, res.CheckHits, "the others' come from the cache")
	assert.False(t, res.LintCached, "the static checks run over the edited set")

	// An edit the static checks reject: fails New as it fails Check.
	flagged := bytes.Replace(src, []byte("when: answers.q9 >= 1"), []byte("when: answers.q9 >= 9"), 1)
	require.NotEqual(t, src, flagged, "the item-9 flag condition is where this test expects it")
	edited[path] = &fstest.MapFile{Data: flagged}
	_, err = New(WithDefinitions(edited, "instruments"), WithDefinitions(rules.FS, "rules"))
	require.Error(t, err)
	chk, cerr := Check(WithDefinitions(edited, "instruments"), WithDefinitions(rules.FS, "rules"))
	require.NoError(t, cerr)
	require.True(t, chk.Diagnostics.HasErrors())
	assert.Contains(t, err.Error(), "never_fires")
	assert.Equal(t, chk.Diagnostics.Errors().Error(), err.Error())
}

// TestBundledCacheSameReports: engines built with and without the cache give the same reports, byte for
// byte, on random answer sets (random subsets of items, random options, out-of-range values, and random
// treatment context), under every bundled load.
func TestBundledCacheSameReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 1))
	ctx := context.Background()
	tiers, scored := map[string]bool{}, 0
	for _, opts := range bundledLoads(t) {
		cached, err := New(append(bundledRoots(), opts...)...)
		require.NoError(t, err)
		fresh, err := New(append(bundledRoots(), append(opts, withoutCache())...)...)
		require.NoError(t, err)
		insts := cached.plan.Insts
		for n := range 300 {
			r := &Response{Subject: fmt.Sprint("s", n), Answers: map[string]map[string]any{},
				Context: map[string]any{"age": 15 + rng.IntN(70), "sex": []string{"male", "female", "x"}[rng.IntN(3)]}}
			if rng.IntN(3) == 0 {
				for _, f := range cached.plan.Ctx {
					if f.Type == "bool" {
						r.Context[f.ID] = rng.IntN(2) == 0
					}
				}
			}
			for _, in := range insts {
				if rng.IntN(4) == 0 {
					continue
				}
				ans := map[string]any{}
				for _, it := range in.Items {
					switch {
					case rng.IntN(10) == 0:
					case rng.IntN(50) == 0:
						ans[it.ID] = 99
					case len(it.Options) > 0:
						ans[it.ID] = it.Options[rng.IntN(len(it.Options))].Value
					default:
						ans[it.ID] = it.Min + int64(rng.IntN(5))
					}
				}
				r.Answers[in.Key] = ans
			}
			a, errA := cached.Score(ctx, r)
			b, errB := fresh.Score(ctx, r)
			require.Equal(t, errB, errA)
			if errA == nil {
				require.Equal(t, string(b.AppendJSON(nil)), string(a.AppendJSON(nil)))
				if a.Composite != nil {
					tiers[string(a.Composite.Tier)] = true
				}
				scored += len(a.Instruments)
			}
		}
	}
	assert.GreaterOrEqual(t, len(tiers), 3, "the records reach several tiers: %v", tiers)
	assert.Greater(t, scored, 1000)
}

// TestBundledCacheConcurrentNew: engines built at once share the decoded cache (read-only once decoded)
// and give the same reports.
func TestBundledCacheConcurrentNew(t *testing.T) {
	r := &Response{Subject: "s", Context: map[string]any{"age": 40},
		Answers: map[string]map[string]any{"phq9": {"q1": 1, "q2": 2, "q3": 0, "q4": 1, "q5": 3, "q6": 0, "q7": 1, "q8": 0, "q9": 1}}}
	const n = 6
	out := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			eng, err := New(bundledRoots()...)
			if !assert.NoError(t, err) {
				return
			}
			rep, err := eng.Score(context.Background(), r)
			if assert.NoError(t, err) {
				out[i] = string(rep.AppendJSON(nil))
			}
		})
	}
	wg.Wait()
	for i := range out {
		assert.Equal(t, out[0], out[i])
	}
	assert.Contains(t, out[0], "suicid", "the item-9 flag is in the report")
}

// BenchmarkNewWithoutCache is BenchmarkNew for definitions the cache does not know (a folder of one's own):
// every expression parsed and checked, the static checks run, every rule-set version parsed.
func BenchmarkNewWithoutCache(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(append(bundledRoots(), withoutCache())...); err != nil {
			b.Fatal(err)
		}
	}
}
