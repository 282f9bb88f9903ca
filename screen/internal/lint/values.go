package lint

import (
	"math"
	"slices"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// maxSet is the most distinct values a set keeps; a larger set is kept as its bounds only.
const maxSet = 4096

// vset is what a numeric expression can give: its bounds, and, when there are few enough, every value.
// An unknown set (ok false) is an expression the analysis does not model.
type vset struct {
	ok      bool
	vals    []float64 // sorted, distinct; nil when only the bounds are known
	lo, hi  float64
	integer bool // every value is a whole number
}

func unknown() vset { return vset{} }

func exact(vals []float64) vset {
	for i, v := range vals {
		vals[i] = v + 0 // -0 is 0
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	if len(vals) == 0 {
		return unknown()
	}
	s := vset{ok: true, lo: vals[0], hi: vals[len(vals)-1], integer: true}
	for _, v := range vals {
		if v != math.Trunc(v) {
			s.integer = false
		}
	}
	if len(vals) <= maxSet {
		s.vals = vals
	}
	return s
}

func bounds(lo, hi float64, integer bool) vset {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return unknown()
	}
	if integer && !math.IsInf(lo, 0) && !math.IsInf(hi, 0) && hi-lo < maxSet {
		var vals []float64
		for v := lo; v <= hi; v++ {
			vals = append(vals, v)
		}
		return exact(vals)
	}
	return vset{ok: true, lo: lo, hi: hi, integer: integer}
}

// combine applies op to every pair of values (when both sets are enumerated and the product is small),
// else to the bounds (op must be monotone in each argument over the bounds given: + and *, with corner
// cases tried).
func combine(a, b vset, op func(x, y float64) float64) vset {
	if !a.ok || !b.ok {
		return unknown()
	}
	if a.vals != nil && b.vals != nil && len(a.vals)*len(b.vals) <= 1<<16 {
		out := make([]float64, 0, len(a.vals)*len(b.vals))
		for _, x := range a.vals {
			for _, y := range b.vals {
				out = append(out, op(x, y))
			}
		}
		return exact(out)
	}
	c := []float64{op(a.lo, b.lo), op(a.lo, b.hi), op(a.hi, b.lo), op(a.hi, b.hi)}
	return bounds(slices.Min(c), slices.Max(c), a.integer && b.integer)
}

func union(a, b vset) vset {
	if !a.ok || !b.ok {
		return unknown()
	}
	if a.vals != nil && b.vals != nil {
		return exact(append(slices.Clone(a.vals), b.vals...))
	}
	return vset{ok: true, lo: min(a.lo, b.lo), hi: max(a.hi, b.hi), integer: a.integer && b.integer}
}

func mapSet(a vset, f func(float64) float64) vset {
	if !a.ok {
		return unknown()
	}
	if a.vals != nil {
		out := make([]float64, len(a.vals))
		for i, v := range a.vals {
			out[i] = f(v)
		}
		return exact(out)
	}
	lo, hi := f(a.lo), f(a.hi)
	return vset{ok: true, lo: min(lo, hi), hi: max(lo, hi)}
}

// contains reports whether v is (or, for a set known by its bounds, may be) one of the set's values.
func (s vset) contains(v float64) bool {
	if s.vals != nil {
		_, found := slices.BinarySearch(s.vals, v)
		return found
	}
	return v >= s.lo && v <= s.hi && (!s.integer || v == math.Trunc(v))
}

// analyser computes the value sets of an instrument's scores.
type analyser struct {
	in     *def.Instrument
	items  map[string]*def.Item
	scores map[string]vset
	env    *cel.Env
}

func newAnalyser(in *def.Instrument) *analyser {
	a := &analyser{in: in, items: map[string]*def.Item{}, scores: map[string]vset{}}
	for _, it := range in.Items {
		a.items[it.ID] = it
	}
	a.env = parseEnv()
	return a
}

// parseEnv is the CEL environment expressions are parsed in (never type-checked): made once, as an
// environment costs more to make than the checks of an instrument, and shared (it is immutable).
var parseEnv = sync.OnceValue(func() *cel.Env {
	env, err := cel.NewEnv()
	if err != nil {
		return nil
	}
	return env
})

// item is the set of values an item's answer may take.
func (a *analyser) item(id string) vset {
	it := a.items[id]
	switch {
	case it == nil:
		return unknown()
	case it.Scale != nil:
		var vals []float64
		for _, o := range it.Scale.Options {
			vals = append(vals, float64(o.Value))
		}
		return exact(vals)
	case it.Min != nil && it.Max != nil:
		return bounds(float64(*it.Min), float64(*it.Max), true)
	case it.Min != nil:
		return bounds(float64(*it.Min), math.Inf(1), true)
	}
	return unknown()
}

// expr analyses a CEL expression's source; the AST is parsed without type checking (the compiler has
// already checked it).
func (a *analyser) expr(e *def.Expr) vset {
	if e == nil || a.env == nil {
		return unknown()
	}
	parsed, iss := a.env.Parse(e.Src)
	if iss != nil && iss.Err() != nil {
		return unknown()
	}
	return a.node(parsed.NativeRep().Expr())
}

func (a *analyser) node(e celast.Expr) vset {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return exact([]float64{float64(v)})
		case types.Double:
			return exact([]float64{float64(v)})
		case types.Bool:
			if v {
				return exact([]float64{1})
			}
			return exact([]float64{0})
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() == celast.IdentKind && !sel.IsTestOnly() {
			switch op.AsIdent() {
			case "answers":
				return a.item(sel.FieldName())
			case "scores":
				if s, ok := a.scores[sel.FieldName()]; ok {
					return s
				}
			}
		}
	case celast.CallKind:
		return a.call(e.AsCall())
	}
	return unknown()
}

func (a *analyser) call(c celast.CallExpr) vset {
	args := c.Args()
	if c.IsMemberFunction() {
		if t := c.Target(); t.Kind() == celast.IdentKind && t.AsIdent() == "answers" && len(args) >= 1 {
			return a.aggregate(c.FunctionName(), args)
		}
		return unknown()
	}
	switch c.FunctionName() {
	case "_?_:_":
		return union(a.node(args[1]), a.node(args[2]))
	case "_+_":
		return combine(a.node(args[0]), a.node(args[1]), func(x, y float64) float64 { return x + y })
	case "_-_":
		return combine(a.node(args[0]), a.node(args[1]), func(x, y float64) float64 { return x - y })
	case "_*_":
		return combine(a.node(args[0]), a.node(args[1]), func(x, y float64) float64 { return x * y })
	case "-_":
		return mapSet(a.node(args[0]), func(x float64) float64 { return -x })
	case "int", "double":
		if len(args) == 1 {
			s := a.node(args[0])
			if c.FunctionName() == "int" {
				return mapSet(s, math.Trunc)
			}
			return s
		}
	case "round":
		if len(args) == 2 && args[1].Kind() == celast.LiteralKind {
			if d, ok := args[1].AsLiteral().(types.Int); ok && d >= 0 && d <= 6 {
				p := math.Pow(10, float64(d))
				return mapSet(a.node(args[0]), func(x float64) float64 { return math.Floor(x*p+0.5) / p })
			}
		}
	}
	return unknown()
}

// aggregate analyses answers.sum/mean/answered/prorated_sum over a literal list of items.
func (a *analyser) aggregate(fn string, args []celast.Expr) vset {
	if args[0].Kind() != celast.ListKind {
		return unknown()
	}
	var sets []vset
	for _, el := range args[0].AsList().Elements() {
		if el.Kind() != celast.LiteralKind {
			return unknown()
		}
		id, ok := el.AsLiteral().(types.String)
		if !ok {
			return unknown()
		}
		s := a.item(string(id))
		if !s.ok {
			return unknown()
		}
		sets = append(sets, s)
	}
	n := len(sets)
	if n == 0 {
		return unknown()
	}
	sum := func(ss []vset) vset {
		acc := exact([]float64{0})
		for _, s := range ss {
			acc = combine(acc, s, func(x, y float64) float64 { return x + y })
		}
		return acc
	}
	switch fn {
	case "sum":
		return sum(sets)
	case "mean":
		return mapSet(sum(sets), func(x float64) float64 { return x / float64(n) })
	case "answered":
		return bounds(0, float64(n), true)
	case "prorated_sum":
		if len(args) != 2 || args[1].Kind() != celast.LiteralKind {
			return unknown()
		}
		k, ok := args[1].AsLiteral().(types.Int)
		if !ok || k < 0 {
			return unknown()
		}
		out := sum(sets) // nothing missing: the plain sum
		for m := 1; m <= int(k) && m < n; m++ {
			ans := n - m
			// The sums of ans answered items: every subset when they are few, else the bounds of all.
			var partial vset
			if same(sets) {
				partial = sum(sets[:ans])
			} else if binom(n, m) <= 256 {
				partial = unknown()
				first := true
				subsets(n, ans, func(idx []int) {
					var ss []vset
					for _, i := range idx {
						ss = append(ss, sets[i])
					}
					if first {
						partial, first = sum(ss), false
					} else {
						partial = union(partial, sum(ss))
					}
				})
			} else {
				return unknown()
			}
			scaled := mapSet(partial, func(s float64) float64 {
				// round half-up to one decimal, as the engine does: round(10·s·n / ans) / 10
				return math.Floor(10*s*float64(n)/float64(ans)+0.5) / 10
			})
			out = union(out, scaled)
		}
		out.integer = out.integer && k == 0
		return out
	}
	return unknown()
}

func same(sets []vset) bool {
	for _, s := range sets[1:] {
		if !slices.Equal(s.vals, sets[0].vals) || s.lo != sets[0].lo || s.hi != sets[0].hi {
			return false
		}
	}
	return true
}

func binom(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
		if r > 1<<20 {
			return r
		}
	}
	return r
}

// subsets calls f with every k-subset of 0..n-1.
func subsets(n, k int, f func([]int)) {
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			f(idx)
			return
		}
		for i := start; i < n; i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}
