package cds

import (
	"slices"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// Item names one item whose answer is missing or invalid, for a clinician.
type Item struct {
	// Instrument and ID are the machine ids ("phq9", "q9").
	Instrument, ID string
	// Name is how a clinician asks for it: the instrument's short name and the item's position
	// ("PHQ-9 item 9").
	Name string
	// Text is the item's text from the definition, when it has one (empty for paraphrased or
	// licensed items whose text is not reproduced).
	Text string
}

// Open describes a result the answers leave open (composite.md §1b): the tier that holds whatever the
// missing or invalid answers are, the higher tiers they could give, and the items to ask.
type Open struct {
	// Now is the lowest possible tier: what holds whatever the missing answers are.
	Now screen.Tier
	// Higher lists the possible tiers above Now, most pressing first.
	Higher []screen.Tier
	// Settle lists the items whose answers could change the tier, in report order.
	Settle []Item
	// Urgent is true when the rule set's highest tier (screen.RuleSetInfo.Tiers[0]; pain_oud's urgent) is
	// possible. A nil Namer, which does not know the rule set, says so whenever a higher tier is possible:
	// it never understates.
	Urgent bool
}

// OpenFlag is an urgent flag the answers leave open: it was not evaluated because an item it reads is
// missing or invalid. It is never "no" — the signal is unknown.
type OpenFlag struct {
	Instrument string
	Flag       string
	// Message is the flag's message from the definition (what it would say).
	Message string
	// Items are the missing or invalid items the flag reads.
	Items []Item
}

// Namer turns ids into what a clinician reads: instrument short names, item names and texts, flag
// levels. Build it once per engine (NewNamer); it is immutable and safe for concurrent use. A nil
// *Namer falls back to the ids.
type Namer struct {
	insts map[string]*instNames // by id; the newest version loaded wins for names (they do not change)
	top   screen.Tier           // the rule set's highest tier; "" without a rule set
}

type instNames struct {
	short string
	items map[string]itemName
	order []string // item ids in definition order
	flags map[string]catalog.FlagDoc
}

type itemName struct {
	pos  int
	text string
	opts map[int64]string // option value → label
}

// NewNamer reads the names of every instrument the engine has loaded.
func NewNamer(eng *screen.Engine) *Namer {
	n := &Namer{insts: map[string]*instNames{}}
	if rs, ok := eng.RuleSet(); ok && len(rs.Tiers) > 0 {
		n.top = rs.Tiers[0]
	}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			continue
		}
		in := &instNames{short: ShortName(doc.ID, doc.Title), items: map[string]itemName{}, flags: map[string]catalog.FlagDoc{}}
		for i, it := range doc.Items {
			nm := itemName{pos: i + 1, text: strings.Join(strings.Fields(it.Text), " ")}
			for _, o := range it.Options {
				if nm.opts == nil {
					nm.opts = map[int64]string{}
				}
				nm.opts[o.Value] = o.Label
			}
			in.items[it.ID] = nm
			in.order = append(in.order, it.ID)
		}
		for _, f := range doc.Flags {
			in.flags[f.ID] = f
		}
		n.insts[doc.ID] = in
	}
	return n
}

// ShortName is an instrument's name for a clinician: the abbreviation in parentheses at the end of its
// title ("Patient Health Questionnaire-9 (PHQ-9)" → "PHQ-9"), else the title's first word when it is an
// acronym ("DSM-5 opioid use disorder criteria checklist" → "DSM-5"), else the title, else the id.
func ShortName(id, title string) string {
	title = strings.Join(strings.Fields(title), " ")
	if strings.HasSuffix(title, ")") {
		if i := strings.LastIndexByte(title, '('); i >= 0 {
			if s := strings.TrimSpace(title[i+1 : len(title)-1]); s != "" && len(s) <= 16 {
				return s
			}
		}
	}
	if first, _, _ := strings.Cut(title, " "); len(first) >= 2 && len(first) <= 16 && isAcronym(first) {
		return first
	}
	if title != "" && len(title) <= 60 {
		return title
	}
	return id
}

// isAcronym reports whether s is capitals, digits and hyphens with at least two capitals ("DSM-5", "PEG").
func isAcronym(s string) bool {
	caps := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
			caps++
		case '0' <= c && c <= '9', c == '-':
		default:
			return false
		}
	}
	return caps >= 2
}

// Instrument returns the short name of an instrument id (or id@version).
func (n *Namer) Instrument(id string) string {
	id, _, _ = strings.Cut(id, "@")
	if n != nil {
		if in := n.insts[id]; in != nil {
			return in.short
		}
	}
	return id
}

// Item names an item of an instrument (id or id@version).
func (n *Namer) Item(inst, item string) Item {
	inst, _, _ = strings.Cut(inst, "@")
	it := Item{Instrument: inst, ID: item, Name: inst + " " + item}
	if n == nil {
		return it
	}
	in := n.insts[inst]
	if in == nil {
		return it
	}
	if nm, ok := in.items[item]; ok {
		it.Name = in.short + " item " + strconv.Itoa(nm.pos)
		it.Text = nm.text
	} else {
		it.Name = in.short + " " + item
	}
	return it
}

// AnswerLabel returns the label of an answer value of an item ("Several days"), or "" when the item
// has no options or the value is not one of them.
func (n *Namer) AnswerLabel(inst, item string, v int64) string {
	inst, _, _ = strings.Cut(inst, "@")
	if n != nil {
		if in := n.insts[inst]; in != nil {
			return in.items[item].opts[v]
		}
	}
	return ""
}

// itemPos is an item's position in its definition (0 when unknown), for ordering.
func (n *Namer) itemPos(inst, item string) int {
	if n != nil {
		if in := n.insts[inst]; in != nil {
			return in.items[item].pos
		}
	}
	return 0
}

// flagDoc returns a flag's definition.
func (n *Namer) flagDoc(inst, flag string) (catalog.FlagDoc, bool) {
	if n != nil {
		if in := n.insts[inst]; in != nil {
			f, ok := in.flags[flag]
			return f, ok
		}
	}
	return catalog.FlagDoc{}, false
}

// OpenResult reports whether the composite's tier is not decided and, if so, how it is open: Settle is
// the report's own list (CompositeResult.Settle, exact) when it has one, else the unknown items of the
// instruments the open domains read. A report without an applied rule set, or with a decided tier,
// gives false.
func (n *Namer) OpenResult(rep *screen.Report) (Open, bool) {
	c := rep.Composite
	if c == nil || !c.Applied || len(c.PossibleTiers) < 2 {
		return Open{}, false
	}
	o := Open{Now: c.Tier}
	// PossibleTiers is in the rule set's order, highest first.
	for _, t := range c.PossibleTiers {
		if t != c.Tier {
			o.Higher = append(o.Higher, t)
		}
	}
	if n == nil {
		o.Urgent = len(o.Higher) > 0
	} else {
		o.Urgent = n.top != "" && slices.Contains(c.PossibleTiers, n.top)
	}
	if len(c.Settle) > 0 {
		// The engine's exact list: the items the tier depends on (composite.md §1b).
		for _, s := range c.Settle {
			inst, item, _ := strings.Cut(s, ".")
			o.Settle = append(o.Settle, n.Item(inst, item))
		}
	} else {
		o.Settle = n.settle(rep)
	}
	return o, true
}

// unknownItems returns the items of an instrument that are missing or whose answer could not be used,
// in definition order.
func (n *Namer) unknownItems(rep *screen.Report, in *screen.InstrumentResult) []string {
	seen := map[string]bool{}
	var ids []string
	for _, m := range in.Missing {
		if !seen[m] {
			seen[m] = true
			ids = append(ids, m)
		}
	}
	for _, e := range rep.Errors {
		id, _, _ := strings.Cut(e.Instrument, "@")
		if id == in.ID && e.Item != "" && !seen[e.Item] && n.itemPos(in.ID, e.Item) > 0 {
			seen[e.Item] = true
			ids = append(ids, e.Item)
		}
	}
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && n.itemPos(in.ID, ids[j]) < n.itemPos(in.ID, ids[j-1]); j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}

// flagItems returns the unknown items of an instrument that a flag's condition names.
func (n *Namer) flagItems(rep *screen.Report, in *screen.InstrumentResult, flag string) []string {
	unknown := n.unknownItems(rep, in)
	f, ok := n.flagDoc(in.ID, flag)
	if !ok {
		return unknown
	}
	var out []string
	for _, id := range unknown {
		if mentions(f.When, id) {
			out = append(out, id)
		}
	}
	return out
}

// mentions reports whether expr names the identifier id as a whole word.
func mentions(expr, id string) bool {
	for i := 0; ; {
		j := strings.Index(expr[i:], id)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(id)
		before := j == 0 || !isIdent(expr[j-1])
		after := end == len(expr) || !isIdent(expr[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// settle lists the items whose answers could change the tier: for each domain the answers leave open,
// the unknown items of the instruments it read (of a flag it read, only the items the flag reads).
func (n *Namer) settle(rep *screen.Report) []Item {
	c := rep.Composite
	type key struct{ inst, item string }
	seen := map[key]bool{}
	var out []Item
	add := func(inst string, ids []string) {
		for _, id := range ids {
			if k := (key{inst, id}); !seen[k] {
				seen[k] = true
				out = append(out, n.Item(inst, id))
			}
		}
	}
	for i := range c.Domains {
		d := &c.Domains[i]
		if len(d.Possible) == 0 {
			continue
		}
		for _, r := range d.Reasons() {
			if r.Instrument == "" { // context, domains, the tier, days
				continue
			}
			in := rep.Instrument(r.Instrument)
			if in == nil {
				continue
			}
			if r.Ref == screen.RefFlag {
				add(in.ID, n.flagItems(rep, in, r.ID))
			} else {
				add(in.ID, n.unknownItems(rep, in))
			}
		}
	}
	return out
}

// OpenItems lists the missing or invalid items that could change a domain the answers leave open,
// whether or not the tier is decided (what could add a possible referral).
func (n *Namer) OpenItems(rep *screen.Report) []Item {
	if rep.Composite == nil {
		return nil
	}
	return n.settle(rep)
}

// OpenFlags lists the urgent flags of the report that were not evaluated because an item they read is
// missing or invalid (PHQ-9 item 9 unanswered): a signal that is unknown, never absent.
func (n *Namer) OpenFlags(rep *screen.Report) []OpenFlag {
	var out []OpenFlag
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for _, note := range in.Notes {
			if note.Code != "flag_not_evaluated" {
				continue
			}
			if _, fired := in.Flag(note.About); fired {
				continue
			}
			f, ok := n.flagDoc(in.ID, note.About)
			if !ok || f.Level != string(screen.LevelUrgent) {
				continue
			}
			of := OpenFlag{Instrument: in.ID, Flag: f.ID, Message: f.Message}
			for _, id := range n.flagItems(rep, in, f.ID) {
				of.Items = append(of.Items, n.Item(in.ID, id))
			}
			out = append(out, of)
		}
	}
	return out
}

// TierWord is a tier id in capitals, as the views lead with it ("LOW").
func TierWord(t screen.Tier) string { return strings.ToUpper(string(t)) }

// Headline is the one line every human-facing view leads with when the tier is open:
// "not final — LOW now, URGENT possible: ask PHQ-9 item 9".
func (o Open) Headline() string {
	var b strings.Builder
	b.WriteString("not final — ")
	b.WriteString(TierWord(o.Now))
	b.WriteString(" now, ")
	for i, t := range o.Higher {
		if i > 0 {
			if i == len(o.Higher)-1 {
				b.WriteString(" or ")
			} else {
				b.WriteString(", ")
			}
		}
		b.WriteString(TierWord(t))
	}
	b.WriteString(" possible")
	if len(o.Settle) > 0 {
		b.WriteString(": ask ")
		b.WriteString(joinNames(o.Settle))
	} else {
		b.WriteString(": complete the missing answers")
	}
	return b.String()
}

// joinNames joins item names: "PHQ-9 item 9", "PHQ-9 items 7 and 9", "PHQ-9 item 9 and GCPS-R item 2".
func joinNames(items []Item) string {
	var groups []string
	for i := 0; i < len(items); {
		j := i
		var pos []string
		prefix := ""
		for j < len(items) && items[j].Instrument == items[i].Instrument {
			p, num, ok := strings.Cut(items[j].Name, " item ")
			if !ok {
				break
			}
			prefix = p
			pos = append(pos, num)
			j++
		}
		if len(pos) == 0 {
			groups = append(groups, items[i].Name)
			i++
			continue
		}
		if len(pos) == 1 {
			groups = append(groups, prefix+" item "+pos[0])
		} else {
			groups = append(groups, prefix+" items "+andList(pos))
		}
		i = j
	}
	return andList(groups)
}

func andList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// ConflictText says in words where a flag reported for conflicting answers comes from (screen.Flag.Conflict):
// "PHQ-9 item 9 was answered more than once, with answers that disagree or repeat; at least one of them
// fires this flag, so it is not ruled out: ask it". It is "" for a flag the valid answers fire.
func (n *Namer) ConflictText(inst string, f screen.Flag) string {
	if f.Conflict == nil {
		return ""
	}
	names := make([]string, len(f.Conflict))
	for i, id := range f.Conflict {
		names[i] = n.Item(inst, id).Name
	}
	verb := "was"
	if len(names) > 1 {
		verb = "were each"
	}
	return joinAnd(names) + " " + verb + " answered more than once, with answers that disagree or repeat; at least one of them fires this flag, so it is not ruled out: ask it"
}

// joinAnd joins names as "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
