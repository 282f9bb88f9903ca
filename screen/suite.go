package screen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/diag"
)

// Suite is a parsed test suite (a *_test.yaml file) for one instrument or rule set.
type Suite struct {
	s *def.Suite
}

// File is the suite's file name.
func (s *Suite) File() string { return s.s.File }

// Target is what the suite tests, as written ("phq9@1.0.0").
func (s *Suite) Target() string { return s.s.Definition }

// Len is the number of test cases.
func (s *Suite) Len() int { return len(s.s.Tests) }

// LoadSuites parses every test suite (*_test.yaml) under fsys. label prefixes file names as in
// WithDefinitions. Problems in the suite files come back as Diagnostics.
func LoadSuites(fsys fs.FS, label string) ([]*Suite, error) {
	var list diag.List
	var out []*Suite
	lim := def.DefaultLimits()
	err := walkYAML(fsys, label, true, func(p, name string) error {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if f := def.Parse(name, src, lim, &list); f.Suite != nil {
			out = append(out, &Suite{s: f.Suite})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading test suites: %w", err)
	}
	if list = list.Sort(); list.HasErrors() {
		return out, list
	}
	return out, nil
}

// TestResult is the outcome of one test case.
type TestResult struct {
	Suite string // suite file
	Name  string
	Pos   Pos
	// Failures lists each mismatch as "what: want X, got Y"; empty when the case passed.
	Failures []string
	// Skipped is set when the case did not match the run filter.
	Skipped  bool
	Duration time.Duration
}

// Passed reports whether the case ran and matched its expectations.
func (r TestResult) Passed() bool { return !r.Skipped && len(r.Failures) == 0 }

// TestOptions filter a test run.
type TestOptions struct {
	// Run, when set, selects cases whose "suite-target/name" matches (like go test -run).
	Run *regexp.Regexp
}

// RunSuites runs test suites. Each suite runs against an engine built from opts: instrument suites with
// the instrument pinned to the suite's version, rules suites with WithRuleSet set to the suite's target.
// An error is returned only when an engine cannot be built; failing cases are in the results.
func RunSuites(ctx context.Context, suites []*Suite, topts TestOptions, opts ...Option) ([]TestResult, error) {
	var results []TestResult
	engines := map[string]*Engine{}
	engineFor := func(s *def.Suite) (*Engine, error) {
		key := ""
		o := slices.Clone(opts)
		if s.Kind == "rules" {
			key = s.Definition
			o = append(o, WithRuleSet(s.Definition))
		} else {
			o = append(o, WithoutRuleSet())
		}
		if e, ok := engines[key]; ok {
			return e, nil
		}
		e, err := New(o...)
		if err != nil {
			return nil, err
		}
		engines[key] = e
		return e, nil
	}
	for _, su := range suites {
		s := su.s
		e, err := engineFor(s)
		if err != nil {
			return results, err
		}
		setupErr := e.checkSuiteTarget(s)
		for _, t := range s.Tests {
			res := TestResult{Suite: s.File, Name: t.Name, Pos: t.Pos}
			if topts.Run != nil && !topts.Run.MatchString(s.Definition+"/"+t.Name) {
				res.Skipped = true
				results = append(results, res)
				continue
			}
			start := time.Now()
			if setupErr != "" {
				res.Failures = []string{setupErr}
			} else {
				res.Failures = e.runCase(ctx, s, t)
			}
			res.Duration = time.Since(start)
			results = append(results, res)
		}
	}
	return results, nil
}

// checkSuiteTarget verifies the suite's target is loaded, returning a failure message otherwise.
func (e *Engine) checkSuiteTarget(s *def.Suite) string {
	if s.Kind == "rules" {
		if e.rules == nil || (s.Target != e.rules.def.ID) {
			return fmt.Sprintf("rule set %s is not loaded", s.Definition)
		}
		if s.Version != "" && s.Version != e.rules.def.Version.String() {
			return fmt.Sprintf("rule set %s is not loaded (loaded: %s)", s.Definition, e.rules.key)
		}
		return ""
	}
	key := s.Definition
	if s.Version == "" {
		if in, ok := e.defaults[s.Target]; ok {
			key = in.key
		}
	}
	if _, ok := e.byKey[key]; !ok {
		return fmt.Sprintf("instrument %s is not loaded", s.Definition)
	}
	return ""
}

func (e *Engine) runCase(ctx context.Context, s *def.Suite, t *def.Test) []string {
	resp := &Response{Subject: t.Subject, Context: t.Context, Answers: map[string]map[string]any{}}
	instKey := s.Definition
	if s.Kind == "instrument" {
		if s.Version == "" {
			instKey = e.defaults[s.Target].key
		}
		items := map[string]any{}
		for k, v := range t.Answers {
			items[k] = v
		}
		resp.Answers[instKey] = items
	} else {
		for k, v := range t.Answers {
			m, _ := v.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			resp.Answers[k] = m
		}
	}
	rep, err := e.Score(ctx, resp)
	var fails []string
	if t.WantError != nil {
		var se *ScoreError
		switch {
		case err == nil:
			return []string{fmt.Sprintf("error: want %s, got no error", t.WantError.Code)}
		case !errors.As(err, &se):
			return []string{fmt.Sprintf("error: want %s, got %v", t.WantError.Code, err)}
		}
		if se.Code != t.WantError.Code {
			fails = append(fails, fmt.Sprintf("error code: want %s, got %s (%s)", t.WantError.Code, se.Code, se.Error()))
		}
		if t.WantError.Item != "" && se.Item != t.WantError.Item {
			fails = append(fails, fmt.Sprintf("error item: want %s, got %q", t.WantError.Item, se.Item))
		}
		if t.WantError.Instrument != "" && se.Instrument != t.WantError.Instrument {
			fails = append(fails, fmt.Sprintf("error instrument: want %s, got %q", t.WantError.Instrument, se.Instrument))
		}
		return fails
	}
	if err != nil {
		return []string{fmt.Sprintf("unexpected error: %v", err)}
	}
	w := t.Want
	if w == nil {
		return nil
	}
	if s.Kind == "instrument" {
		res := rep.Instrument(s.Target)
		if res == nil {
			return []string{"no result for " + s.Target}
		}
		return compareInstrument("", res, w)
	}
	for id, iw := range w.Instruments {
		res := rep.Instrument(id)
		if res == nil {
			fails = append(fails, fmt.Sprintf("instruments.%s: want a result, got none (not answered)", id))
			continue
		}
		fails = append(fails, compareInstrument("instruments."+id+".", res, iw)...)
	}
	c := rep.Composite
	if c == nil {
		return append(fails, "composite: no rule set applied")
	}
	if w.Applied != nil && *w.Applied != c.Applied {
		fails = append(fails, fmt.Sprintf("applied: want %v, got %v (%s)", *w.Applied, c.Applied, c.Reason))
	}
	if (w.Tier != "" || w.Domains != nil || w.Referrals != nil || w.NotAssessed != nil) && !c.Applied {
		return append(fails, "composite: not applied: "+c.Reason)
	}
	if w.Tier != "" && w.Tier != c.Tier {
		fails = append(fails, fmt.Sprintf("tier: want %s, got %s", w.Tier, c.Tier))
	}
	for _, id := range sortedKeys(w.Domains) {
		got, ok := c.Domain(id)
		switch {
		case !ok:
			fails = append(fails, fmt.Sprintf("domains.%s: no such domain", id))
		case got.String() != w.Domains[id]:
			fails = append(fails, fmt.Sprintf("domains.%s: want %s, got %s", id, w.Domains[id], got))
		}
	}
	if w.Referrals != nil {
		var got []string
		for _, r := range c.Referrals {
			got = append(got, r.ID)
		}
		if !slices.Equal(w.Referrals, got) && !(len(w.Referrals) == 0 && len(got) == 0) {
			fails = append(fails, fmt.Sprintf("referrals: want [%s], got [%s]", strings.Join(w.Referrals, ", "), strings.Join(got, ", ")))
		}
	}
	if w.NotAssessed != nil && !sameSet(w.NotAssessed, c.NotAssessed) {
		fails = append(fails, fmt.Sprintf("not_assessed: want [%s], got [%s]", strings.Join(w.NotAssessed, ", "), strings.Join(c.NotAssessed, ", ")))
	}
	return fails
}

func compareInstrument(prefix string, res *InstrumentResult, w *def.Want) []string {
	var fails []string
	if w.Status != "" && w.Status != res.Status {
		fails = append(fails, fmt.Sprintf("%sstatus: want %s, got %s%s", prefix, w.Status, res.Status, notesSuffix(res)))
	}
	for _, id := range sortedKeys(w.Scores) {
		want := w.Scores[id]
		got, ok := res.Score(id)
		switch {
		case want == nil && ok:
			fails = append(fails, fmt.Sprintf("%sscores.%s: want not computed, got %s", prefix, id, got))
		case want == nil:
		case !ok:
			fails = append(fails, fmt.Sprintf("%sscores.%s: want %v, got not computed%s", prefix, id, want, notesSuffix(res)))
		case !got.Equal(wantValue(want)):
			fails = append(fails, fmt.Sprintf("%sscores.%s: want %v, got %s", prefix, id, want, got))
		}
	}
	if w.Flags != nil {
		var got []string
		for _, f := range res.Flags {
			got = append(got, f.ID)
		}
		if !sameSet(w.Flags, got) {
			fails = append(fails, fmt.Sprintf("%sflags: want [%s], got [%s]", prefix, strings.Join(w.Flags, ", "), strings.Join(got, ", ")))
		}
	}
	if w.Missing != nil && !sameSet(w.Missing, res.Missing) {
		fails = append(fails, fmt.Sprintf("%smissing: want [%s], got [%s]", prefix, strings.Join(w.Missing, ", "), strings.Join(res.Missing, ", ")))
	}
	return fails
}

func notesSuffix(res *InstrumentResult) string {
	var ms []string
	for _, n := range res.Notes {
		if n.Code == "not_computed" {
			ms = append(ms, n.Message)
		}
	}
	if len(ms) == 0 {
		return ""
	}
	return " (" + strings.Join(ms, "; ") + ")"
}

func wantValue(v any) Value {
	switch x := v.(type) {
	case int64:
		return IntValue(x)
	case float64:
		return DoubleValue(x)
	case bool:
		return BoolValue(x)
	case string:
		return StringValue(x)
	}
	return Value{}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
