package suite

import (
	"strings"

	"cel.dev/cel-go/common"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"

	"github.com/painscreen/painscreen/screen/catalog"
)

// Coverage reads the definitions' CEL source (as catalog describes it) to find which items a score depends
// on and where a missing-data rule applies. The definitions compiled when the engine was built, so the
// source parses; an expression that somehow does not simply contributes nothing.

// exprRefs lists the items (answers.<id>, and the literal lists of answers.sum([...]) and its kin) and the
// scores (scores.<id>) an expression reads.
func exprRefs(src string) (items, scores []string) {
	root := parse(src)
	if root == nil {
		return nil, nil
	}
	ast.PostOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.SelectKind:
			sel := e.AsSelect()
			if op := sel.Operand(); op.Kind() == ast.IdentKind {
				switch op.AsIdent() {
				case "answers":
					items = append(items, sel.FieldName())
				case "scores":
					scores = append(scores, sel.FieldName())
				}
			}
		case ast.CallKind:
			call := e.AsCall()
			if !call.IsMemberFunction() || call.Target().Kind() != ast.IdentKind || call.Target().AsIdent() != "answers" {
				return
			}
			if args := call.Args(); len(args) > 0 {
				items = append(items, stringList(args[0])...)
			}
		}
	}))
	return items, scores
}

// missingRule is one missing-data rule: answers.prorated_sum([items], max), or answers.sum / answers.mean
// ([items]), which need every item (max 0).
type missingRule struct {
	items []string
	max   int
}

// missingRules finds the missing-data rules of an expression.
func missingRules(src string) []missingRule {
	root := parse(src)
	if root == nil {
		return nil
	}
	var out []missingRule
	ast.PreOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() != ast.CallKind {
			return
		}
		call := e.AsCall()
		if !call.IsMemberFunction() || call.Target().Kind() != ast.IdentKind || call.Target().AsIdent() != "answers" {
			return
		}
		switch fn, args := call.FunctionName(), call.Args(); {
		case (fn == "sum" || fn == "mean") && len(args) == 1:
			if items := stringList(args[0]); len(items) > 0 {
				out = append(out, missingRule{items: items})
			}
			return
		case fn != "prorated_sum" || len(args) != 2:
			return
		}
		n := call.Args()[1]
		if n.Kind() != ast.LiteralKind {
			return
		}
		k, ok := n.AsLiteral().(types.Int)
		if !ok {
			return
		}
		out = append(out, missingRule{items: stringList(call.Args()[0]), max: int(k)})
	}))
	return out
}

func stringList(e ast.Expr) []string {
	if e.Kind() != ast.ListKind {
		return nil
	}
	var out []string
	for _, el := range e.AsList().Elements() {
		if el.Kind() == ast.LiteralKind {
			if s, ok := el.AsLiteral().(types.String); ok {
				out = append(out, string(s))
			}
		}
	}
	return out
}

func parse(src string) ast.Expr {
	if src == "" {
		return nil
	}
	p, err := parser.NewParser(parser.Macros(parser.AllMacros...))
	if err != nil {
		return nil
	}
	a, errs := p.Parse(common.NewTextSource(src))
	if errs != nil && len(errs.GetErrors()) > 0 || a == nil {
		return nil
	}
	return a.Expr()
}

// depFinder computes the items a score depends on: those its condition and expression read, and those of
// the scores it reads (bands and lookups read their `of` score).
type depFinder struct {
	scores map[string]*catalog.ScoreDoc
	memo   map[string][]string
}

func newDepFinder(doc *catalog.InstrumentDoc) *depFinder {
	d := &depFinder{scores: map[string]*catalog.ScoreDoc{}, memo: map[string][]string{}}
	for i := range doc.Scores {
		d.scores[doc.Scores[i].ID] = &doc.Scores[i]
	}
	return d
}

func (d *depFinder) ofScore(id string) []string {
	if deps, ok := d.memo[id]; ok {
		return deps
	}
	d.memo[id] = nil // a cycle cannot compile; this only guards the recursion
	s := d.scores[id]
	if s == nil {
		return nil
	}
	set := map[string]bool{}
	var out []string
	add := func(items []string) {
		for _, it := range items {
			if !set[it] {
				set[it] = true
				out = append(out, it)
			}
		}
	}
	for _, src := range []string{s.When, s.Expr} {
		items, scores := exprRefs(src)
		add(items)
		for _, sc := range scores {
			add(d.ofScore(sc))
		}
	}
	if s.Of != "" {
		add(d.ofScore(s.Of))
	}
	d.memo[id] = out
	return out
}

// comparison is a comparison of a value with a constant in an expression: scores.total >= 3,
// answers.q9 >= 1, phq9.total >= 10, answers.sum(["a", "b", "c"]) >= 12, context.age >= 65. Each term of the
// value is a field path (scores.total, phq9.answers.q1) or an answers.sum call (sum: its items); the value
// is their sum.
type comparison struct {
	terms []term
	op    string // >=, >, <=, <  (the value on the left)
	n     float64
	// real is set when the constant is written as a double (50.0): the value is not a whole number.
	real bool
}

type term struct {
	path []string // field path: [scores total], [phq9 answers q1], [context age]
	sum  []string // answers.sum items
}

func (c comparison) operand() string {
	var parts []string
	for _, t := range c.terms {
		if t.sum != nil {
			parts = append(parts, `answers.sum(["`+strings.Join(t.sum, `", "`)+`"])`)
		} else {
			parts = append(parts, strings.Join(t.path, "."))
		}
	}
	return strings.Join(parts, " + ")
}

func (c comparison) String() string { return c.operand() + " " + c.op + " " + num(c.n) }

var flipped = map[string]string{">=": "<=", ">": "<", "<=": ">=", "<": ">"}

var compareOps = map[string]string{"_>=_": ">=", "_>_": ">", "_<=_": "<=", "_<_": "<"}

// comparisons finds the comparisons of a value with a numeric constant in an expression.
func comparisons(src string) []comparison {
	root := parse(src)
	if root == nil {
		return nil
	}
	var out []comparison
	ast.PreOrderVisit(root, ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() != ast.CallKind {
			return
		}
		call := e.AsCall()
		op, ok := compareOps[call.FunctionName()]
		if !ok || call.IsMemberFunction() || len(call.Args()) != 2 {
			return
		}
		l, r := call.Args()[0], call.Args()[1]
		if n, ok := numLiteral(l); ok { // 3 <= x is x >= 3
			l, r, op = r, l, flipped[op]
			if terms, ok := operandTerms(l); ok {
				out = append(out, comparison{terms: terms, op: op, n: n, real: isDouble(r)})
			}
			return
		}
		if n, ok := numLiteral(r); ok {
			if terms, ok := operandTerms(l); ok {
				out = append(out, comparison{terms: terms, op: op, n: n, real: isDouble(r)})
			}
		}
	}))
	return out
}

func isDouble(e ast.Expr) bool {
	_, ok := e.AsLiteral().(types.Double)
	return ok
}

func numLiteral(e ast.Expr) (float64, bool) {
	if e.Kind() != ast.LiteralKind {
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
func operandTerms(e ast.Expr) ([]term, bool) {
	switch e.Kind() {
	case ast.SelectKind:
		var path []string
		for e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly() {
			path = append([]string{e.AsSelect().FieldName()}, path...)
			e = e.AsSelect().Operand()
		}
		if e.Kind() != ast.IdentKind {
			return nil, false
		}
		return []term{{path: append([]string{e.AsIdent()}, path...)}}, true
	case ast.CallKind:
		call := e.AsCall()
		if call.FunctionName() == "_+_" && len(call.Args()) == 2 {
			a, okA := operandTerms(call.Args()[0])
			b, okB := operandTerms(call.Args()[1])
			return append(a, b...), okA && okB
		}
		if call.FunctionName() == "sum" && call.IsMemberFunction() && call.Target().Kind() == ast.IdentKind &&
			call.Target().AsIdent() == "answers" && len(call.Args()) == 1 {
			if items := stringList(call.Args()[0]); len(items) > 0 {
				return []term{{sum: items}}, true
			}
		}
	}
	return nil, false
}

// paths lists the field paths an expression reads, each as written from its first name: [domains oud],
// [phq9 total], [phq9 baseline total], [context sex], [tier]. has(x.y) reads x.y too.
func paths(src string) [][]string {
	root := parse(src)
	if root == nil {
		return nil
	}
	var out [][]string
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e.Kind() {
		case ast.IdentKind:
			out = append(out, []string{e.AsIdent()})
			return
		case ast.SelectKind:
			var path []string
			x := e
			for x.Kind() == ast.SelectKind {
				path = append([]string{x.AsSelect().FieldName()}, path...)
				x = x.AsSelect().Operand()
			}
			if x.Kind() == ast.IdentKind {
				out = append(out, append([]string{x.AsIdent()}, path...))
				return
			}
			walk(x)
			return
		case ast.CallKind:
			c := e.AsCall()
			if c.IsMemberFunction() {
				walk(c.Target())
			}
			for _, a := range c.Args() {
				walk(a)
			}
		case ast.ListKind:
			for _, el := range e.AsList().Elements() {
				walk(el)
			}
		case ast.MapKind:
			for _, en := range e.AsMap().Entries() {
				walk(en.AsMapEntry().Key())
				walk(en.AsMapEntry().Value())
			}
		case ast.ComprehensionKind:
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
