package suite

import (
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
