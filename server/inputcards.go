package server

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Cards about the inputs of a CDS call (the clinical cards are cards.go's): an item 9 endorsement the
// scored PHQ-9 does not show, an item 9 without a usable answer, data the EHR could not give in full,
// and notes on how the responses were read.

const footerText = "\n_Decision support for a clinician, not a diagnosis._\n"

// inputCards returns the input cards of a call (rep is nil when nothing was scored).
func (h *Handler) inputCards(pre *prefetched, rep *screen.Report, data map[string]*prefetchData) []card {
	var out []card
	if c, ok := h.item9HistoryCard(pre, rep); ok {
		out = append(out, c)
	} else if c, ok := h.item9UnansweredCard(rep); ok {
		out = append(out, c)
	}
	var incomplete []string
	incomplete = append(incomplete, pre.incomplete...)
	if d := data[patientPrefetchKey]; d != nil {
		incomplete = append(incomplete, d.incomplete...)
	}
	if len(incomplete) > 0 {
		out = append(out, h.incompleteCard(incomplete))
	}
	if c, ok := h.notesCard(pre); ok {
		out = append(out, c)
	}
	return out
}

func (h *Handler) newCard(indicator, summaryText string) card {
	return card{UUID: h.cards.newUUID(), Indicator: indicator, Summary: summary(summaryText),
		Source: cds.Source{Label: "painscreen", URL: h.cards.sourceURL}}
}

// whenOf names when a response was authored, for a card.
func whenOf(e *qrEntry) string {
	switch {
	case e.date == "":
		return "an undated response"
	case e.future:
		return e.date + " (a date in the future: check it)"
	}
	return e.date
}

// flagged reports whether the report's PHQ-9 raised the suicidal ideation flag.
func flagged(rep *screen.Report) bool {
	if rep == nil {
		return false
	}
	_, ok := rep.Instrument("phq9").Flag("suicidal_ideation")
	return ok
}

// item9HistoryCard is the critical card for item 9 endorsements the scored PHQ-9 does not flag: in an older
// PHQ-9, an undated or future-dated one, or one whose answers conflict.
func (h *Handler) item9HistoryCard(pre *prefetched, rep *screen.Report) (card, bool) {
	var es []*qrEntry
	for _, e := range pre.endorsed {
		if flagged(rep) && pre.decided[e] {
			continue // the flag card of the scored PHQ-9 shows it
		}
		es = append(es, e)
	}
	if len(es) == 0 {
		return card{}, false
	}
	slices.SortStableFunc(es, func(a, b *qrEntry) int { return strings.Compare(b.date, a.date) })
	when := whenOf(es[0])
	if len(es) > 1 {
		when += fmt.Sprintf(" and %d more", len(es)-1)
	}
	c := h.newCard(indicatorCritical, "PHQ-9 item 9 (thoughts of death or self-harm) endorsed: "+when+". Ask about it today")
	var d strings.Builder
	d.WriteString("**A PHQ-9 response endorses item 9** (thoughts that the patient would be better off dead, or of hurting themselves). ")
	d.WriteString("It is not the answer the other cards score, so they do not show it; assess suicide risk today.\n\n")
	for _, e := range es {
		why := "a newer PHQ-9 is scored"
		switch {
		case pre.decided[e]:
			why = "scored today, but item 9 has no single valid answer (answered more than once, or differently by responses of the same date)"
		case e.date == "":
			why = "undated: it cannot be placed in time"
		case e.future:
			why = "dated in the future: it is not scored"
		}
		fmt.Fprintf(&d, "- %s", mdText(whenOf(e)))
		if e.src.Reference != "" {
			fmt.Fprintf(&d, " `%s`", mdCode(e.src.Reference))
		}
		fmt.Fprintf(&d, ": %s\n", mdText(why))
	}
	d.WriteString(footerText)
	c.Detail = d.String()
	return c, true
}

// item9UnansweredCard asks for PHQ-9 item 9 when the scored PHQ-9 has no usable answer to it and no other
// card leads with it (the tier card does when urgent is a possible tier).
func (h *Handler) item9UnansweredCard(rep *screen.Report) (card, bool) {
	if rep == nil || flagged(rep) {
		return card{}, false
	}
	in := rep.Instrument("phq9")
	if in == nil {
		return card{}, false
	}
	problem := ""
	if slices.Contains(in.Missing, "q9") {
		problem = "not answered"
	}
	for _, e := range rep.Errors {
		if e.Instrument == in.ID && e.Item == "q9" || (strings.HasPrefix(e.Instrument, in.ID+"@") && e.Item == "q9") {
			problem = "answered in a way that cannot be used"
		}
	}
	if problem == "" {
		return card{}, false
	}
	if c := rep.Composite; c != nil && slices.ContainsFunc(c.PossibleTiers, h.isTopTier) {
		return card{}, false // the tier card leads with what to ask
	}
	c := h.newCard(indicatorWarning, "PHQ-9 item 9 (thoughts of death or self-harm) is "+problem+": ask it")
	c.Detail = "**PHQ-9 item 9 is " + problem + ".** These results cannot say whether the patient has thoughts of death or self-harm; " +
		"that is not \"no suicidal ideation\". Ask the question.\n" + footerText
	return c, true
}

// incompleteCard says that the EHR's data were incomplete.
func (h *Handler) incompleteCard(why []string) card {
	c := h.newCard(indicatorWarning, "The EHR's data were incomplete: these results may miss some of the patient's responses or details")
	var d strings.Builder
	d.WriteString("**Not all of the patient's data could be read.** The other cards use what could; check the record.\n\n")
	for _, w := range why {
		fmt.Fprintf(&d, "- %s\n", mdText(w))
	}
	d.WriteString(footerText)
	c.Detail = d.String()
	return c
}

// notesCard lists how the responses were read where that matters to the results: preliminary (not
// completed) responses, undated and future-dated ones, instruments too old to score, and the reader's notes.
func (h *Handler) notesCard(pre *prefetched) (card, bool) {
	var lines []string
	warn := false
	if pre.preliminary {
		warn = true
		lines = append(lines, "Some scored responses are not completed (in progress or stopped): the results are preliminary.")
	}
	for _, e := range pre.undated {
		warn = true
		lines = append(lines, fmt.Sprintf("`%s` (%s) has no full authored date: read, but never preferred to a dated response.", mdCode(refOf(e)), mdCode(e.inst)))
	}
	for _, e := range pre.future {
		warn = true
		lines = append(lines, fmt.Sprintf("`%s` (%s) is dated %s, in the future: read, but never preferred to a dated response.", mdCode(refOf(e)), mdCode(e.inst), mdText(e.date)))
	}
	for _, id := range pre.stale {
		lines = append(lines, fmt.Sprintf("`%s`: the newest answers are older than the look-back period: not scored.", mdCode(id)))
	}
	for _, n := range pre.notes {
		if n.note.Code == respfile.NoteConflict || n.note.Code == respfile.NoteInvalidStatus {
			warn = true
		}
		if n.note.Code == respfile.NotePreliminary && pre.preliminary {
			continue // said once above
		}
		if n.note.Code == respfile.NoteUndated || n.note.Code == respfile.NotePartialDate {
			continue // said above, with how the merge treats it
		}
		where := n.ref
		if n.note.Item != "" {
			where += " item " + n.note.Item
		}
		lines = append(lines, fmt.Sprintf("`%s` `%s`: %s", mdCode(n.note.Code), mdCode(where), mdText(n.note.Message)))
	}
	if len(lines) == 0 {
		return card{}, false
	}
	ind := indicatorInfo
	if warn {
		ind = indicatorWarning
	}
	c := h.newCard(ind, fmt.Sprintf("%d note(s) on how the questionnaire responses were read", len(lines)))
	var d strings.Builder
	d.WriteString("**How the responses were read.**\n\n")
	for _, l := range lines {
		d.WriteString("- " + l + "\n")
	}
	d.WriteString(footerText)
	c.Detail = d.String()
	return c, true
}

func refOf(e *qrEntry) string {
	if e.src.Reference != "" {
		return e.src.Reference
	}
	return "QuestionnaireResponse"
}

// summary keeps a card summary under cds.MaxSummary bytes (cut at a rune, with an ellipsis).
func summary(s string) string {
	if len(s) < cds.MaxSummary {
		return s
	}
	cut := cds.MaxSummary - len("…") - 1
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// mdText escapes text for a Markdown detail.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]<>()#+!|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode makes text safe inside a Markdown code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }

// isTopTier reports whether t is the rule set's highest tier (pain_oud's urgent), by the rule set's own
// order rather than a tier id.
func (h *Handler) isTopTier(t screen.Tier) bool {
	rank, ok := h.eng.TierRank(t)
	return ok && rank == 0
}
