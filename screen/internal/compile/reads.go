package compile

import (
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// describe adds to r what the structure of a checked expression says beyond the fields it reads: its field
// paths as written, its cut-points and its missing-data rules (plan.Reads). It runs once per expression,
// when the definitions load; the catalogue passes the result on to the tools that describe definitions.
func (s *exprScope) describe(root celast.Expr, r *plan.Reads) {
	r.Paths = fieldPaths(root)
	celast.PreOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.CallKind {
			return
		}
		call := e.AsCall()
		if fn, items, ok := s.answersCall(call); ok {
			args := call.Args()
			switch {
			case (fn == "sum" || fn == "mean") && len(args) == 1:
				r.Missing = append(r.Missing, plan.MissingRule{Items: items})
			case fn == "prorated_sum" && len(args) == 2:
				if k, isInt := celenv.LiteralInt(args[1]); isInt {
					r.Missing = append(r.Missing, plan.MissingRule{Items: items, Max: int(k)})
				}
			}
			return
		}
		if c, ok := s.cut(call); ok {
			r.Cuts = append(r.Cuts, c)
		}
	}))
}

// answersCall recognises answers.<fn>([items] …) as the answers macros expand it (answers.@items_<fn> over
// item indices) and returns fn and the items by id.
func (s *exprScope) answersCall(call celast.CallExpr) (fn string, items []string, ok bool) {
	fn, isAgg := strings.CutPrefix(call.FunctionName(), celenv.ExpandedPrefix)
	if !isAgg || s.inst == nil || !call.IsMemberFunction() || call.Target().Kind() != celast.IdentKind ||
		call.Target().AsIdent() != "answers" || len(call.Args()) == 0 || call.Args()[0].Kind() != celast.ListKind {
		return "", nil, false
	}
	for _, el := range call.Args()[0].AsList().Elements() {
		i, isInt := celenv.LiteralInt(el)
		if !isInt || i < 0 || int(i) >= len(s.inst.Items) {
			return "", nil, false
		}
		items = append(items, s.inst.Items[i].ID)
	}
	return fn, items, len(items) > 0
}

var (
	compareOps = map[string]string{"_>=_": ">=", "_>_": ">", "_<=_": "<=", "_<_": "<"}
	flipped    = map[string]string{">=": "<=", ">": "<", "<=": ">=", "<": ">"}
)

// cut reads a comparison of a value (field paths, answers.sum calls, or a sum of them) with a numeric
// constant.
func (s *exprScope) cut(call celast.CallExpr) (plan.Cut, bool) {
	op, ok := compareOps[call.FunctionName()]
	if !ok || call.IsMemberFunction() || len(call.Args()) != 2 {
		return plan.Cut{}, false
	}
	l, r := call.Args()[0], call.Args()[1]
	if _, isNum := numLiteral(l); isNum { // 3 <= x is x >= 3
		l, r, op = r, l, flipped[op]
	}
	n, isNum := numLiteral(r)
	if !isNum {
		return plan.Cut{}, false
	}
	terms, ok := s.operandTerms(l)
	if !ok {
		return plan.Cut{}, false
	}
	_, real := r.AsLiteral().(types.Double)
	return plan.Cut{Terms: terms, Op: op, N: n, Real: real}, true
}

func numLiteral(e celast.Expr) (float64, bool) {
	if e.Kind() != celast.LiteralKind {
		return 0, false
	}
	switch v := e.AsLiteral().(type) {
	case types.Int:
		return float64(v), true
	case types.Uint:
		return float64(v), true
	case types.Double:
		return float64(v), true
	}
	return 0, false
}

// operandTerms reads a value that is a field path, an answers.sum call, or a sum of them.
func (s *exprScope) operandTerms(e celast.Expr) ([]plan.Term, bool) {
	switch e.Kind() {
	case celast.SelectKind:
		var path []string
		for e.Kind() == celast.SelectKind && !e.AsSelect().IsTestOnly() {
			path = append([]string{e.AsSelect().FieldName()}, path...)
			e = e.AsSelect().Operand()
		}
		if e.Kind() != celast.IdentKind {
			return nil, false
		}
		return []plan.Term{{Path: append([]string{e.AsIdent()}, path...)}}, true
	case celast.CallKind:
		call := e.AsCall()
		if call.FunctionName() == "_+_" && len(call.Args()) == 2 {
			a, okA := s.operandTerms(call.Args()[0])
			b, okB := s.operandTerms(call.Args()[1])
			return append(a, b...), okA && okB
		}
		if fn, items, ok := s.answersCall(call); ok && fn == "sum" && len(call.Args()) == 1 {
			return []plan.Term{{Sum: items}}, true
		}
	}
	return nil, false
}

// fieldPaths lists the field paths an expression reads, each as written from its first name.
func fieldPaths(root celast.Expr) [][]string {
	var out [][]string
	var walk func(e celast.Expr)
	walk = func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind:
			out = append(out, []string{e.AsIdent()})
		case celast.SelectKind:
			var path []string
			x := e
			for x.Kind() == celast.SelectKind {
				path = append([]string{x.AsSelect().FieldName()}, path...)
				x = x.AsSelect().Operand()
			}
			if x.Kind() == celast.IdentKind {
				out = append(out, append([]string{x.AsIdent()}, path...))
				return
			}
			walk(x)
		case celast.CallKind:
			c := e.AsCall()
			if c.IsMemberFunction() {
				walk(c.Target())
			}
			for _, a := range c.Args() {
				walk(a)
			}
		case celast.ListKind:
			for _, el := range e.AsList().Elements() {
				walk(el)
			}
		case celast.MapKind:
			for _, en := range e.AsMap().Entries() {
				walk(en.AsMapEntry().Key())
				walk(en.AsMapEntry().Value())
			}
		case celast.ComprehensionKind:
			c := e.AsComprehension()
			walk(c.IterRange())
			walk(c.AccuInit())
			walk(c.LoopCondition())
			walk(c.LoopStep())
			walk(c.Result())
		}
	}
	walk(root)
	return out
}
