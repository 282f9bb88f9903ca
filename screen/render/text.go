package render

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/textfmt"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The text format is a view of the JSON report for a clinician: tier and referrals first, then the
// domains and instrument scores behind them, each followed by the values it was computed from ("from"),
// so that every referral can be traced down to the answers. Long texts wrap at the width of the terminal
// (Options.Width; textWidth by default).
const textWidth = 80

// textBuf appends text to b and tracks the column of the current line, so that words and reasons can be
// wrapped without building intermediate strings.
type textBuf struct {
	textfmt.Buf
	tmp []byte
	rs  []screen.Reason // reused for reasons
}

func (t *textBuf) raw(s string)                      { t.Raw(s) }
func (t *textBuf) rawBytes(s []byte)                 { t.RawBytes(s) }
func (t *textBuf) nl()                               { t.NL() }
func (t *textBuf) padTo(col int)                     { t.PadTo(col) }
func (t *textBuf) sep(n, indent int)                 { t.Sep(n, indent) }
func (t *textBuf) words(s string, indent int)        { t.Words(s, indent) }
func (t *textBuf) para(prefix, s string, indent int) { t.Para(prefix, s, indent) }
func (t *textBuf) lineWidth() int                    { return t.LineWidth() }

// upper writes s in capitals (ids are ASCII).
func (t *textBuf) upper(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		t.B = append(t.B, c)
	}
	t.Col += len(s)
}

func (t *textBuf) int(n int) {
	l := len(t.B)
	t.B = strconv.AppendInt(t.B, int64(n), 10)
	t.Col += len(t.B) - l
}

// safe writes text from the input or from definitions (a subject id, an instrument key, a label) with
// what could act on a terminal escaped (see appendSafe), so that it cannot break the layout either.
func (t *textBuf) safe(s string) {
	l := len(t.B)
	t.B = appendSafe(t.B, s)
	t.Col += len(t.B) - l
}

// value writes a value as the report's JSON does, strings unquoted and escaped, null as "null".
func (t *textBuf) value(v screen.Value) {
	l := len(t.B)
	t.B = appendSafeValue(t.B, v)
	t.Col += len(t.B) - l
}

// appendSafeValue is appendValue with "null" for null and strings (band labels, domain values, context
// text) escaped for a terminal.
func appendSafeValue(b []byte, v screen.Value) []byte {
	if s, ok := v.Str(); ok {
		return appendSafe(b, s)
	}
	return appendValue(b, v, "null")
}

// reasons writes the reasons in words, "text; text", breaking lines only between reasons (reasons.go):
// "PHQ-9 item 9 (thoughts that you would be better off dead…): Several days".
func (t *textBuf) reasons(rs []screen.Reason, indent int) {
	for i := range rs {
		u := appendReasonText(t.tmp[:0], &rs[i])
		if i < len(rs)-1 {
			u = append(u, ';')
		}
		t.tmp = u
		if indent+len(u) > t.lineWidth() {
			// A reason longer than a whole line (a long option label) is wrapped at its spaces.
			if i > 0 {
				t.sep(0, indent)
			}
			t.words(string(u), indent)
			continue
		}
		if i > 0 || t.Col > indent && t.Col+len(u) > t.lineWidth() {
			t.sep(len(u), indent)
		}
		t.rawBytes(u)
	}
}

// list writes ids joined by ", ", wrapped; an id is kept on one line with the comma that follows it.
func (t *textBuf) list(ids []string, indent int) {
	for i, id := range ids {
		id = safe(id)
		n := len(id)
		if i < len(ids)-1 {
			n++ // its comma
		}
		if i > 0 {
			t.raw(",")
			t.sep(n, indent)
		}
		t.raw(id)
	}
}

func (t *textBuf) recordHead(file string, n, line int) {
	t.raw("=== record ")
	t.int(n)
	if t.Col+2+len(file)+len(", line ")+20+1 <= t.lineWidth() && !needsEscape(file) {
		t.raw(" (") // fits (the usual case): no allocation
		t.raw(file)
		if line > 0 {
			t.raw(", line ")
			t.int(line)
		}
		t.raw(")")
		return
	}
	where := "(" + file
	if line > 0 {
		where += ", line " + strconv.Itoa(line)
	}
	t.sep(0, 4)
	t.words(where+")", 4)
}

func appendTextError(b []byte, file string, st *recStat, subject string, hasSubject bool, sc *scratch) []byte {
	t := textBuf{Buf: textfmt.Buf{B: b, Width: sc.width}, tmp: sc.tmp}
	t.recordHead(file, st.n, st.line)
	t.raw(" ERROR")
	t.nl()
	if hasSubject {
		t.raw("Subject: ")
		t.safe(subject)
		t.nl()
	}
	t.kept(sc)
	if st.fatal {
		t.raw("The rest of this input was not read.")
		t.nl()
	}
	t.raw("Error ")
	t.safe(st.code)
	t.raw(": ")
	t.words(st.msg, 2)
	if st.errLine > 0 {
		t.B = append(t.B, " (line "...)
		t.B = strconv.AppendInt(t.B, int64(st.errLine), 10)
		if st.col > 0 {
			t.B = append(t.B, ", col "...)
			t.B = strconv.AppendInt(t.B, int64(st.col), 10)
		}
		t.B = append(t.B, ')')
	}
	t.nl()
	if st.inst != "" || st.item != "" {
		t.raw("  where: ")
		if st.inst != "" {
			t.raw("instrument ")
			t.safe(st.inst)
		}
		if st.item != "" {
			if st.inst != "" {
				t.raw(", ")
			}
			t.raw("item ")
			t.safe(st.item)
		}
		t.nl()
	}
	t.raw("Not scored: nothing in this record was assessed.")
	t.nl()
	t.nl()
	sc.tmp = t.tmp
	return t.B
}

func appendTextReport(b []byte, file string, rec *respfile.Record, rep *screen.Report, tl textLabels, dl domainLabels, nm *cds.Namer, sc *scratch) []byte {
	t := textBuf{Buf: textfmt.Buf{B: b, Width: sc.width}, tmp: sc.tmp}
	t.recordHead(file, rec.N, rec.Line)
	t.nl()
	t.raw("Subject: ")
	if rep.Subject == "" {
		t.raw("(none given)")
	} else {
		t.safe(rep.Subject)
	}
	t.nl()
	t.kept(sc)
	t.ehrContext(rec.EHR, dl)
	t.sourceNotes(rec)
	c := rep.Composite
	if c != nil {
		t.tier(rep, nm)
	}
	for i := range rep.Errors {
		e := &rep.Errors[i]
		t.raw("Error: ")
		t.safe(e.Code)
		t.raw(": ")
		t.words(e.Error(), 4)
		t.nl()
	}
	if len(rep.Errors) > 0 {
		t.words("  (these answers could not be used; every result here is what the other answers settle)", 2)
		t.nl()
	}
	t.openFlags(rep, nm)
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for j := range in.Flags {
			f := &in.Flags[j]
			t.raw("Flag [")
			t.upper(string(f.Level))
			t.raw("] ")
			t.safe(nm.Instrument(in.ID))
			t.raw(" ")
			t.safe(strings.ReplaceAll(f.ID, "_", " "))
			t.raw(": ")
			t.words(f.Message, 4)
			t.nl()
			if ct := nm.ConflictText(in.ID, *f); ct != "" {
				t.raw("  ")
				t.words(ct, 4)
				t.nl()
			}
		}
	}
	if c != nil {
		t.composite(c, dl, tl)
	}
	t.nl()
	t.raw("Instruments")
	t.nl()
	if len(rep.Instruments) == 0 {
		t.raw("  (none answered)")
		t.nl()
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		t.instrument(in, tl[in.ID][in.Version])
	}
	t.followUp(rep, tl)
	t.nl()
	const notDiagnosis = ". Decision support for a clinician, not a diagnosis."
	if 10+len(rep.Engine.Name)+1+len(rep.Engine.Version)+len(notDiagnosis) <= t.lineWidth() {
		t.raw("Scored by ")
		t.safe(rep.Engine.Name)
		t.raw(" ")
		t.safe(rep.Engine.Version)
		t.raw(notDiagnosis)
	} else {
		t.raw("Scored by ")
		t.words(rep.Engine.Name+" "+rep.Engine.Version+notDiagnosis, 0)
	}
	t.nl()
	t.nl()
	sc.tmp = t.tmp
	return t.B
}

// tier writes the risk tier and what decided it. A tier the answers leave open leads with what is
// possible and what to ask (composite.md §1b), never with the lowest tier alone.
func (t *textBuf) tier(rep *screen.Report, nm *cds.Namer) {
	c := rep.Composite
	if !c.Applied {
		t.raw("Risk tier: NOT DETERMINED (")
		t.safe(c.ID)
		t.raw("@")
		t.safe(c.Version)
		t.raw(" not applied)")
		t.nl()
		t.para("  Why: ", cds.NotAppliedWhy(c.Reason), 7)
		return
	}
	open, isOpen := nm.OpenResult(rep)
	t.raw("Risk tier: ")
	if isOpen {
		t.words(open.Headline(), 2)
		t.nl()
		t.settle(rep, open.Settle)
		t.raw("  ")
		t.upper(string(c.Tier))
		t.words(" holds whatever the missing answers are", 4)
		t.sep(len(c.TierRule)+2, 4)
	} else {
		t.upper(string(c.Tier))
		if t.Col+3+len(c.TierRule)+2 <= t.lineWidth() {
			t.raw("   ")
		} else {
			t.sep(len(c.TierRule)+2, 4)
		}
	}
	t.raw("[")
	t.safe(c.TierRule)
	t.raw("]")
	t.nl()
	if t.rs = c.AppendTierReasons(t.rs[:0]); len(t.rs) > 0 {
		rs := t.rs
		t.raw("  Because: ")
		t.reasons(rs, 4)
		t.nl()
	}
	if len(c.PossibleTiers) > 0 && !isOpen {
		t.raw("  possible with the missing answers: ")
		for i, p := range c.PossibleTiers {
			if i > 0 {
				t.raw(", ")
			}
			t.safe(string(p))
		}
		t.nl()
	}
}

// composite writes the referrals, the domains, what was not assessed, and the rule set's notes.
func (t *textBuf) composite(c *screen.CompositeResult, dl domainLabels, tl textLabels) {
	if c.Applied {
		t.nl()
		if len(c.Referrals) == 0 {
			t.raw("Referrals: none")
		} else {
			t.raw("Referrals (")
			t.int(len(c.Referrals))
			t.raw(")")
		}
		t.nl()
		t.referrals(c, c.Referrals, dl)
		if len(c.PossibleReferrals) > 0 {
			t.nl()
			t.raw("Possible referrals (")
			t.int(len(c.PossibleReferrals))
			t.raw("):")
			t.words(" they apply for some of the answers that are missing", 2)
			t.nl()
			t.referrals(c, c.PossibleReferrals, dl)
		}

		t.nl()
		t.raw("Domains (")
		t.safe(c.ID)
		t.raw("@")
		t.safe(c.Version)
		t.raw(")")
		t.nl()
		// Domains and their values by their labels (a value's label is the value in words).
		w, vw := 0, 0
		for i := range c.Domains {
			w = max(w, len(dl.of(c, c.Domains[i].ID))) // the text buffer counts columns in bytes
			vw = max(vw, valueLen(domainValue(c.Domains[i].Value)))
		}
		for i := range c.Domains {
			d := &c.Domains[i]
			t.rs = d.AppendReasons(t.rs[:0])
			t.row(2, dl.of(c, d.ID), w, domainValue(d.Value), vw, t.rs, nil)
			if len(d.Possible) > 0 {
				t.padTo(4 + w)
				t.raw("possible:")
				ids := make([]string, len(d.Possible))
				for j, v := range d.Possible {
					ids[j] = string(appendValue(nil, domainValue(v), "null"))
				}
				t.sep(0, 4+w+10)
				t.list(ids, 4+w+10)
				t.nl()
			}
		}
		if len(c.NotAssessed) > 0 {
			t.raw("Not assessed: ")
			names := make([]string, len(c.NotAssessed))
			for i, id := range c.NotAssessed {
				names[i] = dl.of(c, id)
			}
			t.list(names, 2)
			// The leading space is a separator: it wraps like any other, so the list's last word never
			// ends a line one column past the width.
			t.words(` (no answers, or incomplete ones, for what these domains read: see "from" above and the notes)`, 2)
			t.nl()
		}
	}
	for _, n := range c.Notes {
		if a := noteAbout(c, dl, tl, n.About); a != "" {
			t.raw("Note (")
			t.safe(a)
			t.raw("): ")
		} else {
			t.raw("Note: ")
		}
		t.words(n.Message, 2)
		t.nl()
	}
}

// referrals writes a numbered list of referrals, each headed by its label (the id in words without one).
func (t *textBuf) referrals(c *screen.CompositeResult, refs []screen.Referral, dl domainLabels) {
	for i := range refs {
		r := &refs[i]
		t.raw("  ")
		t.int(i + 1)
		t.raw(". [")
		t.upper(string(r.Priority))
		t.raw("] ")
		t.words(dl.referral(c, r.ID), 5)
		t.nl()
		t.para("     ", r.Text, 5)
		for _, a := range r.Addenda {
			t.para("     + ", a, 7)
		}
		t.para("     Rationale: ", r.Rationale, 7)
		t.para("     Source: ", r.Source, 7)
		t.raw("     Because: ")
		if t.rs = r.AppendReasons(t.rs[:0]); len(t.rs) > 0 {
			rs := t.rs
			t.reasons(rs, 7)
		} else {
			t.raw("(nothing)")
		}
		t.sep(len(r.Rule)+2, 5)
		t.raw("[")
		t.safe(r.Rule)
		t.raw("]")
		t.nl()
	}
}

// row writes one line of a table of values: "  id   value   from name = value; …".
func (t *textBuf) row(indent int, id string, w int, v screen.Value, vw int, rs []screen.Reason, lbl *labels) {
	t.padTo(indent)
	t.safe(id)
	t.padTo(indent + w + 2)
	t.value(v)
	t.padTo(indent + w + 2 + vw + 2)
	if len(rs) > 0 {
		// "from" and its first reason stay together: when they do not fit after the value, they start a
		// line of their own, indented under the name (never "from" alone at a line's end), if the reason
		// fits there or the value column leaves less than half the line for it.
		u := appendReasonText(t.tmp[:0], &rs[0])
		n := len(u)
		t.tmp = u
		if len(rs) > 1 {
			n++ // its ';'
		}
		if t.Col+5+n > t.lineWidth() && t.Col > indent+4 && (indent+4+5+n <= t.lineWidth() || t.Col+5 > t.lineWidth()/2) {
			t.nl()
			t.padTo(indent + 4)
		}
		t.raw("from ")
		in := t.Col
		if in > t.lineWidth()/2 {
			in = indent + 4 // wide columns leave too little room: continue further left
		}
		t.reasons(rs, in)
	}
	t.nl()
}

func (t *textBuf) instrument(in *screen.InstrumentResult, lbl *labels) {
	t.raw("  ")
	if lbl != nil && lbl.name != "" {
		t.safe(lbl.name)
	} else {
		t.safe(in.ID)
	}
	t.raw(" ")
	t.safe(in.Version)
	t.raw(": ")
	t.safe(in.Status)
	if in.Definition != "" && in.Definition != "active" {
		t.raw(" (definition is ")
		t.safe(in.Definition)
		t.raw(")")
	}
	t.nl()
	// Scores by their names, values in words (yes/no, band labels; "not computed" for none).
	w, vw := 0, 0
	for i := range in.Scores {
		w = max(w, len(lbl.score(in.Scores[i].ID)))
		vw = max(vw, valueLen(scoreValue(in.Scores[i].Value)))
	}
	for i := range in.Scores {
		s := &in.Scores[i]
		t.rs = s.AppendReasons(t.rs[:0])
		t.row(4, lbl.score(s.ID), w, scoreValue(s.Value), vw, t.rs, lbl)
	}
	for i := range in.Flags {
		f := &in.Flags[i]
		t.raw("    FLAG [")
		t.upper(string(f.Level))
		t.raw("] ")
		t.safe(strings.ReplaceAll(f.ID, "_", " "))
		t.raw(": ")
		t.words(f.Message, 6)
		t.nl()
		t.raw("      from ")
		if t.rs = f.AppendReasons(t.rs[:0]); len(t.rs) > 0 {
			rs := t.rs
			t.reasons(rs, 8)
		} else if f.Conflict != nil {
			t.words("one of the conflicting answers to "+strings.Join(f.Conflict, ", ")+" (answered more than once)", 8)
		} else {
			t.raw("(nothing)")
		}
		t.nl()
	}
	if len(in.Missing) > 0 {
		t.raw("    Missing (required, not answered): ")
		t.list(lbl.itemNames(in.Missing), 6)
		t.nl()
	}
	for _, n := range in.Notes {
		t.para("    Note: ", n.Message, 10)
	}
}

// scoreValue is a score's value in words: yes or no for a boolean, a band label's words ("high_impact" ->
// "high impact"), "not computed" for none; numbers as they are.
func scoreValue(v screen.Value) screen.Value {
	if b, ok := v.Bool(); ok {
		if b {
			return screen.StringValue("yes")
		}
		return screen.StringValue("no")
	}
	if v.IsNull() {
		return screen.StringValue("not computed")
	}
	return domainValue(v)
}

// domainValue is a domain's value in words ("high_impact" -> "high impact").
func domainValue(v screen.Value) screen.Value {
	if s, ok := v.Str(); ok && strings.Contains(s, "_") {
		return screen.StringValue(strings.ReplaceAll(s, "_", " "))
	}
	return v
}

func valueLen(v screen.Value) int {
	var tmp [32]byte
	return len(appendSafeValue(tmp[:0], v))
}
