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

// labels maps the answers of one instrument version to their option labels, for the text view.
type labels struct {
	items map[string][]catalog.OptionDoc // labels that say no more than the value are left empty
}

// domainLabels names the domains of the engine's rule set for people: "rule set@version" -> domain id ->
// label (the definitions' label, else the id in words).
type domainLabels map[string]map[string]string

func newDomainLabels(eng *screen.Engine) domainLabels {
	doc, err := eng.DescribeRuleSet()
	if err != nil || doc == nil {
		return nil
	}
	m := map[string]string{}
	for _, d := range doc.Domains {
		if d.Label != "" {
			m[d.ID] = d.Label
		}
	}
	return domainLabels{doc.ID + "@" + doc.Version: m}
}

// of returns the label of a domain of a result of rule set id@version, or the id in words.
func (dl domainLabels) of(c *screen.CompositeResult, id string) string {
	if l := dl[c.ID+"@"+c.Version][id]; l != "" {
		return l
	}
	return strings.ReplaceAll(id, "_", " ")
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
		l := &labels{items: map[string][]catalog.OptionDoc{}}
		for _, it := range doc.Items {
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
		t.words(f.Instrument+"."+f.Flag+": NOT RULED OUT — "+what+"; ask it before the patient leaves.", 4)
		t.nl()
	}
}
