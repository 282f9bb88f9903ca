package plan

import (
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// The words reasons use for what a definition declares, decided once at compile time: a definition's own
// label where it gives one, else a fallback from its other fields — never empty.

// InstrumentLabel is an instrument's short name: its label, else the abbreviation its title ends with in
// parentheses ("Patient Health Questionnaire-9 (PHQ-9)" → "PHQ-9"), else its title, else its id.
func InstrumentLabel(d *def.Instrument) string {
	if d.Label != "" {
		return d.Label
	}
	t := strings.TrimSpace(d.Title)
	if strings.HasSuffix(t, ")") {
		if i := strings.LastIndexByte(t, '('); i >= 0 && len(t)-i-2 > 0 {
			return t[i+1 : len(t)-1]
		}
	}
	if t != "" {
		return t
	}
	return d.ID
}

// MaxItemText is how many characters of an item's text stand in for a missing label.
const MaxItemText = 60

// ItemLabel is an item's short name: its label, else its text (cut at a word boundary after at most
// MaxItemText characters, marked "…", and starting in lower case unless it starts with an acronym), else
// its id. Item text is in the definition only as its licence allows (item_text: verbatim or paraphrased), so
// it may be shown.
func ItemLabel(it *def.Item) string {
	if it.Label != "" {
		return it.Label
	}
	t := strings.Join(strings.Fields(it.Text), " ")
	if t == "" {
		return it.ID
	}
	if utf8.RuneCountInString(t) > MaxItemText {
		cut, n := 0, 0
		for i := range t {
			if n == MaxItemText {
				break
			}
			if t[i] == ' ' {
				cut = i
			}
			n++
		}
		if cut == 0 {
			cut = len(t)
		}
		t = strings.TrimRight(t[:cut], " ,;:-–—") + "…"
	}
	return lowerFirst(t)
}

// lowerFirst lowers the first letter of s unless the first word is an acronym (two capitals).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r < 'A' || r > 'Z' {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); r2 >= 'A' && r2 <= 'Z' {
		return s
	}
	return string(r+'a'-'A') + s[n:]
}

// Words is an id or value in words: underscores become spaces (high_impact → high impact).
func Words(id string) string { return strings.ReplaceAll(id, "_", " ") }
