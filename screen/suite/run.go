package suite

// Running suites: one engine per target, the suites' targets checked, each case run and its failures listed.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// Options filter a test run.
type Options struct {
	// Run, when set, selects cases whose "suite-target/name" matches (like go test -run).
	Run *regexp.Regexp
	// Coverage, when set, is filled with the clinical coverage of the run: the elements of every loaded
	// definition and which of them the passing cases reached (see Coverage).
	Coverage *Coverage
}

// Run runs test suites. Each suite runs against an engine built from opts: instrument suites with the
// instrument pinned to the suite's version, rules suites with screen.WithRuleSet set to the suite's target.
// An error is returned only when an engine cannot be built, or when a suite's instrument is not loaded (a
// diag.List with an unknown_target diagnostic at the suite's "instrument:" line); failing cases are in the
// results. A want that names a score, flag, item, domain, tier or referral its definition does not have
// fails its case with that message ("no score \"totl\" in phq4@1.0.0; did you mean \"total\"?").
func Run(ctx context.Context, suites []*Suite, topts Options, opts ...screen.Option) ([]Result, error) {
	var results []Result
	var cov *collector
	if topts.Coverage != nil {
		cov = newCollector(topts.Coverage)
		defer cov.finish()
	}
	engines := map[string]*screen.Engine{}
	engineFor := func(s *def.Suite) (*screen.Engine, error) {
		key, o := engineOptions(s, opts)
		if e, ok := engines[key]; ok {
			return e, nil
		}
		e, err := screen.New(o...)
		if err != nil {
			return nil, err
		}
		engines[key] = e
		if cov != nil {
			cov.addInstruments(e)
			cov.addRuleSet(e)
		}
		return e, nil
	}
	// A suite whose instrument is not loaded cannot run at all: that is a load error, like a rule set that
	// is not loaded (which New reports).
	var missing diag.List
	for _, su := range suites {
		if su.s.Kind != "instrument" {
			continue
		}
		e, err := engineFor(su.s)
		if err != nil {
			return nil, err
		}
		if checkTarget(e, su.s) != "" {
			var loaded []string
			for _, in := range e.Instruments() {
				loaded = append(loaded, in.ID+"@"+in.Version)
			}
			missing = append(missing, su.diag(su.s.TargetPos, "unknown_target", missingTarget(su.s, loaded)))
		}
	}
	if len(missing) > 0 {
		return nil, missing.Sort()
	}
	if cov != nil {
		// Every loaded definition has coverage, the ones no suite tests included (at 0 %).
		if e, err := engineFor(&def.Suite{Kind: "instrument"}); err == nil {
			cov.addInstruments(e)
		}
		if e, err := screen.New(opts...); err == nil {
			cov.addRuleSet(e)
		}
	}
	for _, su := range suites {
		s := su.s
		e, err := engineFor(s)
		if err != nil {
			return results, err
		}
		setupErr := checkTarget(e, s)
		var refs map[*def.Test][]problem
		if setupErr == "" {
			refs = map[*def.Test][]problem{}
			for _, pr := range checkRefs(e, s) {
				refs[pr.test] = append(refs[pr.test], pr)
			}
		}
		for _, t := range s.Tests {
			res := Result{Suite: s.File, Name: t.Name, Pos: t.Pos}
			if topts.Run != nil && !topts.Run.MatchString(s.Definition+"/"+t.Name) {
				res.Skipped = true
				results = append(results, res)
				continue
			}
			start := time.Now()
			if setupErr != "" {
				res.Failures = []Failure{{What: setupErr}}
			} else {
				var rep *screen.Report
				res.Failures = withRefs(refs[t], runCase(ctx, e, s, t, &rep))
				if cov != nil && len(res.Failures) == 0 {
					cov.caseMark(s, t, rep, baselineReport(ctx, e, s, t))
				}
			}
			res.Duration = time.Since(start)
			results = append(results, res)
		}
	}
	return results, nil
}

// withRefs puts first what a test's want names that its definition does not have ("no score \"totl\"
// in phq4@1.0.0; did you mean \"total\"?"), in place of the comparison it spoils ("want 6, got not
// computed"); the other comparisons stay.
func withRefs(refs []problem, fails []Failure) []Failure {
	if len(refs) == 0 {
		return fails
	}
	out := make([]Failure, 0, len(refs)+len(fails))
	for _, pr := range refs {
		out = append(out, Failure{What: pr.msg})
	}
	for _, f := range fails {
		if !slices.ContainsFunc(refs, func(pr problem) bool { return pr.what != "" && pr.what == f.What }) {
			out = append(out, f)
		}
	}
	return out
}

// checkTarget verifies the suite's target is loaded, returning a failure message otherwise.
func checkTarget(e *screen.Engine, s *def.Suite) string {
	if s.Kind == "rules" {
		rs, ok := e.RuleSet()
		if !ok || s.Target != rs.ID {
			return fmt.Sprintf("rule set %s is not loaded", s.Definition)
		}
		if s.Version != "" && s.Version != rs.Version {
			return fmt.Sprintf("rule set %s is not loaded (loaded: %s@%s)", s.Definition, rs.ID, rs.Version)
		}
		return ""
	}
	if instrumentKey(e, s) == "" {
		return fmt.Sprintf("instrument %s is not loaded", s.Definition)
	}
	return ""
}

// instrumentKey is the id@version an instrument suite tests: the version it names, or the default one.
func instrumentKey(e *screen.Engine, s *def.Suite) string {
	for _, in := range e.Instruments() {
		if in.ID == s.Target && (in.Version == s.Version || s.Version == "" && in.Default) {
			return in.ID + "@" + in.Version
		}
	}
	return ""
}

// engineOptions are the options of the engine a suite runs against, and the key that engine is shared
// under: an instrument suite's engine applies no rule set (one for all of them, key ""), a rules suite's
// applies the suite's target.
func engineOptions(s *def.Suite, opts []screen.Option) (key string, o []screen.Option) {
	o = slices.Clone(opts)
	if s.Kind == "rules" {
		return s.Definition, append(o, screen.WithRuleSet(s.Definition))
	}
	return "", append(o, screen.WithoutRuleSet())
}
