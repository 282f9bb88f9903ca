package eval

import (
	"math"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// The fast path: a checked CEL expression made only of the constructs definitions use most — literals,
// field reads, has(), arithmetic, comparisons, logic, conditionals, `in` a literal list, the answers
// functions, round(), int() and double() — is compiled into a tree of Go closures that evaluates with no
// allocation and a fraction of the interpreter's overhead. Anything else (comprehensions, string
// functions, …) is left to CEL's interpreter, which also remains the reference: fast_test.go checks that
// both give the same value, error and reads on every bundled expression over many answer patterns.
//
// Semantics follow CEL exactly where the two could differ: integer overflow, division and modulus by zero
// are errors; ints and doubles compare numerically; every ordering with NaN is false; && and || evaluate every term
// until one decides the result (false for &&, true for ||), and an error in one term is the result only
// when no other term decides it; a conditional with an erroring condition is that error.

// Node is a compiled expression (stored in plan.Program.Fast).
type Node func(x *frame) (value.Value, error)

type fnode = Node

type frame struct {
	st *State
	ie *InstEval
}

type fctx = frame

// fastCompiler compiles one checked expression; ok turns false at the first unsupported construct.
type fastCompiler struct {
	a     *celast.AST
	scope plan.Scope
	ok    bool
}

// CompileFast returns the fast evaluator of a checked expression, or nil when it uses a construct the fast
// path does not model (CEL's interpreter then evaluates it).
func CompileFast(a *celast.AST, scope plan.Scope) Node {
	if scope.FollowUp {
		return nil
	}
	fc := &fastCompiler{a: a, scope: scope, ok: true}
	n := fc.expr(a.Expr())
	if !fc.ok || n == nil {
		return nil
	}
	return n
}

func (fc *fastCompiler) fail() fnode {
	fc.ok = false
	return nil
}

func constant(v value.Value) fnode { return func(*fctx) (value.Value, error) { return v, nil } }

func (fc *fastCompiler) expr(e celast.Expr) fnode {
	if !fc.ok {
		return nil
	}
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return constant(value.OfInt(int64(v)))
		case types.Double:
			return constant(value.OfDouble(float64(v)))
		case types.Bool:
			return constant(value.OfBool(bool(v)))
		case types.String:
			return constant(value.OfString(string(v)))
		}
		return fc.fail()
	case celast.IdentKind:
		if fc.scope.Rules != nil && fc.scope.Tier && e.AsIdent() == "tier" {
			return func(x *fctx) (value.Value, error) { return tierGet(&x.st.Comp), nil }
		}
		return fc.fail()
	case celast.SelectKind:
		return fc.selection(e)
	case celast.CallKind:
		return fc.call(e)
	}
	return fc.fail()
}

// selection compiles a field read or a has() test on the engine's objects.
func (fc *fastCompiler) selection(e celast.Expr) fnode {
	sel := e.AsSelect()
	field := sel.FieldName()
	op := sel.Operand()
	test := sel.IsTestOnly()
	s := fc.scope
	if op.Kind() == celast.IdentKind {
		ident := op.AsIdent()
		if s.Inst != nil {
			in := s.Inst
			switch ident {
			case "answers":
				idx, ok := in.ItemIdx[field]
				if !ok {
					return fc.fail()
				}
				if test {
					return func(x *fctx) (value.Value, error) { return itemHas(x.ie, idx), nil }
				}
				return func(x *fctx) (value.Value, error) { return itemGet(x.ie, idx) }
			case "scores":
				idx := in.ScoreIndex(field)
				if idx < 0 {
					return fc.fail()
				}
				unset := in.Scores[idx].Unset
				if test {
					return func(x *fctx) (value.Value, error) { return scoreHas(x.ie, idx), nil }
				}
				return func(x *fctx) (value.Value, error) { return scoreGet(x.ie, idx, unset) }
			case "context":
				for i, cf := range in.Def.Context {
					if cf.ID != field {
						continue
					}
					slot, unset := in.CtxSlots[i], in.CtxUnset[i]
					if test {
						return func(x *fctx) (value.Value, error) { return ctxHas(x.st, x.ie, slot), nil }
					}
					return func(x *fctx) (value.Value, error) { return ctxGet(x.st, x.ie, slot, unset) }
				}
			}
			return fc.fail()
		}
		rs := s.Rules
		if ident == "followup" && field == "days" {
			if test {
				return func(x *fctx) (value.Value, error) { return daysHas(x.st), nil }
			}
			return func(x *fctx) (value.Value, error) { return daysGet(x.st) }
		}
		if ident == "context" {
			for i, cf := range rs.Def.Context {
				if cf.ID != field || i >= len(rs.Context) {
					continue
				}
				slot, unset := rs.Context[i], rs.CtxUnset[i]
				if test {
					return func(x *fctx) (value.Value, error) { return ctxHas(x.st, nil, slot), nil }
				}
				return func(x *fctx) (value.Value, error) { return ctxGet(x.st, nil, slot, unset) }
			}
			return fc.fail()
		}
		if ident == "domains" {
			for i, d := range rs.Domains {
				if d.ID != field {
					continue
				}
				if test {
					return func(x *fctx) (value.Value, error) { return domainHas(&x.st.Comp, i), nil }
				}
				return func(x *fctx) (value.Value, error) { return domainGet(&x.st.Comp, i) }
			}
			return fc.fail()
		}
		i, ok := rs.InputIdx[ident]
		if !ok {
			return fc.fail()
		}
		in := rs.Inputs[i].Inst
		if field == "status" {
			if test {
				return constant(value.OfBool(true))
			}
			return func(x *fctx) (value.Value, error) { return statusGet(x.st.Comp.Inputs[i]), nil }
		}
		idx := in.ScoreIndex(field)
		if idx < 0 {
			return fc.fail()
		}
		unset := in.Scores[idx].QUnset
		if test {
			return func(x *fctx) (value.Value, error) { return scoreHas(x.st.Comp.Inputs[i], idx), nil }
		}
		return func(x *fctx) (value.Value, error) { return scoreGet(x.st.Comp.Inputs[i], idx, unset) }
	}
	// <input>.answers.<item>, <input>.flags.<flag>
	if s.Rules == nil || op.Kind() != celast.SelectKind || op.AsSelect().IsTestOnly() ||
		op.AsSelect().Operand().Kind() != celast.IdentKind {
		return fc.fail()
	}
	i, ok := s.Rules.InputIdx[op.AsSelect().Operand().AsIdent()]
	if !ok {
		return fc.fail()
	}
	in := s.Rules.Inputs[i].Inst
	switch op.AsSelect().FieldName() {
	case "answers":
		idx, ok := in.ItemIdx[field]
		if !ok {
			return fc.fail()
		}
		if test {
			return func(x *fctx) (value.Value, error) { return itemHas(x.st.Comp.Inputs[i], idx), nil }
		}
		return func(x *fctx) (value.Value, error) { return itemGet(x.st.Comp.Inputs[i], idx) }
	case "flags":
		for idx, f := range in.Flags {
			if f.ID != field {
				continue
			}
			if test {
				return func(x *fctx) (value.Value, error) { return flagHas(x.st.Comp.Inputs[i], idx), nil }
			}
			return func(x *fctx) (value.Value, error) { return flagGet(x.st.Comp.Inputs[i], idx) }
		}
	case "followup":
		idx := in.FollowIndex(field)
		if idx < 0 {
			return fc.fail()
		}
		unset := in.FollowUps[idx].QUnset
		if test {
			return func(x *fctx) (value.Value, error) { return followHas(x.st.Comp.Inputs[i], idx), nil }
		}
		return func(x *fctx) (value.Value, error) { return followGet(x.st.Comp.Inputs[i], idx, unset) }
	case "baseline":
		idx := in.ScoreIndex(field)
		if idx < 0 {
			return fc.fail()
		}
		unset := in.Scores[idx].BaseQUnset
		if test {
			return func(x *fctx) (value.Value, error) { return baseHas(x.st.Comp.Inputs[i], idx), nil }
		}
		return func(x *fctx) (value.Value, error) { return baseGet(x.st.Comp.Inputs[i], idx, unset) }
	}
	return fc.fail()
}

func (fc *fastCompiler) call(e celast.Expr) fnode {
	call := e.AsCall()
	fn := call.FunctionName()
	args := call.Args()
	if call.IsMemberFunction() {
		if name, ok := strings.CutPrefix(fn, celenv.ExpandedPrefix); ok && fc.scope.Inst != nil {
			return fc.items(name, args)
		}
		return fc.fail()
	}
	switch fn {
	case operators.LogicalAnd, operators.LogicalOr:
		return fc.logic(fn == operators.LogicalAnd, args)
	case operators.LogicalNot:
		a := fc.expr(args[0])
		return func(x *fctx) (value.Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			return value.OfBool(!v.B()), nil
		}
	case operators.Conditional:
		c, t, f := fc.expr(args[0]), fc.expr(args[1]), fc.expr(args[2])
		count := IsCountTerm(args[2])
		return func(x *fctx) (value.Value, error) {
			m0 := len(x.st.Reads)
			v, err := c(x)
			if err != nil {
				return v, err
			}
			if v.B() {
				return t(x)
			}
			if count { // a count term that does not hold contributes nothing (cause.go)
				x.st.Reads = x.st.Reads[:m0]
			}
			return f(x)
		}
	case operators.Equals, operators.NotEquals:
		a, b := fc.expr(args[0]), fc.expr(args[1])
		neg := fn == operators.NotEquals
		return func(x *fctx) (value.Value, error) {
			l, err := a(x)
			if err != nil {
				return l, err
			}
			r, err := b(x)
			if err != nil {
				return r, err
			}
			return value.OfBool(celEqual(l, r) != neg), nil
		}
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		return fc.compare(fn, args)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo:
		return fc.arith(fn, args, fc.a.GetType(e.ID()))
	case operators.Negate:
		a := fc.expr(args[0])
		return func(x *fctx) (value.Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			switch v.Kind() {
			case value.Int:
				if v.I() == math.MinInt64 {
					return value.Value{}, errIntOverflow
				}
				return value.OfInt(-v.I()), nil
			case value.Double:
				return value.OfDouble(-v.F()), nil
			}
			return value.Value{}, errNoOverload
		}
	case operators.In:
		return fc.in(args)
	case "round":
		if len(args) != 2 {
			return fc.fail()
		}
		a, d := fc.expr(args[0]), fc.expr(args[1])
		return func(x *fctx) (value.Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			n, err := d(x)
			if err != nil {
				return n, err
			}
			if n.I() < 0 || n.I() > 10 {
				return value.Value{}, errRoundDigits
			}
			return value.OfDouble(celenv.RoundHalfUp(v.F(), int(n.I()))), nil
		}
	case "double":
		if len(args) != 1 || !fc.a.GetType(args[0].ID()).IsExactType(types.IntType) {
			return fc.fail()
		}
		a := fc.expr(args[0])
		return func(x *fctx) (value.Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			return value.OfDouble(float64(v.I())), nil
		}
	case "int":
		if len(args) != 1 || !fc.a.GetType(args[0].ID()).IsExactType(types.DoubleType) {
			return fc.fail()
		}
		a := fc.expr(args[0])
		return func(x *fctx) (value.Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			f := v.F()
			// CEL truncates toward zero and rejects values outside the int64 range (and NaN).
			if math.IsNaN(f) || f <= math.MinInt64 || f >= math.MaxInt64 {
				return value.Value{}, errIntRange
			}
			return value.OfInt(int64(f)), nil
		}
	}
	return fc.fail()
}
