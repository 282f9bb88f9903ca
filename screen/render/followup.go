package render

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// Follow-up in each format: the csv columns, the text table, the brief summary.

// followUpCols adds the CSV columns of follow-up: followup.baseline_date, followup.days, and one per
// follow-up measure of every instrument (<id>.followup.<measure>), before any kept columns.
func (l *csvLayout) followUpCols(eng *screen.Engine) {
	l.fuDate = len(l.cols)
	l.cols = append(l.cols, "followup.baseline_date", "followup.days")
	l.fu = map[string]int{}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			continue
		}
		for _, m := range doc.FollowUps {
			k := in.ID + ".followup." + m.ID
			if _, dup := l.fu[k]; !dup {
				l.fu[k] = len(l.cols)
				l.cols = append(l.cols, k)
			}
		}
	}
}

// followUpCells fills the follow-up columns of a report.
func (l *csvLayout) followUpCells(rep *screen.Report, vals []screen.Value, set []uint8) {
	f := rep.FollowUp
	if l.fu == nil || f == nil {
		return
	}
	vals[l.fuDate], set[l.fuDate] = screen.StringValue(f.BaselineDate), cellValue
	if !f.Computed {
		return
	}
	vals[l.fuDate+1], set[l.fuDate+1] = screen.IntValue(int64(f.Days)), cellValue
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			if col, ok := l.fu[in.ID+".followup."+m.ID]; ok {
				vals[col], set[col] = m.Value, cellValue
			}
		}
	}
}

// followUp writes the long format's follow-up rows: kind followup with id days (empty when not
// computed) and one per measure (<instrument>.<measure>), each with the baseline's date as its note;
// possible_followup, one row per value a measure the missing answers leave open may have; and the
// follow-up notes as note rows (id followup.<about>).
func (r *longRow) followUp(f *screen.FollowUpResult) {
	if f == nil {
		return
	}
	days := ""
	if f.Computed {
		days = strconv.Itoa(f.Days)
	}
	r.row("followup", "days", days, "", f.BaselineDate)
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			r.row("followup", in.ID+"."+m.ID, r.val(m.Value), "", f.BaselineDate)
		}
		for _, p := range in.Possible {
			for _, v := range p.Values {
				r.row("possible_followup", in.ID+"."+p.ID, r.val(v), "", f.BaselineDate)
			}
		}
	}
	for _, n := range f.Notes {
		r.row("note", dotted("followup", n.About), n.Code, "", n.Message)
	}
}

// followUp writes the text report's "since baseline" table: each measure with the values it compared.
func (t *textBuf) followUp(rep *screen.Report, tl textLabels) {
	f := rep.FollowUp
	if f == nil {
		return
	}
	t.nl()
	t.raw("Since baseline")
	if f.BaselineDate != "" {
		t.raw(" (")
		t.safe(f.BaselineDate)
		if f.Computed {
			t.raw(", ")
			t.int(f.Days)
			t.raw(" days")
		}
		t.raw(")")
	}
	t.nl()
	// Measures by their names ("PHQ-9 response"), values in words (yes/no).
	name := func(inst, id string) string {
		var l *labels
		if in := rep.Instrument(inst); in != nil {
			l = tl[inst][in.Version]
		}
		if l == nil {
			return inst + " " + strings.ReplaceAll(id, "_", " ")
		}
		return l.name + " " + l.measure(id)
	}
	w, vw := 0, 0
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			w = max(w, len(name(in.ID, m.ID)))
			vw = max(vw, valueLen(scoreValue(m.Value)))
		}
	}
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			t.row(2, name(in.ID, m.ID), w, scoreValue(m.Value), vw, m.Reasons(), nil)
		}
	}
	for _, n := range f.Notes {
		t.raw("  note: ")
		t.words(n.Message, 4)
		t.nl()
	}
}

// appendBriefFollowUp writes " since=<days>d <inst>.<measure>=<value>,…" (or " since=not_computed").
func appendBriefFollowUp(b []byte, f *screen.FollowUpResult) []byte {
	if f == nil {
		return b
	}
	if !f.Computed {
		return append(b, " since=not_computed"...)
	}
	b = append(b, " since="...)
	b = strconv.AppendInt(b, int64(f.Days), 10)
	b = append(b, 'd')
	n := 0
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			if n == 0 {
				b = append(b, ' ')
			} else {
				b = append(b, ',')
			}
			n++
			b = appendSafe(b, in.ID+"."+m.ID)
			b = append(b, '=')
			b = appendSafeValue(b, m.Value)
		}
	}
	return b
}
