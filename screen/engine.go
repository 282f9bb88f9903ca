package screen

import (
	"context"
	"errors"
	"io/fs"
	"slices"
	"sync"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/load"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
)

// EngineName and Version identify this engine in every report.
const (
	EngineName = "painscreen"
	Version    = "0.1.0"
)

// Engine scores response sets with a fixed set of compiled definitions. It is immutable once New returns
// and safe for concurrent use by any number of goroutines.
type Engine struct {
	plan             *plan.Plan
	warnings         diag.List
	requireComposite bool
	strict           bool
	pool             sync.Pool // *scratch
	rc               reasonCache
}

// maxExprCost is the most evaluation steps any one expression may take in the worst case, as CEL's static
// cost estimate computes it. Expressions over it are rejected when loading (diagnostic cel_cost), so
// scoring needs no runtime cost tracking.
const maxExprCost = 10000

// Option configures New and Check.
type Option func(*config) error

type config struct {
	roots            []load.Root
	ruleSet          string
	noRules          bool
	requireComposite bool
	strict           bool
	lim              def.Limits
	noFast           bool // tests: evaluate everything with CEL's interpreter
	noCache          bool // tests: parse and check everything, as for definitions never seen before
	record           *compile.Recorder
}

// WithDefinitions loads every instrument and rule-set definition (*.yaml, *.yml; not *_test.yaml) found
// under fsys. label prefixes file names in diagnostics and names the folder in errors; it may be empty. It
// may be given several times; a definition (same id, version and content) found twice is loaded once, while
// the same id and version with different content is an error.
func WithDefinitions(fsys fs.FS, label string) Option {
	return func(c *config) error {
		if fsys == nil {
			return errors.New("WithDefinitions: nil file system")
		}
		c.roots = append(c.roots, load.Root{FS: fsys, Label: label})
		return nil
	}
}

// WithRuleSet selects the composite rule set to apply, as "id" (newest loaded version) or "id@version".
// Without it, the engine applies the rule set when exactly one rule-set id is loaded.
func WithRuleSet(ref string) Option {
	return func(c *config) error {
		if ref == "" {
			return errors.New("WithRuleSet: empty rule set")
		}
		c.ruleSet = ref
		return nil
	}
}

// WithoutRuleSet scores instruments only, even when rule sets are loaded.
func WithoutRuleSet() Option {
	return func(c *config) error { c.noRules = true; return nil }
}

// RequireComposite makes Score fail with ErrCompositeNotApplied when a response set lacks the rule set's
// required inputs (by default the report says the composite was not applied, and why).
func RequireComposite() Option {
	return func(c *config) error { c.requireComposite = true; return nil }
}

// WithStrictAnswers makes every problem with a response set end it: Score returns the first problem (in a
// stable order) as a *ScoreError and no report. By default a bad answer spoils only itself: Score returns
// the report of everything else, with the problems in Report.Errors, and a nil error.
// Strict mode also refuses answers to items that skip logic does not ask (by default they are kept, with a
// note answered_when_skipped, and not scored).
func WithStrictAnswers() Option {
	return func(c *config) error { c.strict = true; return nil }
}

func configure(opts []Option) (*config, error) {
	cfg := &config{lim: def.DefaultLimits()}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("screen: nil Option")
		}
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if len(cfg.roots) == 0 {
		return nil, errors.New("screen: no definitions; use WithDefinitions (bundled.Definitions() for the bundled catalogue)")
	}
	return cfg, nil
}

// build runs the stages: read and parse the files, reduce them to one set of definitions, compile. New
// (not Check) takes the parses and static-check verdicts computed for the bundled definitions' content
// from compile.Bundled: any other content misses and is parsed and checked.
func build(cfg *config, all bool) (*compile.Result, diag.List, error) {
	var list diag.List
	var cache *compile.Cache
	var known load.Known
	if !all && !cfg.noCache {
		cache = compile.Bundled()
		known = func(name string, src []byte) (*def.RuleSet, bool) { return cache.RuleSetFile(name, src, cfg.lim) }
	}
	sources, err := load.ReadWith(cfg.roots, cfg.lim, &list, known)
	if err != nil {
		return nil, nil, err
	}
	if cfg.record != nil {
		recordRuleSetFiles(cfg.record, sources, cfg.lim, list)
	}
	lineOf := load.Lines(sources)
	set := load.Dedupe(sources, &list)
	res, err := compile.Build(set, compile.Options{MaxCost: maxExprCost, MaxExprBytes: cfg.lim.MaxExprBytes,
		RuleSet: cfg.ruleSet, NoRules: cfg.noRules, All: all, NoFast: cfg.noFast, LineOf: lineOf, Runtime: eval.Runtime{},
		Cache: cache, Record: cfg.record}, &list)
	if err != nil {
		return nil, nil, err
	}
	load.DropLocators(sources)
	for i := range list {
		if list[i].Source == "" {
			list[i].Source = lineOf(list[i].Pos)
		}
	}
	return res, list.Sort(), nil
}

// recordRuleSetFiles records the rule-set files that parsed without a diagnostic (compile.Recorder).
func recordRuleSetFiles(rec *compile.Recorder, sources []load.Source, lim def.Limits, list diag.List) {
	noisy := map[string]bool{}
	for _, d := range list {
		noisy[d.Pos.File] = true
	}
	for _, s := range sources {
		if rs := s.File.RuleSet; rs != nil && !rs.Deferred() && !noisy[s.Name] {
			rec.RuleSetFile(s.Src, lim, &rs.Header)
		}
	}
}

// New loads, validates and compiles the definitions. It returns a complete engine, or an error: a
// diag.List listing every problem found (file:line:col: code: message) when definitions are invalid.
func New(opts ...Option) (*Engine, error) {
	cfg, err := configure(opts)
	if err != nil {
		return nil, err
	}
	res, list, err := build(cfg, false)
	if err != nil {
		return nil, err
	}
	if list.HasErrors() {
		return nil, list
	}
	e := &Engine{plan: res.Plan, warnings: list.Warnings(), requireComposite: cfg.requireComposite, strict: cfg.strict}
	e.pool.New = func() any { return &scratch{st: eval.NewState(e.plan), tr: trace.New(e.plan)} }
	return e, nil
}

// CheckResult is what Check found.
type CheckResult struct {
	// Diagnostics holds every problem, errors and warnings, sorted; no errors means every definition loads.
	Diagnostics diag.List
	// Instruments and RuleSets list the definitions that compiled, as "id@version", sorted.
	Instruments []string
	RuleSets    []string
}

// Check loads and compiles every definition the options name — every instrument, and every version of
// every rule set, each against the instruments it reads — and reports every problem found. Unlike New it
// needs no choice among several rule sets, which makes it what a validator wants. The error is only for
// definitions that could not be read at all (an I/O error).
//
// Check and New run the same static checks over definitions that compile: a score's declared range
// against what its items give, bands that leave reachable values out or can never apply, lookup tables
// missing a reachable raw value, required items nothing reads, unused option scales, flags, tiers and
// referrals that can never fire, shadowed tiers. Their errors (codes score_range, band_range,
// band_unreachable, lookup_gap, never_fires, shadowed_tier) fail New as they fail Check; their warnings
// are Engine.Warnings. New checks the rule set it applies, Check every one; docs/definitions.md lists them.
func Check(opts ...Option) (*CheckResult, error) {
	cfg, err := configure(opts)
	if err != nil {
		return nil, err
	}
	res, list, err := build(cfg, true)
	if err != nil {
		return nil, err
	}
	out := &CheckResult{Diagnostics: list, Instruments: res.Instruments, RuleSets: res.RuleSets}
	slices.Sort(out.Instruments)
	slices.Sort(out.RuleSets)
	return out, nil
}

var errZeroEngine = errors.New("screen: the Engine was not made by New")

// Score scores one response set. It is safe to call from many goroutines at once.
//
// The contract: whenever there is a report, Score returns it and a nil error. A bad answer spoils only
// itself (see the package documentation): when answers are invalid, or name items or instruments that do
// not exist, the report holds every result the usable answers settle — an urgent flag included — and the
// problems in Report.Errors; Report.Err returns them as one error (a *ResponseErrors) for a caller that
// wants to treat the record as failed. So the idiomatic
//
//	rep, err := eng.Score(ctx, resp)
//	if err != nil {
//		return err // nothing was scored
//	}
//
// never discards a report. Score returns an error, and no report, only when there is nothing to score:
// no answers, an invalid subject id, a rule set required by RequireComposite and not applied, any problem
// under WithStrictAnswers (a *ScoreError), or a cancelled context (the context's error). A score that
// cannot be computed because answers are missing is not an error either: the report says so, and reports
// what the other answers settle.
func (e *Engine) Score(ctx context.Context, r *Response) (*Report, error) {
	rep := new(Report)
	if err := e.ScoreTo(ctx, r, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// ScoreTo is Score writing into dst, reusing the memory dst holds from an earlier call: in a batch loop
// with one Report per goroutine, scoring allocates almost nothing. Everything dst held before — including
// results and reasons taken from it — is overwritten (see Report). A nil error means dst holds the report
// (whose Errors may list answers that could not be used; see Report.Err); on an error dst's contents are
// unspecified.
func (e *Engine) ScoreTo(ctx context.Context, r *Response, dst *Report) error {
	switch {
	case e == nil || e.plan == nil:
		return errZeroEngine
	case ctx == nil:
		return errors.New("screen: nil context")
	case dst == nil:
		return errors.New("screen: nil Report")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r == nil {
		return newScoreError(ErrNoAnswers, "", "", "no response set")
	}
	return e.scoreTo(ctx, r, dst, nil)
}

// scoreTo scores r into dst; fu, when set, is the baseline it is compared with (follow-up).
func (e *Engine) scoreTo(ctx context.Context, r *Response, dst *Report, fu *followUpRun) error {
	s := e.pool.Get().(*scratch)
	defer func() {
		s.st.Reset()
		e.pool.Put(s)
	}()
	s.st.Strict = e.strict
	if fu != nil && fu.base != nil {
		s.st.SetFollowUp(fu.base, fu.days)
	}
	if err := s.st.Score(ctx, r.Subject, r.Context, r.Answers, e.requireComposite); err != nil {
		return scoreError(err)
	}
	s.report(dst, r.Subject)
	dst.mem.arena.rc = &e.rc
	dst.Date = r.Date
	dst.FollowUp = nil
	if fu != nil {
		s.followUp(dst, fu)
	}
	return nil
}

// Warnings returns the non-fatal diagnostics found while loading (draft or retired definitions, …).
func (e *Engine) Warnings() diag.List { return slices.Clone(e.warnings) }

// InstrumentInfo describes a loaded instrument.
type InstrumentInfo struct {
	ID, Version, Status, Domain, Title, Digest string
	File                                       string
	// Default is true for the version an unpinned answers key selects.
	Default bool
}

func (e *Engine) info(in *plan.Instrument) InstrumentInfo {
	d := in.Def
	return InstrumentInfo{ID: in.ID, Version: in.Version, Status: d.Status, Domain: d.Domain,
		Title: d.Title, Digest: d.Digest, File: d.File, Default: e.plan.Defaults[in.ID] == in}
}

// Instruments lists the loaded instruments by id, then version.
func (e *Engine) Instruments() []InstrumentInfo {
	out := make([]InstrumentInfo, 0, len(e.plan.Insts))
	for _, in := range e.plan.Insts {
		out = append(out, e.info(in))
	}
	return out
}

// RuleSetInfo describes the rule set the engine applies, if any.
type RuleSetInfo struct {
	ID, Version, Status, Title, Digest, File string
	// Inputs maps each input instrument id to the version it is bound to.
	Inputs map[string]string
	// Tiers lists the rule set's tiers highest (most pressing) first: the order in which they are tried,
	// the first whose condition holds winning. A report's Tier and PossibleTiers are among them.
	Tiers []Tier
}

// RuleSet returns the rule set the engine applies; ok is false when there is none.
func (e *Engine) RuleSet() (RuleSetInfo, bool) {
	rs := e.plan.Rules
	if rs == nil {
		return RuleSetInfo{}, false
	}
	d := rs.Def
	info := RuleSetInfo{ID: d.ID, Version: rs.Version, Status: d.Status, Title: d.Title, Digest: d.Digest, File: d.File,
		Inputs: map[string]string{}}
	for _, in := range rs.Inputs {
		info.Inputs[in.ID] = in.Inst.Version
	}
	info.Tiers = make([]Tier, len(rs.Tiers))
	for i, t := range rs.Tiers {
		info.Tiers[i] = Tier(t.ID)
	}
	return info, true
}

// TierRank returns the rank of a tier of the engine's rule set: 0 for the highest (most pressing), then
// 1, 2, … in RuleSetInfo.Tiers order. ok is false when the engine has no rule set or the rule set has no
// such tier.
func (e *Engine) TierRank(t Tier) (rank int, ok bool) {
	if e == nil || e.plan == nil || e.plan.Rules == nil {
		return 0, false
	}
	for i, rt := range e.plan.Rules.Tiers {
		if rt.ID == string(t) {
			return i, true
		}
	}
	return 0, false
}
