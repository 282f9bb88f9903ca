package screen

import (
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// Code is a terminology code (for example a LOINC code) attached to an instrument, item, option or score.
type Code = def.Code

// InstrumentDoc describes a loaded instrument for people: its items, options, scores, bands, flags and
// provenance. It is what `painscreen show` prints.
type InstrumentDoc struct {
	InstrumentInfo
	Recall   string
	Citation string
	License  string
	// ItemText is "verbatim" when item texts reproduce the instrument, "paraphrased" when they are labels.
	ItemText string
	Notes    string
	Codes    []Code
	Context  []ContextDoc
	Items    []ItemDoc
	Scores   []ScoreDoc
	Flags    []FlagDoc
}

// ContextDoc is a declared context field.
type ContextDoc struct{ ID, Type string }

// ItemDoc describes an item.
type ItemDoc struct {
	ID       string
	Text     string
	Required bool
	Options  []OptionDoc // nil for a range item
	Min, Max *int64      // range items
	// EnableWhen is the skip-logic condition, "" when always asked.
	EnableWhen string
	Codes      []Code
}

// OptionDoc is a response option.
type OptionDoc struct {
	Value int64
	Code  string
	Label string
}

// ScoreDoc describes a score. Exactly one of Expr, Bands, Lookup is set.
type ScoreDoc struct {
	ID, Label, Description string
	Type                   string // int, double, bool or string
	When                   string
	Expr                   string
	Of                     string // bands and lookups: the score they read
	Bands                  []BandDoc
	Lookup                 map[int64]float64
	Codes                  []Code
}

// BandDoc is one band; nil bounds are open (shared with the neighbour, or unbounded).
type BandDoc struct {
	Label    string
	Min, Max *float64
}

// FlagDoc describes a flag.
type FlagDoc struct{ ID, Level, Message, When string }

// Describe returns the description of an instrument, "id" (the default version) or "id@version".
func (e *Engine) Describe(ref string) (*InstrumentDoc, error) {
	in, serr := e.resolve(ref)
	if serr != nil {
		return nil, serr
	}
	d := in.def
	doc := &InstrumentDoc{Recall: d.Recall, Citation: d.Citation, License: d.License, ItemText: d.ItemText,
		Notes: d.Notes, Codes: d.Codes}
	for _, info := range e.Instruments() {
		if info.ID == in.id && info.Version == in.version {
			doc.InstrumentInfo = info
		}
	}
	for _, c := range d.Context {
		doc.Context = append(doc.Context, ContextDoc{ID: c.ID, Type: c.Type})
	}
	for _, it := range d.Items {
		id := ItemDoc{ID: it.ID, Text: it.Text, Required: it.Required, Min: it.Min, Max: it.Max, Codes: it.Codes}
		if it.EnableWhen != nil {
			id.EnableWhen = strings.TrimSpace(it.EnableWhen.Src)
		}
		if it.Scale != nil {
			for _, o := range it.Scale.Options {
				id.Options = append(id.Options, OptionDoc{Value: o.Value, Code: o.Code, Label: o.Label})
			}
		}
		doc.Items = append(doc.Items, id)
	}
	for i, s := range d.Scores {
		sd := ScoreDoc{ID: s.ID, Label: s.Label, Description: s.Description, Codes: s.Codes, Type: typeName(in.scores[i].typ)}
		if s.When != nil {
			sd.When = strings.TrimSpace(s.When.Src)
		}
		switch {
		case s.Expr != nil:
			sd.Expr = strings.TrimSpace(s.Expr.Src)
		case s.Bands != nil:
			sd.Of = s.Bands.Of
			for _, c := range s.Bands.Cuts {
				sd.Bands = append(sd.Bands, BandDoc{Label: c.Label, Min: c.Min, Max: c.Max})
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
	for _, f := range d.Flags {
		doc.Flags = append(doc.Flags, FlagDoc{ID: f.ID, Level: f.Level, Message: f.Message, When: strings.TrimSpace(f.When.Src)})
	}
	return doc, nil
}

// RuleSetDoc describes the engine's rule set.
type RuleSetDoc struct {
	RuleSetInfo
	Description, Citation, License, Notes string
	// Required lists required inputs; AnyOf the groups of which at least one input is required.
	Required  []string
	AnyOf     [][]string
	Domains   []DomainDoc
	Tiers     []TierDoc
	Referrals []ReferralDoc
}

// DomainDoc describes a domain.
type DomainDoc struct {
	ID, Description, Expr string
	Values                []string
}

// TierDoc describes a tier; When is "" for the fallback.
type TierDoc struct{ ID, Description, When string }

// ReferralDoc describes a referral.
type ReferralDoc struct {
	ID, Priority, When, Text, Rationale, Source string
	Addenda                                     []AddendumDoc
}

// AddendumDoc is conditional referral text.
type AddendumDoc struct{ When, Text string }

// DescribeRuleSet describes the rule set the engine applies.
func (e *Engine) DescribeRuleSet() (*RuleSetDoc, error) {
	info, ok := e.RuleSet()
	if !ok {
		return nil, fmt.Errorf("the engine has no rule set")
	}
	d := e.rules.def
	doc := &RuleSetDoc{RuleSetInfo: info, Description: d.Description, Citation: d.Citation, License: d.License, Notes: d.Notes}
	for _, in := range d.Inputs {
		if in.Required {
			doc.Required = append(doc.Required, in.ID)
		}
	}
	for _, g := range d.AnyOf {
		doc.AnyOf = append(doc.AnyOf, g.IDs)
	}
	for _, dm := range d.Domains {
		doc.Domains = append(doc.Domains, DomainDoc{ID: dm.ID, Description: dm.Description, Expr: strings.TrimSpace(dm.Expr.Src), Values: dm.Values})
	}
	for _, t := range d.Tiers {
		td := TierDoc{ID: t.ID, Description: t.Description}
		if t.When != nil {
			td.When = strings.TrimSpace(t.When.Src)
		}
		doc.Tiers = append(doc.Tiers, td)
	}
	for _, r := range e.rules.referrals {
		rd := ReferralDoc{ID: r.def.ID, Priority: r.def.Priority, When: strings.TrimSpace(r.def.When.Src), Text: r.def.Text,
			Rationale: r.def.Rationale, Source: r.def.Source}
		for _, a := range r.def.Addenda {
			rd.Addenda = append(rd.Addenda, AddendumDoc{When: strings.TrimSpace(a.When.Src), Text: a.Text})
		}
		doc.Referrals = append(doc.Referrals, rd)
	}
	return doc, nil
}
