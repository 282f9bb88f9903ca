package cds

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
)

// Options configure a Maker.
type Options struct {
	// SourceURL is every card's source.url (the service's documentation); may be empty.
	SourceURL string
	// NewUUID gives card and suggestion uuids; nil: random version 4 UUIDs.
	NewUUID func() string
	// ShowLowTier gives a card for a decided low tier (a rescreen reminder). Off by default: a
	// negative screen is not worth a card on every chart open.
	ShowLowTier bool
}

// Maker turns reports into CDS Hooks cards designed for an EHR:
//
//   - one critical card for the urgent action: a fired urgent flag (PHQ-9 item 9) and the urgent
//     referral it triggers (suicide_safety_assessment) are one card, with links (C-SSRS, 988) and a
//     suggested order;
//   - when the answers leave the tier open (composite.md §1b), a card that leads with what to ask
//     (warning when urgent is possible, else info), listing what the missing answers could add; the
//     same when an urgent flag is left open without an applied rule set;
//   - one warning card per high-priority referral, with links and, where an order exists, a suggestion;
//   - one info card for all routine referrals together;
//   - no card for a decided low tier unless Options.ShowLowTier;
//   - one warning card when answers that could not be used leave a result open, and nothing for
//     integration problems that change no result (unknown items or instruments: see Problems, for
//     the log).
//
// Summaries stand alone in under 140 characters; rule ids, versions and digests go to source.topic
// and the card's extension, never to its text. Build a Maker once per engine; it is immutable and
// safe for concurrent use.
type Maker struct {
	opt   Options
	names *Namer
	rsDoc struct{ id, title string }
	// labels are the rule set's referral labels by id (only those it gives).
	labels map[string]string
}

// NewMaker builds a Maker for the definitions an engine has loaded.
func NewMaker(eng *screen.Engine, opt Options) *Maker {
	m := &Maker{opt: opt, names: NewNamer(eng)}
	if m.opt.NewUUID == nil {
		m.opt.NewUUID = randomUUID
	}
	if rs, ok := eng.RuleSet(); ok {
		m.rsDoc.id, m.rsDoc.title = rs.ID, rs.Title
	}
	if doc, err := eng.DescribeRuleSet(); err == nil && doc != nil {
		m.labels = map[string]string{}
		for _, r := range doc.Referrals {
			if r.Label != "" {
				m.labels[r.ID] = r.Label
			}
		}
	}
	return m
}

// Names returns the Namer the Maker uses.
func (m *Maker) Names() *Namer { return m.names }

// Cards returns the cards for one report, most pressing first.
func (m *Maker) Cards(rep *screen.Report) []Card {
	var crit, warn, info []Card
	add := func(c *Card) {
		if c == nil {
			return
		}
		c.UUID = m.opt.NewUUID()
		for i := range c.Suggestions {
			c.Suggestions[i].UUID = m.opt.NewUUID()
		}
		switch c.Indicator {
		case IndicatorCritical:
			crit = append(crit, *c)
		case IndicatorWarning:
			warn = append(warn, *c)
		default:
			info = append(info, *c)
		}
	}
	add(m.urgentCard(rep))
	open := m.openCard(rep)
	add(open)
	if c := rep.Composite; c != nil && c.Applied {
		var routine []screen.Referral
		for _, r := range c.Referrals {
			switch r.Priority {
			case screen.PriorityUrgent: // on the urgent card
			case screen.PriorityHigh:
				add(m.highCard(rep, r))
			default:
				routine = append(routine, r)
			}
		}
		add(m.routineCard(rep, routine))
	}
	if open == nil { // else the open card names the unusable answers as items to ask
		add(m.errorCard(rep))
	}
	out := make([]Card, 0, len(crit)+len(warn)+len(info))
	return append(append(append(out, crit...), warn...), info...)
}

// Problem is an integration problem with a response set that changes no result (an item or
// instrument the definitions do not know): for the service's log, never a card. It holds no answer.
type Problem struct{ Code, Instrument, Item string }

// integration lists the error codes that name something the definitions do not have.
var integration = map[string]bool{"unknown_item": true, "unknown_instrument": true, "unknown_version": true,
	"unknown_context": true, "duplicate_instrument": true}

// Problems lists the report's integration problems (see Problem).
func Problems(rep *screen.Report) []Problem {
	var out []Problem
	for _, e := range rep.Errors {
		if integration[e.Code] {
			out = append(out, Problem{Code: e.Code, Instrument: e.Instrument, Item: e.Item})
		}
	}
	return out
}

func (m *Maker) source(topic, display string) Source {
	label := "painscreen"
	if c := m.rsDoc.title; c != "" {
		label = "painscreen: " + c
	}
	return Source{Label: label, URL: m.opt.SourceURL, Topic: &Coding{System: TopicSystem, Code: topic, Display: display}}
}

func provenance(rep *screen.Report, rules ...string) map[string]any {
	p := map[string]any{"engine": rep.Engine.Name + " " + rep.Engine.Version}
	if c := rep.Composite; c != nil {
		p["rule_set"] = c.ID + "@" + c.Version
		p["digest"] = c.Digest
	}
	if len(rules) > 0 {
		p["rules"] = rules
	}
	return map[string]any{ExtensionKey: p}
}

// overrides are the reasons a clinician may give for dismissing a card.
var (
	overrideDone      = Coding{System: OverrideReasonSystem, Code: "already-addressed", Display: "Already addressed at this visit"}
	overrideInCare    = Coding{System: OverrideReasonSystem, Code: "in-care", Display: "Patient already receives this care"}
	overrideDeclined  = Coding{System: OverrideReasonSystem, Code: "patient-declined", Display: "Patient declined"}
	overrideNotApply  = Coding{System: OverrideReasonSystem, Code: "not-applicable", Display: "Not applicable to this patient (clinical judgement)"}
	overrideDataError = Coding{System: OverrideReasonSystem, Code: "data-error", Display: "Questionnaire answers recorded in error"}
)

// urgentCard is the one critical card: urgent flags that fired and the urgent referrals.
func (m *Maker) urgentCard(rep *screen.Report) *Card {
	type flag struct {
		in *screen.InstrumentResult
		f  screen.Flag
	}
	var flags []flag
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for _, f := range in.Flags {
			if f.Level == screen.LevelUrgent {
				flags = append(flags, flag{in, f})
			}
		}
	}
	var refs []screen.Referral
	if c := rep.Composite; c != nil && c.Applied {
		for _, r := range c.Referrals {
			if r.Priority == screen.PriorityUrgent {
				refs = append(refs, r)
			}
		}
	}
	if len(flags) == 0 && len(refs) == 0 {
		return nil
	}
	c := &Card{Indicator: IndicatorCritical}
	var d strings.Builder
	var rules []string
	for _, f := range flags {
		rules = append(rules, f.f.Rule)
		fmt.Fprintf(&d, "**%s**\n\n", EscapeMarkdown(f.f.Message))
		if ct := m.names.ConflictText(f.in.ID, f.f); ct != "" {
			fmt.Fprintf(&d, "- %s\n", EscapeMarkdown(ct))
		}
		for _, r := range f.f.Reasons() {
			if line := m.answerLine(f.in, r); line != "" {
				fmt.Fprintf(&d, "- %s\n", line)
			}
		}
		d.WriteString("\n")
	}
	var topic string
	for _, r := range refs {
		rules = append(rules, r.Rule)
		if topic == "" {
			topic = r.Rule
		}
		m.referralDetail(&d, rep, r)
		c.Links = appendLinks(c.Links, ReferralActions[r.ID].Links)
		if s := m.suggestion(rep, r); s != nil {
			c.Suggestions = append(c.Suggestions, *s)
		}
	}
	switch {
	case len(refs) > 0:
		c.Summary = m.summaryOf(refs[0])
	default:
		c.Summary = fitSummary(flags[0].f.Message, "Urgent: "+m.names.Instrument(flags[0].in.ID)+" flag "+words(flags[0].f.ID)+": see detail")
	}
	if topic == "" {
		topic = flags[0].f.Rule
	}
	if len(refs) == 0 && len(flags) > 0 {
		// The rule set was not applied (or has no urgent referral): the flag still gets its links.
		if a, ok := ReferralActions["suicide_safety_assessment"]; ok && flags[0].in.ID == "phq9" {
			c.Links = appendLinks(c.Links, a.Links)
		}
	}
	display := "urgent flag"
	if len(refs) > 0 {
		display = m.shortOf(refs[0])
	}
	c.Source = m.source(topic, display)
	c.OverrideReasons = []Coding{overrideDone, overrideInCare, overrideDataError}
	if len(c.Suggestions) > 0 {
		c.SelectionBehavior = "at-most-one"
	}
	footer(&d)
	c.Detail = d.String()
	c.Extension = provenance(rep, rules...)
	return c
}

// openCard leads with what to ask when the answers leave the tier (or an urgent flag) open.
func (m *Maker) openCard(rep *screen.Report) *Card {
	open, isOpen := m.names.OpenResult(rep)
	flags := m.names.OpenFlags(rep)
	var possible []screen.Referral
	if comp := rep.Composite; comp != nil && comp.Applied {
		for _, r := range comp.PossibleReferrals {
			if r.ID != "rescreen" { // "possibly nothing to do" is no action
				possible = append(possible, r)
			}
		}
	}
	if !isOpen && len(flags) == 0 && len(possible) == 0 {
		return nil
	}
	c := &Card{Indicator: IndicatorInfo}
	var d strings.Builder
	var ask []Item
	if isOpen {
		ask = open.Settle
		if open.Urgent {
			c.Indicator = IndicatorWarning
		}
		fmt.Fprintf(&d, "**Risk tier %s.** %s holds whatever the missing answers are.\n\n", EscapeMarkdown(open.Headline()), TierWord(open.Now))
	} else {
		ask = m.names.OpenItems(rep)
	}
	for _, f := range flags {
		c.Indicator = IndicatorWarning
		fmt.Fprintf(&d, "**%s: not ruled out.** The item it reads has no usable answer, so it is unknown — not negative.\n\n",
			EscapeMarkdown(m.names.Instrument(f.Instrument)+" "+words(f.Flag)))
		for _, it := range f.Items {
			if !containsItem(ask, it) {
				ask = append(ask, it)
			}
		}
		if a, ok := ReferralActions["suicide_safety_assessment"]; ok && f.Instrument == "phq9" {
			c.Links = appendLinks(c.Links, a.Links)
		}
	}
	if len(ask) > 0 {
		d.WriteString("**Ask:**\n\n")
		for _, it := range ask {
			fmt.Fprintf(&d, "- %s", EscapeMarkdown(it.Name))
			if it.Text != "" {
				fmt.Fprintf(&d, ": “%s”", EscapeMarkdown(it.Text))
			}
			fmt.Fprintf(&d, " (%s)\n", unknownReason(rep, it))
		}
		d.WriteString("\n")
	}
	if len(possible) > 0 {
		d.WriteString("**What the answers could add:**\n\n")
		for _, r := range possible {
			fmt.Fprintf(&d, "- %s (%s priority): %s\n", EscapeMarkdown(m.labelOf(r)), r.Priority, EscapeMarkdown(r.Text))
			c.Links = appendLinks(c.Links, ReferralActions[r.ID].Links)
		}
		d.WriteString("\n")
	}
	switch {
	case isOpen:
		c.Summary = openSummary(open, ask)
	case len(flags) > 0:
		c.Summary = fitSummary(m.names.Instrument(flags[0].Instrument)+" "+words(flags[0].Flag)+" not ruled out: ask "+joinNames(ask)+".",
			m.names.Instrument(flags[0].Instrument)+" "+words(flags[0].Flag)+" not ruled out: ask the missing items.")
	default:
		names := make([]string, len(possible))
		for i, r := range possible {
			names[i] = m.shortOf(r)
		}
		head := "Missing answers could add: " + strings.Join(names, "; ") + "."
		if len(ask) > 0 {
			c.Summary = fitSummary(head+" Ask "+joinNames(ask)+".", fitSummary(head, "Missing answers could add recommendations (see detail)."))
		} else {
			c.Summary = fitSummary(head, "Missing answers could add recommendations (see detail).")
		}
	}
	c.Source = m.source("painscreen#open", "result not final")
	c.OverrideReasons = []Coding{overrideDeclined, overrideDone, overrideNotApply}
	footer(&d)
	c.Detail = d.String()
	c.Extension = provenance(rep)
	return c
}

// openSummary: "Risk tier not final: URGENT possible. Ask PHQ-9 item 9." (shortened to the count of
// items when the names do not fit).
func openSummary(o Open, ask []Item) string {
	head := "Risk tier not final: " + joinTiers(o.Higher) + " possible."
	if len(ask) == 0 {
		return head + " Complete the missing answers."
	}
	return fitSummary(head+" Ask "+joinNames(ask)+".", fmt.Sprintf("%s Ask the %d unanswered items.", head, len(ask)))
}

func joinTiers(ts []screen.Tier) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = TierWord(t)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func containsItem(items []Item, it Item) bool {
	for _, x := range items {
		if x.Instrument == it.Instrument && x.ID == it.ID {
			return true
		}
	}
	return false
}

// unknownReason says why an item's answer is unknown.
func unknownReason(rep *screen.Report, it Item) string {
	if in := rep.Instrument(it.Instrument); in != nil {
		for _, m := range in.Missing {
			if m == it.ID {
				return "not answered"
			}
		}
	}
	return "answer could not be used"
}

// fitSummary returns s when it fits a summary, else the shorter alternative (which must fit).
func fitSummary(s, short string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) < MaxSummary {
		return s
	}
	return short
}

// summaryOf is a referral's summary: the table's, else its text when it fits, else its priority and
// short name.
func (m *Maker) summaryOf(r screen.Referral) string {
	if a, ok := ReferralActions[r.ID]; ok && a.Summary != "" {
		return a.Summary
	}
	return fitSummary(r.Text, fitSummary(firstSentence(r.Text), "Recommended ("+string(r.Priority)+" priority): "+m.shortOf(r)+"."))
}

// shortOf is a referral's name in a list: the table's short name, else the rule set's label, else its id
// in words.
func (m *Maker) shortOf(r screen.Referral) string {
	if a, ok := ReferralActions[r.ID]; ok && a.Short != "" {
		return a.Short
	}
	if l := m.labels[r.ID]; l != "" {
		return l
	}
	return words(r.ID)
}

// labelOf is a referral's heading: the rule set's label, else its short name capitalised.
func (m *Maker) labelOf(r screen.Referral) string {
	if l := m.labels[r.ID]; l != "" {
		return l
	}
	return capitalize(m.shortOf(r))
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// words turns an id into words: "integrated_pain_care" → "integrated pain care".
func words(id string) string { return strings.ReplaceAll(id, "_", " ") }

func appendLinks(dst, add []Link) []Link {
	for _, l := range add {
		dup := false
		for _, x := range dst {
			dup = dup || x.URL == l.URL
		}
		if !dup {
			dst = append(dst, l)
		}
	}
	return dst
}

func footer(d *strings.Builder) {
	d.WriteString("_Decision support for a clinician, not a diagnosis._\n")
}

// randomUUID returns a random (version 4) UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NotAppliedWhy says in words why a rule set was not applied: a reason code the engine gives
// (screen.CompositeResult.Reason: outside_population, no_inputs) as a sentence, any other reason (already
// words) as it is.
func NotAppliedWhy(reason string) string {
	switch reason {
	case "outside_population":
		return "the respondent is younger than the rule set is for (see the note on age)"
	case "no_inputs":
		return "none of the questionnaires it reads was answered"
	}
	return reason
}
