package screen

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/diag"
	"github.com/painscreen/painscreen/screen/internal/input"
	"github.com/painscreen/painscreen/screen/internal/semver"
)

// EngineName and Version identify this engine in every report.
const (
	EngineName = "painscreen"
	Version    = "0.1.0"
)

// Response is one response set; see the package documentation for the accepted answer values.
type Response = input.Response

// Diagnostic is one problem in the definitions, at file:line:col.
type Diagnostic = diag.Diagnostic

// Diagnostics is the sorted list of problems New found. It is the error New returns when definitions are
// invalid; use errors.As to get it.
type Diagnostics = diag.List

// Pos is a position in a definition file.
type Pos = diag.Pos

// Engine scores response sets with a fixed set of compiled definitions. It is immutable once New returns
// and safe for concurrent use by any number of goroutines.
type Engine struct {
	insts            []*instrument            // sorted by id, then version (oldest first)
	byID             map[string][]*instrument // newest first
	byKey            map[string]*instrument   // id@version
	defaults         map[string]*instrument   // the version an unpinned key selects
	rules            *ruleSet
	ctxFields        []*ctxFieldInfo
	ctxIdx           map[string]*ctxField
	warnings         Diagnostics
	requireComposite bool
	pool             sync.Pool
}

type ctxFieldInfo struct {
	name string // context.<id>
	f    *ctxField
}

// source is one definition file as loaded.
type source struct {
	name string
	src  []byte
	file def.File
}

// builtinContext are the context fields every engine accepts: age in whole years, and sex (free text;
// the bundled content compares it with "male" and "female").
var builtinContext = []*ctxField{{id: "age", typ: "int", min: 0, max: 150, bounded: true}, {id: "sex", typ: "string"}}

// Option configures New.
type Option func(*config) error

type config struct {
	fss              []fsRoot
	ruleSet          string
	noRules          bool
	requireComposite bool
	lim              def.Limits
	maxCost          uint64
	noFast           bool
	allRules         bool // Check: compile every rule set instead of choosing one
	loaded           *CheckResult
}

type fsRoot struct {
	fsys  fs.FS
	label string // prefix for file names in diagnostics
}

// WithDefinitions loads every instrument and rule-set definition (*.yaml, *.yml; not *_test.yaml) found
// under fsys. label prefixes file names in diagnostics and may be empty. It may be given several times; a
// definition (same id, version and content) found twice is loaded once, while the same id and version with
// different content is an error.
func WithDefinitions(fsys fs.FS, label string) Option {
	return func(c *config) error {
		if fsys == nil {
			return errors.New("WithDefinitions: nil file system")
		}
		c.fss = append(c.fss, fsRoot{fsys: fsys, label: label})
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

// WithMaxCost sets the most evaluation steps any one expression may take in the worst case, as CEL's
// static cost estimate computes it (default 10000). Expressions over the limit are rejected when loading,
// so scoring needs no runtime cost tracking.
func WithMaxCost(n uint64) Option {
	return func(c *config) error {
		if n == 0 {
			return errors.New("WithMaxCost: limit must be positive")
		}
		c.maxCost = n
		return nil
	}
}

// New loads, validates and compiles the definitions. It returns a complete engine, or an error: a
// Diagnostics listing every problem found (file:line:col: code: message) when definitions are invalid.
func New(opts ...Option) (*Engine, error) {
	cfg := &config{lim: def.DefaultLimits(), maxCost: 10000}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if len(cfg.fss) == 0 {
		return nil, errors.New("screen.New: no definitions; use WithBundled or WithDefinitions")
	}
	var list diag.List
	e, err := load(cfg, &list)
	return finish(e, err, list)
}

// dropCompileState releases what only compiling needed: the type providers (programs that still use CEL's
// interpreter keep their own reference) and the maps from expression offsets to file positions, so the
// collector can free the rest (a smaller heap scores faster).
func dropCompileState(e *Engine, sources []source) {
	if e == nil {
		return
	}
	for _, in := range e.insts {
		in.prov = nil
	}
	if e.rules != nil {
		e.rules.prov = nil
	}
	for _, s := range sources {
		s.file.DropLocators()
	}
}

// finish turns a built engine and its diagnostics into New's result.
func finish(e *Engine, err error, list diag.List) (*Engine, error) {
	list = list.Sort()
	if err != nil {
		return nil, err
	}
	if list.HasErrors() {
		return nil, list
	}
	e.warnings = list.Warnings()
	return e, nil
}

// CheckResult is what Check found.
type CheckResult struct {
	// Diagnostics holds every problem, errors and warnings, sorted; no errors means every definition loads.
	Diagnostics Diagnostics
	// Instruments and RuleSets list the definitions that compiled, as "id@version", sorted.
	Instruments []string
	RuleSets    []string
}

// Check loads and compiles every definition the options name — every instrument, and every version of
// every rule set, each against the instruments it reads — and reports every problem found. Unlike New it
// needs no choice among several rule sets, which makes it what a validator wants. The error is only for
// definitions that could not be read at all (an I/O error).
func Check(opts ...Option) (*CheckResult, error) {
	cfg := &config{lim: def.DefaultLimits(), maxCost: 10000}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	cfg.allRules = true
	cfg.loaded = &CheckResult{}
	var list diag.List
	if _, err := load(cfg, &list); err != nil {
		return nil, err
	}
	cfg.loaded.Diagnostics = list.Sort()
	slices.Sort(cfg.loaded.Instruments)
	slices.Sort(cfg.loaded.RuleSets)
	return cfg.loaded, nil
}

// load reads and builds; problems go to list.
func load(cfg *config, list *diag.List) (*Engine, error) {
	var sources []source
	for _, r := range cfg.fss {
		s, err := readDefinitions(r, cfg.lim, list)
		if err != nil {
			return nil, err
		}
		sources = append(sources, s...)
	}
	e, err := build(sources, cfg, list)
	dropCompileState(e, sources)
	return e, err
}

// walkYAML calls fn for every YAML file under fsys, in lexical order, with its name in diagnostics (label
// joined to the path). Hidden directories and testdata directories are skipped; suites selects test
// suites (*_test.yaml) instead of definitions.
func walkYAML(fsys fs.FS, label string, suites bool, fn func(path, name string) error) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if !def.IsYAMLFile(p) || def.IsSuiteFile(p) != suites {
			return nil
		}
		name := p
		if label != "" {
			name = path.Join(label, p)
		}
		return fn(p, name)
	})
}

// readDefinitions parses every definition file under one file system, in lexical path order.
func readDefinitions(r fsRoot, lim def.Limits, list *diag.List) ([]source, error) {
	var out []source
	err := walkYAML(r.fsys, r.label, false, func(p, name string) error {
		if info, err := fs.Stat(r.fsys, p); err == nil && info.Size() > int64(lim.MaxFileBytes) {
			*list = append(*list, diag.Diagnostic{Pos: diag.Pos{File: name}, Code: "limit",
				Message: fmt.Sprintf("file is %d bytes; the limit is %d", info.Size(), lim.MaxFileBytes)})
			return nil
		}
		src, err := fs.ReadFile(r.fsys, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: name, src: src, file: def.Parse(name, src, lim, list)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading definitions: %w", err)
	}
	return out, nil
}

// build checks duplicates, compiles instruments (sorted by id and version) and the selected rule set.
func build(sources []source, cfg *config, list *diag.List) (*Engine, error) {
	e := &Engine{byID: map[string][]*instrument{}, byKey: map[string]*instrument{}, defaults: map[string]*instrument{},
		ctxIdx: map[string]*ctxField{}, requireComposite: cfg.requireComposite}
	lines := map[string][]string{}
	for _, s := range sources {
		lines[s.name] = strings.Split(string(s.src), "\n")
	}
	lineOf := func(p diag.Pos) string {
		ls := lines[p.File]
		if p.Line < 1 || p.Line > len(ls) {
			return ""
		}
		return strings.TrimRight(ls[p.Line-1], "\r")
	}
	for i := range *list {
		if (*list)[i].Source == "" {
			(*list)[i].Source = lineOf((*list)[i].Pos)
		}
	}
	e.pool.New = func() any { return e.newState() }
	c := &compiler{list: list, ctxField: e.ctxIdx, maxCost: cfg.maxCost, lineOf: lineOf, noFast: cfg.noFast}
	base, err := newBaseEnv(cfg.lim.MaxExprBytes)
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	c.base = base
	// Respondent facts every engine accepts, whether or not a definition reads them (see the package
	// documentation); definitions may declare more.
	for _, f := range builtinContext {
		f := *f
		f.slot = len(c.ctxOrder)
		c.ctxField[f.id] = &f
		c.ctxOrder = append(c.ctxOrder, &f)
	}

	// Instruments: dedupe identical copies, reject conflicting ones.
	var idefs []*def.Instrument
	seen := map[string]*def.Header{}
	dupCheck := func(h *def.Header) bool {
		if prev, ok := seen[h.Key()]; ok {
			if prev.Digest != h.Digest {
				c.errAt(h.IDPos, "conflicting_definition", "%s is also defined at %s with different content; change the version when the content changes", h.Key(), prev.IDPos)
				c.errAt(prev.IDPos, "conflicting_definition", "%s is also defined at %s with different content", h.Key(), h.IDPos)
			}
			return false
		}
		seen[h.Key()] = h
		return true
	}
	var rdefs []*def.RuleSet
	for _, s := range sources {
		switch {
		case s.file.Instrument != nil && s.file.Instrument.ID != "":
			if dupCheck(&s.file.Instrument.Header) {
				idefs = append(idefs, s.file.Instrument)
			}
		case s.file.RuleSet != nil && s.file.RuleSet.ID != "":
			if dupCheck(&s.file.RuleSet.Header) {
				rdefs = append(rdefs, s.file.RuleSet)
			}
		}
	}
	// An id used by both an instrument and a rule set would make references ambiguous.
	ruleIDs := map[string]bool{}
	for _, r := range rdefs {
		ruleIDs[r.ID] = true
	}
	for _, d := range idefs {
		if ruleIDs[d.ID] {
			c.errAt(d.IDPos, "duplicate_id", "%q names both an instrument and a rule set", d.ID)
		}
	}
	sort.SliceStable(idefs, func(i, j int) bool {
		if idefs[i].ID != idefs[j].ID {
			return idefs[i].ID < idefs[j].ID
		}
		return idefs[i].Version.Compare(idefs[j].Version) < 0
	})
	// Compile everything that parsed, even when other files have problems, so one run reports every
	// problem. A definition that failed to compile is left out; a rule set reading it is not compiled.
	failed := map[string]bool{}
	for _, d := range idefs {
		in := c.compileInstrument(d, len(e.insts))
		if in == nil {
			failed[d.ID] = true
			continue
		}
		e.insts = append(e.insts, in)
		e.byKey[in.key] = in
		e.byID[in.id] = append([]*instrument{in}, e.byID[in.id]...) // newest first
	}
	for _, f := range c.ctxOrder {
		e.ctxFields = append(e.ctxFields, &ctxFieldInfo{name: "context." + f.id, f: f})
	}
	for id, vs := range e.byID {
		e.defaults[id] = vs[0]
	}

	if cfg.loaded != nil {
		// Check: every rule set, each against the instruments it reads.
		for _, in := range e.insts {
			cfg.loaded.Instruments = append(cfg.loaded.Instruments, in.key)
		}
	rules:
		for _, r := range rdefs {
			for _, in := range r.Inputs {
				if failed[in.ID] {
					continue rules // the instrument's own diagnostics explain
				}
			}
			if c.compileRuleSet(r, e.byID) != nil {
				cfg.loaded.RuleSets = append(cfg.loaded.RuleSets, r.Key())
			}
		}
		return e, nil
	}

	// The rule set.
	if cfg.noRules || len(rdefs) == 0 {
		if cfg.ruleSet != "" && !cfg.noRules {
			c.errAt(diag.Pos{}, "unknown_rule_set", "rule set %q is not loaded", cfg.ruleSet)
		}
		return e, nil
	}
	chosen, err := chooseRuleSet(rdefs, cfg.ruleSet)
	if err != nil {
		*list = append(*list, diag.Diagnostic{Code: "rule_set", Message: err.Error()})
		return e, nil
	}
	for _, in := range chosen.Inputs {
		if failed[in.ID] {
			return e, nil // the instrument's own diagnostics explain
		}
	}
	rs := c.compileRuleSet(chosen, e.byID)
	if rs == nil {
		return e, nil
	}
	e.rules = rs
	// An unpinned answers key selects the version the rule set binds.
	for _, in := range rs.inputs {
		e.defaults[in.id] = in.inst
	}
	return e, nil
}

func chooseRuleSet(rdefs []*def.RuleSet, want string) (*def.RuleSet, error) {
	byID := map[string][]*def.RuleSet{}
	var ids []string
	for _, r := range rdefs {
		if byID[r.ID] == nil {
			ids = append(ids, r.ID)
		}
		byID[r.ID] = append(byID[r.ID], r)
	}
	slices.Sort(ids)
	newest := func(rs []*def.RuleSet) *def.RuleSet {
		best := rs[0]
		for _, r := range rs[1:] {
			if r.Version.Compare(best.Version) > 0 {
				best = r
			}
		}
		return best
	}
	if want == "" {
		if len(ids) > 1 {
			return nil, fmt.Errorf("several rule sets are loaded (%s); choose one (WithRuleSet, --rules)", strings.Join(ids, ", "))
		}
		return newest(byID[ids[0]]), nil
	}
	id, ver, pinned := strings.Cut(want, "@")
	cands := byID[id]
	if len(cands) == 0 {
		return nil, fmt.Errorf("rule set %q is not loaded (loaded: %s)", id, strings.Join(ids, ", "))
	}
	if !pinned {
		return newest(cands), nil
	}
	v, err := semver.Parse(ver)
	if err != nil {
		return nil, fmt.Errorf("rule set %q: %v", want, err)
	}
	for _, r := range cands {
		if r.Version.Compare(v) == 0 {
			return r, nil
		}
	}
	return nil, fmt.Errorf("rule set %s is not loaded", want)
}

// resolve maps an answers key ("phq9" or "phq9@1.0.0") to an instrument.
func (e *Engine) resolve(key string) (*instrument, *ScoreError) {
	if in, ok := e.defaults[key]; ok {
		return in, nil
	}
	if in, ok := e.byKey[key]; ok {
		return in, nil
	}
	id, ver, pinned := strings.Cut(key, "@")
	if _, known := e.byID[id]; known && pinned {
		var have []string
		for _, in := range e.byID[id] {
			have = append(have, in.version)
		}
		v, err := semver.Parse(ver)
		if err == nil {
			if in, ok := e.byKey[id+"@"+v.String()]; ok {
				return in, nil
			}
		}
		return nil, scoreErr(ErrUnknownVersion, key, "", "version %s of %s is not loaded (loaded: %s)", ver, id, strings.Join(have, ", "))
	}
	return nil, scoreErr(ErrUnknownInstrument, key, "", "no instrument %q is loaded", id)
}

// Warnings returns the non-fatal diagnostics found while loading (draft or retired definitions, …).
func (e *Engine) Warnings() Diagnostics { return slices.Clone(e.warnings) }

// InstrumentInfo describes a loaded instrument.
type InstrumentInfo struct {
	ID, Version, Status, Domain, Title, Digest string
	File                                       string
	// Default is true for the version an unpinned answers key selects.
	Default bool
}

// Instruments lists the loaded instruments by id, then version.
func (e *Engine) Instruments() []InstrumentInfo {
	out := make([]InstrumentInfo, 0, len(e.insts))
	for _, in := range e.insts {
		d := in.def
		out = append(out, InstrumentInfo{ID: in.id, Version: in.version, Status: d.Status, Domain: d.Domain,
			Title: d.Title, Digest: d.Digest, File: d.File, Default: e.defaults[in.id] == in})
	}
	return out
}

// RuleSetInfo describes the rule set the engine applies, if any.
type RuleSetInfo struct {
	ID, Version, Status, Title, Digest, File string
	// Inputs maps each input instrument id to the version it is bound to.
	Inputs map[string]string
}

// RuleSet returns the rule set the engine applies; ok is false when there is none.
func (e *Engine) RuleSet() (RuleSetInfo, bool) {
	if e.rules == nil {
		return RuleSetInfo{}, false
	}
	d := e.rules.def
	info := RuleSetInfo{ID: d.ID, Version: d.Version.String(), Status: d.Status, Title: d.Title, Digest: d.Digest, File: d.File,
		Inputs: map[string]string{}}
	for _, in := range e.rules.inputs {
		info.Inputs[in.id] = in.inst.version
	}
	return info, true
}
