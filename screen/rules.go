package screen

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/def"
)

type ruleSet struct {
	def      *def.RuleSet
	key      string
	version  string
	inputs   []*rsInput
	inputIdx map[string]int
	anyOf    [][]int
	domains  []*domain
	tiers    []*tier
	// referrals in report order: urgent, high, routine, then as defined.
	referrals []*referral
	domainsT  *structType
	prov      *provider
	domainErr []*fieldError
}

type rsInput struct {
	id       string
	inst     *instrument // the bound version
	required bool
	// absentReason is the static text used when a required input is absent.
	absentReason string
}

type domain struct {
	id          string
	rule        string
	name        string // domains.<id>
	prog        *prog
	values      []Value // declared values; nil = any string
	notAssessed Value   // the not_assessed value, when declared (else null)
	typ         *types.Type
}

type tier struct {
	id   string
	rule string
	when *prog // nil for the fallback
	val  Value
}

type referral struct {
	def     *def.Referral
	rule    string
	when    *prog
	addenda []*prog
}

var priorityRank = map[string]int{"urgent": 0, "high": 1, "routine": 2}

func (rs *ruleSet) inputInst(id string) *instrument {
	if i, ok := rs.inputIdx[id]; ok && rs.inputs[i].inst != nil {
		return rs.inputs[i].inst
	}
	return nil
}

func (rs *ruleSet) inputIDs() []string {
	var out []string
	for _, in := range rs.inputs {
		out = append(out, in.id)
	}
	return out
}

// compileRuleSet binds each input to the newest loaded instrument version its constraint allows, then
// compiles domains, tiers and referrals against those instruments' result types.
func (c *compiler) compileRuleSet(d *def.RuleSet, insts map[string][]*instrument) *ruleSet {
	errs := len(c.list.Errors())
	rs := &ruleSet{def: d, key: d.Key(), version: d.Version.String(), inputIdx: map[string]int{}}
	switch d.Status {
	case "draft":
		c.warnAt(d.StatusPos, "draft", "%s is a draft; reports will say so", rs.key)
	case "retired":
		c.warnAt(d.StatusPos, "retired", "%s is retired; reports will say so", rs.key)
	}
	p, err := newProvider()
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL type registry: %v", err)
		return nil
	}
	rs.prov = p
	var vars []cel.EnvOption
	for _, in := range d.Inputs {
		ri := &rsInput{id: in.ID, required: in.Required}
		var loaded []string
		for _, cand := range insts[in.ID] { // newest first
			loaded = append(loaded, cand.version)
			if ri.inst == nil && in.Constraint.Check(cand.def.Version) {
				ri.inst = cand
			}
		}
		switch {
		case len(loaded) == 0:
			c.errAt(in.Pos, "unknown_instrument", "input %q: no instrument %q is loaded", in.ID, in.ID)
		case ri.inst == nil:
			c.errAt(in.ConstraintPos, "unsatisfiable_constraint", "input %q: no loaded version satisfies %q (loaded: %s)", in.ID, in.Constraint.String(), strings.Join(loaded, ", "))
		default:
			for name, st := range ri.inst.prov.structs {
				p.structs[name] = st
			}
			vars = append(vars, cel.Variable(in.ID, ri.inst.resultT.typ))
		}
		ri.absentReason = fmt.Sprintf("required input %s (%s) is absent", in.ID, in.Constraint.String())
		rs.inputIdx[in.ID] = len(rs.inputs)
		rs.inputs = append(rs.inputs, ri)
	}
	for _, g := range d.AnyOf {
		var idx []int
		for _, id := range g.IDs {
			idx = append(idx, rs.inputIdx[id])
		}
		rs.anyOf = append(rs.anyOf, idx)
	}
	if len(c.list.Errors()) > errs {
		return nil
	}
	rs.domainsT = p.newStruct(rs.key + "/domains")
	opts := append([]cel.EnvOption{cel.CustomTypeProvider(p), cel.Variable("domains", rs.domainsT.typ)}, vars...)
	env, err := c.base.Extend(opts...)
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	scope := &exprScope{kind: scopeRules, rs: rs, itemLimit: -1}
	for di, dd := range d.Domains {
		scope.domLimit = di
		dm := &domain{id: dd.ID, rule: rs.key + "#domains." + dd.ID, name: "domains." + dd.ID}
		dm.prog = c.compileExpr(env, scope, dd.Expr, nil, dm.rule)
		if dm.prog != nil {
			dm.typ = dm.prog.typ
			if !slices.Contains([]*types.Type{types.StringType, types.BoolType, types.IntType, types.DoubleType}, dm.typ) {
				c.errAt(dd.Expr.Pos, "wrong_type", "domain %q must be a string, bool, int or double; the expression gives %s", dd.ID, typeName(dm.typ))
				dm.typ = nil
			}
		}
		if len(dd.Values) > 0 {
			if dm.typ != nil && dm.typ != types.StringType {
				c.errAt(dd.Pos, "wrong_type", "domain %q lists values, so its expression must give a string, not %s", dd.ID, typeName(dm.typ))
			}
			for _, v := range dd.Values {
				dm.values = append(dm.values, StringValue(v))
				if v == notAssessed {
					dm.notAssessed = StringValue(v)
				}
			}
			if dm.prog != nil {
				c.checkDomainLiterals(dd, dm)
			}
		}
		rs.domains = append(rs.domains, dm)
		idx := di
		unset := &fieldError{kind: readDomain, idx: di, name: dm.name}
		rs.domainErr = append(rs.domainErr, unset)
		if dm.typ != nil {
			rs.domainsT.add(dd.ID, dm.typ, func(t any) bool { return domainHas((*compEval)(t.(*domainsView)), idx).b() },
				func(t any) (any, error) { return getter(domainGet((*compEval)(t.(*domainsView)), idx)) })
		}
	}
	scope.domLimit = len(d.Domains)
	for _, t := range d.Tiers {
		ct := &tier{id: t.ID, rule: rs.key + "#tiers." + t.ID, val: StringValue(t.ID)}
		if t.When != nil {
			ct.when = c.compileExpr(env, scope, t.When, types.BoolType, ct.rule)
		}
		rs.tiers = append(rs.tiers, ct)
	}
	if len(d.Tiers) == 0 {
		c.errAt(d.IDPos, "schema", "a rule set needs at least one tier")
	}
	refEnv, err := env.Extend(cel.Variable("tier", types.StringType))
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	scope.tier = true
	for _, r := range d.Referrals {
		cr := &referral{def: r, rule: rs.key + "#referrals." + r.ID}
		cr.when = c.compileExpr(refEnv, scope, r.When, types.BoolType, cr.rule)
		for i, a := range r.Addenda {
			cr.addenda = append(cr.addenda, c.compileExpr(refEnv, scope, a.When, types.BoolType, fmt.Sprintf("%s.addenda[%d]", cr.rule, i)))
		}
		rs.referrals = append(rs.referrals, cr)
	}
	slices.SortStableFunc(rs.referrals, func(a, b *referral) int {
		return priorityRank[a.def.Priority] - priorityRank[b.def.Priority]
	})
	if len(c.list.Errors()) > errs {
		return nil
	}
	return rs
}

const notAssessed = "not_assessed"

// checkDomainLiterals reports string literals compared with a domain, or returned by it, that are not
// among its declared values — the typo "moderat" would otherwise never match.
func (c *compiler) checkDomainLiterals(dd *def.Domain, dm *domain) {
	// The returned literals: every string literal in the expression that is a possible result. A
	// conservative check: literals that appear as ternary branches or as the whole expression.
	var lits []string
	a, iss := c.base.Parse(dd.Expr.Src)
	if iss.Err() != nil {
		return
	}
	collectResultLiterals(a.NativeRep().Expr(), &lits)
	declared := make([]string, 0, len(dm.values))
	for _, v := range dm.values {
		declared = append(declared, v.s)
	}
	for _, l := range lits {
		if !slices.Contains(declared, l) {
			c.errAt(dd.Expr.Pos, "unknown_value", "domain %q can give %q, which is not among its values (%s)", dd.ID, l, strings.Join(declared, ", "))
		}
	}
}

// collectResultLiterals gathers the string literals an expression can return: the whole expression, or the
// branches of (nested) conditionals.
func collectResultLiterals(e celast.Expr, out *[]string) {
	switch e.Kind() {
	case celast.LiteralKind:
		if s, ok := e.AsLiteral().(types.String); ok {
			*out = append(*out, string(s))
		}
	case celast.CallKind:
		call := e.AsCall()
		if call.FunctionName() == operators.Conditional && len(call.Args()) == 3 {
			collectResultLiterals(call.Args()[1], out)
			collectResultLiterals(call.Args()[2], out)
		}
	}
}

// domainLiteralCheck reports string literals compared with a domain (==, !=, in) that the domain cannot
// take. It runs on rule-set expressions.
func (c *compiler) domainLiteralCheck(scope *exprScope, e *def.Expr, a *celast.AST, n celast.Expr) bool {
	if scope.kind != scopeRules || n.Kind() != celast.CallKind {
		return true
	}
	call := n.AsCall()
	fn := call.FunctionName()
	if fn != operators.Equals && fn != operators.NotEquals && fn != operators.In || len(call.Args()) != 2 {
		return true
	}
	lhs, rhs := call.Args()[0], call.Args()[1]
	var dom *domain
	var dd *def.Domain
	for _, side := range []celast.Expr{lhs, rhs} {
		if side.Kind() == celast.SelectKind && side.AsSelect().Operand().Kind() == celast.IdentKind &&
			side.AsSelect().Operand().AsIdent() == "domains" {
			for i, d := range scope.rs.def.Domains {
				if d.ID == side.AsSelect().FieldName() && i < len(scope.rs.domains) {
					dom, dd = scope.rs.domains[i], d
				}
			}
		}
	}
	if dom == nil || len(dom.values) == 0 {
		return true
	}
	var lits []celast.Expr
	for _, side := range []celast.Expr{lhs, rhs} {
		switch side.Kind() {
		case celast.LiteralKind:
			lits = append(lits, side)
		case celast.ListKind:
			lits = append(lits, side.AsList().Elements()...)
		}
	}
	ok := true
	for _, l := range lits {
		if l.Kind() != celast.LiteralKind {
			continue
		}
		s, isStr := l.AsLiteral().(types.String)
		if isStr && !slices.Contains(dom.values, StringValue(string(s))) {
			c.errAt(nodePos(e, a, l), "unknown_value", "domain %q never has the value %q (its values: %s)", dd.ID, string(s), strings.Join(dd.Values, ", "))
			ok = false
		}
	}
	return ok
}
