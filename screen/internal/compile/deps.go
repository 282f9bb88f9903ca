package compile

import (
	"slices"

	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Dependencies: which items each score, flag and rule-set source depends on. Deciding a result from
// completions (determinacy) enumerates only the missing items it depends on, which keeps it exact and
// small: the other items cannot change it.

// instrumentDeps fills Score.Deps and Flag.Deps: the items a result's expressions read, the items the scores
// it reads depend on, and the items that gate those items through skip logic.
func instrumentDeps(in *plan.Instrument) {
	for _, s := range in.Scores {
		m := make([]bool, len(in.Items))
		for _, p := range []*plan.Program{s.When, s.Expr} {
			if p != nil {
				addReads(in, m, p.Reads.Items, p.Reads.Scores)
			}
		}
		if s.Kind == plan.ScoreBands || s.Kind == plan.ScoreLookup {
			if s.Of >= 0 && s.Of < len(in.Scores) {
				or(m, in.Scores[s.Of].Deps)
			}
		}
		s.Deps = gate(in, m)
	}
	for _, f := range in.Flags {
		m := make([]bool, len(in.Items))
		if f.When != nil {
			addReads(in, m, f.When.Reads.Items, f.When.Reads.Scores)
		}
		f.Deps = gate(in, m)
	}
}

// addReads marks the items and the dependencies of the scores an expression reads (earlier scores only,
// whose Deps are already known).
func addReads(in *plan.Instrument, m []bool, items, scores []int) {
	for _, i := range items {
		m[i] = true
	}
	for _, si := range scores {
		if si < len(in.Scores) && in.Scores[si].Deps != nil {
			or(m, in.Scores[si].Deps)
		}
	}
}

// gate adds the items that the skip logic of marked items reads, until nothing changes (skip logic reads
// only earlier items, so one pass from the last item back suffices).
func gate(in *plan.Instrument, m []bool) []bool {
	for i := len(in.Items) - 1; i >= 0; i-- {
		if m[i] && in.Items[i].Enable != nil {
			for _, j := range in.Items[i].Enable.Reads.Items {
				m[j] = true
			}
		}
	}
	return m
}

func or(dst, src []bool) {
	for i, b := range src {
		dst[i] = dst[i] || b
	}
}

// sourceDeps is what a rule-set source depends on of its input: the items it reads, and the dependencies of
// the scores and flags it reads; reading the status depends on every item.
func sourceDeps(in *plan.Instrument, p *plan.Program, input int) []bool {
	m := make([]bool, len(in.Items))
	for _, r := range p.Reads.Inputs {
		if r.Input != input {
			continue
		}
		if r.Status {
			for i := range m {
				m[i] = true
			}
		}
		for _, i := range r.Items {
			m[i] = true
		}
		for _, si := range r.Scores {
			or(m, in.Scores[si].Deps)
		}
		for _, fi := range r.Flags {
			or(m, in.Flags[fi].Deps)
		}
	}
	return gate(in, m)
}

// tierDeps fills RuleSet.TierDeps: per input, the items the tier can depend on — what the domains' sources
// (and their conditions), the expression domains and the tier conditions read of it.
func tierDeps(rs *plan.RuleSet) {
	rs.TierDeps = make([][]bool, len(rs.Inputs))
	rs.ItemNames = make([][]string, len(rs.Inputs))
	for i, in := range rs.Inputs {
		if in.Inst == nil {
			continue
		}
		for _, it := range in.Inst.Items {
			rs.ItemNames[i] = append(rs.ItemNames[i], in.ID+"."+it.ID)
		}
		m := make([]bool, len(in.Inst.Items))
		add := func(p *plan.Program) {
			if p != nil {
				or(m, sourceDeps(in.Inst, p, i))
			}
		}
		for _, d := range rs.Domains {
			add(d.Prog)
			for _, src := range d.Sources {
				add(src.When)
				add(src.Expr)
			}
		}
		for _, t := range rs.Tiers {
			add(t.When)
		}
		rs.TierDeps[i] = m
	}
}

// domainReads fills RuleSet.DomainReads: the inputs a domain reads, through a source on it or an expression
// (a domain's, a source's condition or expression) that reads it. When no domain reads any input, every
// input counts (a rule set whose domains read only context still applies to any input present).
func domainReads(rs *plan.RuleSet) {
	rs.DomainReads = make([]bool, len(rs.Inputs))
	mark := func(p *plan.Program) {
		if p == nil {
			return
		}
		for _, r := range p.Reads.Inputs {
			if r.Input >= 0 && r.Input < len(rs.DomainReads) {
				rs.DomainReads[r.Input] = true
			}
		}
	}
	for _, d := range rs.Domains {
		mark(d.Prog)
		for _, src := range d.Sources {
			if src.Input >= 0 && src.Input < len(rs.DomainReads) {
				rs.DomainReads[src.Input] = true
			}
			mark(src.When)
			mark(src.Expr)
		}
	}
	if !slices.Contains(rs.DomainReads, true) {
		for i := range rs.DomainReads {
			rs.DomainReads[i] = true
		}
	}
}
