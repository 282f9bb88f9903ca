package lint

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// maxCombos bounds the domain-value combinations one rule is evaluated over.
const maxCombos = 1 << 16

// ruleEnv is the CEL environment tier and referral conditions are checked in, on domain values alone:
// made once and shared (it is immutable).
var ruleEnv = sync.OnceValue(func() *cel.Env {
	env, err := cel.NewEnv(cel.Variable("domains", cel.MapType(cel.StringType, cel.DynType)), cel.Variable("tier", cel.StringType))
	if err != nil {
		return nil
	}
	return env
})

// rule is a tier or referral condition evaluated on domain values alone.
type rule struct {
	prog    cel.Program
	domains []string // the domains it reads, sorted
	tier    bool     // it reads tier
}

// RuleSet checks a compiled rule set's tiers and referrals: a condition that no combination of declared
// domain values satisfies can never fire (error), and a tier that fires only where an earlier tier already
// does is shadowed (error). Only conditions that read nothing but domains with declared values (and, for
// referrals, the tier) are decided; a condition that reads instruments or context directly is not.
func (c *Checker) RuleSet(rs *plan.RuleSet) {
	d := rs.Def
	values := map[string][]string{}
	canUnset := map[string]bool{}
	for _, dm := range rs.Domains {
		// A domain that declares not_assessed takes that value when it cannot be decided; one that does
		// not may be unset.
		canUnset[dm.ID] = dm.NotAssessed.Kind() != value.String
		var vs []string
		for _, v := range dm.Values {
			if v.Kind() != value.String {
				vs = nil
				break
			}
			vs = append(vs, v.S())
		}
		if vs != nil {
			values[dm.ID] = vs
		}
	}
	env := ruleEnv()
	if env == nil {
		return
	}
	compile := func(e *def.Expr) *rule {
		if e == nil {
			return nil
		}
		ast, iss := env.Parse(e.Src) // not type-checked: the walk below admits only domains and tier
		if iss != nil && iss.Err() != nil {
			return nil // it reads more than domains and the tier
		}
		r := &rule{}
		ok := true
		celast.PreOrderVisit(ast.NativeRep().Expr(), celast.NewExprVisitor(func(x celast.Expr) {
			switch x.Kind() {
			case celast.IdentKind:
				switch x.AsIdent() {
				case "tier":
					r.tier = true
				case "domains":
				default:
					ok = false // a comprehension variable, …: not modelled
				}
			case celast.SelectKind:
				if op := x.AsSelect().Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == "domains" {
					id := x.AsSelect().FieldName()
					if _, known := values[id]; !known {
						ok = false
					}
					if !slices.Contains(r.domains, id) {
						r.domains = append(r.domains, id)
					}
				}
			case celast.CallKind:
				// Not type-checked: a function the checking environment lacks (one of the engine's own)
				// would fail every evaluation and look like a rule that never fires.
				if fn := x.AsCall().FunctionName(); !strings.HasPrefix(fn, "_") && !strings.HasPrefix(fn, "@") && !env.HasFunction(fn) {
					ok = false
				}
			case celast.ComprehensionKind:
				ok = false
			}
		}))
		if !ok {
			return nil
		}
		slices.Sort(r.domains)
		prog, err := env.Program(ast)
		if err != nil {
			return nil
		}
		r.prog = prog
		return r
	}
	var tierIDs []string
	for _, t := range d.Tiers {
		tierIDs = append(tierIDs, t.ID)
	}
	// enumerate calls visit with every combination of the values of doms (a domain without a not_assessed
	// value may also be unset), with the tier taking each tier id when tier is set. It returns false when
	// there are too many combinations to try.
	states := func(id string) int {
		if canUnset[id] {
			return len(values[id]) + 1
		}
		return len(values[id])
	}
	enumerate := func(doms []string, tier bool, visit func(act interpreter.Activation)) bool {
		n := 1
		for _, id := range doms {
			n *= states(id)
			if n > maxCombos {
				return false
			}
		}
		tiers := []string{""}
		if tier {
			tiers = tierIDs
		}
		idx := make([]int, len(doms))
		m := map[string]any{} // one activation, updated in place
		vars := map[string]any{"domains": m, "tier": types.String("")}
		act, err := cel.NewActivation(vars)
		if err != nil {
			return false
		}
		for {
			for i, id := range doms {
				if idx[i] < len(values[id]) {
					m[id] = types.String(values[id][idx[i]])
				} else {
					delete(m, id)
				}
			}
			for _, t := range tiers {
				vars["tier"] = types.String(t)
				visit(act)
			}
			i := 0
			for ; i < len(doms); i++ {
				idx[i]++
				if idx[i] < states(doms[i]) {
					break
				}
				idx[i] = 0
			}
			if i == len(doms) {
				return true
			}
		}
	}
	holds := func(r *rule, act interpreter.Activation) bool {
		out, _, err := r.prog.Eval(act)
		return err == nil && out == types.True
	}

	// Tiers: never fires, or shadowed by the tiers before it.
	var earlier []*rule
	var earlierIDs []string
	decidable := true
	for i, t := range d.Tiers {
		if t.When == nil {
			continue
		}
		r := compile(t.When)
		if r == nil {
			decidable = false // later tiers cannot be checked for shadowing either
			continue
		}
		doms := slices.Clone(r.domains)
		for _, e := range earlier {
			for _, id := range e.domains {
				if !slices.Contains(doms, id) {
					doms = append(doms, id)
				}
			}
		}
		fires, alone := false, false
		var by []string // the earlier tiers that take its place
		ok := enumerate(doms, false, func(act interpreter.Activation) {
			if !holds(r, act) {
				return
			}
			fires = true
			for j, e := range earlier {
				if holds(e, act) {
					if id := earlierIDs[j]; !slices.Contains(by, id) {
						by = append(by, id)
					}
					return
				}
			}
			alone = true
		})
		switch {
		case !ok:
		case !fires:
			c.errAt(t.Pos, "never_fires", "tier %q can never apply: no combination of the declared values of %s satisfies its condition", t.ID, listText(r.domains))
		case decidable && !alone && i > 0:
			c.errAt(t.Pos, "shadowed_tier", "tier %q can never apply: whenever its condition holds, %s, tried before it, applies", t.ID, tierList(by))
		}
		earlierIDs = append(earlierIDs, t.ID)
		earlier = append(earlier, r)
	}
	for _, ref := range d.Referrals {
		r := compile(ref.When)
		if r == nil {
			continue
		}
		fires := false
		ok := enumerate(r.domains, r.tier, func(act interpreter.Activation) { fires = fires || holds(r, act) })
		if ok && !fires {
			what := "the declared values of " + listText(r.domains)
			if len(r.domains) == 0 {
				what = "tier"
			}
			c.errAt(ref.Pos, "never_fires", "referral %q can never be made: no combination of %s satisfies its condition", ref.ID, what)
		}
	}
}

func listText(ids []string) string {
	if len(ids) == 0 {
		return "no domain"
	}
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += "domains." + id
	}
	return out
}

func tierList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = strconv.Quote(id)
	}
	if len(q) == 1 {
		return "tier " + q[0]
	}
	return "tier " + strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
