package screen

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

func codes(cs []def.Code) []catalog.Code {
	var out []catalog.Code
	for _, c := range cs {
		out = append(out, catalog.Code(c))
	}
	return out
}

// Describe returns the description of a loaded instrument, "id" (the default version) or "id@version". An
// instrument that is not loaded is an error that matches ErrUnknownInstrument or ErrUnknownVersion.
func (e *Engine) Describe(ref string) (*catalog.InstrumentDoc, error) {
	in, rerr := e.plan.Resolve(ref)
	if rerr != nil {
		kind := ErrUnknownInstrument
		if rerr.Loaded != nil {
			kind = ErrUnknownVersion
		}
		return nil, fmt.Errorf("screen: %s: %w", rerr.Error(), kind)
	}
	d := in.Def
	info := e.info(in)
	doc := &catalog.InstrumentDoc{Info: catalog.Info{ID: info.ID, Version: info.Version, Status: info.Status, Title: info.Title,
		Digest: info.Digest, File: info.File}, Domain: info.Domain, Default: info.Default,
		Recall: d.Recall, Citation: d.Citation, License: d.License, ItemText: d.ItemText, Notes: d.Notes, Codes: codes(d.Codes),
		Label: in.Label}
	for _, c := range d.Context {
		doc.Context = append(doc.Context, contextDoc(c))
	}
	for i, it := range d.Items {
		id := catalog.ItemDoc{ID: it.ID, Text: it.Text, Required: it.Required, Min: it.Min, Max: it.Max, Codes: codes(it.Codes),
			EnableWhenReads: readsDoc(in, in.Items[i].Enable), Label: in.Items[i].Label}
		if it.EnableWhen != nil {
			id.EnableWhen = strings.TrimSpace(it.EnableWhen.Src)
		}
		if it.Scale != nil {
			for _, o := range it.Scale.Options {
				id.Options = append(id.Options, catalog.OptionDoc{Value: o.Value, Code: o.Code, Label: o.Label})
			}
		}
		doc.Items = append(doc.Items, id)
	}
	for i, s := range d.Scores {
		sd := catalog.ScoreDoc{ID: s.ID, Label: s.Label, Short: s.Short, Description: s.Description, Codes: codes(s.Codes), Type: typeName(in.Scores[i]),
			WhenReads: readsDoc(in, in.Scores[i].When), ExprReads: readsDoc(in, in.Scores[i].Expr)}
		if s.When != nil {
			sd.When = strings.TrimSpace(s.When.Src)
		}
		switch {
		case s.Expr != nil:
			sd.Expr = strings.TrimSpace(s.Expr.Src)
		case s.Bands != nil:
			sd.Of = s.Bands.Of
			for _, c := range s.Bands.Cuts {
				sd.Bands = append(sd.Bands, catalog.BandDoc{Label: c.Label, Min: c.Min, Max: c.Max})
			}
		case s.Lookup != nil:
			sd.Of = s.Lookup.Of
			sd.Lookup = map[int64]float64{}
			for _, r := range s.Lookup.Table {
				sd.Lookup[r.Key] = r.Value
			}
		}
		doc.Scores = append(doc.Scores, sd)
	}
	for i, f := range d.Flags {
		doc.Flags = append(doc.Flags, catalog.FlagDoc{ID: f.ID, Level: f.Level, Message: f.Message, When: strings.TrimSpace(f.When.Src),
			WhenReads: readsDoc(in, in.Flags[i].When)})
	}
	for _, m := range in.FollowUps {
		doc.FollowUps = append(doc.FollowUps, catalog.FollowUpDoc{ID: m.ID, Label: m.Label, Short: m.Short, Description: m.Description,
			Type: typeName(&plan.Score{Type: m.Type}), Expr: strings.TrimSpace(m.Prog.Expr.Src), MinDays: m.MinDays,
			ExprReads: readsDoc(in, m.Prog)})
	}
	return doc, nil
}

func typeName(s *plan.Score) string {
	if s.Type == nil {
		return "unknown"
	}
	return s.Type.String()
}

// ErrNoRuleSet is DescribeRuleSet's error when the engine applies no rule set.
var ErrNoRuleSet = errors.New("screen: the engine has no rule set")

func contextDoc(c def.ContextField) catalog.ContextDoc {
	return catalog.ContextDoc{ID: c.ID, Type: c.Type, Min: c.Min, Max: c.Max, Description: c.Description, Label: c.Label, Unit: c.Unit}
}

// DescribeRuleSet describes the rule set the engine applies.
func (e *Engine) DescribeRuleSet() (*catalog.RuleSetDoc, error) {
	info, ok := e.RuleSet()
	if !ok {
		return nil, ErrNoRuleSet
	}
	rs := e.plan.Rules
	d := rs.Def
	doc := &catalog.RuleSetDoc{Info: catalog.Info{ID: info.ID, Version: info.Version, Status: info.Status, Title: info.Title,
		Digest: info.Digest, File: info.File}, Inputs: info.Inputs,
		Description: d.Description, Citation: d.Citation, License: d.License, Notes: d.Notes}
	for _, in := range d.Inputs {
		if in.Required {
			doc.Required = append(doc.Required, in.ID)
		}
	}
	for _, g := range d.AnyOf {
		doc.AnyOf = append(doc.AnyOf, g.IDs)
	}
	for _, c := range d.Context {
		doc.Context = append(doc.Context, contextDoc(c))
	}
	if p := d.Population; p != nil {
		age := p.MinAge
		doc.MinAge, doc.PopulationDescription = &age, p.Description
	}
	for i, dm := range d.Domains {
		pd := rs.Domains[i]
		dd := catalog.DomainDoc{ID: dm.ID, Description: dm.Description, Values: dm.Values, ExprReads: readsDoc(nil, pd.Prog), Label: pd.Label}
		if dm.Expr != nil {
			dd.Expr = strings.TrimSpace(dm.Expr.Src)
		}
		for j, src := range dm.Sources {
			sd := catalog.SourceDoc{Input: src.Input, Expr: strings.TrimSpace(src.Expr.Src),
				WhenReads: readsDoc(nil, pd.Sources[j].When), ExprReads: readsDoc(nil, pd.Sources[j].Expr)}
			if src.When != nil {
				sd.When = strings.TrimSpace(src.When.Src)
			}
			dd.Sources = append(dd.Sources, sd)
		}
		doc.Domains = append(doc.Domains, dd)
	}
	for i, t := range d.Tiers {
		td := catalog.TierDoc{ID: t.ID, Description: t.Description, WhenReads: readsDoc(nil, rs.Tiers[i].When)}
		if t.When != nil {
			td.When = strings.TrimSpace(t.When.Src)
		}
		doc.Tiers = append(doc.Tiers, td)
	}
	for _, r := range rs.Referrals {
		rd := catalog.ReferralDoc{ID: r.Def.ID, Priority: r.Def.Priority, When: strings.TrimSpace(r.Def.When.Src), Text: r.Def.Text,
			Rationale: r.Def.Rationale, Source: r.Def.Source, WhenReads: readsDoc(nil, r.When), Label: r.Def.Label}
		for i, a := range r.Def.Addenda {
			rd.Addenda = append(rd.Addenda, catalog.AddendumDoc{When: strings.TrimSpace(a.When.Src), Text: a.Text, WhenReads: readsDoc(nil, r.Addenda[i])})
		}
		doc.Referrals = append(doc.Referrals, rd)
	}
	return doc, nil
}

// readsDoc describes what a compiled expression reads (plan.Reads, found once when it compiled); in is the
// expression's instrument, nil for a rule set's. It is nil when p is. Nothing in it shares memory with the
// plan, so a caller may change it.
func readsDoc(in *plan.Instrument, p *plan.Program) *catalog.Reads {
	if p == nil {
		return nil
	}
	r := &p.Reads
	out := &catalog.Reads{}
	if in != nil {
		for _, i := range r.Items {
			out.Items = append(out.Items, in.Items[i].ID)
		}
		for _, i := range r.Scores {
			out.Scores = append(out.Scores, in.Scores[i].ID)
		}
	}
	for _, path := range r.Paths {
		out.Paths = append(out.Paths, slices.Clone(path))
	}
	for _, c := range r.Cuts {
		cut := catalog.Cut{Op: c.Op, N: c.N, Real: c.Real}
		for _, t := range c.Terms {
			cut.Terms = append(cut.Terms, catalog.Term{Path: slices.Clone(t.Path), Sum: slices.Clone(t.Sum)})
		}
		out.Cuts = append(out.Cuts, cut)
	}
	for _, m := range r.Missing {
		out.Missing = append(out.Missing, catalog.MissingRule{Items: slices.Clone(m.Items), Max: m.Max})
	}
	return out
}
