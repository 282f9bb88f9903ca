package cds

import (
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// highCard is the warning card of one high-priority referral.
func (m *Maker) highCard(rep *screen.Report, r screen.Referral) *Card {
	c := &Card{Indicator: IndicatorWarning, Summary: m.summaryOf(r), Source: m.source(r.Rule, m.shortOf(r))}
	var d strings.Builder
	m.referralDetail(&d, rep, r)
	c.Links = appendLinks(nil, ReferralActions[r.ID].Links)
	if s := m.suggestion(rep, r); s != nil {
		c.Suggestions = []Suggestion{*s}
		c.SelectionBehavior = "at-most-one"
	}
	c.OverrideReasons = []Coding{overrideInCare, overrideDeclined, overrideNotApply}
	footer(&d)
	c.Detail = d.String()
	c.Extension = provenance(rep, r.Rule)
	return c
}

// routineCard is the one info card of every routine referral (rescreen only with ShowLowTier).
func (m *Maker) routineCard(rep *screen.Report, refs []screen.Referral) *Card {
	var keep []screen.Referral
	for _, r := range refs {
		if r.ID == "rescreen" && !m.opt.ShowLowTier {
			continue
		}
		keep = append(keep, r)
	}
	if len(keep) == 0 {
		return nil
	}
	c := &Card{Indicator: IndicatorInfo}
	var d strings.Builder
	var names, rules []string
	for _, r := range keep {
		names = append(names, m.shortOf(r))
		rules = append(rules, r.Rule)
		m.referralDetail(&d, rep, r)
		c.Links = appendLinks(c.Links, ReferralActions[r.ID].Links)
		if s := m.suggestion(rep, r); s != nil {
			c.Suggestions = append(c.Suggestions, *s)
		}
	}
	if len(keep) == 1 {
		c.Summary = m.summaryOf(keep[0])
	} else {
		c.Summary = fitSummary("Routine: "+strings.Join(names, "; ")+".",
			fmt.Sprintf("%d routine recommendations: %s and more (see detail).", len(keep), names[0]))
		c.Summary = fitSummary(c.Summary, fmt.Sprintf("%d routine recommendations (see detail).", len(keep)))
	}
	topic := keep[0].Rule
	if len(keep) > 1 {
		topic = "painscreen#routine"
	}
	c.Source = m.source(topic, "routine recommendations")
	if len(c.Suggestions) > 0 {
		c.SelectionBehavior = "any"
	}
	c.OverrideReasons = []Coding{overrideInCare, overrideDeclined, overrideNotApply}
	footer(&d)
	c.Detail = d.String()
	c.Extension = provenance(rep, rules...)
	return c
}

// errorCard tells the clinician that answers could not be used when that leaves a result open (called
// only when no open-result card already names them); integration problems (Problems) never get a card.
func (m *Maker) errorCard(rep *screen.Report) *Card {
	var bad []screen.ScoreError
	for _, e := range rep.Errors {
		if integration[e.Code] || !m.changesResult(rep, e) {
			continue
		}
		bad = append(bad, e)
	}
	if len(bad) == 0 {
		return nil
	}
	c := &Card{Indicator: IndicatorWarning, Source: m.source("painscreen#unusable-answers", "answers that could not be used"),
		Summary: fitSummary(fmt.Sprintf("%d questionnaire answer(s) could not be used; some results are incomplete.", len(bad)),
			"Some questionnaire answers could not be used; some results are incomplete.")}
	var d strings.Builder
	d.WriteString("**Some answers could not be used.** Every other answer was scored; results that needed these are left open.\n\n")
	for _, e := range bad {
		it := m.names.Item(e.Instrument, e.Item)
		name := it.Name
		if e.Item == "" {
			name = m.names.Instrument(e.Instrument)
		}
		fmt.Fprintf(&d, "- %s: %s\n", EscapeMarkdown(name), EscapeMarkdown(e.Message))
	}
	d.WriteString("\n")
	footer(&d)
	c.Detail = d.String()
	c.OverrideReasons = []Coding{overrideDataError, overrideNotApply}
	c.Extension = provenance(rep)
	return c
}

// changesResult reports whether an answer problem leaves a result of the report open: its
// instrument is not complete and a domain reading it is not assessed (or there is no rule set).
func (m *Maker) changesResult(rep *screen.Report, e screen.ScoreError) bool {
	if e.Code == "evaluation" {
		return true // a definition bug: a result is missing
	}
	inst, _, _ := strings.Cut(e.Instrument, "@")
	in := rep.Instrument(inst)
	if in == nil || in.Status == screen.StatusComplete {
		return false
	}
	c := rep.Composite
	if c == nil || !c.Applied {
		return true
	}
	for _, d := range c.Domains {
		if s, ok := d.Value.Str(); !ok || s != "not_assessed" {
			continue
		}
		for _, r := range d.Reasons() {
			if r.Instrument == inst {
				return true
			}
		}
	}
	return false
}

// referralDetail writes a referral: its text and addenda, what triggered it, rationale and source.
func (m *Maker) referralDetail(d *strings.Builder, rep *screen.Report, r screen.Referral) {
	fmt.Fprintf(d, "**%s** (%s priority)\n\n", EscapeMarkdown(m.labelOf(r)), r.Priority)
	fmt.Fprintf(d, "%s\n\n", EscapeMarkdown(r.Text))
	for _, a := range r.Addenda {
		fmt.Fprintf(d, "- %s\n", EscapeMarkdown(a))
	}
	if len(r.Addenda) > 0 {
		d.WriteString("\n")
	}
	if why := reasonWords(r.Reasons()); why != "" {
		fmt.Fprintf(d, "Why: %s.\n\n", EscapeMarkdown(why))
	}
	if r.Rationale != "" {
		fmt.Fprintf(d, "Rationale: %s\n\n", EscapeMarkdown(r.Rationale))
	}
	if r.Source != "" {
		fmt.Fprintf(d, "Source: %s\n\n", EscapeMarkdown(r.Source))
	}
}

// reasonWords writes the causes of a rule in words (screen.Reason.Text, from the definitions' labels):
// "Opioid use disorder: moderate; on MOUD: not reported".
func reasonWords(rs []screen.Reason) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "; ")
}

// answerLine writes an answer a flag read: "PHQ-9 item 9 “Thoughts …”: 1".
func (m *Maker) answerLine(in *screen.InstrumentResult, r screen.Reason) string {
	if r.Ref != screen.RefAnswer || r.Missing {
		return ""
	}
	id := r.ID
	it := m.names.Item(in.ID, id)
	s := EscapeMarkdown(it.Name)
	if it.Text != "" {
		s += " “" + EscapeMarkdown(it.Text) + "”"
	}
	if v, ok := r.Value.Int(); ok {
		if l := m.names.AnswerLabel(in.ID, id, v); l != "" {
			return s + ": " + EscapeMarkdown(l)
		}
	}
	return s + ": answer " + EscapeMarkdown(r.Value.String())
}

// suggestion proposes the referral's order, when the table has one and the subject is a Patient.
func (m *Maker) suggestion(rep *screen.Report, r screen.Referral) *Suggestion {
	a, ok := ReferralActions[r.ID]
	if !ok || a.Order == nil || !strings.HasPrefix(rep.Subject, "Patient/") {
		return nil
	}
	o := a.Order
	subject := fhirReference{Reference: rep.Subject}
	note := []fhirAnnotation{{Text: "Proposed by painscreen decision support: " + r.Text}}
	var res any
	desc := "Create a draft order: " + o.Text
	if o.Medication {
		res = fhirMedicationRequest{ResourceType: "MedicationRequest", Status: "draft", Intent: "proposal",
			MedicationCodeableConcept: fhirConcept{Text: o.Text}, Subject: subject, Note: note}
		desc = "Create a draft prescription: " + o.Text
	} else {
		res = fhirServiceRequest{ResourceType: "ServiceRequest", Status: "draft", Intent: "proposal", Priority: o.Priority,
			Code: fhirConcept{Text: o.Text}, Subject: subject, Note: note}
	}
	return &Suggestion{Label: o.Label, IsRecommended: true, Actions: []Action{{Type: "create", Description: desc, Resource: res}}}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// EscapeMarkdown escapes text for a card's Markdown detail so that it renders as written (no emphasis,
// links or HTML from stray characters; line breaks become spaces). Everything painscreen puts in a card
// detail that did not come from its own templates goes through it.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, c := range s {
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
