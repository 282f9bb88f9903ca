package suite

import (
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/screen/catalog"
)

// ruleSetElements derives a rule set's elements: the cut-points its expressions write, each domain value
// and domain left open, each tier and the tier left open, each referral firing, each addendum, each referral
// possible but not certain.
func ruleSetElements(doc *catalog.RuleSetDoc, inputs map[string]*catalog.InstrumentDoc) []Element {
	var els []Element
	var exprs []ownedExpr
	for _, d := range doc.Domains {
		exprs = append(exprs, ownedExpr{"domain " + d.ID, d.ExprReads})
		for _, src := range d.Sources {
			exprs = append(exprs, ownedExpr{"domain " + d.ID, src.WhenReads}, ownedExpr{"domain " + d.ID, src.ExprReads})
		}
	}
	for _, t := range doc.Tiers {
		exprs = append(exprs, ownedExpr{"tier " + t.ID, t.WhenReads})
	}
	for _, r := range doc.Referrals {
		exprs = append(exprs, ownedExpr{"referral " + r.ID, r.WhenReads})
		for _, a := range r.Addenda {
			exprs = append(exprs, ownedExpr{"referral " + r.ID, a.WhenReads})
		}
	}
	els = append(els, comparisonElements(exprs, &resolver{inputs: inputs})...)
	open := openable(doc)
	for _, d := range doc.Domains {
		id := d.ID
		for _, v := range d.Values {
			els = append(els, Element{Kind: KindDomainValue, ID: id, Name: v, reached: func(o *caseOutcome) bool {
				got, ok := o.rep.Composite.Domain(id)
				return ok && got.Value.String() == v
			}})
		}
		if !open.domains[id] {
			continue
		}
		els = append(els, Element{Kind: KindDomainOpen, ID: id, Name: "left open by missing answers (possible values)",
			reached: func(o *caseOutcome) bool {
				for _, dm := range o.rep.Composite.Domains {
					if dm.ID == id && len(dm.Possible) > 0 {
						return true
					}
				}
				return false
			}})
	}
	for _, t := range doc.Tiers {
		id := t.ID
		els = append(els, Element{Kind: KindTier, ID: id, Name: "reached", reached: func(o *caseOutcome) bool {
			return string(o.rep.Composite.Tier) == id
		}})
	}
	if open.tier {
		els = append(els, Element{Kind: KindTierOpen, ID: "tier", Name: "left open by missing answers (possible tiers)",
			reached: func(o *caseOutcome) bool { return len(o.rep.Composite.PossibleTiers) > 0 }})
	}
	for _, r := range doc.Referrals {
		id := r.ID
		els = append(els, Element{Kind: KindReferral, ID: id, Name: "fires", reached: func(o *caseOutcome) bool {
			_, ok := o.rep.Composite.Referral(id)
			return ok
		}})
		for i, a := range r.Addenda {
			tmpl := a.Text
			els = append(els, Element{Kind: KindAddendum, ID: id, Name: fmt.Sprintf("addendum %d (%s)", i+1, a.When),
				reached: func(o *caseOutcome) bool {
					ref, ok := o.rep.Composite.Referral(id)
					if !ok {
						return false
					}
					for _, t := range ref.Addenda {
						if matchTemplate(tmpl, t) {
							return true
						}
					}
					return false
				}})
		}
		if !open.referrals[id] {
			continue
		}
		els = append(els, Element{Kind: KindPossible, ID: id, Name: "possible, left open by missing answers",
			reached: func(o *caseOutcome) bool {
				for _, p := range o.rep.Composite.PossibleReferrals {
					if p.ID == id {
						return true
					}
				}
				return false
			}})
	}
	return els
}

// openness says which results of a rule set missing answers can leave open.
type openness struct {
	domains, referrals map[string]bool
	tier               bool
}

// openable finds the results answers can leave open: a domain that reads an input instrument (a source,
// or an expression naming one), the tier and a referral whose conditions read such a domain, an input, or
// an open tier. A domain computed from context fields alone is never open, so it gets no "open" element.
func openable(doc *catalog.RuleSetDoc) openness {
	o := openness{domains: map[string]bool{}, referrals: map[string]bool{}}
	inputs := map[string]bool{}
	for id := range doc.Inputs {
		inputs[id] = true
	}
	// A path can be open when it reads an input's current result (phq9.total, phq9.answers.q1, phq9.flags.x;
	// not its baseline or follow-up measures, which are computed only from scores decided at both visits),
	// an open domain, or an open tier.
	readsOpen := func(r *catalog.Reads) bool {
		for _, p := range reads(r).Paths {
			switch {
			case inputs[p[0]] && (len(p) < 2 || p[1] != "baseline" && p[1] != "followup"):
				return true
			case p[0] == "domains" && len(p) > 1 && o.domains[p[1]]:
				return true
			case p[0] == "tier" && o.tier:
				return true
			}
		}
		return false
	}
	for range 2 { // domains may read domains defined later
		for _, d := range doc.Domains {
			if len(d.Sources) > 0 || readsOpen(d.ExprReads) {
				o.domains[d.ID] = true
			}
		}
	}
	for _, t := range doc.Tiers {
		if readsOpen(t.WhenReads) {
			o.tier = true
		}
	}
	for _, r := range doc.Referrals {
		o.referrals[r.ID] = readsOpen(r.WhenReads)
	}
	return o
}

// matchTemplate reports whether text is tmpl with its {placeholders} filled in.
func matchTemplate(tmpl, text string) bool {
	tmpl, text = strings.TrimSpace(tmpl), strings.TrimSpace(text)
	var parts []string
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			parts = append(parts, tmpl)
			break
		}
		parts = append(parts, tmpl[:i])
		tmpl = tmpl[i+j+1:]
	}
	if len(parts) == 1 {
		return parts[0] == text
	}
	if !strings.HasPrefix(text, parts[0]) || !strings.HasSuffix(text, parts[len(parts)-1]) {
		return false
	}
	rest := text[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		k := strings.Index(rest, p)
		if k < 0 {
			return false
		}
		rest = rest[k+len(p):]
	}
	return len(rest) >= len(parts[len(parts)-1])
}
