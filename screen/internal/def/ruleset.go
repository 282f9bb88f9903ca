package def

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/screen/internal/semver"
)

func (p *parser) ruleSet(root *yaml.Node) *RuleSet {
	const what = "rule set"
	f := p.mapping(root, what, "id", "version", "title", "status", "description", "citation", "license", "notes",
		"inputs", "any_of", "context", "population", "domains", "tiers", "referrals")
	if f == nil {
		return nil
	}
	h, _ := p.header(f, root, what)
	rs := &RuleSet{Header: h, Description: p.optStr(f, "description", what)}
	p.require(f, what, "inputs", "domains", "tiers")
	inputs := map[string]bool{}
	if inf := p.mapping(f.get("inputs"), "inputs"); inf != nil {
		for _, k := range inf.keys {
			id, ok := p.id(k, "input")
			if !ok {
				continue
			}
			in := &Input{ID: id, Pos: p.pos(k)}
			v := inf.vals[k.Value]
			vf := p.mapping(v, "input "+id, "version", "required")
			if !p.require(vf, "input "+id, "version") {
				continue
			}
			in.ConstraintPos = p.pos(vf.get("version"))
			if s, ok := p.str(vf.get("version"), "version"); ok {
				c, err := semver.ParseConstraint(s)
				if err != nil {
					p.errf(vf.get("version"), "invalid_constraint", "%v", err)
					continue
				}
				in.Constraint = c
			}
			if r := vf.get("required"); r != nil {
				in.Required, _ = p.boolean(r, "required")
			}
			inputs[id] = true
			rs.Inputs = append(rs.Inputs, in)
		}
	}
	for _, n := range p.seq(f.get("any_of"), "any_of") {
		group := AnyOf{Pos: p.pos(n)}
		for _, e := range p.seq(n, "any_of group") {
			id, ok := p.id(e, "input")
			if !ok {
				continue
			}
			if !inputs[id] {
				p.errf(e, "unknown_input", "any_of names %q, which is not among the inputs", id)
				continue
			}
			group.IDs = append(group.IDs, id)
		}
		if len(group.IDs) < 2 && n.Kind == yaml.SequenceNode {
			p.errf(n, "schema", "an any_of group needs at least two inputs")
			continue
		}
		rs.AnyOf = append(rs.AnyOf, group)
	}
	rs.Context = p.contextFields(f.get("context"))
	if pn := f.get("population"); pn != nil {
		pf := p.mapping(pn, "population", "min_age", "description")
		if p.require(pf, "population", "min_age") {
			pop := &Population{Pos: p.pos(pn), Description: p.optStr(pf, "description", "population")}
			if a, ok := p.integer(pf.get("min_age"), "min_age"); ok {
				if a < 0 || a > 150 {
					p.errf(pf.get("min_age"), "schema", "population min_age must be from 0 to 150")
				}
				pop.MinAge = a
				rs.Population = pop
			}
		}
	}
	seen := map[string]int{}
	dup := func(kind, id string, n *yaml.Node) bool {
		k := kind + "/" + id
		if line, ok := seen[k]; ok {
			p.errf(n, "duplicate_id", "%s %q is already defined at line %d", kind, id, line)
			return true
		}
		seen[k] = n.Line
		return false
	}
	for _, n := range p.seq(f.get("domains"), "domains") {
		df := p.mapping(n, "domain", "id", "values", "expr", "sources", "description", "label")
		if !p.require(df, "domain", "id") {
			continue
		}
		id, ok := p.id(df.get("id"), "domain id")
		if !ok || dup("domain", id, df.get("id")) {
			continue
		}
		d := &Domain{ID: id, Pos: p.pos(df.get("id")), Description: p.optStr(df, "description", "domain"),
			Label: p.label(df, "label", "domain "+id)}
		for _, v := range p.seq(df.get("values"), "values") {
			s, ok := p.id(v, "domain value")
			if ok && slices.Contains(d.Values, s) {
				p.errf(v, "duplicate_id", "domain %q lists value %q twice", id, s)
			}
			d.Values = append(d.Values, s)
		}
		switch e, src := df.get("expr"), df.get("sources"); {
		case e != nil && src != nil:
			p.errf(src, "schema", "domain %q: give expr or sources, not both", id)
		case e != nil:
			d.Expr = p.expr(e, "expr")
		case src != nil:
			d.Sources = p.sources(src, id, inputs)
		default:
			p.errf(df.get("id"), "missing_field", "domain %q needs expr or sources", id)
		}
		if d.Expr != nil || len(d.Sources) > 0 {
			rs.Domains = append(rs.Domains, d)
		}
	}
	for i, n := range p.seq(f.get("tiers"), "tiers") {
		tf := p.mapping(n, "tier", "id", "when", "description")
		if !p.require(tf, "tier", "id") {
			continue
		}
		id, ok := p.id(tf.get("id"), "tier id")
		if !ok || dup("tier", id, tf.get("id")) {
			continue
		}
		t := &Tier{ID: id, Pos: p.pos(tf.get("id")), Description: p.optStr(tf, "description", "tier")}
		last := i == len(f.get("tiers").Content)-1
		if w := tf.get("when"); w != nil {
			t.When = p.expr(w, "when")
			if last {
				p.errf(w, "schema", "the last tier (%q) is the fallback and must not have a condition", id)
			}
		} else if !last {
			p.errf(tf.get("id"), "schema", "tier %q has no condition; only the last tier may be unconditional", id)
		}
		rs.Tiers = append(rs.Tiers, t)
	}
	for _, n := range p.seq(f.get("referrals"), "referrals") {
		rf := p.mapping(n, "referral", "id", "priority", "when", "text", "rationale", "source", "addenda", "label")
		if !p.require(rf, "referral", "id", "priority", "when", "text", "rationale", "source") {
			continue
		}
		id, ok := p.id(rf.get("id"), "referral id")
		if !ok || dup("referral", id, rf.get("id")) {
			continue
		}
		r := &Referral{ID: id, Pos: p.pos(rf.get("id"))}
		r.Priority, _ = p.str(rf.get("priority"), "priority")
		if !slices.Contains(priorities, r.Priority) {
			p.errf(rf.get("priority"), "schema", "referral %q: priority must be urgent, high or routine", id)
		}
		r.Label = p.label(rf, "label", "referral "+id)
		r.Text, _ = p.str(rf.get("text"), "text")
		r.Rationale, _ = p.str(rf.get("rationale"), "rationale")
		r.Source, _ = p.str(rf.get("source"), "source")
		r.When = p.expr(rf.get("when"), "when")
		for _, a := range p.seq(rf.get("addenda"), "addenda") {
			af := p.mapping(a, "addendum", "when", "text")
			if !p.require(af, "addendum", "when", "text") {
				continue
			}
			ad := Addendum{Pos: p.pos(a), When: p.expr(af.get("when"), "when")}
			ad.Text, _ = p.str(af.get("text"), "text")
			if ad.When != nil {
				r.Addenda = append(r.Addenda, ad)
			}
		}
		if r.When != nil {
			rs.Referrals = append(rs.Referrals, r)
		}
	}
	return rs
}

// sources reads a domain's ordered sources.
func (p *parser) sources(n *yaml.Node, domain string, inputs map[string]bool) []*Source {
	var out []*Source
	list := p.seq(n, "sources")
	if n.Kind == yaml.SequenceNode && len(list) == 0 {
		p.errf(n, "schema", "domain %q: sources is empty", domain)
	}
	for _, sn := range list {
		sf := p.mapping(sn, "source", "input", "when", "expr")
		if !p.require(sf, "source", "input", "expr") {
			continue
		}
		in, ok := p.id(sf.get("input"), "source input")
		if !ok {
			continue
		}
		if !inputs[in] {
			p.errf(sf.get("input"), "unknown_input", "domain %q: source input %q is not among the inputs", domain, in)
			continue
		}
		s := &Source{Input: in, InputPos: p.pos(sf.get("input")), Pos: p.pos(sn), Expr: p.expr(sf.get("expr"), "expr")}
		if w := sf.get("when"); w != nil {
			s.When = p.expr(w, "when")
		}
		if s.Expr != nil {
			out = append(out, s)
		}
	}
	return out
}
