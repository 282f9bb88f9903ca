package screen_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/painscreen/painscreen/bundled"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// One engine, many goroutines: every result equals the one computed alone (run with -race).
func TestConcurrentScoring(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	ctx := context.Background()
	base := battery()
	variants := make([]*screen.Response, 16)
	want := make([]string, len(variants))
	for i := range variants {
		r := battery()
		r.Subject = base.Subject + string(rune('a'+i))
		r.Answers["phq9"]["q9"] = i % 4
		r.Answers["dsm5_oud"]["craving"] = i % 2
		variants[i] = r
		rep, err := eng.Score(ctx, r)
		require.NoError(t, err)
		want[i] = string(rep.AppendJSON(nil))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var reused screen.Report
			for n := 0; n < 200; n++ {
				i := (g + n) % len(variants)
				if err := eng.ScoreTo(ctx, variants[i], &reused); err != nil {
					errs <- err.Error()
					return
				}
				if got := string(reused.AppendJSON(nil)); got != want[i] {
					errs <- "goroutine result differs from the sequential one"
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestScoreHonoursCancellation(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = eng.Score(ctx, battery())
	require.ErrorIs(t, err, context.Canceled)
}

// Several versions of one instrument: an unpinned key takes the newest, a pinned key its version, and the
// report names the version and digest that scored it.
func TestVersionsAndPinning(t *testing.T) {
	v1, err := os.ReadFile("testdata/basic/phq9.v1.yaml")
	require.NoError(t, err)
	v2 := []byte(string(v1))
	v2 = []byte(replaceOnce(string(v2), "version: 1.0.0", "version: 1.1.0"))
	v2 = []byte(replaceOnce(string(v2), "{min: 10, label: moderate}", "{min: 9, label: moderate}"))
	fsys := fstest.MapFS{"phq9.v1.yaml": {Data: v1}, "phq9.v1_1.yaml": {Data: v2}}
	eng, err := screen.New(screen.WithDefinitions(fsys, ""))
	require.NoError(t, err)
	nine := map[string]any{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": 1}
	for _, tc := range []struct{ key, version, severity string }{
		{"phq9", "1.1.0", "moderate"},
		{"phq9@1.0.0", "1.0.0", "mild"},
		{"phq9@1.1.0", "1.1.0", "moderate"},
	} {
		rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{tc.key: nine}})
		require.NoError(t, err, tc.key)
		res := rep.Instrument("phq9")
		assert.Equal(t, tc.version, res.Version, tc.key)
		sevScore, _ := res.Score("severity")
		sev := sevScore.Value
		assert.Equal(t, tc.severity, sev.String(), tc.key)
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, res.Digest)
	}
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"phq9@2.0.0": nine}})
	require.NoError(t, err)
	assert.True(t, errors.Is(rep.Err(), screen.ErrUnknownVersion), "%v", rep.Err())
	// Two keys selecting versions of one instrument (or one version twice) are an error, whichever two;
	// a record after them scores cleanly on the same engine.
	for _, keys := range [][2]string{{"phq9", "phq9@1.0.0"}, {"phq9@1.0.0", "phq9@1.1.0"}, {"phq9", "phq9@1.1.0"}} {
		var rs screen.Report
		err := eng.ScoreTo(context.Background(), &screen.Response{Answers: map[string]map[string]any{keys[0]: nine, keys[1]: nine}}, &rs)
		require.NoError(t, err)
		assert.True(t, errors.Is(rs.Err(), screen.ErrDuplicateInstrument), "%v: %v", keys, rs.Err())
		require.NoError(t, eng.ScoreTo(context.Background(), &screen.Response{Answers: map[string]map[string]any{keys[1]: nine}}, &rs))
		assert.NoError(t, rs.Err(), keys)
	}
	// Identical copies of a definition load once; the digests of the two versions differ.
	eng2, err := screen.New(screen.WithDefinitions(fsys, "a"), screen.WithDefinitions(fstest.MapFS{"x/phq9.v1.yaml": {Data: v1}}, "b"))
	require.NoError(t, err)
	infos := eng2.Instruments()
	require.Len(t, infos, 2)
	assert.NotEqual(t, infos[0].Digest, infos[1].Digest)
	assert.True(t, infos[1].Default)
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("not found: " + old)
}

// RequireComposite turns a response set the rule set cannot be applied to into an error: with pain_oud
// 1.2.0 (every input optional), one that holds none of its inputs.
func TestRequireComposite(t *testing.T) {
	eng, err := screen.New(bundled.Definitions(), screen.RequireComposite())
	require.NoError(t, err)
	promisOnly := map[string]map[string]any{"promis_pi_4a": {"pi1": 1, "pi2": 1, "pi3": 1, "pi4": 1}}
	_, err = eng.Score(context.Background(), &screen.Response{Answers: promisOnly})
	var se *screen.ScoreError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "composite_not_applied", se.Code)
	assert.ErrorIs(t, err, screen.ErrCompositeNotApplied)

	plain, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := plain.Score(context.Background(), &screen.Response{Answers: promisOnly})
	require.NoError(t, err)
	assert.False(t, rep.Composite.Applied)
	assert.Equal(t, "no_inputs", rep.Composite.Reason)

	// pain_oud 1.1.0 required the GCPS-R.
	v11, err := screen.New(bundled.Definitions(), screen.WithRuleSet("pain_oud@1.1.0"))
	require.NoError(t, err)
	rep, err = v11.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"sisq_drug": {"times": 1}}})
	require.NoError(t, err)
	assert.False(t, rep.Composite.Applied)
	assert.Equal(t, "required input gcps_r (^1) is absent", rep.Composite.Reason)
}

// Check compiles every rule set, not just one, and reports every problem of each.
func TestCheckCompilesEveryRuleSet(t *testing.T) {
	mini := `id: mini
version: 1.0.0
title: Mini
domain: test
status: active
recall: today
citation: c
license: l
item_text: paraphrased
items:
  - {id: a, text: A, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
scores:
  - {id: total, expr: "answers.a"}
`
	rule := func(id, expr string) string {
		return "id: " + id + "\nversion: 1.0.0\ntitle: R\nstatus: active\ncitation: c\nlicense: l\ninputs:\n  mini: {version: \"^1\", required: true}\n" +
			"domains:\n  - {id: d, expr: \"" + expr + "\"}\ntiers:\n  - {id: low}\n"
	}
	fsys := fstest.MapFS{
		"mini.v1.yaml": {Data: []byte(mini)},
		"one.v1.yaml":  {Data: []byte(rule("one", "mini.total"))},
		"two.v1.yaml":  {Data: []byte(rule("two", "mini.totl"))},
	}
	res, err := screen.Check(screen.WithDefinitions(fsys, ""))
	require.NoError(t, err)
	assert.Equal(t, []string{"mini@1.0.0"}, res.Instruments)
	assert.Equal(t, []string{"one@1.0.0"}, res.RuleSets)
	require.Len(t, res.Diagnostics, 1)
	assert.Equal(t, "two.v1.yaml", res.Diagnostics[0].Pos.File)
	assert.Equal(t, "unknown_score", res.Diagnostics[0].Code)

	// New, by contrast, needs a choice.
	_, err = screen.New(screen.WithDefinitions(fsys, ""))
	require.ErrorContains(t, err, "several rule sets are loaded (one, two)")
	_, err = screen.New(screen.WithDefinitions(fsys, ""), screen.WithRuleSet("one"))
	require.NoError(t, err)
}

// The bundled definitions check clean.
func TestCheckBundled(t *testing.T) {
	res, err := screen.Check(bundled.Definitions())
	require.NoError(t, err)
	assert.Empty(t, res.Diagnostics, "bundled definitions are clean: no errors, and no warnings either (static checks included)")
	assert.Len(t, res.Instruments, 11)
	assert.Equal(t, []string{"pain_oud@1.0.0", "pain_oud@1.1.0", "pain_oud@1.2.0"}, res.RuleSets)
}

// A rule set whose inputs are all optional is not applied when none of them that a domain reads is present
// (reason no_inputs): the instrument results stand, and RequireComposite makes it an error of the record.
func TestRuleSetNoInputs(t *testing.T) {
	inst := func(id string) string {
		return "id: " + id + "\nversion: 1.0.0\ntitle: T\ndomain: test\nstatus: active\nrecall: today\ncitation: c\nlicense: l\nitem_text: paraphrased\n" +
			"items:\n  - {id: a, text: A, options: [{value: 0, label: No}, {value: 1, label: Yes}]}\nscores:\n  - {id: total, expr: \"answers.a\"}\n" +
			"flags:\n  - {id: alarm, when: \"answers.a == 1\", level: urgent, message: M}\n"
	}
	rule := "id: r\nversion: 1.0.0\ntitle: R\nstatus: active\ncitation: c\nlicense: l\ninputs:\n  one: {version: \"^1\"}\n  two: {version: \"^1\"}\n  four: {version: \"^1\"}\n" +
		"domains:\n  - id: d\n    values: [not_assessed, none, yes]\n    sources:\n      - {input: one, expr: \"one.total == 1 ? 'yes' : 'none'\"}\n" +
		"  - id: e\n    values: [not_assessed, none, yes]\n    sources:\n      - {input: two, expr: \"two.total == 1 ? 'yes' : 'none'\"}\n" +
		"tiers:\n  - {id: high, when: \"domains.d == 'yes'\"}\n  - {id: low}\n"
	fsys := fstest.MapFS{"one.v1.yaml": {Data: []byte(inst("one"))}, "two.v1.yaml": {Data: []byte(inst("two"))},
		"three.v1.yaml": {Data: []byte(inst("three"))}, "four.v1.yaml": {Data: []byte(inst("four"))}, "r.v1.yaml": {Data: []byte(rule)}}
	eng, err := screen.New(screen.WithDefinitions(fsys, ""))
	require.NoError(t, err)
	ctx := context.Background()
	tests := []struct {
		name    string
		answers map[string]map[string]any
		applied bool
		tier    screen.Tier
	}{
		{"an input present", map[string]map[string]any{"one": {"a": 1}}, true, "high"},
		{"the other input present", map[string]map[string]any{"two": {"a": 0}}, true, "low"},
		{"no input present", map[string]map[string]any{"three": {"a": 1}}, false, ""},
		// An input that no domain reads (as pain_oud reads the PEG only in follow-up) does not apply it.
		{"only an input no domain reads present", map[string]map[string]any{"three": {"a": 1}, "four": {"a": 1}}, false, ""},
		{"an input present with only an invalid answer", map[string]map[string]any{"two": {"a": 7}}, true, "low"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := eng.Score(ctx, &screen.Response{Answers: tc.answers})
			require.NotNil(t, rep)
			assert.Equal(t, tc.applied, rep.Composite.Applied)
			if !tc.applied {
				assert.Equal(t, "no_inputs", rep.Composite.Reason)
				assert.Contains(t, string(rep.AppendJSON(nil)), `"applied":false,"reason":"no_inputs"`)
				_, fired := rep.Instrument("three").Flag("alarm")
				assert.True(t, fired, "instrument results and flags stand")
				return
			}
			assert.Equal(t, tc.tier, rep.Composite.Tier)
		})
	}
	strict, err := screen.New(screen.WithDefinitions(fsys, ""), screen.RequireComposite())
	require.NoError(t, err)
	_, err = strict.Score(ctx, &screen.Response{Answers: map[string]map[string]any{"three": {"a": 0}}})
	require.ErrorIs(t, err, screen.ErrCompositeNotApplied)
	assert.Contains(t, err.Error(), "no_inputs")
}

// An instrument answered only in a version the rule set does not read counts as absent for it, and the
// report says which version was answered (input_version_mismatch); an unpinned key takes the version the
// rule set reads.
func TestInputVersionMismatch(t *testing.T) {
	v1, err := os.ReadFile("../instruments/gad7/gad7.v1.yaml")
	require.NoError(t, err)
	v2 := replaceOnce(string(v1), "version: 1.0.0", "version: 2.0.0")
	eng, err := screen.New(bundled.Definitions(), screen.WithDefinitions(fstest.MapFS{"gad7.v2.yaml": {Data: []byte(v2)}}, "extra"))
	require.NoError(t, err)
	seven := map[string]any{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1}
	nine := map[string]any{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": 0}
	var rep screen.Report
	for _, tc := range []struct {
		key      string
		mismatch bool
	}{{"gad7@2.0.0", true}, {"gad7@1.0.0", false}, {"gad7", false}, {"gad7@2.0.0", true}} {
		resp := &screen.Response{Answers: map[string]map[string]any{tc.key: seven, "phq9": nine}}
		require.NoError(t, eng.ScoreTo(context.Background(), resp, &rep), tc.key)
		out := string(rep.AppendJSON(nil))
		if tc.mismatch {
			assert.Contains(t, out, `"code":"input_version_mismatch","about":"gad7"`, tc.key)
		} else {
			assert.NotContains(t, out, "input_version_mismatch", tc.key)
		}
	}
}
