package fhir

import (
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
)

// riskAssessment writes the composite's RiskAssessment as Writer.riskAssessment builds it, with the note
// newBundle adds when a response is preliminary.
func (e *bw) riskAssessment(w *Writer, rep *screen.Report, c *screen.CompositeResult, date string, prelimInput bool) {
	title := c.ID
	if w.ruleSet != nil && w.ruleSet.ID == c.ID && w.ruleSet.Title != "" {
		title = w.ruleSet.Title
	}
	open := c.Applied && len(c.PossibleTiers) > 1
	e.b = append(e.b, `{"resourceType":"RiskAssessment","status":"`...)
	if open || prelimInput {
		e.b = append(e.b, "preliminary"...)
	} else {
		e.b = append(e.b, "final"...)
	}
	e.b = append(e.b, `","method":{"text":`...)
	m := e.open()
	e.b = append(append(append(append(append(e.b, c.ID...), ' '), c.Version...), " ("...), c.Digest...)
	e.b = append(e.b, ')')
	e.closeStr(m)
	e.b = append(e.b, `},"code":{"coding":[{"system":"`+RuleSetSystem+`"`...)
	e.optStr("code", c.ID)
	e.optStr("display", title)
	e.b = append(e.b, "}]"...)
	e.optStr("text", title)
	e.b = append(e.b, `},"subject":`...)
	if rep.Subject != "" {
		e.subject(rep.Subject)
	} else {
		e.b = append(e.b, `{"display":"subject not given"}`...)
	}
	e.optStr("occurrenceDateTime", date)
	if len(e.urls) > 0 {
		e.b = append(e.b, `,"basis":[`...)
		for i, at := range e.urls {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, `{"reference":"`...)
			e.b = append(e.b, e.b[at:at+45]...)
			e.b = append(e.b, `"}`...)
		}
		e.b = append(e.b, ']')
	}
	if c.Applied {
		e.b = append(e.b, `,"prediction":[`...)
		if open {
			for i, t := range c.PossibleTiers {
				if i > 0 {
					e.b = append(e.b, ',')
				}
				e.prediction(c.ID, title, string(t), func() {
					if t != c.Tier {
						e.b = append(e.b, "Possible with the missing or invalid answers; not final."...)
						return
					}
					e.b = append(append(append(e.b, "Holds whatever the missing or invalid answers are ("...), c.TierRule...), "): "...)
					e.b = c.AppendTierReasonTexts(e.b, "; ")
					e.b = append(e.b, "; not final."...)
				})
			}
		} else {
			e.prediction(c.ID, title, string(c.Tier), func() {
				e.b = append(append(append(append(append(e.b, "Risk tier "...), c.Tier...), " ("...), c.TierRule...), "): "...)
				e.b = c.AppendTierReasonTexts(e.b, "; ")
			})
		}
		e.b = append(e.b, ']')
		if len(c.Referrals) > 0 {
			key := len(e.b)
			e.b = append(e.b, `,"mitigation":`...)
			m := e.open()
			for i, r := range c.Referrals {
				if i > 0 {
					e.b = append(e.b, ' ')
				}
				e.b = append(e.b, r.Text...)
			}
			if len(e.b) == m {
				e.b = e.b[:key]
			} else {
				e.closeStr(m)
			}
		}
	}
	e.b = append(e.b, `,"note":[`...)
	e.nn = 0
	if !c.Applied {
		m := e.noteStr("Not applied: ")
		e.b = append(e.b, cds.NotAppliedWhy(c.Reason)...)
		e.noteClose(m)
	} else {
		if open {
			m := e.noteOpen()
			if o, ok := w.names.OpenResult(rep); ok {
				e.b = append(append(append(e.b, "Risk tier "...), o.Headline()...), ". "...)
			}
			e.b = append(append(append(e.b, "Not final: missing or invalid answers leave the tier open; "...), c.Tier...), " holds whatever they are; possible tiers: "...)
			for i, t := range c.PossibleTiers {
				if i > 0 {
					e.b = append(e.b, ", "...)
				}
				e.b = append(e.b, t...)
			}
			e.b = append(e.b, '.')
			e.noteClose(m)
		}
		for _, r := range c.Referrals {
			e.referral("Referral", &r, w.referralName(c, r.ID))
		}
		for _, r := range c.PossibleReferrals {
			e.referral("Possible referral (some of the possible answers give it)", &r, w.referralName(c, r.ID))
		}
		if len(c.NotAssessed) > 0 {
			m := e.noteStr("Not assessed: ")
			for i, d := range w.domainNames(c, c.NotAssessed) {
				if i > 0 {
					e.b = append(e.b, ", "...)
				}
				e.b = append(e.b, d...)
			}
			e.b = append(e.b, '.')
			e.noteClose(m)
		}
	}
	for _, n := range c.Notes {
		e.note(n.Message)
	}
	for _, er := range rep.Errors {
		e.errorNote(&er)
	}
	e.note("Decision support for a clinician, not a diagnosis.")
	if prelimInput && !open {
		e.note("A questionnaire response is not completed (in progress or stopped): this result is preliminary.")
	}
	e.b = append(e.b, "]}"...)
}

// prediction writes one prediction: outcome the rule set's title, qualitativeRisk the tier, rationale what
// why writes (omitted when it writes nothing).
func (e *bw) prediction(id, title, tier string, why func()) {
	e.b = append(e.b, `{"outcome":{`...)
	e.optStr("text", title)
	e.b = append(e.b, `},"qualitativeRisk":{"coding":[{"system":"`+RuleSetSystem+`","code":`...)
	m := e.open()
	e.b = append(append(append(e.b, id...), ".tier."...), tier...)
	e.closeStr(m)
	e.optStr("display", tier)
	e.b = append(e.b, "}]"...)
	e.optStr("text", tier)
	e.b = append(e.b, '}')
	key := len(e.b)
	e.b = append(e.b, `,"rationale":`...)
	m = e.open()
	why()
	if len(e.b) == m {
		e.b = e.b[:key]
	} else {
		e.closeStr(m)
	}
	e.b = append(e.b, '}')
}

// referral writes a referral's note (see referralText), the referral named name.
func (e *bw) referral(kind string, r *screen.Referral, name string) {
	m := e.noteStr(kind)
	e.b = append(append(append(append(append(append(e.b, " ["...), r.Priority...), "] "...), name...), ": "...), r.Text...)
	for _, a := range r.Addenda {
		e.b = append(append(e.b, ' '), a...)
	}
	e.b = append(e.b, " Why: "...)
	e.b = r.AppendReasonTexts(e.b, "; ")
	e.b = append(append(append(e.b, " ("...), r.Rule...), ")."...)
	if r.Source != "" {
		e.b = append(append(e.b, " Source: "...), r.Source...)
	}
	e.noteClose(m)
}
