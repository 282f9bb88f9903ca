package compile

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// checkRefs walks the parsed expression and reports references to items, scores, context fields,
// instruments, domains and functions that do not exist, naming the alternatives. The type checker would
// also catch most of these, but only as "undefined field".
func (c *compiler) checkRefs(env *cel.Env, scope *exprScope, e *def.Expr, parsed *cel.Ast) bool {
	a := parsed.NativeRep()
	ok := true
	local := map[string]bool{}
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(n celast.Expr) {
		if n.Kind() == celast.ComprehensionKind {
			cm := n.AsComprehension()
			local[cm.IterVar()], local[cm.AccuVar()] = true, true
			if v := cm.IterVar2(); v != "" {
				local[v] = true
			}
		}
	}))
	fail := func(n celast.Expr, code, format string, args ...any) {
		ok = false
		if code != "" { // "": a follow-on of a problem reported where it arose
			c.errAt(nodePos(e, a, n), code, format, args...)
		}
	}
	celast.PreOrderVisit(a.Expr(), celast.NewExprVisitor(func(n celast.Expr) {
		switch n.Kind() {
		case celast.SelectKind:
			sel := n.AsSelect()
			op := sel.Operand()
			field := sel.FieldName()
			if op.Kind() == celast.IdentKind && !local[op.AsIdent()] {
				c.checkSelect(scope, op.AsIdent(), field, func(code, format string, args ...any) { fail(n, code, format, args...) })
			} else if op.Kind() == celast.SelectKind && op.AsSelect().Operand().Kind() == celast.IdentKind && scope.kind == scopeRules {
				// phq9.answers.q9, phq9.flags.x
				inner := op.AsSelect()
				if in := scope.rs.InputInst(inner.Operand().AsIdent()); in != nil {
					switch inner.FieldName() {
					case "answers":
						if _, found := in.ItemIdx[field]; !found {
							fail(n, "unknown_item", "%s has no item %q%s", in.Key, field, didYouMean(field, itemIDs(in.Def)))
						}
					case "flags":
						if in.FlagIndex(field) < 0 {
							fail(n, "unknown_flag", "%s has no flag %q", in.Key, field)
						}
					case "followup":
						if in.FollowIndex(field) < 0 {
							fail(n, "unknown_followup", "%s has no follow-up measure %q", in.Key, field)
						}
					case "baseline":
						if in.ScoreIndex(field) < 0 {
							fail(n, "unknown_score", "%s has no score %q%s", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
						}
					}
				}
			}
		case celast.CallKind:
			if !c.domainLiteralCheck(scope, e, a, n) {
				ok = false
			}
			call := n.AsCall()
			fn := call.FunctionName()
			if call.IsMemberFunction() && celenv.IsAnswerFunction(fn) {
				// The macro did not expand it: say why.
				c.checkItemList(scope, e, a, call, fail)
			}
			if call.IsMemberFunction() && strings.HasPrefix(fn, celenv.ExpandedPrefix) && scope.itemLimit >= 0 {
				for _, el := range call.Args()[0].AsList().Elements() {
					if i, ok := celenv.LiteralInt(el); ok && int(i) >= scope.itemLimit {
						code, msg := laterItem(scope.inst.Items[i].ID, int(i), scope.itemLimit)
						fail(el, code, "%s", msg)
					}
				}
			}
			if !strings.HasPrefix(fn, "_") && !strings.HasPrefix(fn, "@") && !env.HasFunction(fn) && !isMacroName(fn) && !(call.IsMemberFunction() && celenv.IsAnswerFunction(fn)) {
				fail(n, "unknown_function", "there is no function %q", fn)
			}
		case celast.IdentKind:
			// Bare identifiers: variables must exist.
			name := n.AsIdent()
			if scope.source != "" && !local[name] && name != scope.source && scope.rs.InputInst(name) != nil {
				fail(n, "source_input", "a source of input %q may read only %s (another input is another source)", scope.source, scope.source)
			}
			if !local[name] && !scope.knownIdent(name) {
				switch scope.kind {
				case scopeInstrument:
					fail(n, "unknown_reference", "%q is not defined here: expressions read answers.<item>, scores.<score> and context.<field>%s", name, didYouMean(name, []string{"answers", "scores", "context"}))
				case scopeFollowUp:
					fail(n, "unknown_reference", "%q is not defined here: follow-up measures read baseline.<score>, current.<score> and days%s", name, didYouMean(name, []string{"baseline", "current", "days"}))
				default:
					fail(n, "unknown_instrument", "%q is not an input of %s%s (inputs: %s)", name, scope.rs.Key, didYouMean(name, scope.rs.InputIDs()), strings.Join(scope.rs.InputIDs(), ", "))
				}
			}
		}
	}))
	return ok
}

// laterItem is the diagnostic (code and message) of skip logic that reads item id, at index i, from the
// item at index limit: itself, or one that comes later.
func laterItem(id string, i, limit int) (code, msg string) {
	if i == limit {
		return "self_reference", fmt.Sprintf("skip logic of %q reads the item itself; it may read only earlier items", id)
	}
	return "forward_reference", fmt.Sprintf("skip logic may read only earlier items; %q comes later", id)
}

func isMacroName(fn string) bool {
	switch fn {
	case "has", "all", "exists", "exists_one", "map", "filter", "optMap", "optFlatMap":
		return true
	}
	return false
}

func (s *exprScope) knownIdent(name string) bool {
	switch s.kind {
	case scopeInstrument:
		return name == "answers" || name == "scores" || name == "context"
	case scopeFollowUp:
		return name == "baseline" || name == "current" || name == "days"
	}
	if name == "domains" || name == "context" || name == "followup" || (name == "tier" && s.tier) {
		return true
	}
	return s.rs.InputInst(name) != nil
}

// checkSelect validates <ident>.<field>.
func (c *compiler) checkSelect(scope *exprScope, ident, field string, fail func(code, format string, args ...any)) {
	switch scope.kind {
	case scopeInstrument:
		in := scope.inst
		switch ident {
		case "answers":
			i, found := in.ItemIdx[field]
			switch {
			case !found:
				fail("unknown_item", "%s has no item %q%s", in.Key, field, didYouMean(field, itemIDs(in.Def)))
			case scope.itemLimit >= 0 && i >= scope.itemLimit:
				code, msg := laterItem(field, i, scope.itemLimit)
				fail(code, "%s", msg)
			}
		case "scores":
			for i, s := range in.Def.Scores {
				if s.ID == field {
					switch {
					case i == scope.scoreLimit:
						fail("self_reference", "score %q reads itself; an expression may read only earlier scores", field)
					case i > scope.scoreLimit:
						fail("forward_reference", "score %q is defined later; an expression may read only earlier scores", field)
					case failedScore(in, i):
						fail("", "") // the score's own problem is reported: not every use of it again
					}
					return
				}
			}
			fail("unknown_score", "%s has no score %q%s", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
		case "context":
			if !slices.ContainsFunc(in.Def.Context, func(f def.ContextField) bool { return f.ID == field }) {
				fail("unknown_context", "context field %q is not declared in this definition's context section", field)
			}
		}
	case scopeFollowUp:
		if ident != "baseline" && ident != "current" {
			return
		}
		i := scope.inst.ScoreIndex(field)
		switch {
		case i < 0:
			fail("unknown_score", "%s has no score %q%s", scope.inst.Key, field, didYouMean(field, scoreIDs(scope.inst.Def)))
		case failedScore(scope.inst, i):
			fail("", "") // reported where the score is defined
		}
	case scopeRules:
		rs := scope.rs
		if ident == "followup" {
			if field != "days" {
				fail("unknown_reference", "followup has one field, days (not %q)", field)
			}
			return
		}
		if ident == "context" {
			if !slices.ContainsFunc(rs.Def.Context, func(f def.ContextField) bool { return f.ID == field }) {
				fail("unknown_context", "context field %q is not declared in this rule set's context section", field)
			}
			return
		}
		if ident == "domains" {
			for i, d := range rs.Def.Domains {
				if d.ID == field {
					switch {
					case i == scope.domLimit:
						fail("self_reference", "domain %q reads itself; a domain may read only earlier ones", field)
					case i > scope.domLimit:
						fail("forward_reference", "domain %q is defined later; a domain may read only earlier ones", field)
					}
					return
				}
			}
			var ids []string
			for _, d := range rs.Def.Domains {
				ids = append(ids, d.ID)
			}
			fail("unknown_domain", "%s has no domain %q%s", rs.Key, field, didYouMean(field, ids))
			return
		}
		in := rs.InputInst(ident)
		if in == nil {
			return // reported as an identifier
		}
		if field == "status" || field == "answers" || field == "flags" || field == "baseline" || field == "followup" {
			return
		}
		for _, s := range in.Scores {
			if s.ID == field {
				return
			}
		}
		fail("unknown_score", "%s has no score %q%s (also: status, answers, flags, baseline, followup)", in.Key, field, didYouMean(field, scoreIDs(in.Def)))
	}
}

// checkItemList checks the literal item list of answers.sum([...]) and friends.
func (c *compiler) checkItemList(scope *exprScope, e *def.Expr, a *celast.AST, call celast.CallExpr, fail func(celast.Expr, string, string, ...any)) {
	if t := call.Target(); t.Kind() == celast.IdentKind && t.AsIdent() != "answers" && !scope.knownIdent(t.AsIdent()) {
		return // answer.sum(...): the unknown name is reported, with its "did you mean"
	}
	if scope.kind != scopeInstrument || call.Target().Kind() != celast.IdentKind || call.Target().AsIdent() != "answers" {
		fail(call.Target(), "unknown_function", "%s() is a function of answers: answers.%s([\"item\", ...])", call.FunctionName(), call.FunctionName())
		return
	}
	if want := map[string]int{"sum": 1, "mean": 1, "answered": 1, "prorated_sum": 2}[call.FunctionName()]; len(call.Args()) != want {
		fail(call.Target(), "item_list", "answers.%s takes %d argument(s)", call.FunctionName(), want)
		return
	}
	in := scope.inst
	args := call.Args()
	if len(args) == 0 {
		return
	}
	list := args[0]
	if list.Kind() != celast.ListKind {
		fail(list, "item_list", "answers.%s needs a literal list of item ids, such as [\"q1\", \"q2\"]", call.FunctionName())
		return
	}
	seen := map[string]bool{}
	elems := list.AsList().Elements()
	if len(elems) == 0 {
		fail(list, "item_list", "answers.%s needs at least one item", call.FunctionName())
	}
	for _, el := range elems {
		if el.Kind() != celast.LiteralKind {
			fail(el, "item_list", "item ids must be written as string literals")
			continue
		}
		s, isStr := el.AsLiteral().(types.String)
		if !isStr {
			fail(el, "item_list", "item ids must be strings")
			continue
		}
		id := string(s)
		i, found := in.ItemIdx[id]
		switch {
		case !found:
			fail(el, "unknown_item", "%s has no item %q%s", in.Key, id, didYouMean(id, unlisted(in.Def, elems)))
		case seen[id]:
			fail(el, "item_list", "item %q is listed twice", id)
		case scope.itemLimit >= 0 && i >= scope.itemLimit:
			code, msg := laterItem(id, i, scope.itemLimit)
			fail(el, code, "%s", msg)
		}
		seen[id] = true
	}
	if call.FunctionName() == "prorated_sum" && len(args) == 2 {
		k := args[1]
		lit, isInt := celenv.LiteralInt(k)
		switch {
		case !isInt:
			fail(k, "item_list", "prorated_sum's second argument (how many items may be missing) must be a whole-number literal")
		case lit < 0 || lit >= int64(len(elems)):
			fail(k, "item_list", "prorated_sum may allow 0 to %d missing items of %d, not %d", len(elems)-1, len(elems), lit)
		}
	}
}

// failedScore reports whether the instrument's score i (compiled already) failed to compile: its own
// diagnostic says why, and an expression that reads it is not checked further (the type checker would
// call every use of it an undefined field).
func failedScore(in *plan.Instrument, i int) bool {
	return i < len(in.Scores) && in.Scores[i].Type == nil
}

// unlisted is the instrument's items that an item list does not name: what a misspelled id in the list
// was probably meant to be (["a", "c"] on items a and b meant "b"). All items when the list names them all.
func unlisted(d *def.Instrument, elems []celast.Expr) []string {
	var out []string
	for _, id := range itemIDs(d) {
		if !slices.ContainsFunc(elems, func(el celast.Expr) bool {
			if el.Kind() != celast.LiteralKind {
				return false
			}
			s, ok := el.AsLiteral().(types.String)
			return ok && string(s) == id
		}) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return itemIDs(d)
	}
	return out
}
