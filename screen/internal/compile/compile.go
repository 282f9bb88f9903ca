// Package compile turns parsed definitions (package def) into a plan (package plan): it binds every
// reference (items, scores, context fields, inputs, domains), type-checks every CEL expression and bounds
// its cost, builds bands and lookup tables, binds the rule set to instrument versions, and compiles the
// fast path of each expression. Every problem is a diagnostic at its file:line:col; compiling goes on after
// a problem so that one run reports them all.
package compile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/load"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/semver"
)

// Options control Build.
type Options struct {
	// MaxCost is the most evaluation steps an expression may take in the worst case.
	MaxCost uint64
	// MaxExprBytes bounds an expression's source.
	MaxExprBytes int
	// RuleSet selects the rule set to apply ("id" or "id@version"); "" applies the only one loaded.
	RuleSet string
	// NoRules scores instruments only.
	NoRules bool
	// All compiles every rule set, each against the instruments it reads, instead of choosing one (a
	// validator's view); the Plan then has no rule set.
	All bool
	// NoFast evaluates everything with CEL's interpreter (tests compare the two evaluators).
	NoFast bool
	// LineOf returns a source line for diagnostics' snippets.
	LineOf func(diag.Pos) string
	// Runtime is what programs bind from the evaluation stage (eval.Runtime{}); required.
	Runtime plan.Runtime
	// Cache, when set, supplies parses and static-check verdicts computed before for the same content
	// (cache.go); Record, when set, collects them. Neither changes what Build produces.
	Cache  *Cache
	Record *Recorder
}

// Result is what Build compiled.
type Result struct {
	Plan *plan.Plan
	// Instruments and RuleSets list the definitions that compiled, as id@version.
	Instruments, RuleSets []string
	// Exprs counts the expressions compiled and CheckHits those whose checked form Options.Cache held;
	// Parses counts the expressions parsed for a look at their shape and ParseHits those of them it held;
	// LintCached is true when a verdict in it stood in for the static checks.
	Exprs, CheckHits  int
	Parses, ParseHits int
	LintCached        bool
}

// builtinContext are the context fields every engine accepts: age in whole years, and sex (free text;
// the bundled content compares it with "male" and "female").
var builtinContext = []plan.CtxField{{ID: "age", Type: "int", Min: 0, Max: 150, HasMin: true, HasMax: true, Label: "age", Unit: "years"},
	{ID: "sex", Type: "string", Sex: true, Label: "sex"}}

// Build compiles a set of definitions. Problems go to list; the error is for a failure of the CEL library
// itself.
func Build(set load.Set, opts Options, list *diag.List) (*Result, error) {
	base, err := celenv.NewBase(opts.MaxExprBytes)
	if err != nil {
		return nil, fmt.Errorf("CEL environment: %w", err)
	}
	if opts.Runtime == nil {
		return nil, errors.New("compile: Options.Runtime is not set")
	}
	c := &compiler{list: list, lineOf: opts.LineOf, maxCost: opts.MaxCost, base: base, noFast: opts.NoFast, rt: opts.Runtime,
		ctxIdx: map[string]*plan.CtxField{}, provs: map[*plan.Instrument]*celenv.Provider{},
		cache: opts.Cache, rec: opts.Record, maxExprBytes: opts.MaxExprBytes, all: opts.All}
	c.tagEnv(base, "b")
	p := &plan.Plan{ByID: map[string][]*plan.Instrument{}, ByKey: map[string]*plan.Instrument{},
		Defaults: map[string]*plan.Instrument{}, CtxIdx: c.ctxIdx}
	// Respondent facts every engine accepts, whether or not a definition reads them; definitions may
	// declare more.
	for _, f := range builtinContext {
		c.addContext(f)
	}
	res := &Result{Plan: p}
	c.res = res
	failed := map[string]bool{}
	for _, d := range set.Instruments {
		in := c.instrument(d, len(p.Insts))
		if in == nil {
			failed[d.ID] = true
			continue
		}
		p.Insts = append(p.Insts, in)
		p.ByKey[in.Key] = in
		p.ByID[in.ID] = append([]*plan.Instrument{in}, p.ByID[in.ID]...) // newest first
		res.Instruments = append(res.Instruments, in.Key)
	}
	p.Ctx = c.ctxOrder
	for id, vs := range p.ByID {
		p.Defaults[id] = vs[0]
	}
	usable := func(r *def.RuleSet) bool {
		for _, in := range r.Inputs {
			if failed[in.ID] {
				return false // the instrument's own diagnostics explain
			}
		}
		return true
	}

	if opts.All {
		var compiled []*plan.RuleSet
		for _, r := range set.RuleSets {
			if !r.Complete(list) {
				continue
			}
			if !usable(r) {
				continue
			}
			if rs := c.ruleSet(r, p.ByID); rs != nil {
				res.RuleSets = append(res.RuleSets, r.Key())
				compiled = append(compiled, rs)
			}
		}
		c.lint(p.Insts, compiled)
		p.Ctx = c.ctxOrder
		return res, nil
	}
	if opts.NoRules || len(set.RuleSets) == 0 {
		if opts.RuleSet != "" && !opts.NoRules {
			c.errAt(diag.Pos{}, "unknown_rule_set", "rule set %q is not loaded", opts.RuleSet)
		}
		c.lint(p.Insts, nil)
		return res, nil
	}
	chosen, err := chooseRuleSet(set.RuleSets, opts.RuleSet)
	if err != nil {
		*list = append(*list, diag.Diagnostic{Code: "rule_set", Message: err.Error()})
		return res, nil
	}
	if !chosen.Complete(list) { // a rule set whose file the cache knew is parsed once chosen
		return res, nil
	}
	if !usable(chosen) {
		return res, nil
	}
	rs := c.ruleSet(chosen, p.ByID)
	p.Ctx = c.ctxOrder // the rule set's context fields
	if rs == nil {
		return res, nil
	}
	// The static checks judge what every load uses, so an error of theirs fails New as it fails validate.
	c.lint(p.Insts, []*plan.RuleSet{rs})
	p.Rules = rs
	res.RuleSets = append(res.RuleSets, rs.Key)
	// An unpinned answers key selects the version the rule set binds.
	for _, in := range rs.Inputs {
		p.Defaults[in.ID] = in.Inst
	}
	return res, nil
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

// compiler holds what compiling a set of definitions needs.
type compiler struct {
	lineOf   func(diag.Pos) string
	list     *diag.List
	ctxIdx   map[string]*plan.CtxField
	ctxOrder []*plan.CtxField
	maxCost  uint64
	base     *cel.Env
	noFast   bool
	// provs are the instruments' CEL type providers (compile time only: a rule set imports its inputs').
	provs map[*plan.Instrument]*celenv.Provider
	// shapes memoises the base environment's parse of an expression for the read-only walks that look at
	// its shape (resultLiterals, bandLabels): a domain source's expression is walked up to three times,
	// and parsing is the costliest step of a load. Type checking rewrites an AST in place, so
	// compileExpr parses its own.
	shapes map[string]*celast.AST
	// rt supplies the evaluation stage's bindings (Options.Runtime).
	rt plan.Runtime
	// cache and rec are Options.Cache and Options.Record; envTags names the environments whose parses
	// may be cached (cache.go).
	cache        *Cache
	rec          *Recorder
	envTags      map[*cel.Env]string
	maxExprBytes int
	all          bool
	res          *Result                // its cache counters
	typeMemo     map[string]*types.Type // the cached expressions' types, each decoded once
}

// shape returns the base environment's parse of e, to be read and never changed; nil when it does not
// parse (compileExpr reports why).
func (c *compiler) shape(e *def.Expr) *celast.AST {
	if a, ok := c.shapes[e.Src]; ok {
		return a
	}
	var out *celast.AST
	if a, iss := c.parse(c.base, e.Src); iss.Err() == nil {
		out = a
	}
	if c.shapes == nil {
		c.shapes = map[string]*celast.AST{}
	}
	c.shapes[e.Src] = out
	return out
}

func (c *compiler) addContext(f plan.CtxField) *plan.CtxField {
	f.Slot = len(c.ctxOrder)
	f.Names = plan.NewNames("context."+f.ID, "context."+f.ID)
	c.ctxIdx[f.ID] = &f
	c.ctxOrder = append(c.ctxOrder, &f)
	return &f
}

// ctxWords names a context field for people: its label, else its id in words.
func ctxWords(f *plan.CtxField) string {
	if f.Label != "" {
		return string(plan.AppendClean(nil, f.Label))
	}
	return plan.Words(f.ID)
}

// declareContext adds a definition's context field to the engine's, or checks it against the declaration
// already there (a field means one thing in one engine), and returns it with its CEL type.
func (c *compiler) declareContext(cf def.ContextField) (*plan.CtxField, *types.Type) {
	want := plan.CtxField{ID: cf.ID, Type: cf.Type}
	if cf.Min != nil {
		want.Min, want.HasMin = *cf.Min, true
	}
	if cf.Max != nil {
		want.Max, want.HasMax = *cf.Max, true
	}
	f, ok := c.ctxIdx[cf.ID]
	if ok && f.Label == "" && f.Unit == "" {
		f.Label, f.Unit = cf.Label, cf.Unit
	}
	switch {
	case !ok:
		want.Label, want.Unit = cf.Label, cf.Unit
		f = c.addContext(want)
	case f.Type != cf.Type:
		c.errAt(cf.Pos, "context_type", "context field %q is declared as %s here but as %s elsewhere", cf.ID, cf.Type, f.Type)
		return nil, nil
	case (cf.Min != nil || cf.Max != nil) && (f.HasMin != want.HasMin || f.HasMax != want.HasMax || f.Min != want.Min || f.Max != want.Max):
		c.errAt(cf.Pos, "context_type", "context field %q is declared with other bounds elsewhere", cf.ID)
		return nil, nil
	}
	switch cf.Type {
	case "string":
		return f, types.StringType
	case "bool":
		return f, types.BoolType
	case "number":
		return f, types.DoubleType
	}
	return f, types.IntType
}

func (c *compiler) errAt(pos diag.Pos, code, format string, args ...any) {
	*c.list = append(*c.list, diag.Diagnostic{Pos: pos, Severity: diag.Error, Code: code,
		Message: fmt.Sprintf(format, args...), Source: c.line(pos)})
}

func (c *compiler) warnAt(pos diag.Pos, code, format string, args ...any) {
	*c.list = append(*c.list, diag.Diagnostic{Pos: pos, Severity: diag.Warning, Code: code,
		Message: fmt.Sprintf(format, args...), Source: c.line(pos)})
}

func (c *compiler) line(p diag.Pos) string {
	if c.lineOf == nil {
		return ""
	}
	return c.lineOf(p)
}

func (c *compiler) errors() int { return len(c.list.Errors()) }
