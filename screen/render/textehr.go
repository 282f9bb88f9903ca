package render

import (
	"strconv"

	"github.com/painscreen/painscreen/screen/ehr"
)

// ehrContext writes the treatment context derived from the patient's FHIR resources (a Bundle with the
// Patient, MedicationRequests and Conditions): each field with what it was read from, unknown ones said to
// be unknown (never false), then what could not be derived.
func (t *textBuf) ehrContext(c *ehr.Context, dl domainLabels) {
	if c == nil || len(c.Fields) == 0 {
		return
	}
	t.raw("Treatment context from the EHR record")
	t.nl()
	for _, f := range c.Fields {
		t.raw("  ")
		t.safe(dl.contextLabel(f.Name)) // "opioid dose", "on MOUD"
		t.raw(": ")
		if !f.Known {
			t.raw("unknown")
		} else {
			t.words(ehrValueText(f.Value), 4)
		}
		for _, r := range f.Reasons {
			t.sep(1, 4)
			t.raw("—")
			if r.Resource != "" {
				t.words(" "+r.Resource+":", 4)
			}
			t.words(" "+r.Text, 4)
		}
		t.nl()
	}
	for _, n := range c.Notes {
		t.raw("  not derived: ")
		if n.Resource != "" {
			t.words(n.Resource+":", 4)
			t.raw(" ")
		}
		t.words(n.Text, 4)
		t.nl()
	}
}

// ehrValueText writes a derived value as a clinician reads it: MME per day with its unit, yes or no.
func ehrValueText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64) + " MME/day"
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case string:
		return x
	}
	return "unknown"
}
