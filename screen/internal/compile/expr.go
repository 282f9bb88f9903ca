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
	c.res.Exprs++
	// A checked form from the cache stands for an expression that, in this environment and under this
	// cost limit, parsed, passed every check below and compiled before: only what the plan holds is built.
	if a, ok := c.checked(env, e.Src); ok {
		c.res.CheckHits++
		out := a.GetType(a.Expr().ID())
		p := &plan.Program{Expr: e, Rule: rule, Type: out, Reads: scope.reads(a)}
		if !c.noFast {
			p.Fast = c.rt.CompileFast(a, scope.eval())
		}
		if p.Fast == nil {
			prg, err := env.PlanProgram(a, cel.EvalOptions(cel.OptOptimize), cel.CustomDecoratorV2(c.rt.CauseDecorator(a)))
			if err != nil {
				c.errAt(e.Pos, "cel_program", "%v", err)
				return nil
			}
			p.CEL = prg
		}
		return p
	}
	parsed, iss := env.Parse(e.Src)
	if iss.Err() != nil {
		if hints := syntaxHints(e.Src); len(hints) > 0 {
			for _, h := range hints { // in place of the parser's messages
				c.errAt(e.PosAt(h.off), "cel_syntax", "%s", h.msg())
			}
			return nil
		}
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
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize), cel.CustomDecoratorV2(c.rt.CauseDecorator(checked.NativeRep())))
	if err != nil {
		c.errAt(e.Pos, "cel_program", "%v", err)
		return nil
	}
	p := &plan.Program{CEL: prg, Expr: e, Rule: rule, Type: out, Reads: reads}
	if !c.noFast {
		if f := c.rt.CompileFast(checked.NativeRep(), scope.eval()); f != nil {
			// The interpreter's program is not needed: release it (a smaller heap is faster to collect).
			p.Fast, p.CEL = f, nil
		}
	}
	c.recordChecked(env, e.Src, checked.NativeRep())
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

// eval is the scope as the fast path needs it.
func (s *exprScope) eval() plan.Scope {
	switch s.kind {
	case scopeInstrument:
		return plan.Scope{Inst: s.inst}
	case scopeFollowUp:
		return plan.Scope{FollowUp: true}
	}
	return plan.Scope{Rules: s.rs, Tier: s.tier}
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
	s.describe(a.Expr(), &r)
	return r
}
