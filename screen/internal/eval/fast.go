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
// are errors; ints and doubles compare numerically; NaN cannot be ordered; && and || evaluate every term
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

// Scope says what a compiled expression reads: an instrument's answers, scores and context (Inst), or a
// rule set's inputs and domains (Rules), and whether `tier` is visible (referrals).
type Scope struct {
	Inst  *plan.Instrument
	Rules *plan.RuleSet
	Tier  bool
}

// fastCompiler compiles one checked expression; ok turns false at the first unsupported construct.
type fastCompiler struct {
	a     *celast.AST
	scope Scope
	ok    bool
}

// CompileFast returns the fast evaluator of a checked expression, or nil when it uses a construct the fast
// path does not model (CEL's interpreter then evaluates it).
func CompileFast(a *celast.AST, scope Scope) Node {
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
						return func(x *fctx) (value.Value, error) { return ctxHas(x.ie, slot), nil }
					}
					return func(x *fctx) (value.Value, error) { return ctxGet(x.ie, slot, unset) }
				}
			}
			return fc.fail()
		}
		rs := s.Rules
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
		return func(x *fctx) (value.Value, error) {
			v, err := c(x)
			if err != nil {
				return v, err
			}
			if v.B() {
				return t(x)
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

// logic implements CEL's && and ||: evaluate terms left to right; a deciding value (false for &&, true
// for ||) returns at once; otherwise the first error, if any, is the result.
func (fc *fastCompiler) logic(and bool, args []celast.Expr) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	decide := !and // the value that decides: false for &&, true for ||
	return func(x *fctx) (value.Value, error) {
		l, lerr := a(x)
		if lerr == nil && l.B() == decide {
			return l, nil
		}
		r, rerr := b(x)
		if rerr == nil && r.B() == decide {
			return r, nil
		}
		if lerr != nil {
			return value.Value{}, lerr
		}
		if rerr != nil {
			return value.Value{}, rerr
		}
		return value.OfBool(!decide), nil
	}
}

func (fc *fastCompiler) compare(fn string, args []celast.Expr) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	var want func(c int) bool
	switch fn {
	case operators.Less:
		want = func(c int) bool { return c < 0 }
	case operators.LessEquals:
		want = func(c int) bool { return c <= 0 }
	case operators.Greater:
		want = func(c int) bool { return c > 0 }
	default:
		want = func(c int) bool { return c >= 0 }
	}
	return func(x *fctx) (value.Value, error) {
		l, err := a(x)
		if err != nil {
			return l, err
		}
		r, err := b(x)
		if err != nil {
			return r, err
		}
		c, err := celCompare(l, r)
		if err != nil {
			return value.Value{}, err
		}
		return value.OfBool(want(c)), nil
	}
}

// celCompare orders two values as CEL does (ints and doubles numerically, NaN unordered).
func celCompare(l, r value.Value) (int, error) {
	switch {
	case l.Kind() == value.Int && r.Kind() == value.Int:
		return cmp3(l.I() < r.I(), l.I() > r.I()), nil
	case l.Kind() == value.Double && r.Kind() == value.Double:
		if math.IsNaN(l.F()) || math.IsNaN(r.F()) {
			return 0, errNaNOrder
		}
		return cmp3(l.F() < r.F(), l.F() > r.F()), nil
	case l.Kind() == value.Double && r.Kind() == value.Int:
		return compareDoubleInt(l.F(), r.I())
	case l.Kind() == value.Int && r.Kind() == value.Double:
		c, err := compareDoubleInt(r.F(), l.I())
		return -c, err
	case l.Kind() == value.String && r.Kind() == value.String:
		return strings.Compare(l.S(), r.S()), nil
	case l.Kind() == value.Bool && r.Kind() == value.Bool:
		return cmp3(!l.B() && r.B(), l.B() && !r.B()), nil
	}
	return 0, errNoOverload
}

func compareDoubleInt(d float64, i int64) (int, error) {
	if math.IsNaN(d) {
		return 0, errNaNOrder
	}
	if d < math.MinInt64 {
		return -1, nil
	}
	if d > math.MaxInt64 {
		return 1, nil
	}
	f := float64(i)
	return cmp3(d < f, d > f), nil
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// celEqual is CEL's equality: numeric across int and double (NaN equals nothing), else same kind and value.
func celEqual(l, r value.Value) bool {
	switch {
	case l.Kind() == value.Int && r.Kind() == value.Int:
		return l.Same(r)
	case (l.Kind() == value.Int || l.Kind() == value.Double) && (r.Kind() == value.Int || r.Kind() == value.Double):
		lf, _ := l.Float()
		rf, _ := r.Float()
		if math.IsNaN(lf) || math.IsNaN(rf) {
			return false
		}
		if l.Kind() == value.Double && r.Kind() == value.Double {
			return lf == rf
		}
		d, i := lf, r.I()
		if l.Kind() == value.Int {
			d, i = rf, l.I()
		}
		c, _ := compareDoubleInt(d, i)
		return c == 0
	case l.Kind() != r.Kind():
		return false
	case l.Kind() == value.String:
		return l.S() == r.S()
	}
	return l.Same(r)
}

func (fc *fastCompiler) arith(fn string, args []celast.Expr, t *types.Type) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	var op func(l, r value.Value) (value.Value, error)
	switch {
	case t.IsExactType(types.IntType):
		op = intOp(fn)
	case t.IsExactType(types.DoubleType):
		op = doubleOp(fn)
	case t.IsExactType(types.StringType) && fn == operators.Add:
		op = func(l, r value.Value) (value.Value, error) { return value.OfString(l.S() + r.S()), nil }
	}
	if op == nil {
		return fc.fail()
	}
	return func(x *fctx) (value.Value, error) {
		l, err := a(x)
		if err != nil {
			return l, err
		}
		r, err := b(x)
		if err != nil {
			return r, err
		}
		return op(l, r)
	}
}

func intOp(fn string) func(l, r value.Value) (value.Value, error) {
	switch fn {
	case operators.Add:
		return func(l, r value.Value) (value.Value, error) {
			x, y := l.I(), r.I()
			if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
				return value.Value{}, errIntOverflow
			}
			return value.OfInt(x + y), nil
		}
	case operators.Subtract:
		return func(l, r value.Value) (value.Value, error) {
			x, y := l.I(), r.I()
			if (y < 0 && x > math.MaxInt64+y) || (y > 0 && x < math.MinInt64+y) {
				return value.Value{}, errIntOverflow
			}
			return value.OfInt(x - y), nil
		}
	case operators.Multiply:
		return func(l, r value.Value) (value.Value, error) {
			x, y := l.I(), r.I()
			if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) ||
				(x > 0 && y > 0 && x > math.MaxInt64/y) || (x > 0 && y < 0 && y < math.MinInt64/x) ||
				(x < 0 && y > 0 && x < math.MinInt64/y) || (x < 0 && y < 0 && y < math.MaxInt64/x) {
				return value.Value{}, errIntOverflow
			}
			return value.OfInt(x * y), nil
		}
	case operators.Divide:
		return func(l, r value.Value) (value.Value, error) {
			x, y := l.I(), r.I()
			if y == 0 {
				return value.Value{}, errDivideByZero
			}
			if x == math.MinInt64 && y == -1 {
				return value.Value{}, errIntOverflow
			}
			return value.OfInt(x / y), nil
		}
	case operators.Modulo:
		return func(l, r value.Value) (value.Value, error) {
			x, y := l.I(), r.I()
			if y == 0 {
				return value.Value{}, errModulusZero
			}
			if x == math.MinInt64 && y == -1 {
				return value.Value{}, errIntOverflow
			}
			return value.OfInt(x % y), nil
		}
	}
	return nil
}

func doubleOp(fn string) func(l, r value.Value) (value.Value, error) {
	switch fn {
	case operators.Add:
		return func(l, r value.Value) (value.Value, error) { return value.OfDouble(l.F() + r.F()), nil }
	case operators.Subtract:
		return func(l, r value.Value) (value.Value, error) { return value.OfDouble(l.F() - r.F()), nil }
	case operators.Multiply:
		return func(l, r value.Value) (value.Value, error) { return value.OfDouble(l.F() * r.F()), nil }
	case operators.Divide:
		return func(l, r value.Value) (value.Value, error) { return value.OfDouble(l.F() / r.F()), nil }
	}
	return nil
}

// in compiles `x in [literal, …]`.
func (fc *fastCompiler) in(args []celast.Expr) fnode {
	if args[1].Kind() != celast.ListKind {
		return fc.fail()
	}
	var set []value.Value
	for _, el := range args[1].AsList().Elements() {
		if el.Kind() != celast.LiteralKind {
			return fc.fail()
		}
		lit := fc.expr(el)
		if lit == nil {
			return fc.fail() // a literal kind the fast path does not model (uint, bytes, null)
		}
		v, _ := lit(nil)
		set = append(set, v)
	}
	if !fc.ok {
		return nil
	}
	a := fc.expr(args[0])
	return func(x *fctx) (value.Value, error) {
		v, err := a(x)
		if err != nil {
			return v, err
		}
		for _, s := range set {
			if celEqual(v, s) {
				return value.OfBool(true), nil
			}
		}
		return value.OfBool(false), nil
	}
}

// items compiles an expanded answers.sum/mean/answered/prorated_sum call.
func (fc *fastCompiler) items(name string, args []celast.Expr) fnode {
	m, ok := celenv.AggOf(name)
	if !ok || args[0].Kind() != celast.ListKind {
		return fc.fail()
	}
	var idxs []int
	for _, el := range args[0].AsList().Elements() {
		i, ok := celenv.LiteralInt(el)
		if !ok {
			return fc.fail()
		}
		idxs = append(idxs, int(i))
	}
	var allowed int64
	if m == celenv.AggProrated {
		if allowed, ok = celenv.LiteralInt(args[1]); !ok {
			return fc.fail()
		}
	}
	return func(x *fctx) (value.Value, error) { return aggregate(x.ie, idxs, m, allowed) }
}
