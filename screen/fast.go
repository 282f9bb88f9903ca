package screen

import (
	"errors"
	"math"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
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

type fnode func(x *fctx) (Value, error)

type fctx struct {
	ev *evalState
	ie *instEval
}

var (
	errIntOverflow  = errors.New("integer overflow")
	errDivideByZero = errors.New("division by zero")
	errModulusZero  = errors.New("modulus by zero")
	errNaNOrder     = errors.New("NaN values cannot be ordered")
	errIntRange     = errors.New("integer overflow: double out of int range")
)

// fastCompiler compiles one checked expression; ok turns false at the first unsupported construct.
type fastCompiler struct {
	a     *celast.AST
	scope *exprScope
	ok    bool
}

// compileFast returns the fast evaluator of a checked expression, or nil when it uses a construct the
// fast path does not implement.
func compileFast(a *celast.AST, scope *exprScope) fnode {
	fc := &fastCompiler{a: a, scope: scope, ok: true}
	n := fc.expr(a.Expr())
	if !fc.ok {
		return nil
	}
	return n
}

func (fc *fastCompiler) fail() fnode {
	fc.ok = false
	return nil
}

func constant(v Value) fnode { return func(*fctx) (Value, error) { return v, nil } }

func (fc *fastCompiler) expr(e celast.Expr) fnode {
	if !fc.ok {
		return nil
	}
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return constant(IntValue(int64(v)))
		case types.Double:
			return constant(DoubleValue(float64(v)))
		case types.Bool:
			return constant(BoolValue(bool(v)))
		case types.String:
			return constant(StringValue(string(v)))
		}
		return fc.fail()
	case celast.IdentKind:
		if fc.scope.kind == scopeRules && fc.scope.tier && e.AsIdent() == "tier" {
			return func(x *fctx) (Value, error) { return tierGet(&x.ev.comp), nil }
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
		if s.kind == scopeInstrument {
			in := s.inst
			switch ident {
			case "answers":
				idx, ok := in.itemIdx[field]
				if !ok {
					return fc.fail()
				}
				if test {
					return func(x *fctx) (Value, error) { return itemHas(x.ie, idx), nil }
				}
				return func(x *fctx) (Value, error) { return itemGet(x.ie, idx) }
			case "scores":
				idx := scoreIndex(in, field)
				if idx < 0 {
					return fc.fail()
				}
				unset := in.scoreUnset[idx]
				if test {
					return func(x *fctx) (Value, error) { return scoreHas(x.ie, idx), nil }
				}
				return func(x *fctx) (Value, error) { return scoreGet(x.ie, idx, unset) }
			case "context":
				for i, cf := range in.def.Context {
					if cf.ID != field {
						continue
					}
					slot, unset := in.ctxSlots[i], in.ctxUnset[i]
					if test {
						return func(x *fctx) (Value, error) { return ctxHas(x.ie, slot), nil }
					}
					return func(x *fctx) (Value, error) { return ctxGet(x.ie, slot, unset) }
				}
			}
			return fc.fail()
		}
		rs := s.rs
		if ident == "domains" {
			for i, d := range rs.domains {
				if d.id != field {
					continue
				}
				if test {
					return func(x *fctx) (Value, error) { return domainHas(&x.ev.comp, i), nil }
				}
				return func(x *fctx) (Value, error) { return domainGet(&x.ev.comp, i) }
			}
			return fc.fail()
		}
		i, ok := rs.inputIdx[ident]
		if !ok {
			return fc.fail()
		}
		in := rs.inputs[i].inst
		if field == "status" {
			if test {
				return constant(BoolValue(true))
			}
			return func(x *fctx) (Value, error) { return statusGet(x.ev.comp.inputs[i]), nil }
		}
		idx := scoreIndex(in, field)
		if idx < 0 {
			return fc.fail()
		}
		unset := in.scoreQUnset[idx]
		if test {
			return func(x *fctx) (Value, error) { return scoreHas(x.ev.comp.inputs[i], idx), nil }
		}
		return func(x *fctx) (Value, error) { return scoreGet(x.ev.comp.inputs[i], idx, unset) }
	}
	// <input>.answers.<item>, <input>.flags.<flag>
	if s.kind != scopeRules || op.Kind() != celast.SelectKind || op.AsSelect().IsTestOnly() ||
		op.AsSelect().Operand().Kind() != celast.IdentKind {
		return fc.fail()
	}
	i, ok := s.rs.inputIdx[op.AsSelect().Operand().AsIdent()]
	if !ok {
		return fc.fail()
	}
	in := s.rs.inputs[i].inst
	switch op.AsSelect().FieldName() {
	case "answers":
		idx, ok := in.itemIdx[field]
		if !ok {
			return fc.fail()
		}
		if test {
			return func(x *fctx) (Value, error) { return itemHas(x.ev.comp.inputs[i], idx), nil }
		}
		return func(x *fctx) (Value, error) { return itemGet(x.ev.comp.inputs[i], idx) }
	case "flags":
		for idx, f := range in.flags {
			if f.id != field {
				continue
			}
			if test {
				return func(x *fctx) (Value, error) { return flagHas(x.ev.comp.inputs[i], idx), nil }
			}
			return func(x *fctx) (Value, error) { return flagGet(x.ev.comp.inputs[i], idx) }
		}
	}
	return fc.fail()
}

func scoreIndex(in *instrument, id string) int {
	for i, s := range in.scores {
		if s.id == id {
			return i
		}
	}
	return -1
}

func (fc *fastCompiler) call(e celast.Expr) fnode {
	call := e.AsCall()
	fn := call.FunctionName()
	args := call.Args()
	if call.IsMemberFunction() {
		if name, ok := strings.CutPrefix(fn, "@items_"); ok && fc.scope.kind == scopeInstrument {
			return fc.items(name, args)
		}
		return fc.fail()
	}
	switch fn {
	case operators.LogicalAnd, operators.LogicalOr:
		return fc.logic(fn == operators.LogicalAnd, args)
	case operators.LogicalNot:
		a := fc.expr(args[0])
		return func(x *fctx) (Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			return BoolValue(!v.b()), nil
		}
	case operators.Conditional:
		c, t, f := fc.expr(args[0]), fc.expr(args[1]), fc.expr(args[2])
		return func(x *fctx) (Value, error) {
			v, err := c(x)
			if err != nil {
				return v, err
			}
			if v.b() {
				return t(x)
			}
			return f(x)
		}
	case operators.Equals, operators.NotEquals:
		a, b := fc.expr(args[0]), fc.expr(args[1])
		neg := fn == operators.NotEquals
		return func(x *fctx) (Value, error) {
			l, err := a(x)
			if err != nil {
				return l, err
			}
			r, err := b(x)
			if err != nil {
				return r, err
			}
			return BoolValue(celEqual(l, r) != neg), nil
		}
	case operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		return fc.compare(fn, args)
	case operators.Add, operators.Subtract, operators.Multiply, operators.Divide, operators.Modulo:
		return fc.arith(fn, args, fc.a.GetType(e.ID()))
	case operators.Negate:
		a := fc.expr(args[0])
		return func(x *fctx) (Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			switch v.kind {
			case KindInt:
				if v.i() == math.MinInt64 {
					return Value{}, errIntOverflow
				}
				return IntValue(-v.i()), nil
			case KindDouble:
				return DoubleValue(-v.f()), nil
			}
			return Value{}, errNoOverload
		}
	case operators.In:
		return fc.in(args)
	case "round":
		if len(args) != 2 {
			return fc.fail()
		}
		a, d := fc.expr(args[0]), fc.expr(args[1])
		return func(x *fctx) (Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			n, err := d(x)
			if err != nil {
				return n, err
			}
			if n.i() < 0 || n.i() > 10 {
				return Value{}, errRoundDigits
			}
			return DoubleValue(roundDecimal(v.f(), int(n.i()))), nil
		}
	case "double":
		if len(args) != 1 || !fc.a.GetType(args[0].ID()).IsExactType(types.IntType) {
			return fc.fail()
		}
		a := fc.expr(args[0])
		return func(x *fctx) (Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			return DoubleValue(float64(v.i())), nil
		}
	case "int":
		if len(args) != 1 || !fc.a.GetType(args[0].ID()).IsExactType(types.DoubleType) {
			return fc.fail()
		}
		a := fc.expr(args[0])
		return func(x *fctx) (Value, error) {
			v, err := a(x)
			if err != nil {
				return v, err
			}
			f := v.f()
			// CEL truncates toward zero and rejects values outside the int64 range (and NaN).
			if math.IsNaN(f) || f <= math.MinInt64 || f >= math.MaxInt64 {
				return Value{}, errIntRange
			}
			return IntValue(int64(f)), nil
		}
	}
	return fc.fail()
}

var (
	errNoOverload  = errors.New("no such overload")
	errRoundDigits = errors.New("round: digits must be between 0 and 10")
)

// logic implements CEL's && and ||: evaluate terms left to right; a deciding value (false for &&, true
// for ||) returns at once; otherwise the first error, if any, is the result.
func (fc *fastCompiler) logic(and bool, args []celast.Expr) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	decide := !and // the value that decides: false for &&, true for ||
	return func(x *fctx) (Value, error) {
		l, lerr := a(x)
		if lerr == nil && l.b() == decide {
			return l, nil
		}
		r, rerr := b(x)
		if rerr == nil && r.b() == decide {
			return r, nil
		}
		if lerr != nil {
			return Value{}, lerr
		}
		if rerr != nil {
			return Value{}, rerr
		}
		return BoolValue(!decide), nil
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
	return func(x *fctx) (Value, error) {
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
			return Value{}, err
		}
		return BoolValue(want(c)), nil
	}
}

// celCompare orders two values as CEL does (ints and doubles numerically, NaN unordered).
func celCompare(l, r Value) (int, error) {
	switch {
	case l.kind == KindInt && r.kind == KindInt:
		return cmp3(l.i() < r.i(), l.i() > r.i()), nil
	case l.kind == KindDouble && r.kind == KindDouble:
		if math.IsNaN(l.f()) || math.IsNaN(r.f()) {
			return 0, errNaNOrder
		}
		return cmp3(l.f() < r.f(), l.f() > r.f()), nil
	case l.kind == KindDouble && r.kind == KindInt:
		return compareDoubleInt(l.f(), r.i())
	case l.kind == KindInt && r.kind == KindDouble:
		c, err := compareDoubleInt(r.f(), l.i())
		return -c, err
	case l.kind == KindString && r.kind == KindString:
		return strings.Compare(l.s, r.s), nil
	case l.kind == KindBool && r.kind == KindBool:
		return cmp3(!l.b() && r.b(), l.b() && !r.b()), nil
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
func celEqual(l, r Value) bool {
	switch {
	case l.kind == KindInt && r.kind == KindInt:
		return l.n == r.n
	case (l.kind == KindInt || l.kind == KindDouble) && (r.kind == KindInt || r.kind == KindDouble):
		lf, _ := l.Float()
		rf, _ := r.Float()
		if math.IsNaN(lf) || math.IsNaN(rf) {
			return false
		}
		if l.kind == KindDouble && r.kind == KindDouble {
			return lf == rf
		}
		d, i := lf, r.i()
		if l.kind == KindInt {
			d, i = rf, l.i()
		}
		c, _ := compareDoubleInt(d, i)
		return c == 0
	case l.kind != r.kind:
		return false
	case l.kind == KindString:
		return l.s == r.s
	}
	return l.n == r.n
}

func (fc *fastCompiler) arith(fn string, args []celast.Expr, t *types.Type) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	var op func(l, r Value) (Value, error)
	switch {
	case t.IsExactType(types.IntType):
		op = intOp(fn)
	case t.IsExactType(types.DoubleType):
		op = doubleOp(fn)
	case t.IsExactType(types.StringType) && fn == operators.Add:
		op = func(l, r Value) (Value, error) { return StringValue(l.s + r.s), nil }
	}
	if op == nil {
		return fc.fail()
	}
	return func(x *fctx) (Value, error) {
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

func intOp(fn string) func(l, r Value) (Value, error) {
	switch fn {
	case operators.Add:
		return func(l, r Value) (Value, error) {
			x, y := l.i(), r.i()
			if (y > 0 && x > math.MaxInt64-y) || (y < 0 && x < math.MinInt64-y) {
				return Value{}, errIntOverflow
			}
			return IntValue(x + y), nil
		}
	case operators.Subtract:
		return func(l, r Value) (Value, error) {
			x, y := l.i(), r.i()
			if (y < 0 && x > math.MaxInt64+y) || (y > 0 && x < math.MinInt64+y) {
				return Value{}, errIntOverflow
			}
			return IntValue(x - y), nil
		}
	case operators.Multiply:
		return func(l, r Value) (Value, error) {
			x, y := l.i(), r.i()
			if (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) ||
				(x > 0 && y > 0 && x > math.MaxInt64/y) || (x > 0 && y < 0 && y < math.MinInt64/x) ||
				(x < 0 && y > 0 && x < math.MinInt64/y) || (x < 0 && y < 0 && y < math.MaxInt64/x) {
				return Value{}, errIntOverflow
			}
			return IntValue(x * y), nil
		}
	case operators.Divide:
		return func(l, r Value) (Value, error) {
			x, y := l.i(), r.i()
			if y == 0 {
				return Value{}, errDivideByZero
			}
			if x == math.MinInt64 && y == -1 {
				return Value{}, errIntOverflow
			}
			return IntValue(x / y), nil
		}
	case operators.Modulo:
		return func(l, r Value) (Value, error) {
			x, y := l.i(), r.i()
			if y == 0 {
				return Value{}, errModulusZero
			}
			if x == math.MinInt64 && y == -1 {
				return Value{}, errIntOverflow
			}
			return IntValue(x % y), nil
		}
	}
	return nil
}

func doubleOp(fn string) func(l, r Value) (Value, error) {
	switch fn {
	case operators.Add:
		return func(l, r Value) (Value, error) { return DoubleValue(l.f() + r.f()), nil }
	case operators.Subtract:
		return func(l, r Value) (Value, error) { return DoubleValue(l.f() - r.f()), nil }
	case operators.Multiply:
		return func(l, r Value) (Value, error) { return DoubleValue(l.f() * r.f()), nil }
	case operators.Divide:
		return func(l, r Value) (Value, error) { return DoubleValue(l.f() / r.f()), nil }
	}
	return nil
}

// in compiles `x in [literal, …]`.
func (fc *fastCompiler) in(args []celast.Expr) fnode {
	if args[1].Kind() != celast.ListKind {
		return fc.fail()
	}
	var set []Value
	for _, el := range args[1].AsList().Elements() {
		if el.Kind() != celast.LiteralKind {
			return fc.fail()
		}
		v, _ := fc.expr(el)(nil)
		set = append(set, v)
	}
	if !fc.ok {
		return nil
	}
	a := fc.expr(args[0])
	return func(x *fctx) (Value, error) {
		v, err := a(x)
		if err != nil {
			return v, err
		}
		for _, s := range set {
			if celEqual(v, s) {
				return BoolValue(true), nil
			}
		}
		return BoolValue(false), nil
	}
}

// items compiles an expanded answers.sum/mean/answered/prorated_sum call.
func (fc *fastCompiler) items(name string, args []celast.Expr) fnode {
	mode := map[string]int{"sum": aggSum, "mean": aggMean, "answered": aggAnswered, "prorated_sum": aggProrated}
	m, ok := mode[name]
	if !ok || args[0].Kind() != celast.ListKind {
		return fc.fail()
	}
	var idxs []int
	for _, el := range args[0].AsList().Elements() {
		i, ok := literalInt(el)
		if !ok {
			return fc.fail()
		}
		idxs = append(idxs, int(i))
	}
	var allowed int64
	if m == aggProrated {
		if allowed, ok = literalInt(args[1]); !ok {
			return fc.fail()
		}
	}
	return func(x *fctx) (Value, error) { return aggregate(x.ie, idxs, m, allowed) }
}
