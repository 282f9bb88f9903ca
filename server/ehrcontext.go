package server

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/ehr"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The prefetch of the patient's treatment record (package ehr derives the rule set's context from it).
const (
	medicationsPrefetchKey      = "medications"
	medicationsPrefetchTemplate = "MedicationRequest?patient={{context.patientId}}&status=active"
	conditionsPrefetchKey       = "conditions"
	// Every clinical status: a resolved opioid overdose is still a history of overdose.
	conditionsPrefetchTemplate = "Condition?patient={{context.patientId}}"
)

// ehrPrefetch adds the treatment-record templates to the discovery's prefetch.
func ehrPrefetch(p map[string]string) map[string]string {
	p[medicationsPrefetchKey] = medicationsPrefetchTemplate
	p[conditionsPrefetchKey] = conditionsPrefetchTemplate
	return p
}

// ehrUsage is the discovery's usage note for the treatment-record prefetch.
const ehrUsage = " The prefetch " + medicationsPrefetchKey + " (active MedicationRequests, RxNorm coded) and " +
	conditionsPrefetchKey + " (Conditions) are optional: from them, and from the Patient's birthDate, the service derives " +
	"the treatment context (opioid MME by the CDC 2022 method, benzodiazepine, MOUD, naloxone, prior overdose, age); " +
	"a search that is not sent leaves its fields unknown, never false."

// ehrFields lists the context fields the engine's definitions declare that Derive may set. sex is left to
// the prefetched Patient's birth sex (cds.go), which does not read administrative gender.
func ehrFields(eng *screen.Engine) map[string]bool {
	f := respfile.DeclaredContext(eng)
	delete(f, ehr.FieldSex)
	return f
}

// searchComplete reports whether a prefetched search Bundle holds the whole result (no next page).
func searchComplete(raw []byte) bool {
	var b struct {
		ResourceType string `json:"resourceType"`
		Link         []struct {
			Relation string `json:"relation"`
		} `json:"link"`
	}
	if json.Unmarshal(raw, &b) != nil || b.ResourceType != "Bundle" {
		return false
	}
	for _, l := range b.Link {
		if l.Relation == "next" {
			return false
		}
	}
	return true
}

// ehrDerived is what a CDS call's prefetch gave: the derivation, and whether a treatment search
// (medications or conditions) was sent (only then does the information card appear: a Patient alone gives
// the age, without a card).
type ehrDerived struct {
	c         *ehr.Context
	treatment bool
}

// ehrInput is a call's treatment record: the documents of each prefetch key (the Patient; the search
// Bundles of medications and conditions, possibly several pages) and, for a search, whether the documents
// hold its whole result.
type ehrInput struct {
	docs     map[string][][]byte
	complete map[string]bool
}

// prefetchEHRInput reads the treatment record from a call's prefetch: a search Bundle is complete unless
// it has a next link (a paged result the EHR did not follow).
func prefetchEHRInput(prefetch map[string]json.RawMessage) ehrInput {
	in := ehrInput{docs: map[string][][]byte{}, complete: map[string]bool{}}
	for _, key := range []string{patientPrefetchKey, medicationsPrefetchKey, conditionsPrefetchKey} {
		if raw, ok := prefetch[key]; ok && !isNull(raw) {
			in.docs[key] = [][]byte{raw}
			in.complete[key] = searchComplete(raw)
		}
	}
	return in
}

// deriveEHRContext derives the treatment context of the call's patient from its treatment record and
// merges it into resp.Context (an explicit value wins, with a note). It returns nil when there is no
// treatment record.
func (h *Handler) deriveEHRContext(in ehrInput, patientID string, resp *screen.Response) *ehrDerived {
	c := h.deriveEHR(in, patientID, resp)
	if c == nil {
		return nil
	}
	return &ehrDerived{c: c, treatment: in.docs[medicationsPrefetchKey] != nil || in.docs[conditionsPrefetchKey] != nil}
}

func (h *Handler) deriveEHR(in ehrInput, patientID string, resp *screen.Response) *ehr.Context {
	var rs ehr.Resources
	opt := ehr.Options{Patient: patientID, AsOf: asOfDate(resp.Date)}
	var notes []ehr.Note
	read := false
	for _, key := range []string{patientPrefetchKey, medicationsPrefetchKey, conditionsPrefetchKey} {
		docs := in.docs[key]
		ok := len(docs) > 0
		for _, doc := range docs {
			if err := rs.Add(doc); err != nil {
				notes = append(notes, ehr.Note{Code: ehr.NoteUnreadable, Text: "the prefetch " + key + " is not a FHIR resource: not read"})
				ok = false
			}
		}
		read = read || ok
		switch key {
		case medicationsPrefetchKey:
			opt.MedicationsComplete = ok && in.complete[key]
		case conditionsPrefetchKey:
			opt.ConditionsComplete = ok && in.complete[key]
		}
	}
	if !read {
		if len(notes) > 0 {
			return &ehr.Context{Notes: notes}
		}
		return nil
	}
	c, err := ehr.Derive(&rs, opt)
	if err != nil {
		return &ehr.Context{Notes: append(notes, ehr.Note{Code: ehr.NoteUnreadable, Text: "the treatment record could not be read: " + err.Error()})}
	}
	var merged []ehr.Note
	resp.Context, merged = c.Merge(resp.Context, func(f string) bool { return h.ehrFields[f] })
	c.Notes = append(c.Notes, notes...)
	c.Notes = append(c.Notes, merged...)
	return c
}

// asOfDate is the date of the answers (the age they were given at), else today.
func asOfDate(date string) time.Time {
	if len(date) >= 10 {
		if t, err := time.Parse(time.DateOnly, date[:10]); err == nil {
			return t
		}
	}
	return time.Now().UTC()
}

// ehrCards adds what the treatment record says to the cards: each card whose rules (the referrals, tier or
// domains in its provenance extension) read a context field the record gave gets the resources behind it,
// and, when a treatment search was sent and there are cards to read, one information card lists the
// derived context and what could not be derived. A decided low tier with no card stays "cards": [] (no
// card on every chart open just to repeat the medication list).
func (h *Handler) ehrCards(cards []card, rep *screen.Report, e *ehrDerived) []card {
	if e == nil {
		return cards
	}
	c := e.c
	read := contextReadByRule(rep)
	for i := range cards {
		fields := map[string]bool{}
		for _, rule := range cardRules(cards[i]) {
			for f := range read[rule] {
				fields[f] = true
			}
		}
		var add strings.Builder
		for _, f := range c.Fields {
			if !f.Known || !h.ehrFields[f.Name] || !fields[f.Name] {
				continue
			}
			writeField(&add, f)
		}
		if add.Len() > 0 {
			cards[i].Detail += "\n\n**From the EHR record**\n\n" + add.String()
		}
	}
	if !e.treatment || len(cards) == 0 {
		return cards
	}
	var d strings.Builder
	for _, f := range c.Fields {
		if h.ehrFields[f.Name] {
			writeField(&d, f)
		}
	}
	if len(c.Notes) > 0 {
		d.WriteString("\n**Not derived, or not used**\n\n")
		for _, n := range c.Notes {
			if n.Field != "" && !h.ehrFields[n.Field] {
				continue // about a field this service does not take from the record (sex)
			}
			d.WriteString("- ")
			if n.Resource != "" {
				d.WriteString(n.Resource + ": ")
			}
			d.WriteString(cds.EscapeMarkdown(n.Text) + "\n")
		}
	}
	d.WriteString("\nMME by the CDC 2022 method (table " + cds.EscapeMarkdown(ehr.TableVersion()) + ", `" + ehr.TableDigest() + "`); " +
		"an MME measures risk, it is not a dose to convert between opioids. Decision support for a clinician, not a diagnosis.\n")
	card := card{UUID: h.cfg.newUUID(), Summary: "Treatment context read from the EHR record (medications, conditions, age)",
		Detail: d.String(), Indicator: indicatorInfo,
		Source: cds.Source{Label: "painscreen · treatment context", URL: h.cfg.SourceURL,
			Topic: &cds.Coding{System: cds.TopicSystem, Code: "painscreen#treatment-context", Display: "treatment context from the EHR"}}}
	return append(cards, card)
}

// contextReadByRule maps each composite rule of the report (referrals, possible referrals, the tier and
// the domains) to the context fields its reasons read, so a card is matched to the record by what its
// rules read, never by its wording.
func contextReadByRule(rep *screen.Report) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	comp := rep.Composite
	if comp == nil {
		return out
	}
	// The context fields each domain reads; a rule that reads a domain reads them too.
	byDomain := map[string][]string{}
	for _, d := range comp.Domains {
		for _, r := range d.Reasons() {
			if r.Ref == screen.RefContext {
				byDomain[d.ID] = append(byDomain[d.ID], r.ID)
			}
		}
	}
	add := func(rule string, rs []screen.Reason) {
		set := out[rule]
		if set == nil {
			set = map[string]bool{}
			out[rule] = set
		}
		for _, r := range rs {
			switch r.Ref {
			case screen.RefContext:
				set[r.ID] = true
			case screen.RefDomain:
				for _, f := range byDomain[r.ID] {
					set[f] = true
				}
			}
		}
	}
	for _, r := range comp.Referrals {
		add(r.Rule, r.Reasons())
	}
	for _, r := range comp.PossibleReferrals {
		add(r.Rule, r.Reasons())
	}
	for _, d := range comp.Domains {
		add(d.Rule, d.Reasons())
	}
	add(comp.TierRule, comp.TierReasons())
	return out
}

// cardRules returns the rule ids in a card's provenance extension.
func cardRules(c card) []string {
	p, _ := c.Extension[cds.ExtensionKey].(map[string]any)
	rules, _ := p["rules"].([]string)
	return rules
}

func writeField(b *strings.Builder, f ehr.Field) {
	b.WriteString("- `" + f.Name + "`: ")
	if !f.Known {
		b.WriteString("unknown\n")
		return
	}
	v, _ := json.Marshal(f.Value)
	b.WriteString("`" + string(v) + "`\n")
	for _, r := range f.Reasons {
		b.WriteString("  - ")
		if r.Resource != "" {
			b.WriteString(r.Resource + ": ")
		}
		b.WriteString(cds.EscapeMarkdown(r.Text) + "\n")
	}
}

// mdEscape keeps text from the record from being read as Markdown.
// acceptEHR says which context fields a FHIR Bundle sent to /score may set from its treatment record
// (sex only from the birth sex extension, which respfile enforces).
func (h *Handler) acceptEHR(f string) bool { return f == ehr.FieldSex || h.ehrFields[f] }

// appendEHRJSON adds "ehr_context" at the end of a JSON report, as `painscreen score` does: every derived
// field with the resources it was read from, the notes, and the table's version and digest.
func appendEHRJSON(b []byte, c *ehr.Context) []byte {
	if c == nil || len(b) == 0 || b[len(b)-1] != '}' {
		return b
	}
	j, err := json.Marshal(c)
	if err != nil {
		return b
	}
	b = append(b[:len(b)-1], `,"ehr_context":`...)
	b = append(b, j...)
	return append(b, '}')
}
