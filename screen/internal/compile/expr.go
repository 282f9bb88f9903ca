package compile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/parser"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

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
	scopeFollowUp // a follow-up measure: baseline.<score>, current.<score>, days
)

// exprScope says what an expression may refer to, for precise "unknown …" diagnostics.
type exprScope struct {
	kind       scopeKind
	inst       *plan.Instrument
	itemLimit  int // enable_when: only items before this index (-1: all)
	scoreLimit int // only scores before this index
	rs         *plan.RuleSet
	domLimit   int  // rule sets: only domains before this index
	tier       bool // rule sets: `tier` is visible (referrals)
	// source, when not "", is the only input a domain source may read.
	source string
}

// compileExpr parses, checks references, type-checks and bounds the cost of one expression. want may be
// nil (any type). Problems become diagnostics at their position in the YAML file.
func (c *compiler) compileExpr(env *cel.Env, scope *exprScope, e *def.Expr, want *types.Type, rule string) *plan.Program {
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
	reads := scope.reads(checked.NativeRep())
	out := checked.OutputType()
	if want != nil && !out.IsExactType(want) {
		c.errAt(e.Pos, "wrong_type", "expression must give %s, but gives %s", typeName(want), typeName(out))
		return nil
	}
	est, err := env.EstimateCost(checked, celenv.CostEstimator{})
	if err != nil || est.Max > c.maxCost {
		c.errAt(e.Pos, "cel_cost", "expression may cost up to %s evaluation steps; the limit is %d", costString(est.Max, err), c.maxCost)
		return nil
	}
	if !c.checkConstants(env, e, checked) {
		return nil
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize), cel.CustomDecoratorV2(eval.CauseDecorator(checked.NativeRep())))
	if err != nil {
		c.errAt(e.Pos, "cel_program", "%v", err)
		return nil
	}
	p := &plan.Program{CEL: prg, Expr: e, Rule: rule, Type: out, Reads: reads}
	if !c.noFast {
		if f := eval.CompileFast(checked.NativeRep(), scope.eval()); f != nil {
			// The interpreter's program is not needed: release it (a smaller heap is faster to collect).
			p.Fast, p.CEL = f, nil
		}
	}
	return p
}

// checkConstants evaluates, once, each largest part of the expression that reads nothing (literals and
// functions of them) and calls a function: such a part that fails — an integer overflow, a division by
// zero, an index out of range, a conversion that cannot be done — would fail for every response, so it is
// a load error at the part's position (CEL's own optimizer folds only some of them: int(1e19), not
// 9223372036854775807 + 1).
func (c *compiler) checkConstants(env *cel.Env, e *def.Expr, checked *cel.Ast) bool {
	a := checked.NativeRep()
	known := map[int64]bool{}
	var isConst func(n celast.Expr) bool
	isConst = func(n celast.Expr) bool {
		if v, ok := known[n.ID()]; ok {
			return v
		}
		v := false
		switch n.Kind() {
		case celast.LiteralKind:
			v = true
		case celast.ListKind:
			l := n.AsList()
			v = len(l.OptionalIndices()) == 0 && !slices.ContainsFunc(l.Elements(), func(x celast.Expr) bool { return !isConst(x) })
		case celast.MapKind:
			v = true
			for _, en := range n.AsMap().Entries() {
				me := en.AsMapEntry()
				v = v && !me.IsOptional() && isConst(me.Key()) && isConst(me.Value())
			}
		case celast.CallKind:
			call := n.AsCall()
			v = (!call.IsMemberFunction() || isConst(call.Target())) &&
				!slices.ContainsFunc(call.Args(), func(x celast.Expr) bool { return !isConst(x) })
		}
		known[n.ID()] = v
		return v
	}
	ok := true
	var visit func(n celast.Expr)
	visit = func(n celast.Expr) {
		switch {
		case n.Kind() == celast.CallKind && isConst(n):
			src, err := parser.Unparse(n, a.SourceInfo())
			if err != nil {
				return // cannot tell: evaluation will
			}
			if err := evalConstant(env, src); err != nil {
				what := "this constant part of the expression"
				if len(src) <= 60 {
					what = src
				}
				c.errAt(nodePos(e, a, n), "cel_constant", "%s fails for every response: %v", what, err)
				ok = false
			}
			return
		case isConst(n):
			return // literals only
		case n.Kind() == celast.CallKind:
			// A branch a constant condition never takes, or the other side of a constant false && (true
			// ||), is never the result: what fails there fails for no response.
			call, args := n.AsCall(), n.AsCall().Args()
			switch fn := call.FunctionName(); {
			case fn == operators.Conditional && isConst(args[0]):
				if v, ok := constantBool(env, args[0], a); ok {
					visit(map[bool]celast.Expr{true: args[1], false: args[2]}[v])
					return
				}
			case fn == operators.LogicalAnd || fn == operators.LogicalOr:
				for _, x := range args {
					if !isConst(x) {
						continue
					}
					if v, ok := constantBool(env, x, a); ok && v == (fn == operators.LogicalOr) {
						return
					}
				}
			}
		}
		for _, x := range children(n) {
			visit(x)
		}
	}
	visit(a.Expr())
	return ok
}

// evalConstant evaluates an expression that reads no variable. A part that does not compile on its own is
// left to evaluation.
func evalConstant(env *cel.Env, src string) error {
	_, err := evalConstantValue(env, src)
	return err
}

func evalConstantValue(env *cel.Env, src string) (ref.Val, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, nil
	}
	prg, err := env.Program(ast)
	if err != nil {
		return nil, err
	}
	v, _, err := prg.Eval(cel.NoVars())
	return v, err
}

// constantBool is the value of a constant boolean sub-expression, when it has one.
func constantBool(env *cel.Env, n celast.Expr, a *celast.AST) (v, ok bool) {
	if n.Kind() == celast.LiteralKind {
		b, ok := n.AsLiteral().(types.Bool)
		return bool(b), ok
	}
	src, err := parser.Unparse(n, a.SourceInfo())
	if err != nil {
		return false, false
	}
	val, err := evalConstantValue(env, src)
	if err != nil || val == nil {
		return false, false
	}
	b, ok := val.(types.Bool)
	return bool(b), ok
}

// children lists the sub-expressions of n.
func children(n celast.Expr) []celast.Expr {
	switch n.Kind() {
	case celast.CallKind:
		call := n.AsCall()
		if call.IsMemberFunction() {
			return append([]celast.Expr{call.Target()}, call.Args()...)
		}
		return call.Args()
	case celast.ListKind:
		return n.AsList().Elements()
	case celast.MapKind:
		var out []celast.Expr
		for _, en := range n.AsMap().Entries() {
			out = append(out, en.AsMapEntry().Key(), en.AsMapEntry().Value())
		}
		return out
	case celast.SelectKind:
		return []celast.Expr{n.AsSelect().Operand()}
	case celast.ComprehensionKind:
		cm := n.AsComprehension()
		return []celast.Expr{cm.IterRange(), cm.AccuInit(), cm.LoopCondition(), cm.LoopStep(), cm.Result()}
	case celast.StructKind:
		var out []celast.Expr
		for _, f := range n.AsStruct().Fields() {
			out = append(out, f.AsStructField().Value())
		}
		return out
	}
	return nil
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
				if in := scope.rs.InputInst(inner.Operand().AsIdent()); in != nil {
					switch inner.FieldName() {
					case "answers":
						if _, found := in.ItemIdx[field]; !found {
							fail(n, "unknown_item", "%s has no item %q%s", in.Key, field, didYouMean(field, itemIDs(in.Def)))
						}
					case "flags":
						if in.FlagIndex(field) < 0 {
							fail(n, "unknown_flag", "%s has no flag %q", in.Key, field)
						}
					case "followup":
						if in.FollowIndex(field) < 0 {
							fail(n, "unknown_followup", "%s has no follow-up measure %q", in.Key, field)
						}
					case "baseline":
						if in.ScoreIndex(field) < 0 {
							fail(n, "unknown_score", "%s has no score %q%s", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
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
			if call.IsMemberFunction() && celenv.IsAnswerFunction(fn) {
				// The macro did not expand it: say why.
				c.checkItemList(scope, e, a, call, fail)
			}
			if call.IsMemberFunction() && strings.HasPrefix(fn, celenv.ExpandedPrefix) && scope.itemLimit >= 0 {
				for _, el := range call.Args()[0].AsList().Elements() {
					if i, ok := celenv.LiteralInt(el); ok && int(i) >= scope.itemLimit {
						code, msg := laterItem(scope.inst.Items[i].ID, int(i), scope.itemLimit)
						fail(el, code, "%s", msg)
					}
				}
			}
			if !strings.HasPrefix(fn, "_") && !strings.HasPrefix(fn, "@") && !env.HasFunction(fn) && !isMacroName(fn) && !(call.IsMemberFunction() && celenv.IsAnswerFunction(fn)) {
				fail(n, "unknown_function", "there is no function %q", fn)
			}
		case celast.IdentKind:
			// Bare identifiers: variables must exist.
			name := n.AsIdent()
			if scope.source != "" && !local[name] && name != scope.source && scope.rs.InputInst(name) != nil {
				fail(n, "source_input", "a source of input %q may read only %s (another input is another source)", scope.source, scope.source)
			}
			if !local[name] && !scope.knownIdent(name) {
				switch scope.kind {
				case scopeInstrument:
					fail(n, "unknown_reference", "%q is not defined here: expressions read answers.<item>, scores.<score> and context.<field>", name)
				case scopeFollowUp:
					fail(n, "unknown_reference", "%q is not defined here: follow-up measures read baseline.<score>, current.<score> and days", name)
				default:
					fail(n, "unknown_instrument", "%q is not an input of %s%s (inputs: %s)", name, scope.rs.Key, didYouMean(name, scope.rs.InputIDs()), strings.Join(scope.rs.InputIDs(), ", "))
				}
			}
		}
	}))
	return ok
}

// laterItem is the diagnostic (code and message) of skip logic that reads item id, at index i, from the
// item at index limit: itself, or one that comes later.
func laterItem(id string, i, limit int) (code, msg string) {
	if i == limit {
		return "self_reference", fmt.Sprintf("skip logic of %q reads the item itself; it may read only earlier items", id)
	}
	return "forward_reference", fmt.Sprintf("skip logic may read only earlier items; %q comes later", id)
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
	case scopeFollowUp:
		return name == "baseline" || name == "current" || name == "days"
	}
	if name == "domains" || name == "context" || name == "followup" || (name == "tier" && s.tier) {
		return true
	}
	return s.rs.InputInst(name) != nil
}

// checkSelect validates <ident>.<field>.
func (c *compiler) checkSelect(scope *exprScope, ident, field string, fail func(code, format string, args ...any)) {
	switch scope.kind {
	case scopeInstrument:
		in := scope.inst
		switch ident {
		case "answers":
			i, found := in.ItemIdx[field]
			switch {
			case !found:
				fail("unknown_item", "%s has no item %q%s", in.Key, field, didYouMean(field, itemIDs(in.Def)))
			case scope.itemLimit >= 0 && i >= scope.itemLimit:
				code, msg := laterItem(field, i, scope.itemLimit)
				fail(code, "%s", msg)
			}
		case "scores":
			for i, s := range in.Def.Scores {
				if s.ID == field {
					switch {
					case i == scope.scoreLimit:
						fail("self_reference", "score %q reads itself; an expression may read only earlier scores", field)
					case i > scope.scoreLimit:
						fail("forward_reference", "score %q is defined later; an expression may read only earlier scores", field)
					}
					return
				}
			}
			fail("unknown_score", "%s has no score %q%s", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
		case "context":
			if !slices.ContainsFunc(in.Def.Context, func(f def.ContextField) bool { return f.ID == field }) {
				fail("unknown_context", "context field %q is not declared in this definition's context section", field)
			}
		}
	case scopeFollowUp:
		if (ident == "baseline" || ident == "current") && scope.inst.ScoreIndex(field) < 0 {
			fail("unknown_score", "%s has no score %q%s", scope.inst.Key, field, didYouMean(field, scoreIDs(scope.inst.Def)))
		}
	case scopeRules:
		rs := scope.rs
		if ident == "followup" {
			if field != "days" {
				fail("unknown_reference", "followup has one field, days (not %q)", field)
			}
			return
		}
		if ident == "context" {
			if !slices.ContainsFunc(rs.Def.Context, func(f def.ContextField) bool { return f.ID == field }) {
				fail("unknown_context", "context field %q is not declared in this rule set's context section", field)
			}
			return
		}
		if ident == "domains" {
			for i, d := range rs.Def.Domains {
				if d.ID == field {
					switch {
					case i == scope.domLimit:
						fail("self_reference", "domain %q reads itself; a domain may read only earlier ones", field)
					case i > scope.domLimit:
						fail("forward_reference", "domain %q is defined later; a domain may read only earlier ones", field)
					}
					return
				}
			}
			var ids []string
			for _, d := range rs.Def.Domains {
				ids = append(ids, d.ID)
			}
			fail("unknown_domain", "%s has no domain %q%s", rs.Key, field, didYouMean(field, ids))
			return
		}
		in := rs.InputInst(ident)
		if in == nil {
			return // reported as an identifier
		}
		if field == "status" || field == "answers" || field == "flags" || field == "baseline" || field == "followup" {
			return
		}
		for _, s := range in.Scores {
			if s.ID == field {
				return
			}
		}
		fail("unknown_score", "%s has no score %q%s (also: status, answers, flags, baseline, followup)", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
	}
}

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
		i, found := in.ItemIdx[id]
		switch {
		case !found:
			fail(el, "unknown_item", "%s has no item %q%s", in.Key, id, didYouMean(id, itemIDs(in.Def)))
		case seen[id]:
			fail(el, "item_list", "item %q is listed twice", id)
		case scope.itemLimit >= 0 && i >= scope.itemLimit:
			code, msg := laterItem(id, i, scope.itemLimit)
			fail(el, code, "%s", msg)
		}
		seen[id] = true
	}
	if call.FunctionName() == "prorated_sum" && len(args) == 2 {
		k := args[1]
		lit, isInt := celenv.LiteralInt(k)
		switch {
		case !isInt:
			fail(k, "item_list", "prorated_sum's second argument (how many items may be missing) must be a whole-number literal")
		case lit < 0 || lit >= int64(len(elems)):
			fail(k, "item_list", "prorated_sum may allow 0 to %d missing items of %d, not %d", len(elems)-1, len(elems), lit)
		}
	}
}

// eval is the scope as the fast path needs it.
func (s *exprScope) eval() eval.Scope {
	switch s.kind {
	case scopeInstrument:
		return eval.Scope{Inst: s.inst}
	case scopeFollowUp:
		return eval.Scope{FollowUp: true}
	}
	return eval.Scope{Rules: s.rs, Tier: s.tier}
}

func costString(n uint64, err error) string {
	if err != nil || n == math.MaxUint64 {
		return "an unbounded number of"
	}
	return fmt.Sprint(n)
}

// reads finds what a checked expression reads.
func (s *exprScope) reads(a *celast.AST) plan.Reads {
	var r plan.Reads
	input := func(idx int) *plan.InputReads {
		for k := range r.Inputs {
			if r.Inputs[k].Input == idx {
				return &r.Inputs[k]
			}
		}
		r.Inputs = append(r.Inputs, plan.InputReads{Input: idx})
		return &r.Inputs[len(r.Inputs)-1]
	}
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(n celast.Expr) {
		switch n.Kind() {
		case celast.SelectKind:
			sel := n.AsSelect()
			op := sel.Operand()
			field := sel.FieldName()
			switch {
			case s.kind == scopeInstrument && op.Kind() == celast.IdentKind && op.AsIdent() == "answers":
				if i, ok := s.inst.ItemIdx[field]; ok {
					r.Items = append(r.Items, i)
				}
			case s.kind == scopeInstrument && op.Kind() == celast.IdentKind && op.AsIdent() == "scores":
				if i := s.inst.ScoreIndex(field); i >= 0 {
					r.Scores = append(r.Scores, i)
				}
			case s.kind == scopeRules && op.Kind() == celast.IdentKind:
				idx, ok := s.rs.InputIdx[op.AsIdent()]
				if !ok || s.rs.Inputs[idx].Inst == nil {
					return
				}
				in := s.rs.Inputs[idx].Inst
				if field == "status" {
					input(idx).Status = true
				} else if si := in.ScoreIndex(field); si >= 0 {
					ir := input(idx)
					ir.Scores = append(ir.Scores, si)
				}
			case s.kind == scopeRules && op.Kind() == celast.SelectKind && op.AsSelect().Operand().Kind() == celast.IdentKind:
				idx, ok := s.rs.InputIdx[op.AsSelect().Operand().AsIdent()]
				if !ok || s.rs.Inputs[idx].Inst == nil {
					return
				}
				in := s.rs.Inputs[idx].Inst
				switch op.AsSelect().FieldName() {
				case "answers":
					if i, ok := in.ItemIdx[field]; ok {
						ir := input(idx)
						ir.Items = append(ir.Items, i)
					}
				case "flags":
					if fi := in.FlagIndex(field); fi >= 0 {
						ir := input(idx)
						ir.Flags = append(ir.Flags, fi)
					}
				}
			}
		case celast.CallKind:
			call := n.AsCall()
			if s.kind == scopeInstrument && call.IsMemberFunction() && strings.HasPrefix(call.FunctionName(), celenv.ExpandedPrefix) && len(call.Args()) > 0 &&
				call.Args()[0].Kind() == celast.ListKind {
				for _, el := range call.Args()[0].AsList().Elements() {
					if i, ok := celenv.LiteralInt(el); ok {
						r.Items = append(r.Items, int(i))
					}
				}
			}
		}
	}))
	s.shape(a.Expr(), &r)
	return r
}
