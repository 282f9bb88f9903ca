package eval

// The fast path's operators: logic, comparison, equality, arithmetic and membership, with CEL's exact
// semantics (see fast.go).

import (
	"math"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// logic implements CEL's && and ||: evaluate terms left to right; a deciding value (false for &&, true
// for ||) is the result; otherwise the first error, if any, is the result. The reads left behind are the
// causes of the result (cause.go): the deciding terms' when a term decides, both terms' otherwise.
func (fc *fastCompiler) logic(and bool, args []celast.Expr) fnode {
	a, b := fc.expr(args[0]), fc.expr(args[1])
	decide := !and // the value that decides: false for &&, true for ||
	return func(x *fctx) (value.Value, error) {
		st := x.st
		m0 := len(st.Reads)
		l, lerr := a(x)
		if lerr == nil && l.B() == decide {
			if decide { // ||: the right term is read too, so that every term that holds is cited
				m1 := len(st.Reads)
				need, bneed := st.needItem, st.bneed
				r, rerr := b(x)
				st.needItem, st.bneed = need, bneed
				if rerr != nil || !r.B() {
					st.Reads = st.Reads[:m1]
				}
			}
			return l, nil
		}
		m1 := len(st.Reads)
		r, rerr := b(x)
		if rerr == nil && r.B() == decide {
			st.cut(m0, m1) // the left term did not decide
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
		switch {
		case err == errUnordered:
			return value.OfBool(false), nil // CEL: every ordering with NaN is false
		case err != nil:
			return value.Value{}, err
		}
		return value.OfBool(want(c)), nil
	}
}

// errUnordered is celCompare's answer for a NaN operand.
var errUnordered = &ExprError{ExprOther, "NaN is unordered"}

// celCompare orders two values as CEL does (ints and doubles numerically; NaN is unordered).
func celCompare(l, r value.Value) (int, error) {
	switch {
	case l.Kind() == value.Int && r.Kind() == value.Int:
		return cmp3(l.I() < r.I(), l.I() > r.I()), nil
	case l.Kind() == value.Double && r.Kind() == value.Double:
		if math.IsNaN(l.F()) || math.IsNaN(r.F()) {
			return 0, errUnordered
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
		return 0, errUnordered
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
