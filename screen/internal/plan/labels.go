package plan

import (
	"strconv"
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
// MaxItemText characters, marked "…", its first letter lowered when a lower-case letter follows), else
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

// lowerFirst lowers the first letter of s when a lower-case letter follows it (not in an acronym or a code
// such as "PHQ" or "Q1").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r < 'A' || r > 'Z' {
		return s
	}
	if r2, _ := utf8.DecodeRuneInString(s[n:]); (r2 < 'a' || r2 > 'z') && (r != 'A' || r2 != ' ') { // "A great deal"
		return s
	}
	return string(r+'a'-'A') + s[n:]
}

// ItemWords names an item for people: "PHQ-9 item 9 (thoughts that you would be better off dead…)"; the
// only item of a single-item instrument goes without its number ("single-item drug screen (how many…)").
func ItemWords(inst string, it *Item, single bool) string {
	b := AppendClean(nil, inst)
	if !single {
		b = append(b, " item "...)
		b = strconv.AppendInt(b, int64(it.Number), 10)
	}
	b = append(b, " ("...)
	b = AppendClean(b, it.Label)
	return string(append(b, ')'))
}

// ScoreWords names a score or measure for people: "PHQ-9 total score", with suffix (" at baseline").
func ScoreWords(inst, label, id, suffix string) string {
	b := AppendClean(nil, inst)
	b = AppendLabel(b, inst, label, id)
	return string(append(b, suffix...))
}

// Words is an id or value in words: underscores become spaces (high_impact → high impact).
func Words(id string) string { return strings.ReplaceAll(id, "_", " ") }

// AppendWords appends Words(id) to b.
func AppendWords(b []byte, id string) []byte {
	if strings.IndexByte(id, '_') < 0 {
		return append(b, id...)
	}
	for i := 0; i < len(id); i++ {
		if id[i] == '_' {
			b = append(b, ' ')
		} else {
			b = append(b, id[i])
		}
	}
	return b
}

// AppendLabel appends " " and a score's or measure's label (without the instrument's name when the label
// starts with it, its first letter lowered when a lower-case letter follows), else its id in words.
func AppendLabel(b []byte, inst, label, id string) []byte {
	if label == "" {
		return AppendWords(append(b, ' '), id)
	}
	if rest, ok := strings.CutPrefix(label, inst+" "); ok {
		label = rest
	}
	b = append(b, ' ')
	if len(label) > 1 && label[0] >= 'A' && label[0] <= 'Z' && label[1] >= 'a' && label[1] <= 'z' {
		b = append(b, label[0]+'a'-'A')
		label = label[1:]
	}
	return AppendClean(b, label)
}

// AppendClean appends a definition's label as words: comparison signs as people write them (>= as ≥,
// <= as ≤) and & as "and", so that no reason text carries an operator (or a character JSON encoders
// escape for HTML).
func AppendClean(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "<>&") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case (c == '>' || c == '<') && i+1 < len(s) && s[i+1] == '=':
			if c == '>' {
				b = append(b, "≥"...)
			} else {
				b = append(b, "≤"...)
			}
			i++
		case c == '>':
			b = append(b, "more than"...)
		case c == '<':
			b = append(b, "less than"...)
		case c == '&':
			b = append(b, "and"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// Named is the name of a score beside its instrument's name: its short name, else its label ("" when it has
// neither: the id in words stands in).
func (s *Score) Named() string {
	if s.Short != "" {
		return s.Short
	}
	return s.Label
}

// Noun is how notes inside an instrument's results name a score: its short name, else its id in words
// (a label may be a sentence).
func (s *Score) Noun() string {
	if s.Short != "" {
		return s.Short
	}
	return Words(s.ID)
}

// Named is an input's name for people: its bound instrument's short name ("PHQ-9"), else its id.
func (in *Input) Named() string {
	if in.Inst != nil && in.Inst.Label != "" {
		return in.Inst.Label
	}
	return in.ID
}

// Named is the name of a follow-up measure beside its instrument's name: its short name, else its label.
func (m *FollowUp) Named() string {
	if m.Short != "" {
		return m.Short
	}
	return m.Label
}

// Noun is how notes name a follow-up measure after its instrument's name: its short name, else its id in
// words.
func (m *FollowUp) Noun() string {
	if m.Short != "" {
		return m.Short
	}
	return Words(m.ID)
}
