package main

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// The text format is a view of the JSON report for a clinician: tier and referrals first, then the
// domains and instrument scores behind them, each followed by the values it was computed from ("from"),
// so every referral can be traced down to the answers. Long texts wrap at textWidth columns.
const textWidth = 100

// appendRecordHead writes "=== record N (file F, line L)".
func appendRecordHead(b []byte, file string, n, line int) []byte {
	b = append(b, "=== record "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, " ("...)
	b = append(b, file...)
	if line > 0 {
		b = append(b, ", line "...)
		b = strconv.AppendInt(b, int64(line), 10)
	}
	return append(b, ')')
}

func appendTextError(b []byte, file string, st *recStat, subject string, hasSubject bool) []byte {
	b = appendRecordHead(b, file, st.n, st.line)
	b = append(b, " ERROR\n"...)
	if hasSubject {
		b = append(b, "Subject: "...)
		b = appendOneLine(b, subject)
		b = append(b, '\n')
	}
	if st.fatal {
		b = append(b, "The rest of this input was not read.\n"...)
	}
	b = append(b, "Error "...)
	b = append(b, st.code...)
	b = append(b, ": "...)
	msg := st.msg
	if st.errLine > 0 {
		msg += " (line " + strconv.Itoa(st.errLine)
		if st.col > 0 {
			msg += ", col " + strconv.Itoa(st.col)
		}
		msg += ")"
	}
	b = appendWrappedAt(b, msg, len("Error ")+len(st.code)+2, 2)
	if st.inst != "" || st.item != "" {
		b = append(b, "  where: "...)
		if st.inst != "" {
			b = append(b, "instrument "...)
			b = appendOneLine(b, st.inst)
		}
		if st.item != "" {
			if st.inst != "" {
				b = append(b, ", "...)
			}
			b = append(b, "item "...)
			b = appendOneLine(b, st.item)
		}
		b = append(b, '\n')
	}
	b = append(b, "Not scored: nothing in this record was assessed.\n\n"...)
	return b
}

// labels maps the answers of one instrument version to their option labels, for the text view.
type labels struct {
	items map[string][]screen.OptionDoc
}

// of returns the label of an answer reason ("answers.q9" = 1), or "".
func (l *labels) of(r screen.Reason) string {
	if l == nil || !strings.HasPrefix(r.Name, "answers.") {
		return ""
	}
	v, ok := r.Value.Int()
	if !ok {
		return ""
	}
	for _, o := range l.items[r.Name[len("answers."):]] {
		if o.Value == v && o.Label != strconv.FormatInt(v, 10) {
			return o.Label
		}
	}
	return ""
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
		l := &labels{items: map[string][]screen.OptionDoc{}}
		for _, it := range doc.Items {
			if len(it.Options) > 0 {
				l.items[it.ID] = it.Options
			}
		}
		if tl[in.ID] == nil {
			tl[in.ID] = map[string]*labels{}
		}
		tl[in.ID][in.Version] = l
	}
	return tl
}

func appendTextReport(b []byte, file string, rec *screen.Record, rep *screen.Report, tl textLabels) []byte {
	b = appendRecordHead(b, file, rec.N, rec.Line)
	b = append(b, '\n')
	b = append(b, "Subject: "...)
	if rep.Subject == "" {
		b = append(b, "(none given)"...)
	} else {
		b = appendOneLine(b, rep.Subject)
	}
	b = append(b, '\n')
	if c := rep.Composite; c != nil {
		b = appendTier(b, c)
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for j := range in.Flags {
			f := &in.Flags[j]
			b = appendWrapped(b, "Flag ["+strings.ToUpper(f.Level)+"] "+in.ID+"."+f.ID+": "+f.Message, 4)
		}
	}
	if c := rep.Composite; c != nil {
		b = appendComposite(b, c)
	}
	b = append(b, "\nInstruments\n"...)
	if len(rep.Instruments) == 0 {
		b = append(b, "  (none answered)\n"...)
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		b = appendInstrument(b, in, tl[in.ID][in.Version])
	}
	b = append(b, "\nScored by "...)
	b = append(b, rep.Engine.Name...)
	b = append(b, ' ')
	b = append(b, rep.Engine.Version...)
	b = append(b, ". Decision support for a clinician, not a diagnosis.\n\n"...)
	return b
}

// appendTier writes the risk tier and what decided it.
func appendTier(b []byte, c *screen.CompositeResult) []byte {
	if !c.Applied {
		b = append(b, "Risk tier: NOT DETERMINED ("...)
		b = append(b, c.ID...)
		b = append(b, '@')
		b = append(b, c.Version...)
		b = append(b, " not applied)\n"...)
		return appendWrapped(b, "  Why: "+c.Reason, 7)
	}
	b = append(b, "Risk tier: "...)
	b = append(b, strings.ToUpper(c.Tier)...)
	b = append(b, "   ["...)
	b = append(b, c.TierRule...)
	b = append(b, "]\n"...)
	if rs := c.TierReasons(); len(rs) > 0 {
		b = appendReasons(b, "  because ", rs, "", nil)
	}
	return b
}

// appendComposite writes the referrals, the domains and what was not assessed.
func appendComposite(b []byte, c *screen.CompositeResult) []byte {
	if !c.Applied {
		return appendCompositeNotes(b, c)
	}

	b = append(b, "\nReferrals"...)
	if len(c.Referrals) == 0 {
		b = append(b, ": none\n"...)
	} else {
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(len(c.Referrals)), 10)
		b = append(b, ")\n"...)
	}
	for i := range c.Referrals {
		r := &c.Referrals[i]
		b = append(b, "  "...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, ". ["...)
		b = append(b, strings.ToUpper(r.Priority)...)
		b = append(b, "] "...)
		b = append(b, r.ID...)
		b = append(b, '\n')
		b = appendWrapped(b, "     "+r.Text, 5)
		for _, a := range r.Addenda {
			b = appendWrapped(b, "     + "+a, 7)
		}
		b = appendWrapped(b, "     Rationale: "+r.Rationale, 7)
		b = appendWrapped(b, "     Source: "+r.Source, 7)
		b = appendReasons(b, "     Triggered by ", r.Reasons(), "["+r.Rule+"]", nil)
	}

	b = append(b, "\nDomains ("...)
	b = append(b, c.ID...)
	b = append(b, '@')
	b = append(b, c.Version...)
	b = append(b, ")\n"...)
	w := 0
	for i := range c.Domains {
		w = max(w, len(c.Domains[i].ID))
	}
	vw := 0
	for i := range c.Domains {
		vw = max(vw, valueLen(c.Domains[i].Value))
	}
	for i := range c.Domains {
		d := &c.Domains[i]
		start := len(b)
		b = append(b, "  "...)
		b = appendPadded(b, d.ID, w+2)
		b = appendPaddedValue(b, d.Value, vw+2)
		b = appendReasonList(b, d.Reasons(), len(b)-start, nil)
	}
	if len(c.NotAssessed) > 0 {
		b = appendWrapped(b, "Not assessed: "+strings.Join(c.NotAssessed, ", ")+
			" (no answers, or incomplete ones, for what these domains read: see \"from\" above and the notes)", 2)
	}
	return appendCompositeNotes(b, c)
}

func appendCompositeNotes(b []byte, c *screen.CompositeResult) []byte {
	for _, n := range c.Notes {
		b = appendWrapped(b, "Note ("+n.About+"): "+n.Message, 2)
	}
	return b
}

func appendInstrument(b []byte, in *screen.InstrumentResult, lbl *labels) []byte {
	b = append(b, "  "...)
	b = append(b, in.ID...)
	b = append(b, ' ')
	b = append(b, in.Version...)
	b = append(b, ": "...)
	b = append(b, in.Status...)
	if in.Definition != "" && in.Definition != "active" {
		b = append(b, " (definition is "...)
		b = append(b, in.Definition...)
		b = append(b, ')')
	}
	b = append(b, '\n')
	w, vw := 0, 0
	for i := range in.Scores {
		w = max(w, len(in.Scores[i].ID))
		vw = max(vw, valueLen(in.Scores[i].Value))
	}
	for i := range in.Scores {
		s := &in.Scores[i]
		start := len(b)
		b = append(b, "    "...)
		b = appendPadded(b, s.ID, w+2)
		b = appendPaddedValue(b, s.Value, vw+2)
		b = appendReasonList(b, s.Reasons(), len(b)-start, lbl)
	}
	for i := range in.Flags {
		f := &in.Flags[i]
		b = appendWrapped(b, "    FLAG ["+strings.ToUpper(f.Level)+"] "+f.ID+": "+f.Message, 6)
		b = appendReasons(b, "      from ", f.Reasons(), "", lbl)
	}
	if len(in.Missing) > 0 {
		b = appendWrapped(b, "    Missing (required, not answered): "+strings.Join(in.Missing, ", "), 6)
	}
	for _, n := range in.Notes {
		b = appendWrapped(b, "    Note: "+n.Message, 10)
	}
	return b
}

// appendReasons writes "prefix name = value; name = value" wrapped between reasons, then suffix.
func appendReasons(b []byte, prefix string, rs []screen.Reason, suffix string, lbl *labels) []byte {
	lead := len(prefix) - len(strings.TrimLeft(prefix, " "))
	b = append(b, prefix...)
	if len(rs) == 0 {
		b = append(b, "(nothing)"...)
		return appendWrappedAt(b, suffix, len(prefix)+len("(nothing)"), lead+2)
	}
	b, col := appendReasonUnits(b, rs, len(prefix), lead+2, lbl)
	if suffix == "" {
		return append(b, '\n')
	}
	return appendWrappedAt(append(b, ' '), suffix, col+1, lead+2)
}

// appendReasonList finishes a table line already written up to column col with "from name = value; …",
// or ends the line when there are no reasons.
func appendReasonList(b []byte, rs []screen.Reason, col int, lbl *labels) []byte {
	if len(rs) == 0 {
		return append(trimRightSpace(b), '\n')
	}
	b = append(b, "from "...)
	b, _ = appendReasonUnits(b, rs, col+len("from "), col+len("from "), lbl)
	return append(b, '\n')
}

// appendReasonUnits writes "name = value; …", breaking lines only between reasons. An answer is followed
// by its option label when lbl knows it: "answers.q9 = 1 (Several days)". It returns the column reached.
func appendReasonUnits(b []byte, rs []screen.Reason, col, indent int, lbl *labels) ([]byte, int) {
	var unit [128]byte
	for i := range rs {
		u := append(unit[:0], rs[i].Name...)
		u = append(u, " = "...)
		u = appendValue(u, rs[i].Value, "null")
		if l := lbl.of(rs[i]); l != "" {
			u = append(u, " ("...)
			u = append(u, l...)
			u = append(u, ')')
		}
		if i < len(rs)-1 {
			u = append(u, ';')
		}
		switch {
		case i == 0:
		case col+1+len(u) > textWidth:
			b = append(b, '\n')
			for k := 0; k < indent; k++ {
				b = append(b, ' ')
			}
			col = indent
		default:
			b = append(b, ' ')
			col++
		}
		b = append(b, u...)
		col += len(u)
	}
	return b, col
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

func valueLen(v screen.Value) int {
	var tmp [32]byte
	return len(appendValue(tmp[:0], v, "null"))
}

func appendPadded(b []byte, s string, w int) []byte {
	b = append(b, s...)
	for i := len(s); i < w; i++ {
		b = append(b, ' ')
	}
	return b
}

func appendPaddedValue(b []byte, v screen.Value, w int) []byte {
	n := len(b)
	b = appendValue(b, v, "null")
	for i := len(b) - n; i < w; i++ {
		b = append(b, ' ')
	}
	return b
}

// appendOneLine writes s with control characters shown as escapes, so a subject id cannot break the
// layout of the text output.
func appendOneLine(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			q := strconv.Quote(s)
			return append(b, q[1:len(q)-1]...)
		}
	}
	return append(b, s...)
}

// appendWrapped writes s, which starts with its own indentation, wrapped at textWidth; continuation lines
// are indented by indent spaces.
func appendWrapped(b []byte, s string, indent int) []byte {
	lead := len(s) - len(strings.TrimLeft(s, " "))
	b = append(b, s[:lead]...)
	return appendWrappedAt(b, s[lead:], lead, indent)
}

// appendWrappedAt writes the words of s starting at column col of the current line, breaking lines
// before textWidth; continuation lines start with indent spaces. A word longer than a line is not broken.
// Any run of white space (line ends included) is one space. It ends the line.
func appendWrappedAt(b []byte, s string, col, indent int) []byte {
	first := true
	for len(s) > 0 {
		i := 0
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		s = s[i:]
		if s == "" {
			break
		}
		j := 0
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		word := s[:j]
		s = s[j:]
		switch {
		case first:
			first = false
		case col+1+len(word) > textWidth:
			b = append(b, '\n')
			for k := 0; k < indent; k++ {
				b = append(b, ' ')
			}
			col = indent
		default:
			b = append(b, ' ')
			col++
		}
		b = append(b, word...)
		col += len(word)
	}
	return append(b, '\n')
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
