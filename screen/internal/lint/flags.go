package lint

import (
	"fmt"
	"slices"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// flags reports every flag whose condition no answer can satisfy (never_fires, an error like a tier or
// referral that can never apply: a flag that cannot fire is a safety signal that is silently never raised,
// whatever its level). Only what the value analysis models is decided: comparisons of analysable numbers
// (answers, scores, literals and the arithmetic of values.go), combined with &&, || and ?:. Anything else
// may hold.
func (c *Checker) flags(in *def.Instrument, a *analyser) {
	for _, f := range in.Flags {
		if f.When == nil || a.env == nil {
			continue
		}
		parsed, iss := a.env.Parse(f.When.Src)
		if iss != nil && iss.Err() != nil {
			continue
		}
		info := parsed.NativeRep().SourceInfo()
		never, why, id := a.never(parsed.NativeRep().Expr())
		if !never {
			continue
		}
		pos := f.When.Pos
		if off := leftmost(parsed.NativeRep().Expr(), id, info); off >= 0 && off < len(f.When.Src) {
			pos = f.When.PosAt(off)
		}
		c.errAt(pos, "never_fires", "flag %q (%s) can never fire: %s", f.ID, levelText(f.Level), why)
	}
}

// leftmost is the source offset where the subexpression id starts (CEL places a call at its operator),
// or -1.
func leftmost(root celast.Expr, id int64, info *celast.SourceInfo) int {
	var sub celast.Expr
	celast.PreOrderVisit(root, celast.NewExprVisitor(func(x celast.Expr) {
		if x.ID() == id {
			sub = x
		}
	}))
	if sub == nil {
		return -1
	}
	best := -1
	celast.PreOrderVisit(sub, celast.NewExprVisitor(func(x celast.Expr) {
		if r, ok := info.GetOffsetRange(x.ID()); ok && r.Start >= 0 && (best < 0 || int(r.Start) < best) {
			best = int(r.Start)
		}
	}))
	return best
}

func levelText(level string) string {
	if level == "" {
		return "no level"
	}
	return level
}

// never reports whether a boolean condition can never hold, with why and the id of the part that cannot
// (for its position). It is conservative: false whenever the analysis cannot decide.
func (a *analyser) never(e celast.Expr) (bool, string, int64) {
	switch e.Kind() {
	case celast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok && !bool(b) {
			return true, "its condition is the constant false", e.ID()
		}
		return false, "", 0
	case celast.CallKind:
	default:
		return false, "", 0
	}
	call := e.AsCall()
	args := call.Args()
	if call.IsMemberFunction() {
		return false, "", 0
	}
	switch fn := call.FunctionName(); fn {
	case "_&&_":
		for _, x := range args {
			if n, why, id := a.never(x); n {
				return true, why, id
			}
		}
	case "_||_":
		var whys []string
		for _, x := range args {
			n, why, _ := a.never(x)
			if !n {
				return false, "", 0
			}
			whys = append(whys, why)
		}
		return true, joinWhy(whys), e.ID()
	case "_?_:_":
		n1, w1, _ := a.never(args[1])
		n2, w2, _ := a.never(args[2])
		if n1 && n2 {
			return true, joinWhy([]string{w1, w2}), e.ID()
		}
	case "_<_", "_<=_", "_>_", "_>=_", "_==_", "_!=_":
		x, y := a.node(args[0]), a.node(args[1])
		if !x.ok || !y.ok || !impossible(fn, x, y) {
			return false, "", 0
		}
		return true, fmt.Sprintf("%s %s %s cannot hold (%s)", exprText(args[0]), opText[fn], exprText(args[1]), setsText(args, x, y)), e.ID()
	}
	return false, "", 0
}

var opText = map[string]string{"_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=", "_==_": "==", "_!=_": "!="}

// impossible reports whether no value of x and no value of y satisfy x op y.
func impossible(fn string, x, y vset) bool {
	holds := func(p, q float64) bool {
		switch fn {
		case "_<_":
			return p < q
		case "_<=_":
			return p <= q
		case "_>_":
			return p > q
		case "_>=_":
			return p >= q
		case "_==_":
			return p == q
		}
		return p != q
	}
	if x.vals != nil && y.vals != nil && len(x.vals)*len(y.vals) <= 1<<16 {
		for _, p := range x.vals {
			for _, q := range y.vals {
				if holds(p, q) {
					return false
				}
			}
		}
		return true
	}
	switch fn {
	case "_<_":
		return x.lo >= y.hi
	case "_<=_":
		return x.lo > y.hi
	case "_>_":
		return x.hi <= y.lo
	case "_>=_":
		return x.hi < y.lo
	case "_==_":
		return x.hi < y.lo || x.lo > y.hi
	}
	return false // != over bounds: undecided
}

// exprText names a side of a comparison: answers.<id>, scores.<id> or a literal; anything else is "it".
func exprText(e celast.Expr) string {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return fmt.Sprint(int64(v))
		case types.Double:
			return num(float64(v))
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		if op := sel.Operand(); op.Kind() == celast.IdentKind {
			return op.AsIdent() + "." + sel.FieldName()
		}
	}
	return "the expression"
}

// setsText says what the non-literal sides can be: "answers.q9 is 0–3".
func setsText(args []celast.Expr, sets ...vset) string {
	var parts []string
	for i, s := range sets {
		if args[i].Kind() == celast.LiteralKind {
			continue
		}
		if len(s.vals) > 1 && len(s.vals) <= 8 && !contiguous(s.vals) {
			parts = append(parts, fmt.Sprintf("%s is one of %s", exprText(args[i]), valuesList(s.vals)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s is %s", exprText(args[i]), s.text()))
	}
	if len(parts) == 0 {
		return "both sides are constants"
	}
	return joinAnd(parts)
}

func contiguous(vals []float64) bool {
	for i := 1; i < len(vals); i++ {
		if vals[i] != vals[i-1]+1 {
			return false
		}
	}
	return true
}

func valuesList(vals []float64) string {
	var parts []string
	for _, v := range vals {
		parts = append(parts, num(v))
	}
	return joinAnd(parts)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	out := ""
	for i, p := range parts[:len(parts)-1] {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out + " and " + parts[len(parts)-1]
}

func joinWhy(whys []string) string {
	whys = slices.Compact(whys)
	out := ""
	for i, w := range whys {
		if i > 0 {
			out += "; "
		}
		out += w
	}
	return out
}
