package render

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Output for analysts: kept columns in every format, the tidy long format, the one-line brief format, and
// the width of the text format.

// appendKeptJSON adds "kept":{…} to a JSON object that b ends with.
func (e *Encoder) appendKeptJSON(b []byte, sc *scratch) []byte {
	if len(e.keep) == 0 || len(b) == 0 || b[len(b)-1] != '}' {
		return b
	}
	b = append(b[:len(b)-1], `,"kept":{`...)
	for i, k := range e.keep {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		if i < len(sc.kept) {
			b = appendJSONString(b, sc.kept[i])
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, "}}"...)
}

// keptCells writes the kept columns of a CSV row (empty when the record has none).
func (l *csvLayout) keptCells(b []byte, sc *scratch) []byte {
	for i := range l.keep {
		b = append(b, ',')
		if i < len(sc.kept) {
			b = l.text(b, sc.kept[i])
		}
	}
	return b
}

// --- long -----------------------------------------------------------------------------------------

// longLayout is the tidy format: one row per subject × result.
type longLayout struct {
	csv   *csvLayout                   // cell quoting (Options.CSVSafe)
	bands map[string]map[string]string // instrument id -> score id -> the score holding its band
}

func newLongLayout(eng *screen.Engine) *longLayout {
	l := &longLayout{csv: &csvLayout{}, bands: map[string]map[string]string{}}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			continue
		}
		for _, s := range doc.Scores {
			if s.Of != "" && len(s.Bands) > 0 {
				if l.bands[in.ID] == nil {
					l.bands[in.ID] = map[string]string{}
				}
				l.bands[in.ID][s.Of] = s.ID
			}
		}
	}
	return l
}

// longColumns is the header of the long format, before and after the kept columns.
var longColumns = [2][]string{{"file", "record", "subject", "date"}, {"kind", "id", "value", "band", "note"}}

func (l *longLayout) header(keep []string) []byte {
	var b []byte
	for i, c := range append(append(append([]string{}, longColumns[0]...), keep...), longColumns[1]...) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, c)
	}
	return append(b, '\n')
}

// longRow writes the rows of one record.
type longRow struct {
	l       *longLayout
	file    string
	n       int
	subject string
	date    string
	keep    int
	sc      *scratch
	b       []byte
}

func (r *longRow) row(kind, id, value, band, note string) {
	c := r.l.csv
	r.b = c.text(r.b, r.file)
	r.b = append(r.b, ',')
	r.b = strconv.AppendInt(r.b, int64(r.n), 10)
	r.b = append(r.b, ',')
	r.b = c.text(r.b, r.subject)
	r.b = append(r.b, ',')
	r.b = c.text(r.b, r.date)
	for i := range r.keep {
		r.b = append(r.b, ',')
		if i < len(r.sc.kept) {
			r.b = c.text(r.b, r.sc.kept[i])
		}
	}
	for i, s := range [...]string{kind, id, value, band, note} {
		r.b = append(r.b, ',')
		if i == 2 && plainNumber(s) {
			r.b = append(r.b, s...) // a number (a negative score) is never altered by Options.CSVSafe
			continue
		}
		r.b = c.text(r.b, s)
	}
	r.b = append(r.b, '\n')
}

// plainNumber reports whether s is a decimal number as values are written (-3, 2.5, 1e-07): a cell a
// spreadsheet reads as a number, never as a formula.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// val renders a value as text (null as "").
func (r *longRow) val(v screen.Value) string {
	if s, ok := v.Str(); ok {
		return s
	}
	r.sc.tmp = appendValue(r.sc.tmp[:0], v, "")
	return string(r.sc.tmp)
}

func (l *longLayout) appendReport(b []byte, file string, rec *respfile.Record, rep *screen.Report, keep int, sc *scratch) []byte {
	r := longRow{l: l, file: file, n: rec.N, subject: rep.Subject, date: rep.Date, keep: keep, sc: sc, b: b}
	status := "ok"
	if len(rep.Errors) > 0 {
		status = "partial"
	}
	r.row("record", "", status, "", "")
	for i := range rep.Errors {
		e := &rep.Errors[i]
		r.row("error", dotted(e.Instrument, e.Item), e.Code, "", e.Message)
	}
	if c := rep.Composite; c != nil {
		if c.Applied {
			r.row("tier", c.ID, string(c.Tier), "", "")
		} else {
			r.row("tier", c.ID, "", "", "not applied: "+c.Reason)
		}
		for _, t := range c.PossibleTiers {
			r.row("possible_tier", c.ID, string(t), "", "")
		}
		for _, item := range c.Settle {
			r.row("settle", c.ID, item, "", "")
		}
		for i := range c.Referrals {
			r.row("referral", c.Referrals[i].ID, string(c.Referrals[i].Priority), "", "")
		}
		for i := range c.PossibleReferrals {
			r.row("possible_referral", c.PossibleReferrals[i].ID, string(c.PossibleReferrals[i].Priority), "", "")
		}
		for i := range c.Domains {
			d := &c.Domains[i]
			r.row("domain", c.ID+"."+d.ID, r.val(d.Value), "", "")
			for _, v := range d.Possible {
				r.row("possible_domain", c.ID+"."+d.ID, r.val(v), "", "")
			}
		}
		for _, n := range c.Notes {
			r.row("note", dotted(c.ID, n.About), n.Code, "", n.Message)
		}
	}
	sourceNotes(rec, func(src *respfile.Source, n *respfile.SourceNote) {
		r.row("note", noteOwner(src, n), n.Code, "", n.Message)
	})
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		r.row("status", in.ID, in.Status, "", "")
		bands := l.bands[in.ID]
		for j := range in.Scores {
			s := &in.Scores[j]
			band := ""
			if bs, ok := bands[s.ID]; ok {
				if v, ok := in.Score(bs); ok {
					band = r.val(v.Value)
				}
			}
			r.row("score", in.ID+"."+s.ID, r.val(s.Value), band, "")
		}
		for j := range in.Flags {
			f := &in.Flags[j]
			msg := f.Message
			if f.Conflict != nil {
				msg += " (fires for one of the conflicting answers to " + strings.Join(f.Conflict, ", ") + ")"
			}
			r.row("flag", in.ID+"."+f.ID, string(f.Level), "", msg)
		}
		for _, m := range in.Missing {
			r.row("missing", in.ID+"."+m, "", "", "")
		}
		for _, n := range in.Notes {
			r.row("note", dotted(in.ID, n.About), n.Code, "", n.Message)
		}
	}
	r.followUp(rep.FollowUp)
	return r.b
}

func (l *longLayout) appendError(b []byte, file string, st *recStat, subject string, keep int, sc *scratch) []byte {
	r := longRow{l: l, file: file, n: st.n, subject: subject, date: st.date, keep: keep, sc: sc, b: b}
	r.row("record", "", "error", "", "")
	r.row("error", dotted(st.inst, st.item), st.code, "", st.msg)
	return r.b
}

// dotted joins an instrument and an item (either may be empty).
func dotted(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// --- brief ----------------------------------------------------------------------------------------

// appendBriefReport writes one line: where, subject, status, tier, referrals, urgent and warning flags,
// error codes, kept columns.
func (e *Encoder) appendBriefReport(b []byte, file string, rec *respfile.Record, rep *screen.Report, sc *scratch) []byte {
	b = briefHead(b, file, rec.N, rep.Subject, true)
	status := "ok"
	if len(rep.Errors) > 0 {
		status = "partial"
	}
	b = append(b, status...)
	b = briefDate(b, rep.Date)
	if c := rep.Composite; c != nil {
		b = append(b, " tier="...)
		if open, ok := e.namer.OpenResult(rep); ok {
			// §1b: an open tier leads with what is possible and what to ask, never the lowest tier alone.
			b = append(b, "not_final("...)
			b = appendSafe(b, open.Headline()[len("not final — "):])
			b = append(b, ')')
		} else if c.Applied {
			b = appendSafe(b, string(c.Tier))
			for i, t := range c.PossibleTiers {
				if i == 0 {
					b = append(b, "(possible:"...)
				} else {
					b = append(b, '|')
				}
				b = appendSafe(b, string(t))
			}
			if len(c.PossibleTiers) > 0 {
				b = append(b, ')')
			}
		} else {
			b = append(b, "not_applied"...)
		}
		if len(c.Referrals) > 0 {
			b = append(b, " referrals="...)
			for i := range c.Referrals {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendSafe(b, c.Referrals[i].ID)
			}
		}
	}
	nf := 0
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for j := range in.Flags {
			if in.Flags[j].Level == screen.LevelInfo {
				continue
			}
			if nf == 0 {
				b = append(b, " flags="...)
			} else {
				b = append(b, ',')
			}
			nf++
			b = appendSafe(b, in.ID)
			b = append(b, '.')
			b = appendSafe(b, in.Flags[j].ID)
			if in.Flags[j].Level == screen.LevelUrgent {
				b = append(b, "(URGENT)"...)
			}
			if in.Flags[j].Conflict != nil {
				b = append(b, "(conflicting answers)"...)
			}
		}
	}
	for _, f := range e.namer.OpenFlags(rep) {
		// An urgent flag the answers leave open is never dropped from the line.
		if nf == 0 {
			b = append(b, " flags="...)
		} else {
			b = append(b, ',')
		}
		nf++
		b = appendSafe(b, f.Instrument)
		b = append(b, '.')
		b = appendSafe(b, f.Flag)
		b = append(b, "(NOT_RULED_OUT)"...)
	}
	for i := range rep.Errors {
		if i == 0 {
			b = append(b, " errors="...)
		} else {
			b = append(b, ',')
		}
		b = appendSafe(b, rep.Errors[i].Code)
	}
	if c := rep.Composite; c != nil && c.Applied && c.TierDecided {
		b = appendBecause(b, c.TierReasons()) // an open tier's line says what is possible instead
	}
	b = appendBriefFollowUp(b, rep.FollowUp)
	b = e.briefKept(b, sc)
	return append(b, '\n')
}

func (e *Encoder) appendBriefError(b []byte, file string, st *recStat, subject string, hasSubject bool, sc *scratch) []byte {
	b = briefHead(b, file, st.n, subject, hasSubject)
	b = append(b, "error"...)
	b = briefDate(b, st.date)
	b = append(b, ' ')
	b = appendSafe(b, st.code)
	b = append(b, ": "...)
	if st.inst != "" || st.item != "" {
		b = appendSafe(b, dotted(st.inst, st.item))
		b = append(b, ": "...)
	}
	b = appendSafe(b, st.msg)
	b = e.briefKept(b, sc)
	return append(b, '\n')
}

// briefDate writes the record's date as the field date=YYYY-MM-DD after the status (nothing when it has none).
func briefDate(b []byte, date string) []byte {
	if date == "" {
		return b
	}
	b = append(b, " date="...)
	return appendSafe(b, date)
}

func briefHead(b []byte, file string, n int, subject string, has bool) []byte {
	b = appendSafe(b, file)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	if has && subject != "" {
		b = appendSafe(b, subject)
	} else {
		b = append(b, '-')
	}
	return append(b, ' ')
}

func (e *Encoder) briefKept(b []byte, sc *scratch) []byte {
	for i, k := range e.keep {
		b = append(b, ' ')
		b = appendSafe(b, k)
		b = append(b, '=')
		if i < len(sc.kept) {
			b = appendSafe(b, sc.kept[i])
		}
	}
	return b
}

// appendAnalystCells writes the CSV columns missing, notes and not_applied_reason.
func (l *csvLayout) appendAnalystCells(b []byte, rep *screen.Report, sc *scratch) []byte {
	b = append(b, ',')
	sc.tmp = sc.tmp[:0]
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for _, m := range in.Missing {
			if len(sc.tmp) > 0 {
				sc.tmp = append(sc.tmp, ';')
			}
			sc.tmp = append(sc.tmp, in.ID...)
			sc.tmp = append(sc.tmp, '.')
			sc.tmp = append(sc.tmp, m...)
		}
	}
	b = l.text(b, string(sc.tmp))
	b = append(b, ',')
	sc.tmp = sc.tmp[:0]
	note := func(owner string, n *screen.Note) {
		if len(sc.tmp) > 0 {
			sc.tmp = append(sc.tmp, ';')
		}
		sc.tmp = append(sc.tmp, dotted(owner, n.About)...)
		sc.tmp = append(sc.tmp, '=')
		sc.tmp = append(sc.tmp, n.Code...)
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		for j := range in.Notes {
			note(in.ID, &in.Notes[j])
		}
	}
	c := rep.Composite
	if c != nil {
		for j := range c.Notes {
			note(c.ID, &c.Notes[j])
		}
	}
	sourceNotes(sc.rec, func(src *respfile.Source, n *respfile.SourceNote) {
		note(src.Instrument, &screen.Note{Code: n.Code, About: n.Item})
	})
	if sc.rec != nil && sc.rec.DateErr != nil {
		note("", &screen.Note{Code: respfile.CodeInvalidDate, About: "date"}) // read without a date
	}
	b = l.text(b, string(sc.tmp))
	b = append(b, ',')
	if c != nil && !c.Applied {
		b = l.text(b, c.Reason)
	}
	return b
}

// kept writes the kept columns of a text record: "Kept: site = A; visit = 2".
func (t *textBuf) kept(sc *scratch) {
	if len(sc.keep) == 0 {
		return
	}
	t.raw("Kept:")
	for i, k := range sc.keep {
		u := appendSafe(t.tmp[:0], k)
		u = append(u, " = "...)
		if i < len(sc.kept) {
			u = appendSafe(u, sc.kept[i])
		}
		if i < len(sc.keep)-1 {
			u = append(u, ';')
		}
		t.tmp = u
		t.sep(len(u), 2)
		t.rawBytes(u)
	}
	t.nl()
}
