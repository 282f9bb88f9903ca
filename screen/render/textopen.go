package render

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/cds"
)

// The text view's option labels, and what it says about results the answers leave open (composite.md
// §1b): the items to ask, and urgent flags that are not ruled out.

// labels holds the words of one instrument version for the text view: its name, its scores' names and
// its answers' option labels.
type labels struct {
	name   string                         // the instrument's short name ("PHQ-9")
	scores map[string]string              // score id -> its name beside the instrument's (ScoreDoc.Named)
	items  map[string][]catalog.OptionDoc // labels that say no more than the value are left empty
	nums   map[string]int                 // item id -> its number on the form (1-based)
	fus    map[string]string              // follow-up measure id -> its name (FollowUpDoc.Named)
}

// measure returns the name of a follow-up measure of the instrument: its short name, else its id in words.
func (l *labels) measure(id string) string {
	if s := l.fus[id]; s != "" {
		return s
	}
	return strings.ReplaceAll(id, "_", " ")
}

// itemNames names items by their numbers on the form ("item 6"), an item the definition does not have by
// its id.
func (l *labels) itemNames(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if n := l.num(id); n > 0 {
			out[i] = "item " + strconv.Itoa(n)
		} else {
			out[i] = id
		}
	}
	return out
}

func (l *labels) num(id string) int {
	if l == nil {
		return 0
	}
	return l.nums[id]
}

// score returns the name of a score of the instrument: its short name, else its id in words.
func (l *labels) score(id string) string {
	if l != nil {
		if s := l.scores[id]; s != "" {
			return s
		}
	}
	return strings.ReplaceAll(id, "_", " ")
}

// domainLabels names the domains and referrals of the engine's rule set for people: "rule set@version" ->
// its words (the definitions' labels, else the ids in words).
type domainLabels map[string]*ruleSetWords

// ruleSetWords are the labels one rule set version gives its domains, referrals and context fields.
type ruleSetWords struct {
	domains, referrals, context map[string]string
}

func newDomainLabels(eng *screen.Engine) domainLabels {
	doc, err := eng.DescribeRuleSet()
	if err != nil || doc == nil {
		return nil
	}
	w := &ruleSetWords{domains: map[string]string{}, referrals: map[string]string{}, context: map[string]string{}}
	for _, c := range doc.Context {
		if c.Label != "" {
			w.context[c.ID] = c.Label
		}
	}
	for _, d := range doc.Domains {
		if d.Label != "" {
			w.domains[d.ID] = d.Label
		}
	}
	for _, r := range doc.Referrals {
		w.referrals[r.ID] = r.Named()
	}
	return domainLabels{doc.ID + "@" + doc.Version: w}
}

// of returns the label of a domain of a result of rule set id@version, or the id in words.
func (dl domainLabels) of(c *screen.CompositeResult, id string) string {
	if w := dl[c.ID+"@"+c.Version]; w != nil {
		if l := w.domains[id]; l != "" {
			return l
		}
	}
	return strings.ReplaceAll(id, "_", " ")
}

// contextLabel names a context field for people: the engine's rule set's label for it, else its id in
// words (age and sex are their own words).
func (dl domainLabels) contextLabel(id string) string {
	for _, w := range dl {
		if l := w.context[id]; l != "" {
			return l
		}
	}
	return strings.ReplaceAll(id, "_", " ")
}

// referral returns the name of a referral of a result of rule set id@version: its label, else its id in
// words.
func (dl domainLabels) referral(c *screen.CompositeResult, id string) string {
	if w := dl[c.ID+"@"+c.Version]; w != nil {
		if l := w.referrals[id]; l != "" {
			return l
		}
	}
	return strings.ReplaceAll(id, "_", " ")
}

// noteAbout names what a rule set's note is about for its heading: a domain by its label, an input
// instrument by its name, the rest in words; "" for the treatment context (its message names it).
func noteAbout(c *screen.CompositeResult, dl domainLabels, tl textLabels, about string) string {
	switch about {
	case "context":
		return "" // its message says "treatment context"
	case "context.age":
		return "age"
	case "settle":
		return "what to ask"
	case "referrals":
		return "referrals"
	}
	if w := dl[c.ID+"@"+c.Version]; w != nil {
		if l := w.domains[about]; l != "" {
			return l
		}
	}
	for _, l := range tl[about] {
		if l.name != "" {
			return l.name
		}
	}
	return strings.ReplaceAll(about, "_", " ")
}

// textLabels holds the labels of every loaded instrument version: id -> version -> labels.
type textLabels map[string]map[string]*labels

func newTextLabels(eng *screen.Engine) textLabels {
	tl := textLabels{}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			continue
		}
		l := &labels{name: doc.Label, scores: map[string]string{}, items: map[string][]catalog.OptionDoc{}, nums: map[string]int{}}
		for _, s := range doc.Scores {
			l.scores[s.ID] = s.Named()
		}
		l.fus = map[string]string{}
		for _, m := range doc.FollowUps {
			l.fus[m.ID] = m.Named()
		}
		for i, it := range doc.Items {
			l.nums[it.ID] = i + 1
			if len(it.Options) == 0 {
				continue
			}
			opts := make([]catalog.OptionDoc, len(it.Options))
			for i, o := range it.Options {
				opts[i] = o
				if o.Label == strconv.FormatInt(o.Value, 10) {
					opts[i].Label = ""
				}
			}
			l.items[it.ID] = opts
		}
		if tl[in.ID] == nil {
			tl[in.ID] = map[string]*labels{}
		}
		tl[in.ID][in.Version] = l
	}
	return tl
}

// settle lists the items to ask, each with its text and why it is unknown.
func (t *textBuf) settle(rep *screen.Report, items []cds.Item) {
	for _, it := range items {
		t.raw("  - ")
		s := it.Name
		if it.Text != "" {
			s += `: "` + it.Text + `"`
		}
		t.words(s+" "+unknownWhy(rep, it), 6)
		t.nl()
	}
}

// unknownWhy says why an item's answer is unknown: not answered, or an answer that could not be used.
func unknownWhy(rep *screen.Report, it cds.Item) string {
	if in := rep.Instrument(it.Instrument); in != nil {
		for _, m := range in.Missing {
			if m == it.ID {
				return "(not answered)"
			}
		}
	}
	return "(answer could not be used)"
}

// openFlags writes the urgent flags that the answers leave open (PHQ-9 item 9 unanswered or invalid):
// the signal is unknown, and is never shown as absent.
func (t *textBuf) openFlags(rep *screen.Report, nm *cds.Namer) {
	for _, f := range nm.OpenFlags(rep) {
		t.raw("Flag [URGENT] ")
		what := "the item it reads is not answered"
		if len(f.Items) > 0 {
			names := make([]string, len(f.Items))
			for i, it := range f.Items {
				names[i] = it.Name + " " + strings.Trim(unknownWhy(rep, it), "()")
			}
			what = strings.Join(names, "; ")
		}
		t.words(nm.Instrument(f.Instrument)+" "+strings.ReplaceAll(f.Flag, "_", " ")+": NOT RULED OUT — "+what+"; ask it before the patient leaves.", 4)
		t.nl()
	}
}
