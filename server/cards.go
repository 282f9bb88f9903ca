package server

import (
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// CDS Hooks cards, as the 2.0 specification names their fields. Only what painscreen fills is declared.
type card struct {
	UUID      string     `json:"uuid,omitempty"`
	Summary   string     `json:"summary"`
	Detail    string     `json:"detail,omitempty"`
	Indicator string     `json:"indicator"`
	Source    cardSource `json:"source"`
}

type cardSource struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// The card indicators of CDS Hooks.
const (
	indicatorInfo     = "info"
	indicatorWarning  = "warning"
	indicatorCritical = "critical"
)

// maxSummary is the length a summary must stay under (CDS Hooks: "less than 140 characters").
const maxSummary = 140

// instrumentMeta is what a card says about an instrument's provenance.
type instrumentMeta struct{ title, citation string }

// cardMaker turns a report into cards.
type cardMaker struct {
	sourceURL   string
	newUUID     func() string
	instruments map[string]instrumentMeta // by id@version
	ruleTitle   string
}

func (h *Handler) newCardMaker() *cardMaker {
	m := &cardMaker{sourceURL: h.cfg.SourceURL, newUUID: h.cfg.newUUID, instruments: map[string]instrumentMeta{}}
	for _, in := range h.eng.Instruments() {
		meta := instrumentMeta{title: in.Title}
		if d, err := h.eng.Describe(in.ID + "@" + in.Version); err == nil {
			meta.citation = d.Citation
		}
		m.instruments[in.ID+"@"+in.Version] = meta
	}
	if rs, ok := h.eng.RuleSet(); ok {
		m.ruleTitle = rs.Title
	}
	return m
}

// cards returns the cards for one report, most pressing first: one per urgent flag and per referral
// (urgent → critical, high → warning, routine → info), then one per possible referral and one for a tier
// the answers leave open (each said to be possible), then one when some answers could not be used. A
// report with nothing to act on gives no card.
func (m *cardMaker) cards(rep *screen.Report) []card {
	var crit, warn, info []card
	add := func(c card) {
		c.UUID = m.newUUID()
		switch c.Indicator {
		case indicatorCritical:
			crit = append(crit, c)
		case indicatorWarning:
			warn = append(warn, c)
		default:
			info = append(info, c)
		}
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for _, f := range in.Flags {
			if f.Level == screen.LevelUrgent {
				add(m.flagCard(rep, in, f))
			}
		}
	}
	if c := rep.Composite; c != nil && c.Applied {
		for _, r := range c.Referrals {
			add(m.referralCard(rep, r, false))
		}
		for _, r := range c.PossibleReferrals {
			add(m.referralCard(rep, r, true))
		}
		if len(c.PossibleTiers) > 0 {
			add(m.tierCard(rep))
		}
	}
	if len(rep.Errors) > 0 {
		add(m.errorsCard(rep))
	}
	out := make([]card, 0, len(crit)+len(warn)+len(info))
	return append(append(append(out, crit...), warn...), info...)
}

func indicatorOf(p screen.Priority) string {
	switch p {
	case screen.PriorityUrgent:
		return indicatorCritical
	case screen.PriorityHigh:
		return indicatorWarning
	}
	return indicatorInfo
}

func (m *cardMaker) compositeSource(rep *screen.Report) cardSource {
	c := rep.Composite
	return cardSource{Label: "painscreen · " + c.ID + " " + c.Version, URL: m.sourceURL}
}

func (m *cardMaker) referralCard(rep *screen.Report, r screen.Referral, possible bool) card {
	c := card{Indicator: indicatorOf(r.Priority), Source: m.compositeSource(rep)}
	var d strings.Builder
	if possible {
		// A possible referral is not established: one step below its priority, never dropped.
		if r.Priority == screen.PriorityUrgent || r.Priority == screen.PriorityHigh {
			c.Indicator = indicatorWarning
		} else {
			c.Indicator = indicatorInfo
		}
		c.Summary = summary("Possible: " + r.Text)
		fmt.Fprintf(&d, "**Possible referral (%s priority):** %s\n\n", r.Priority, mdText(r.Text))
		d.WriteString("Some answers are missing, and with some of their possible values this referral applies. " +
			"Complete the missing answers to settle it.\n\n")
	} else {
		c.Summary = summary(r.Text)
		fmt.Fprintf(&d, "**Referral (%s priority):** %s\n\n", r.Priority, mdText(r.Text))
	}
	for _, a := range r.Addenda {
		fmt.Fprintf(&d, "- %s\n", mdText(a))
	}
	if len(r.Addenda) > 0 {
		d.WriteString("\n")
	}
	m.tierLine(&d, rep.Composite)
	d.WriteString("**Why**\n\n")
	fmt.Fprintf(&d, "- rule `%s`\n", mdCode(r.Rule))
	m.reasonsTree(&d, rep, r.Reasons(), 1)
	if possible {
		m.missingLines(&d, rep)
	}
	if r.Rationale != "" {
		fmt.Fprintf(&d, "\n**Rationale.** %s\n", mdText(r.Rationale))
	}
	if r.Source != "" {
		fmt.Fprintf(&d, "\n**Guideline source.** %s\n", mdText(r.Source))
	}
	m.footer(&d, rep)
	c.Detail = d.String()
	return c
}

func (m *cardMaker) flagCard(rep *screen.Report, in *screen.InstrumentResult, f screen.Flag) card {
	meta := m.instruments[in.ID+"@"+in.Version]
	title := meta.title
	if title == "" {
		title = in.ID
	}
	c := card{Indicator: indicatorCritical, Summary: summary(f.Message),
		Source: cardSource{Label: "painscreen · " + in.ID + " " + in.Version, URL: m.sourceURL}}
	var d strings.Builder
	fmt.Fprintf(&d, "**Urgent flag:** %s\n\n", mdText(f.Message))
	fmt.Fprintf(&d, "**Why**\n\n- rule `%s` (%s %s)\n", mdCode(f.Rule), mdText(title), mdText(in.Version))
	for _, rs := range f.Reasons() {
		fmt.Fprintf(&d, "  - `%s` = `%s`\n", mdCode(rs.Name), mdCode(rs.Value.String()))
	}
	if meta.citation != "" {
		fmt.Fprintf(&d, "\n**Source.** %s\n", mdText(meta.citation))
	}
	m.footer(&d, rep)
	c.Detail = d.String()
	return c
}

func (m *cardMaker) tierCard(rep *screen.Report) card {
	comp := rep.Composite
	names := make([]string, len(comp.PossibleTiers))
	ind := indicatorInfo
	for i, t := range comp.PossibleTiers {
		names[i] = string(t)
		if t == screen.TierUrgent || t == screen.TierHigh {
			ind = indicatorWarning
		}
	}
	c := card{Indicator: ind, Source: m.compositeSource(rep),
		Summary: summary(fmt.Sprintf("Risk tier not settled: possibly %s (answers missing)", strings.Join(names, ", ")))}
	var d strings.Builder
	fmt.Fprintf(&d, "**Risk tier not settled.** The answers given make the tier at least **%s**; with the missing answers it may be any of: %s.\n\n",
		mdText(string(comp.Tier)), mdText(strings.Join(names, ", ")))
	d.WriteString("**Why**\n\n")
	fmt.Fprintf(&d, "- rule `%s`\n", mdCode(comp.TierRule))
	m.reasonsTree(&d, rep, comp.TierReasons(), 1)
	m.missingLines(&d, rep)
	m.footer(&d, rep)
	c.Detail = d.String()
	return c
}

func (m *cardMaker) errorsCard(rep *screen.Report) card {
	c := card{Indicator: indicatorWarning, Source: cardSource{Label: "painscreen", URL: m.sourceURL},
		Summary: summary(fmt.Sprintf("%d answer problem(s): the results use only the answers that could be read", len(rep.Errors)))}
	var d strings.Builder
	d.WriteString("**Some answers could not be used.** Every other answer was scored; a result that needed a bad answer is missing or left open.\n\n")
	for _, e := range rep.Errors {
		where := e.Instrument
		if e.Item != "" {
			where += "." + e.Item
		}
		fmt.Fprintf(&d, "- `%s` `%s`: %s\n", mdCode(e.Code), mdCode(where), mdText(e.Message))
	}
	m.footer(&d, rep)
	c.Detail = d.String()
	return c
}

// unreadCard says that some prefetched QuestionnaireResponses could not be read, so the other cards
// do not reflect them.
func (m *cardMaker) unreadCard(problems []respfile.Error) card {
	c := card{UUID: m.newUUID(), Indicator: indicatorWarning, Source: cardSource{Label: "painscreen", URL: m.sourceURL},
		Summary: summary(fmt.Sprintf("%d questionnaire response(s) could not be read and are not in these results", len(problems)))}
	var d strings.Builder
	d.WriteString("**Some questionnaire responses could not be read.** The results on the other cards come from the responses that could; check these in the record.\n\n")
	for _, p := range problems {
		fmt.Fprintf(&d, "- `%s`: %s\n", mdCode(p.Code), mdText(p.Error()))
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

// tierLine states the tier, and the possible tiers when it is open.
func (m *cardMaker) tierLine(d *strings.Builder, comp *screen.CompositeResult) {
	fmt.Fprintf(d, "Risk tier: **%s**", mdText(string(comp.Tier)))
	if len(comp.PossibleTiers) > 0 {
		names := make([]string, len(comp.PossibleTiers))
		for i, t := range comp.PossibleTiers {
			names[i] = string(t)
		}
		fmt.Fprintf(d, " (not settled: possibly %s)", mdText(strings.Join(names, ", ")))
	}
	d.WriteString("\n\n")
}

// reasonsTree writes the chain behind a result: each domain (or the tier) its rule read, the instrument
// scores and flags each domain read, and the answers and scores each score read, as nested list items.
func (m *cardMaker) reasonsTree(d *strings.Builder, rep *screen.Report, rs []screen.Reason, depth int) {
	comp := rep.Composite
	for _, r := range rs {
		indent := strings.Repeat("  ", depth)
		switch {
		case r.Name == "tier":
			fmt.Fprintf(d, "%s- risk tier = `%s`\n", indent, mdCode(r.Value.String()))
			if depth < 3 {
				m.reasonsTree(d, rep, comp.TierReasons(), depth+1)
			}
		case strings.HasPrefix(r.Name, "domains."):
			id := strings.TrimPrefix(r.Name, "domains.")
			dom, ok := domainOf(comp, id)
			fmt.Fprintf(d, "%s- `%s` = `%s`", indent, mdCode(r.Name), mdCode(r.Value.String()))
			if ok && len(dom.Possible) > 0 {
				vals := make([]string, len(dom.Possible))
				for i, v := range dom.Possible {
					vals[i] = "`" + mdCode(v.String()) + "`"
				}
				fmt.Fprintf(d, " (not settled: possibly %s)", strings.Join(vals, ", "))
			}
			d.WriteString("\n")
			if ok && depth < 4 {
				m.instrumentReasons(d, rep, dom.Reasons(), depth+1)
			}
		default:
			fmt.Fprintf(d, "%s- `%s` = `%s`\n", indent, mdCode(r.Name), mdCode(r.Value.String()))
		}
	}
}

// instrumentReasons writes a domain's inputs (phq9.total, gcps_r.label, phq9.flags.x) with what each read.
func (m *cardMaker) instrumentReasons(d *strings.Builder, rep *screen.Report, rs []screen.Reason, depth int) {
	for _, r := range rs {
		indent := strings.Repeat("  ", depth)
		fmt.Fprintf(d, "%s- `%s` = `%s`\n", indent, mdCode(r.Name), mdCode(r.Value.String()))
		inst, field, ok := strings.Cut(r.Name, ".")
		if !ok {
			continue
		}
		in := rep.Instrument(inst)
		if in == nil {
			continue
		}
		if fl, ok := strings.CutPrefix(field, "flags."); ok {
			if f, ok := in.Flag(fl); ok {
				m.leafReasons(d, in, f.Reasons(), depth+1, 0)
			}
			continue
		}
		if s, ok := scoreOf(in, field); ok {
			m.leafReasons(d, in, s.Reasons(), depth+1, 0)
		}
	}
}

// leafReasons writes what a score or flag read: answers on one line, earlier scores each with their own
// reasons (a few levels at most).
func (m *cardMaker) leafReasons(d *strings.Builder, in *screen.InstrumentResult, rs []screen.Reason, depth, level int) {
	indent := strings.Repeat("  ", depth)
	var answers []string
	for _, r := range rs {
		if a, ok := strings.CutPrefix(r.Name, "answers."); ok {
			answers = append(answers, fmt.Sprintf("%s = %s", a, r.Value.String()))
			continue
		}
		fmt.Fprintf(d, "%s- `%s` = `%s`\n", indent, mdCode(r.Name), mdCode(r.Value.String()))
		if id, ok := strings.CutPrefix(r.Name, "scores."); ok && level < 3 {
			if s, ok := scoreOf(in, id); ok {
				m.leafReasons(d, in, s.Reasons(), depth+1, level+1)
			}
		}
	}
	if len(answers) > 0 {
		fmt.Fprintf(d, "%s- answers: `%s`\n", indent, mdCode(strings.Join(answers, ", ")))
	}
}

// missingLines lists the answers each instrument is missing.
func (m *cardMaker) missingLines(d *strings.Builder, rep *screen.Report) {
	var parts []string
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		if len(in.Missing) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", in.ID, strings.Join(in.Missing, ", ")))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(d, "\nMissing answers: `%s`\n", mdCode(strings.Join(parts, "; ")))
	}
}

func (m *cardMaker) footer(d *strings.Builder, rep *screen.Report) {
	fmt.Fprintf(d, "\n_Decision support for a clinician, not a diagnosis. %s %s", mdText(rep.Engine.Name), mdText(rep.Engine.Version))
	if c := rep.Composite; c != nil {
		fmt.Fprintf(d, "; rule set %s %s (`%s`)", mdText(c.ID), mdText(c.Version), mdCode(c.Digest))
	}
	d.WriteString("._\n")
}

func domainOf(c *screen.CompositeResult, id string) (screen.Domain, bool) {
	if c == nil {
		return screen.Domain{}, false
	}
	for _, d := range c.Domains {
		if d.ID == id {
			return d, true
		}
	}
	return screen.Domain{}, false
}

func scoreOf(in *screen.InstrumentResult, id string) (screen.Score, bool) {
	for _, s := range in.Scores {
		if s.ID == id {
			return s, true
		}
	}
	return screen.Score{}, false
}

// summary shortens s to fewer than maxSummary characters, at a word boundary, with an ellipsis.
func summary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) < maxSummary {
		return s
	}
	r := []rune(s)[:maxSummary-2]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > maxSummary/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// mdText escapes text for Markdown so that definition text renders as written (no emphasis, links or
// HTML from stray characters).
func mdText(s string) string {
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

// mdCode makes s safe inside a single-backtick code span: no backtick, no line break.
func mdCode(s string) string {
	if !strings.ContainsAny(s, "`\n\r") {
		return s
	}
	return strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
}

// randomUUID returns a random (version 4) UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
