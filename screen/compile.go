package screen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/diag"
)

type readKind uint8

const (
	readItem readKind = iota
	readScore
	readContext
	readStatus
	readFlag
	readDomain
	readTier
)

// prog is one compiled expression.
type prog struct {
	prg  cel.Program
	expr *def.Expr
	rule string
	typ  *types.Type // output type
	// fast evaluates the expression without CEL's interpreter when every construct in it is one the fast
	// path implements (see fast.go); nil otherwise.
	fast fnode
}

type instrument struct {
	def     *def.Instrument
	id      string
	version string
	key     string
	index   int // position in Engine.insts
	items   []*item
	itemIdx map[string]int
	scores  []*score
	flags   []*flag
	// ctxSlots maps the instrument's declared context fields to engine context slots.
	ctxSlots []int
	answersT *structType
	scoresT  *structType
	flagsT   *structType
	resultT  *structType
	contextT *structType
	prov     *provider
	hasSkip  bool
	notes    []Note // static notes (draft, retired)
	// Errors for reading unset fields, made once.
	itemUnset, itemDisabled, scoreUnset, scoreQUnset, flagUnset, ctxUnset []*fieldError
	// As a rule-set input: qualified names for reasons ("phq9.total").
	scoreQName, itemQName, flagQName []string
	statusQName                      string
}

type item struct {
	id       string
	required bool
	options  []def.Option // nil for a range item
	codes    map[string]int64
	min, max int64
	hasMax   bool
	enable   *prog
	name     string // answers.<id>
	// allowed describes valid values for error messages ("0-3", "one of 0, 1, 3").
	allowed string
}

type scoreKind uint8

const (
	scoreExpr scoreKind = iota
	scoreBands
	scoreLookup
)

type score struct {
	id         string
	kind       scoreKind
	rule       string
	name       string // scores.<id>
	when       *prog
	expr       *prog
	of         int // bands/lookup: index of the score they read
	bands      []band
	lookup     []def.LookupRow
	lookupVals []Value
	typ        *types.Type
}

type band struct {
	lo, hi         float64
	loOpen, hiOpen bool // exclusive bounds
	label          Value
}

type flag struct {
	id      string
	level   string
	message string
	rule    string
	when    *prog
}

// ctxField is one engine-wide context field.
type ctxField struct {
	id       string
	typ      string // int | string
	slot     int
	min, max int64 // int fields with bounded set: the accepted range
	bounded  bool
}

// compiler holds what compiling a set of definitions needs.
type compiler struct {
	lineOf   func(diag.Pos) string
	list     *diag.List
	ctxField map[string]*ctxField
	ctxOrder []*ctxField
	maxCost  uint64
	base     *cel.Env
	noFast   bool // evaluate everything with CEL's interpreter (tests compare the two)
	// keepPrograms keeps the interpreter's program beside the fast path (tests compare the two).
	keepPrograms bool
}

func (c *compiler) errAt(pos diag.Pos, code, format string, args ...any) {
	*c.list = append(*c.list, diag.Diagnostic{Pos: pos, Severity: diag.Error, Code: code,
		Message: fmt.Sprintf(format, args...), Source: c.line(pos)})
}

func (c *compiler) line(p diag.Pos) string {
	if c.lineOf == nil {
		return ""
	}
	return c.lineOf(p)
}

func (c *compiler) warnAt(pos diag.Pos, code, format string, args ...any) {
	*c.list = append(*c.list, diag.Diagnostic{Pos: pos, Severity: diag.Warning, Code: code,
		Message: fmt.Sprintf(format, args...), Source: c.line(pos)})
}

// newBaseEnv is the CEL environment every definition starts from: the standard library, cross-type
// numeric comparison (so a prorated double total compares with 10), round(), and parser limits.
func newBaseEnv(maxExprBytes int) (*cel.Env, error) {
	return cel.NewEnv(
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(maxExprBytes),
		cel.ParserRecursionLimit(48),
		cel.Function("round",
			cel.Overload("round_double_int", []*types.Type{types.DoubleType, types.IntType}, types.DoubleType,
				cel.BinaryBinding(roundHalfUp))),
	)
}

// roundHalfUp rounds x to n decimal places, halves away from zero, on the decimal digits a person would
// see (so round(1.15, 1) is 1.2 even though 1.15 is stored as 1.149999…).
func roundHalfUp(x, n ref.Val) ref.Val {
	f, d := float64(x.(types.Double)), int64(n.(types.Int))
	if d < 0 || d > 10 {
		return types.NewErr("round: digits must be between 0 and 10")
	}
	return types.Double(roundDecimal(f, int(d)))
}

func roundDecimal(f float64, digits int) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1e15 {
		return f
	}
	var buf [64]byte
	s := strconv.AppendFloat(buf[:0], math.Abs(f), 'f', -1, 64) // shortest decimal that round-trips
	intPart, frac, _ := strings.Cut(string(s), ".")
	if len(frac) <= digits {
		return f
	}
	keep := intPart + frac[:digits]
	up := frac[digits] >= '5'
	var v float64
	for i := 0; i < len(keep); i++ {
		v = v*10 + float64(keep[i]-'0')
	}
	if up {
		v++
	}
	v /= math.Pow(10, float64(digits))
	if f < 0 {
		v = -v
	}
	return v
}

// compileInstrument builds the CEL types, environment and programs of one instrument.
func (c *compiler) compileInstrument(d *def.Instrument, index int) *instrument {
	in := &instrument{def: d, id: d.ID, version: d.Version.String(), key: d.Key(), index: index,
		itemIdx: map[string]int{}}
	errs := len(c.list.Errors())
	switch d.Status {
	case "draft":
		in.notes = append(in.notes, Note{Code: "draft_definition", About: in.key,
			Message: in.key + " is a draft definition: check its results before relying on them"})
		c.warnAt(d.StatusPos, "draft", "%s is a draft; reports will say so", in.key)
	case "retired":
		in.notes = append(in.notes, Note{Code: "retired_definition", About: in.key,
			Message: in.key + " is retired: prefer a newer version"})
		c.warnAt(d.StatusPos, "retired", "%s is retired; reports will say so", in.key)
	}
	p, err := newProvider()
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL type registry: %v", err)
		return nil
	}
	in.prov = p
	prefix := in.key + "/"
	in.answersT = p.newStruct(prefix + "answers")
	in.scoresT = p.newStruct(prefix + "scores")
	in.flagsT = p.newStruct(prefix + "flags")
	in.resultT = p.newStruct(prefix + "result")
	in.contextT = p.newStruct(prefix + "context")

	// Items: answers.<id> is an int.
	for i, it := range d.Items {
		in.itemIdx[it.ID] = i
		ci := &item{id: it.ID, required: it.Required, name: "answers." + it.ID}
		if it.Scale != nil {
			ci.options = it.Scale.Options
			ci.codes = map[string]int64{}
			var vals []string
			for _, o := range it.Scale.Options {
				if o.Code != "" {
					ci.codes[o.Code] = o.Value
				}
				vals = append(vals, fmt.Sprint(o.Value))
			}
			ci.allowed = "one of " + strings.Join(vals, ", ")
			if len(it.Scale.Options) == 0 {
				c.errAt(it.ScalePos, "schema", "item %q has no options", it.ID)
			}
		} else if it.Min != nil {
			ci.min = *it.Min
			ci.allowed = fmt.Sprintf("a whole number ≥ %d", ci.min)
			if it.Max != nil {
				ci.max, ci.hasMax = *it.Max, true
				ci.allowed = fmt.Sprintf("a whole number from %d to %d", ci.min, ci.max)
			}
		}
		in.items = append(in.items, ci)
		idx := i
		unset := &fieldError{kind: readItem, idx: i, name: ci.name, inst: in}
		disabled := &fieldError{kind: readItem, idx: i, name: ci.name, inst: in, disabled: true}
		in.itemUnset = append(in.itemUnset, unset)
		in.itemDisabled = append(in.itemDisabled, disabled)
		in.itemQName = append(in.itemQName, in.id+".answers."+it.ID)
		in.answersT.add(it.ID, types.IntType,
			func(t any) bool { return itemHas((*instEval)(t.(*answersView)), idx).b() },
			func(t any) (any, error) { return getter(itemGet((*instEval)(t.(*answersView)), idx)) })
	}

	// Context fields.
	for _, cf := range d.Context {
		f, ok := c.ctxField[cf.ID]
		if !ok {
			f = &ctxField{id: cf.ID, typ: cf.Type, slot: len(c.ctxOrder)}
			c.ctxField[cf.ID] = f
			c.ctxOrder = append(c.ctxOrder, f)
		} else if f.typ != cf.Type {
			c.errAt(cf.Pos, "context_type", "context field %q is declared as %s here but as %s elsewhere", cf.ID, cf.Type, f.typ)
			continue
		}
		slot := f.slot
		t := types.IntType
		if cf.Type == "string" {
			t = types.StringType
		}
		in.ctxSlots = append(in.ctxSlots, slot)
		unset := &fieldError{kind: readContext, idx: slot, name: "context." + cf.ID, inst: in}
		in.ctxUnset = append(in.ctxUnset, unset)
		in.contextT.add(cf.ID, t,
			func(t any) bool { return ctxHas(t.(*contextView).ie, slot).b() },
			func(t any) (any, error) { return getter(ctxGet(t.(*contextView).ie, slot, unset)) })
	}

	// The rule-set view: status, answers, flags, then each score as it is compiled.
	in.statusQName = in.id + ".status"
	in.resultT.add("status", types.StringType, func(any) bool { return true },
		func(t any) (any, error) { return refOf(statusGet((*instEval)(t.(*resultView)))), nil })
	in.resultT.add("answers", in.answersT.typ, func(any) bool { return true },
		func(t any) (any, error) { return (*answersView)(t.(*resultView)), nil })
	in.resultT.add("flags", in.flagsT.typ, func(any) bool { return true },
		func(t any) (any, error) { return (*flagsView)(t.(*resultView)), nil })

	env, err := c.base.Extend(
		cel.CustomTypeProvider(p),
		cel.Variable("answers", in.answersT.typ),
		cel.Variable("scores", in.scoresT.typ),
		cel.Variable("context", in.contextT.typ),
		answerFunctions(in),
	)
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	scope := &exprScope{kind: scopeInstrument, inst: in}

	// Skip logic: enable_when may read earlier items only.
	for i, it := range d.Items {
		if it.EnableWhen == nil {
			continue
		}
		in.hasSkip = true
		scope.itemLimit = i
		in.items[i].enable = c.compileExpr(env, scope, it.EnableWhen, types.BoolType,
			fmt.Sprintf("%s#items.%s.enable_when", in.key, it.ID))
	}
	scope.itemLimit = -1

	for si, s := range d.Scores {
		cs := &score{id: s.ID, rule: in.key + "#scores." + s.ID, name: "scores." + s.ID}
		scope.scoreLimit = si
		// when: the score applies only if this holds (it may read items and earlier scores).
		cs.when = c.compileExpr(env, scope, s.When, types.BoolType, cs.rule+".when")
		if slices.Contains([]string{"status", "answers", "flags"}, s.ID) {
			c.errAt(s.Pos, "reserved_id", "score id %q is reserved (rule sets read %s.%s)", s.ID, in.id, s.ID)
		}
		switch {
		case s.Expr != nil:
			cs.kind = scoreExpr
			var want *types.Type
			if s.Type != "" {
				want = typeNamed(s.Type)
			}
			cs.expr = c.compileExpr(env, scope, s.Expr, want, cs.rule)
			if cs.expr != nil {
				cs.typ = outputType(cs.expr)
				if !slices.Contains([]*types.Type{types.IntType, types.DoubleType, types.BoolType, types.StringType}, cs.typ) {
					c.errAt(s.Expr.Pos, "wrong_type", "score %q must be an int, double, bool or string; the expression gives %s", s.ID, typeName(cs.typ))
					cs.expr = nil
				}
			}
		case s.Bands != nil:
			cs.kind = scoreBands
			cs.typ = types.StringType
			cs.of = c.scoreRef(in, s.Bands.Of, s.Bands.OfPos, si, "bands")
			if cs.of >= 0 {
				ofT := in.scores[cs.of].typ
				if ofT != nil && ofT != types.IntType && ofT != types.DoubleType {
					c.errAt(s.Bands.OfPos, "wrong_type", "bands need a numeric score; %q is %s", s.Bands.Of, typeName(ofT))
				} else if ofT != nil {
					cs.bands = c.compileBands(s, ofT == types.IntType)
				}
			}
			if s.Type != "" && s.Type != "string" {
				c.errAt(s.TypePos, "wrong_type", "a banded score is a string (its label), not %s", s.Type)
			}
		case s.Lookup != nil:
			cs.kind = scoreLookup
			cs.typ = types.DoubleType
			cs.lookup = s.Lookup.Table
			for _, row := range s.Lookup.Table {
				cs.lookupVals = append(cs.lookupVals, DoubleValue(row.Value))
			}
			cs.of = c.scoreRef(in, s.Lookup.Of, s.Lookup.OfPos, si, "lookup")
			if cs.of >= 0 && in.scores[cs.of].typ != nil && in.scores[cs.of].typ != types.IntType {
				c.errAt(s.Lookup.OfPos, "wrong_type", "a lookup table needs an int score; %q is %s", s.Lookup.Of, typeName(in.scores[cs.of].typ))
			}
			if s.Type != "" && s.Type != "double" {
				c.errAt(s.TypePos, "wrong_type", "a lookup score is a double, not %s", s.Type)
			}
		}
		in.scores = append(in.scores, cs)
		in.scoreQName = append(in.scoreQName, in.id+"."+s.ID)
		unset := &fieldError{kind: readScore, idx: si, name: cs.name, inst: in}
		in.scoreUnset = append(in.scoreUnset, unset)
		if cs.typ == nil {
			continue
		}
		idx := si
		in.scoresT.add(s.ID, cs.typ,
			func(t any) bool { return scoreHas((*instEval)(t.(*scoresView)), idx).b() },
			func(t any) (any, error) { return getter(scoreGet((*instEval)(t.(*scoresView)), idx, unset)) })
		qunset := &fieldError{kind: readScore, idx: si, name: in.scoreQName[si], inst: in}
		in.scoreQUnset = append(in.scoreQUnset, qunset)
		in.resultT.add(s.ID, cs.typ,
			func(t any) bool { return scoreHas((*instEval)(t.(*resultView)), idx).b() },
			func(t any) (any, error) { return getter(scoreGet((*instEval)(t.(*resultView)), idx, qunset)) })
	}
	scope.scoreLimit = len(d.Scores)

	for fi, f := range d.Flags {
		cf := &flag{id: f.ID, level: f.Level, message: f.Message, rule: in.key + "#flags." + f.ID}
		cf.when = c.compileExpr(env, scope, f.When, types.BoolType, cf.rule)
		in.flags = append(in.flags, cf)
		in.flagQName = append(in.flagQName, in.id+".flags."+f.ID)
		idx := fi
		unset := &fieldError{kind: readFlag, idx: fi, name: in.flagQName[fi], inst: in}
		in.flagUnset = append(in.flagUnset, unset)
		in.flagsT.add(f.ID, types.BoolType,
			func(t any) bool { return flagHas((*instEval)(t.(*flagsView)), idx).b() },
			func(t any) (any, error) { return getter(flagGet((*instEval)(t.(*flagsView)), idx)) })
	}
	if len(c.list.Errors()) > errs {
		return nil
	}
	return in
}

func typeNamed(s string) *types.Type {
	switch s {
	case "int":
		return types.IntType
	case "double":
		return types.DoubleType
	case "bool":
		return types.BoolType
	case "string":
		return types.StringType
	}
	return nil
}

func typeName(t *types.Type) string {
	if t == nil {
		return "unknown"
	}
	return t.String()
}

func outputType(p *prog) *types.Type {
	if p == nil {
		return nil
	}
	return p.typ
}

// scoreRef resolves bands.of / lookup.of to an earlier score.
func (c *compiler) scoreRef(in *instrument, id string, pos diag.Pos, self int, what string) int {
	for i := 0; i < self && i < len(in.scores); i++ {
		if in.scores[i].id == id {
			if in.scores[i].typ == nil {
				return -1 // its own error was reported
			}
			return i
		}
	}
	for _, s := range in.def.Scores[self:] {
		if s.ID == id {
			c.errAt(pos, "forward_reference", "%s of %q: score %q is defined later; a score may only read earlier ones", what, in.def.Scores[self].ID, id)
			return -1
		}
	}
	c.errAt(pos, "unknown_score", "%s of %q: no score %q in %s%s", what, in.def.Scores[self].ID, id, in.key, didYouMean(id, scoreIDs(in.def)))
	return -1
}

func scoreIDs(d *def.Instrument) []string {
	var out []string
	for _, s := range d.Scores {
		out = append(out, s.ID)
	}
	return out
}

func itemIDs(d *def.Instrument) []string {
	var out []string
	for _, s := range d.Items {
		out = append(out, s.ID)
	}
	return out
}

// compileBands turns cuts into intervals and checks that they are ordered and leave no gap or overlap.
func (c *compiler) compileBands(s *def.Score, integer bool) []band {
	cuts := s.Bands.Cuts
	out := make([]band, len(cuts))
	for i, cut := range cuts {
		b := band{lo: math.Inf(-1), hi: math.Inf(1), label: StringValue(cut.Label)}
		if cut.Min != nil {
			b.lo = *cut.Min
		}
		if cut.Max != nil {
			b.hi = *cut.Max
		}
		if cut.Min != nil && cut.Max != nil && *cut.Min > *cut.Max {
			c.errAt(cut.Pos, "band_order", "band %q: min %v is above max %v", cut.Label, *cut.Min, *cut.Max)
		}
		if integer {
			for _, v := range []*float64{cut.Min, cut.Max} {
				if v != nil && *v != math.Trunc(*v) {
					c.errAt(cut.Pos, "band_order", "band %q: %q is a whole-number score, so its bounds must be whole numbers", cut.Label, s.Bands.Of)
				}
			}
		}
		out[i] = b
	}
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		switch {
		case a.Max != nil && b.Min != nil:
			lo, hi := *a.Max, *b.Min
			switch {
			case integer && hi == lo+1:
				// contiguous whole numbers
			case hi <= lo:
				c.errAt(b.Pos, "band_overlap", "bands %q and %q overlap: %q ends at %v and %q starts at %v", a.Label, b.Label, a.Label, lo, b.Label, hi)
			case integer && hi == lo+2:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap: the value %v falls in no band", a.Label, b.Label, lo+1)
			case integer:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap: values %v to %v fall in no band", a.Label, b.Label, lo+1, hi-1)
			default:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap between %v and %v; give only one of the two bounds so they share it", a.Label, b.Label, lo, hi)
			}
		case a.Max != nil:
			out[i+1].lo, out[i+1].loOpen = *a.Max, true
		case b.Min != nil:
			out[i].hi, out[i].hiOpen = *b.Min, true
		default:
			c.errAt(b.Pos, "band_gap", "bands %q and %q have no boundary between them: give %q a max or %q a min", a.Label, b.Label, a.Label, b.Label)
		}
		// Order: each band must start above the previous one.
		if a.Min != nil && b.Min != nil && *b.Min <= *a.Min {
			c.errAt(b.Pos, "band_order", "bands must be in increasing order: %q starts at or below %q", b.Label, a.Label)
		}
		if a.Max != nil && b.Max != nil && *b.Max <= *a.Max {
			c.errAt(b.Pos, "band_order", "bands must be in increasing order: %q ends at or below %q", b.Label, a.Label)
		}
	}
	return out
}

func didYouMean(s string, options []string) string {
	if best := def.Suggest(s, options); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}

type scopeKind uint8

const (
	scopeInstrument scopeKind = iota
	scopeRules
)

// exprScope says what an expression may refer to, for precise "unknown …" diagnostics.
type exprScope struct {
	kind       scopeKind
	inst       *instrument
	itemLimit  int // enable_when: only items before this index (-1: all)
	scoreLimit int // only scores before this index
	rs         *ruleSet
	domLimit   int  // rule sets: only domains before this index
	tier       bool // rule sets: `tier` is visible (referrals)
}

// compileExpr parses, checks references, type-checks and bounds the cost of one expression. want may be
// nil (any type). Problems become diagnostics at their position in the YAML file.
func (c *compiler) compileExpr(env *cel.Env, scope *exprScope, e *def.Expr, want *types.Type, rule string) *prog {
	if e == nil {
		return nil
	}
	parsed, iss := env.Parse(e.Src)
	if iss.Err() != nil {
		c.celIssues(e, iss, "cel_syntax")
		return nil
	}
	if !c.checkRefs(env, scope, e, parsed) {
		return nil
	}
	checked, iss := env.Check(parsed)
	if iss.Err() != nil {
		c.celIssues(e, iss, "cel_type")
		return nil
	}
	out := checked.OutputType()
	if want != nil && !out.IsExactType(want) {
		c.errAt(e.Pos, "wrong_type", "expression must give %s, but gives %s", typeName(want), typeName(out))
		return nil
	}
	est, err := env.EstimateCost(checked, costEstimator{})
	if err != nil || est.Max > c.maxCost {
		c.errAt(e.Pos, "cel_cost", "expression may cost up to %s evaluation steps; the limit is %d", costString(est.Max, err), c.maxCost)
		return nil
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.errAt(e.Pos, "cel_program", "%v", err)
		return nil
	}
	p := &prog{prg: prg, expr: e, rule: rule, typ: out}
	if !c.noFast {
		p.fast = compileFast(checked.NativeRep(), scope)
	}
	if p.fast != nil && !c.keepPrograms {
		p.prg = nil // the interpreter's program is not needed: release it (a smaller heap is faster to collect)
	}
	return p
}

func costString(n uint64, err error) string {
	if err != nil || n == math.MaxUint64 {
		return "an unbounded number of"
	}
	return fmt.Sprint(n)
}

// celIssues converts CEL errors into diagnostics at their YAML positions.
func (c *compiler) celIssues(e *def.Expr, iss *cel.Issues, code string) {
	for _, ce := range iss.Errors() {
		msg := ce.Message
		k := code
		if strings.HasPrefix(msg, "Syntax error: ") {
			msg = strings.TrimPrefix(msg, "Syntax error: ")
			k = "cel_syntax"
		}
		if strings.HasPrefix(msg, "undeclared reference to") {
			k = "unknown_reference"
		}
		c.errAt(exprPos(e, ce.Location), k, "%s", msg)
	}
}

// exprPos maps a CEL location (1-based line, 0-based column in code points) to the YAML file.
func exprPos(e *def.Expr, loc common.Location) diag.Pos {
	if loc == nil || loc.Line() < 1 {
		return e.Pos
	}
	off := 0
	lines := strings.Split(e.Src, "\n")
	for i := 0; i < loc.Line()-1 && i < len(lines); i++ {
		off += len(lines[i]) + 1
	}
	if l := loc.Line() - 1; l < len(lines) {
		line := lines[l]
		col := 0
		for n := 0; n < loc.Column() && col < len(line); n++ {
			_, size := utf8.DecodeRuneInString(line[col:])
			col += size
		}
		off += col
	}
	p := e.PosAt(off)
	p.Line, p.Col = max(p.Line, 1), max(p.Col, 1)
	return p
}

// nodePos is the position of an AST node; for a field selection it points at the field name.
func nodePos(e *def.Expr, a *celast.AST, n celast.Expr) diag.Pos {
	loc := a.SourceInfo().GetStartLocation(n.ID())
	if n.Kind() == celast.SelectKind && loc != nil && loc.Line() > 0 {
		loc = common.NewLocation(loc.Line(), loc.Column()+1)
	}
	return exprPos(e, loc)
}

// checkRefs walks the parsed expression and reports references to items, scores, context fields,
// instruments, domains and functions that do not exist, naming the alternatives. The type checker would
// also catch most of these, but only as "undefined field".
func (c *compiler) checkRefs(env *cel.Env, scope *exprScope, e *def.Expr, parsed *cel.Ast) bool {
	a := parsed.NativeRep()
	ok := true
	local := map[string]bool{}
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(n celast.Expr) {
		if n.Kind() == celast.ComprehensionKind {
			cm := n.AsComprehension()
			local[cm.IterVar()], local[cm.AccuVar()] = true, true
			if v := cm.IterVar2(); v != "" {
				local[v] = true
			}
		}
	}))
	fail := func(n celast.Expr, code, format string, args ...any) {
		c.errAt(nodePos(e, a, n), code, format, args...)
		ok = false
	}
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(n celast.Expr) {
		switch n.Kind() {
		case celast.SelectKind:
			sel := n.AsSelect()
			op := sel.Operand()
			field := sel.FieldName()
			if op.Kind() == celast.IdentKind && !local[op.AsIdent()] {
				c.checkSelect(scope, op.AsIdent(), field, func(code, format string, args ...any) { fail(n, code, format, args...) })
			} else if op.Kind() == celast.SelectKind && op.AsSelect().Operand().Kind() == celast.IdentKind && scope.kind == scopeRules {
				// phq9.answers.q9, phq9.flags.x
				inner := op.AsSelect()
				if in := scope.rs.inputInst(inner.Operand().AsIdent()); in != nil {
					switch inner.FieldName() {
					case "answers":
						if _, found := in.itemIdx[field]; !found {
							fail(n, "unknown_item", "%s has no item %q%s", in.key, field, didYouMean(field, itemIDs(in.def)))
						}
					case "flags":
						if !slices.ContainsFunc(in.flags, func(f *flag) bool { return f.id == field }) {
							fail(n, "unknown_flag", "%s has no flag %q", in.key, field)
						}
					}
				}
			}
		case celast.CallKind:
			if !c.domainLiteralCheck(scope, e, a, n) {
				ok = false
			}
			call := n.AsCall()
			fn := call.FunctionName()
			if call.IsMemberFunction() && isAnswerFunction(fn) {
				// The macro did not expand it: say why.
				c.checkItemList(scope, e, a, call, fail)
			}
			if call.IsMemberFunction() && strings.HasPrefix(fn, "@items_") && scope.itemLimit >= 0 {
				for _, el := range call.Args()[0].AsList().Elements() {
					if i, ok := literalInt(el); ok && int(i) >= scope.itemLimit {
						fail(el, "forward_reference", "skip logic may read only earlier items; %q comes later", scope.inst.items[i].id)
					}
				}
			}
			if !strings.HasPrefix(fn, "_") && !strings.HasPrefix(fn, "@") && !env.HasFunction(fn) && !isMacroName(fn) && !(call.IsMemberFunction() && isAnswerFunction(fn)) {
				fail(n, "unknown_function", "there is no function %q", fn)
			}
		case celast.IdentKind:
			// Bare identifiers: variables must exist.
			name := n.AsIdent()
			if !local[name] && !scope.knownIdent(name) {
				switch scope.kind {
				case scopeInstrument:
					fail(n, "unknown_reference", "%q is not defined here: expressions read answers.<item>, scores.<score> and context.<field>", name)
				default:
					fail(n, "unknown_instrument", "%q is not an input of %s%s (inputs: %s)", name, scope.rs.key, didYouMean(name, scope.rs.inputIDs()), strings.Join(scope.rs.inputIDs(), ", "))
				}
			}
		}
	}))
	return ok
}

func isMacroName(fn string) bool {
	switch fn {
	case "has", "all", "exists", "exists_one", "map", "filter", "optMap", "optFlatMap":
		return true
	}
	return false
}

func (s *exprScope) knownIdent(name string) bool {
	switch s.kind {
	case scopeInstrument:
		return name == "answers" || name == "scores" || name == "context"
	}
	if name == "domains" || (name == "tier" && s.tier) {
		return true
	}
	return s.rs.inputInst(name) != nil
}

// checkSelect validates <ident>.<field>.
func (c *compiler) checkSelect(scope *exprScope, ident, field string, fail func(code, format string, args ...any)) {
	switch scope.kind {
	case scopeInstrument:
		in := scope.inst
		switch ident {
		case "answers":
			i, found := in.itemIdx[field]
			switch {
			case !found:
				fail("unknown_item", "%s has no item %q%s", in.key, field, didYouMean(field, itemIDs(in.def)))
			case scope.itemLimit >= 0 && i >= scope.itemLimit:
				fail("forward_reference", "skip logic may read only earlier items; %q comes later", field)
			}
		case "scores":
			for i, s := range in.def.Scores {
				if s.ID == field {
					if i >= scope.scoreLimit {
						fail("forward_reference", "score %q is defined later; an expression may read only earlier scores", field)
					}
					return
				}
			}
			fail("unknown_score", "%s has no score %q%s", in.key, field, didYouMean(field, scoreIDs(in.def)))
		case "context":
			if !slices.ContainsFunc(in.def.Context, func(f def.ContextField) bool { return f.ID == field }) {
				fail("unknown_context", "context field %q is not declared in this definition's context section", field)
			}
		}
	case scopeRules:
		rs := scope.rs
		if ident == "domains" {
			for i, d := range rs.def.Domains {
				if d.ID == field {
					if i >= scope.domLimit {
						fail("forward_reference", "domain %q is defined later; a domain may read only earlier ones", field)
					}
					return
				}
			}
			var ids []string
			for _, d := range rs.def.Domains {
				ids = append(ids, d.ID)
			}
			fail("unknown_domain", "%s has no domain %q%s", rs.key, field, didYouMean(field, ids))
			return
		}
		in := rs.inputInst(ident)
		if in == nil {
			return // reported as an identifier
		}
		if field == "status" || field == "answers" || field == "flags" {
			return
		}
		for _, s := range in.scores {
			if s.id == field {
				return
			}
		}
		fail("unknown_score", "%s has no score %q%s (also: status, answers, flags)", in.key, field, didYouMean(field, scoreIDs(in.def)))
	}
}

var answerFunctionNames = []string{"sum", "prorated_sum", "mean", "answered"}

func isAnswerFunction(fn string) bool { return slices.Contains(answerFunctionNames, fn) }

// checkItemList checks the literal item list of answers.sum([...]) and friends.
func (c *compiler) checkItemList(scope *exprScope, e *def.Expr, a *celast.AST, call celast.CallExpr, fail func(celast.Expr, string, string, ...any)) {
	if scope.kind != scopeInstrument || call.Target().Kind() != celast.IdentKind || call.Target().AsIdent() != "answers" {
		fail(call.Target(), "unknown_function", "%s() is a function of answers: answers.%s([\"item\", ...])", call.FunctionName(), call.FunctionName())
		return
	}
	if want := map[string]int{"sum": 1, "mean": 1, "answered": 1, "prorated_sum": 2}[call.FunctionName()]; len(call.Args()) != want {
		fail(call.Target(), "item_list", "answers.%s takes %d argument(s)", call.FunctionName(), want)
		return
	}
	in := scope.inst
	args := call.Args()
	if len(args) == 0 {
		return
	}
	list := args[0]
	if list.Kind() != celast.ListKind {
		fail(list, "item_list", "answers.%s needs a literal list of item ids, such as [\"q1\", \"q2\"]", call.FunctionName())
		return
	}
	seen := map[string]bool{}
	elems := list.AsList().Elements()
	if len(elems) == 0 {
		fail(list, "item_list", "answers.%s needs at least one item", call.FunctionName())
	}
	for _, el := range elems {
		if el.Kind() != celast.LiteralKind {
			fail(el, "item_list", "item ids must be written as string literals")
			continue
		}
		s, isStr := el.AsLiteral().(types.String)
		if !isStr {
			fail(el, "item_list", "item ids must be strings")
			continue
		}
		id := string(s)
		i, found := in.itemIdx[id]
		switch {
		case !found:
			fail(el, "unknown_item", "%s has no item %q%s", in.key, id, didYouMean(id, itemIDs(in.def)))
		case seen[id]:
			fail(el, "item_list", "item %q is listed twice", id)
		case scope.itemLimit >= 0 && i >= scope.itemLimit:
			fail(el, "forward_reference", "skip logic may read only earlier items; %q comes later", id)
		}
		seen[id] = true
	}
	if call.FunctionName() == "prorated_sum" && len(args) == 2 {
		k := args[1]
		lit, isInt := literalInt(k)
		switch {
		case !isInt:
			fail(k, "item_list", "prorated_sum's second argument (how many items may be missing) must be a whole-number literal")
		case lit < 0 || lit >= int64(len(elems)):
			fail(k, "item_list", "prorated_sum may allow 0 to %d missing items of %d, not %d", len(elems)-1, len(elems), lit)
		}
	}
}

func literalInt(n celast.Expr) (int64, bool) {
	if n.Kind() != celast.LiteralKind {
		return 0, false
	}
	v, ok := n.AsLiteral().(types.Int)
	return int64(v), ok
}

// costEstimator bounds the engine's own functions and the size of context strings for CEL's static cost
// estimate, so every accepted expression has a finite worst case.
type costEstimator struct{}

func (costEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if t := n.Type(); t != nil && t.IsExactType(types.StringType) {
		if p := n.Path(); len(p) > 0 && p[0] == "context" {
			return &cost.SizeEstimate{Min: 0, Max: maxContextString}
		}
	}
	return nil
}

func (costEstimator) EstimateCallCost(fn, _ string, _ *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	if name, ok := strings.CutPrefix(fn, "@items_"); ok && isAnswerFunction(name) && len(args) > 0 {
		n := uint64(64)
		if sz := args[0].ComputedSize(); sz != nil {
			n = sz.Max
		}
		return &cost.CallEstimate{CostEstimate: cost.FixedCostEstimate(n + 1)}
	}
	if fn == "round" {
		return &cost.CallEstimate{CostEstimate: cost.FixedCostEstimate(2)}
	}
	return nil
}

const maxContextString = 256
