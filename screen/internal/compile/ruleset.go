package compile

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// ruleSet binds each input to the newest loaded instrument version its constraint allows, then compiles
// domains, tiers and referrals against those instruments' result types.
func (c *compiler) ruleSet(d *def.RuleSet, insts map[string][]*plan.Instrument) *plan.RuleSet {
	errs := c.errors()
	rs := &plan.RuleSet{Def: d, Key: d.Key(), Version: d.Version.String(), InputIdx: map[string]int{}}
	switch d.Status {
	case "draft":
		c.warnAt(d.StatusPos, "draft", "%s is a draft; reports will say so", rs.Key)
	case "retired":
		c.warnAt(d.StatusPos, "retired", "%s is retired; reports will say so", rs.Key)
	}
	p, err := celenv.NewProvider()
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL type registry: %v", err)
		return nil
	}
	var vars []cel.EnvOption
	for _, in := range d.Inputs {
		ri := &plan.Input{ID: in.ID, Required: in.Required}
		var loaded []string
		for _, cand := range insts[in.ID] { // newest first
			loaded = append(loaded, cand.Version)
			if ri.Inst == nil && in.Constraint.Check(cand.Def.Version) {
				ri.Inst = cand
			}
		}
		switch {
		case len(loaded) == 0:
			c.errAt(in.Pos, "unknown_instrument", "input %q: no instrument %q is loaded", in.ID, in.ID)
		case ri.Inst == nil:
			c.errAt(in.ConstraintPos, "unsatisfiable_constraint", "input %q: no loaded version satisfies %q (loaded: %s)", in.ID, in.Constraint.String(), strings.Join(loaded, ", "))
		default:
			p.Import(c.provs[ri.Inst])
			vars = append(vars, cel.Variable(in.ID, ri.Inst.ResultType))
		}
		ri.AbsentReason = fmt.Sprintf("required input %s (%s) is absent", in.ID, in.Constraint.String())
		rs.InputIdx[in.ID] = len(rs.Inputs)
		rs.Inputs = append(rs.Inputs, ri)
	}
	for _, g := range d.AnyOf {
		var idx []int
		for _, id := range g.IDs {
			idx = append(idx, rs.InputIdx[id])
		}
		rs.AnyOf = append(rs.AnyOf, idx)
	}
	if c.errors() > errs {
		return nil
	}
	domainsT := p.NewStruct(rs.Key + "/domains")
	rs.DomainsType = domainsT.Type
	contextT := p.NewStruct(rs.Key + "/context")
	rs.ContextType = contextT.Type
	for _, cf := range d.Context {
		f, t := c.declareContext(cf)
		if f == nil {
			continue
		}
		unset := &plan.FieldError{Kind: plan.ReadContext, Idx: f.Slot, Name: f.Names.Local, Words: ctxWords(f)}
		rs.Context = append(rs.Context, f.Slot)
		rs.CtxUnset = append(rs.CtxUnset, unset)
		has, get := c.rt.ContextField(f.Slot, unset)
		contextT.Add(cf.ID, t, has, get)
	}
	rs.CtxUnknownMsgs = contextUnknownMessages(d.Context)
	if pop := d.Population; pop != nil {
		rs.HasPopulation, rs.MinAge, rs.AgeSlot = true, pop.MinAge, c.ctxIdx["age"].Slot
	}
	followupT := p.NewStruct(rs.Key + "/followup")
	rs.FollowupType = followupT.Type
	rs.DaysUnset = &plan.FieldError{Kind: plan.ReadDays, Name: "followup.days"}
	has, get := c.rt.DaysField()
	followupT.Add("days", types.IntType, has, get)
	opts := append([]cel.EnvOption{cel.CustomTypeProvider(p), cel.Variable("domains", domainsT.Type),
		cel.Variable("context", contextT.Type), cel.Variable("followup", followupT.Type)}, vars...)
	env, err := c.base.Extend(opts...)
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	// The environment's declarations come from the rule set and the instrument versions it binds.
	tag := "r " + d.Digest
	for _, ri := range rs.Inputs {
		if ri.Inst != nil {
			tag += " " + ri.Inst.Def.Digest
		} else {
			tag += " -"
		}
	}
	c.tagEnv(env, tag)
	scope := &exprScope{kind: scopeRules, rs: rs, itemLimit: -1}
	for di, dd := range d.Domains {
		scope.domLimit = di
		dm := &plan.Domain{ID: dd.ID, Rule: rs.Key + "#domains." + dd.ID, Names: plan.NewNames("domains."+dd.ID, "domains."+dd.ID),
			Label: dd.Label}
		if dm.Label == "" {
			dm.Label = plan.Words(dd.ID)
		}
		for _, v := range dd.Values {
			dm.Values = append(dm.Values, value.OfString(v))
			if v == plan.NotAssessed {
				dm.NotAssessed = value.OfString(v)
			}
		}
		if dd.Expr != nil {
			dm.Prog = c.compileExpr(env, scope, dd.Expr, nil, dm.Rule)
		} else {
			dm.Type = types.StringType
			c.sources(env, scope, rs, dd, dm)
		}
		if dm.Prog != nil {
			dm.Type = dm.Prog.Type
			if !slices.Contains([]*types.Type{types.StringType, types.BoolType, types.IntType, types.DoubleType}, dm.Type) {
				c.errAt(dd.Expr.Pos, "wrong_type", "domain %q must be a string, bool, int or double; the expression gives %s", dd.ID, typeName(dm.Type))
				dm.Type = nil
			}
		}
		if len(dd.Values) > 0 {
			if dm.Type != nil && dm.Type != types.StringType {
				c.errAt(dd.Pos, "wrong_type", "domain %q lists values, so its expression must give a string, not %s", dd.ID, typeName(dm.Type))
			}
			if dm.Prog != nil {
				c.checkDomainLiterals(dd, dd.Expr, dm)
			}
		}
		dm.Questionnaire = len(dm.Sources) > 0 || (dm.Prog != nil && len(dm.Prog.Reads.Inputs) > 0)
		dm.Unset = &plan.FieldError{Kind: plan.ReadDomain, Idx: di, Name: dm.Names.Local}
		rs.Domains = append(rs.Domains, dm)
		if dm.Type != nil {
			has, get := c.rt.DomainField(di)
			domainsT.Add(dd.ID, dm.Type, has, get)
		}
	}
	scope.domLimit = len(d.Domains)
	for _, t := range d.Tiers {
		ct := &plan.Tier{ID: t.ID, Rule: rs.Key + "#tiers." + t.ID, Val: value.OfString(t.ID)}
		if t.When != nil {
			ct.When = c.compileExpr(env, scope, t.When, types.BoolType, ct.Rule)
		}
		rs.Tiers = append(rs.Tiers, ct)
	}
	if len(d.Tiers) == 0 {
		c.errAt(d.IDPos, "schema", "a rule set needs at least one tier")
	}
	tierDeps(rs)
	domainReads(rs)
	refEnv, err := env.Extend(cel.Variable("tier", types.StringType))
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	c.tagEnv(refEnv, tag+" referrals")
	scope.tier = true
	for _, r := range d.Referrals {
		cr := &plan.Referral{Def: r, Rule: rs.Key + "#referrals." + r.ID, Expands: strings.Contains(r.Text, "{not_assessed}")}
		for _, a := range r.Addenda {
			cr.Expands = cr.Expands || strings.Contains(a.Text, "{not_assessed}")
		}
		cr.When = c.compileExpr(refEnv, scope, r.When, types.BoolType, cr.Rule)
		c.clinicianWords(r, cr)
		for i, a := range r.Addenda {
			cr.Addenda = append(cr.Addenda, c.compileExpr(refEnv, scope, a.When, types.BoolType, fmt.Sprintf("%s.addenda[%d]", cr.Rule, i)))
		}
		rs.Referrals = append(rs.Referrals, cr)
	}
	slices.SortStableFunc(rs.Referrals, func(a, b *plan.Referral) int {
		return plan.PriorityRank[a.Def.Priority] - plan.PriorityRank[b.Def.Priority]
	})
	if c.errors() > errs {
		return nil
	}
	return rs
}

// checkDomainLiterals reports string literals compared with a domain, or returned by it, that are not
// among its declared values — the typo "moderat" would otherwise never match.
func (c *compiler) checkDomainLiterals(dd *def.Domain, e *def.Expr, dm *plan.Domain) {
	// The returned literals: every string literal in the expression that is a possible result. A
	// conservative check: literals that appear as ternary branches or as the whole expression.
	lits := c.resultLiterals(e)
	declared := make([]string, 0, len(dm.Values))
	for _, v := range dm.Values {
		declared = append(declared, v.S())
	}
	for _, l := range lits {
		if !slices.Contains(declared, l) {
			c.errAt(e.Pos, "unknown_value", "domain %q can give %q, which is not among its values (%s)", dd.ID, l, strings.Join(declared, ", "))
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
	var dom *plan.Domain
	var dd *def.Domain
	for _, side := range []celast.Expr{lhs, rhs} {
		if side.Kind() == celast.SelectKind && side.AsSelect().Operand().Kind() == celast.IdentKind &&
			side.AsSelect().Operand().AsIdent() == "domains" {
			for i, d := range scope.rs.Def.Domains {
				if d.ID == side.AsSelect().FieldName() && i < len(scope.rs.Domains) {
					dom, dd = scope.rs.Domains[i], d
				}
			}
		}
	}
	if dom == nil || len(dom.Values) == 0 {
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
		if isStr && !slices.Contains(dom.Values, value.OfString(string(s))) {
			c.errAt(nodePos(e, a, l), "unknown_value", "domain %q never has the value %q (its values: %s)", dd.ID, string(s), strings.Join(dd.Values, ", "))
			ok = false
		}
	}
	return ok
}

// resultLiterals returns the string literals an expression can return.
func (c *compiler) resultLiterals(e *def.Expr) []string {
	var lits []string
	a := c.shape(e)
	if a == nil {
		return nil
	}
	collectResultLiterals(a.Expr(), &lits)
	return lits
}

// sources compiles a domain's sources: each reads one input (and only it); its condition is a bool, its
// expression a string among the domain's values. The values a source can give are worked out where the
// expression shows them: the literals it returns, or the labels of the banded score it reads.
func (c *compiler) sources(env *cel.Env, scope *exprScope, rs *plan.RuleSet, dd *def.Domain, dm *plan.Domain) {
	if len(dd.Values) == 0 {
		c.errAt(dd.Pos, "schema", "domain %q has sources, so it must list its values (including %s)", dd.ID, plan.NotAssessed)
	} else if !slices.Contains(dd.Values, plan.NotAssessed) {
		c.errAt(dd.Pos, "schema", "domain %q has sources, so its values must include %s (the value when no source decides)", dd.ID, plan.NotAssessed)
	}
	for i, src := range dd.Sources {
		in, ok := rs.InputIdx[src.Input]
		if !ok {
			continue // reported by the parser
		}
		scope.source = src.Input
		rule := fmt.Sprintf("%s.sources[%d]", dm.Rule, i)
		ps := &plan.Source{Input: in}
		if src.When != nil {
			ps.When = c.compileExpr(env, scope, src.When, types.BoolType, rule+".when")
		}
		ps.Expr = c.compileExpr(env, scope, src.Expr, types.StringType, rule)
		scope.source = ""
		if ps.Expr == nil {
			continue
		}
		c.checkDomainLiterals(dd, src.Expr, dm)
		ps.Deps = sourceDeps(rs.Inputs[in].Inst, ps.Expr, in)
		for _, l := range c.resultLiterals(src.Expr) {
			if v := value.OfString(l); !slices.Contains(ps.Gives, v) {
				ps.Gives = append(ps.Gives, v)
			}
		}
		if len(ps.Gives) == 0 {
			ps.Gives = c.bandLabels(rs.Inputs[in].Inst, src.Expr)
		}
		dm.Sources = append(dm.Sources, ps)
	}
}

// bandLabels returns the labels of the banded score an expression reads as a whole (<input>.<score>), or nil.
func (c *compiler) bandLabels(in *plan.Instrument, e *def.Expr) []value.Value {
	a := c.shape(e)
	if a == nil || in == nil {
		return nil
	}
	x := a.Expr()
	if x.Kind() != celast.SelectKind || x.AsSelect().Operand().Kind() != celast.IdentKind {
		return nil
	}
	si := in.ScoreIndex(x.AsSelect().FieldName())
	if si < 0 || in.Scores[si].Kind != plan.ScoreBands {
		return nil
	}
	var out []value.Value
	for _, b := range in.Scores[si].Bands {
		if !slices.Contains(out, b.Label) {
			out = append(out, b.Label)
		}
	}
	return out
}

// contextUnknownMessages makes the message of the composite note context_unknown for every set of unknown
// declared context fields (bit i: the i-th field), so that a report carries it without allocating. Past
// 10 fields it returns nil and the report builds the message.
func contextUnknownMessages(fields []def.ContextField) []string {
	if len(fields) == 0 || len(fields) > 10 {
		return nil
	}
	out := make([]string, 1<<len(fields))
	for m := 1; m < len(out); m++ {
		var ids []string
		for i, f := range fields {
			if m&(1<<i) != 0 {
				ids = append(ids, (&plan.CtxField{ID: f.ID, Label: f.Label}).Named())
			}
		}
		out[m] = plan.ContextUnknownMessage(ids)
	}
	return out
}

// clinicianWords warns about a referral that a clinician would read without words: no text, or a condition
// that reads nothing, so that it would fire with an empty "Because:".
func (c *compiler) clinicianWords(r *def.Referral, cr *plan.Referral) {
	if strings.TrimSpace(r.Text) == "" {
		c.warnAt(r.Pos, "empty_text", "referral %q has no text: a clinician would read an empty recommendation", r.ID)
	}
	if cr.When != nil && len(cr.When.Reads.Paths) == 0 {
		c.warnAt(r.When.Pos, "empty_reason", "referral %q reads nothing: it would be shown without a reason; make its condition read what causes it", r.ID)
	}
}
