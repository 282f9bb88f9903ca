package fhir

import (
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
