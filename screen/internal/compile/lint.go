package compile

import (
	"github.com/painscreen/painscreen/screen/internal/lint"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// lint runs the static checks (package lint) over what compiled — every instrument, and the rule sets
// compiled (all of them in the validator's view, Options.All; the chosen one otherwise), so that a check's
// error fails every load alike: they judge definitions that otherwise compile, so only definitions without
// errors are checked.
func (c *compiler) lint(insts []*plan.Instrument, rules []*plan.RuleSet) {
	if c.errors() > 0 {
		return
	}
	// A set of definitions whose checks found nothing before finds nothing again: the verdict stands in
	// for them at load (not in the validator's view, which always runs them).
	var key Key
	if c.cache != nil || c.rec != nil {
		key = lintKey(insts, rules)
		if !c.all && c.cache != nil && c.cache.clean[key] {
			c.res.LintCached = true
			return
		}
	}
	before := len(*c.list)
	if c.rec != nil {
		defer func() { c.rec.verdict(key, len(*c.list) == before) }()
	}
	lc := &lint.Checker{List: c.list, LineOf: c.lineOf}
	readByRules := map[*plan.Instrument]map[int]bool{}
	for _, rs := range rules {
		var progs []*plan.Program
		for _, d := range rs.Domains {
			progs = append(progs, d.Prog)
			for _, s := range d.Sources {
				progs = append(progs, s.When, s.Expr)
			}
		}
		for _, t := range rs.Tiers {
			progs = append(progs, t.When)
		}
		for _, r := range rs.Referrals {
			progs = append(progs, r.When)
			progs = append(progs, r.Addenda...)
		}
		for _, p := range progs {
			if p == nil {
				continue
			}
			for _, r := range p.Reads.Inputs {
				in := rs.Inputs[r.Input].Inst
				if in == nil {
					continue
				}
				m := readByRules[in]
				if m == nil {
					m = map[int]bool{}
					readByRules[in] = m
				}
				for _, i := range r.Items {
					m[i] = true
				}
			}
		}
		lc.RuleSet(rs)
	}
	for _, in := range insts {
		lc.Instrument(in, readByRules[in])
	}
}
