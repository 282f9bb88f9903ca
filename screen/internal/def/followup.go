package def

import (
	"slices"
)

// followUps parses an instrument's follow-up measures (followup:): id, label, description, expr, type and
// min_days.
func (p *parser) followUps(f *fields, in *Instrument) {
	fuIDs := map[string]Pos{}
	for _, n := range p.seq(f.get("followup"), "followup") {
		ff := p.mapping(n, "follow-up measure", "id", "label", "description", "expr", "type", "min_days", "short")
		if !p.require(ff, "follow-up measure", "id", "expr") {
			continue
		}
		id, ok := p.id(ff.get("id"), "follow-up measure id")
		if !ok {
			continue
		}
		if prev, dup := fuIDs[id]; dup {
			p.errf(n, "duplicate_id", "follow-up measure %q is already defined at line %d", id, prev.Line)
			continue
		}
		m := &FollowUp{ID: id, Pos: p.pos(ff.get("id")), Label: p.label(ff, "label", "follow-up measure "+id),
			Short:       p.label(ff, "short", "follow-up measure "+id),
			Description: p.optStr(ff, "description", "follow-up measure"), Expr: p.expr(ff.get("expr"), "expr")}
		if t := ff.get("type"); t != nil {
			m.TypePos = p.pos(t)
			m.Type, _ = p.str(t, "type")
			if !slices.Contains([]string{"int", "double", "bool", "string"}, m.Type) {
				p.errf(t, "schema", "follow-up measure %q: type must be int, double, bool or string%s", id, typeHint(m.Type, "int", "double", "bool", "string"))
				m.Type = ""
			}
		}
		if md := ff.get("min_days"); md != nil {
			if v, ok := p.integer(md, "min_days"); ok {
				if v < 0 || v > 36600 {
					p.errf(md, "schema", "follow-up measure %q: min_days must be from 0 to 36600", id)
				} else {
					m.MinDays, m.HasMinDays = v, true
				}
			}
		}
		fuIDs[id] = m.Pos
		if m.Expr != nil {
			in.FollowUps = append(in.FollowUps, m)
		}
	}
}
