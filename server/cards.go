package server

import (
	"crypto/rand"
	"fmt"
	"sort"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The cards are made by screen/cds (what a clinician sees); the server only speaks HTTP. card is the
// CDS Hooks 2.0 card.
type card = cds.Card

// The card indicators of CDS Hooks.
const (
	indicatorInfo     = cds.IndicatorInfo
	indicatorWarning  = cds.IndicatorWarning
	indicatorCritical = cds.IndicatorCritical
)

// cardMaker turns a report into cards, and logs the integration problems that get no card.
type cardMaker struct {
	sourceURL string
	newUUID   func() string
	maker     *cds.Maker
	logf      func(p cds.Problem)
}

func (h *Handler) newCardMaker() *cardMaker {
	m := &cardMaker{sourceURL: h.cfg.SourceURL, newUUID: h.cfg.newUUID}
	m.maker = cds.NewMaker(h.eng, cds.Options{SourceURL: h.cfg.SourceURL, NewUUID: h.cfg.newUUID, ShowLowTier: h.cfg.ShowLowTierCard})
	m.logf = func(p cds.Problem) {
		// Codes and definition ids only: never an answer or the subject.
		h.log.Warn("integration problem in a CDS request (no card: it changes no result)",
			"code", p.Code, "instrument", safeID(p.Instrument), "item", safeID(p.Item))
	}
	return m
}

// cards returns the cards for one report, most pressing first (see cds.Maker), and logs its
// integration problems.
func (m *cardMaker) cards(rep *screen.Report) []card {
	if m.logf != nil {
		for _, p := range cds.Problems(rep) {
			m.logf(p)
		}
	}
	return m.maker.Cards(rep)
}

// unreadCard says that some prefetched QuestionnaireResponses could not be read, so the other cards
// do not reflect them: a result may be missing, so it is a card.
func (m *cardMaker) unreadCard(problems []respfile.Error) card {
	c := card{UUID: m.newUUID(), Indicator: indicatorWarning,
		Source:  cds.Source{Label: "painscreen", URL: m.sourceURL, Topic: &cds.Coding{System: cds.TopicSystem, Code: "painscreen#unread-responses", Display: "questionnaire responses not read"}},
		Summary: fmt.Sprintf("%d questionnaire response(s) could not be read and are not in these results.", len(problems))}
	if len(c.Summary) >= cds.MaxSummary {
		c.Summary = "Some questionnaire responses could not be read and are not in these results."
	}
	var d strings.Builder
	d.WriteString("**Some questionnaire responses could not be read.** The results on the other cards come from the responses that could; check these in the record.\n\n")
	for _, p := range problems {
		fmt.Fprintf(&d, "- %s\n", cds.EscapeMarkdown(p.Error()))
	}
	d.WriteString("\n_Decision support for a clinician, not a diagnosis._\n")
	c.Detail = d.String()
	return c
}

// sortCards orders cards most pressing first, keeping the order of equals.
func sortCards(cs []card) {
	rank := map[string]int{indicatorCritical: 0, indicatorWarning: 1, indicatorInfo: 2}
	sort.SliceStable(cs, func(i, j int) bool { return rank[cs[i].Indicator] < rank[cs[j].Indicator] })
}

// randomUUID returns a random (version 4) UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
