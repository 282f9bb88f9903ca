package fhir

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// The words of the RiskAssessment's notes for what the rule set names: referrals and domains by the labels
// the rule set gives them, else by their ids in words.

// referralName is a referral's name in a note.
func (w *Writer) referralName(c *screen.CompositeResult, id string) string {
	if rs := w.ruleSet; rs != nil && rs.ID == c.ID && rs.Version == c.Version {
		for _, r := range rs.Referrals {
			if r.ID == id {
				return r.Named()
			}
		}
	}
	return strings.ReplaceAll(id, "_", " ")
}

// domainNames names domains for a note.
func (w *Writer) domainNames(c *screen.CompositeResult, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.ReplaceAll(id, "_", " ")
		if rs := w.ruleSet; rs != nil && rs.ID == c.ID && rs.Version == c.Version {
			for _, d := range rs.Domains {
				if d.ID == id && d.Label != "" {
					out[i] = d.Label
				}
			}
		}
	}
	return out
}

// itemsWords names items of an instrument by their numbers on the form, as a clinician finds them:
// "AUDIT-C items 2 and 3"; an id the definition does not have stays as it is.
func itemsWords(info *instInfo, ids []string) string {
	if info == nil || info.doc == nil {
		return strings.Join(ids, ", ")
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id
		for j, it := range info.doc.Items {
			if it.ID == id {
				names[i] = strconv.Itoa(j + 1)
			}
		}
	}
	if len(names) == 1 {
		return info.doc.Label + " item " + names[0]
	}
	return info.doc.Label + " items " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
