package render

import (
	"strconv"

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

// followUp writes the text report's "since baseline" table: each measure with the values it compared.
func (t *textBuf) followUp(f *screen.FollowUpResult) {
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
	w, vw := 0, 0
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			w = max(w, len(in.ID)+1+len(m.ID))
			vw = max(vw, valueLen(m.Value))
		}
	}
	for _, in := range f.Instruments {
		for _, m := range in.Measures {
			t.row(2, in.ID+"."+m.ID, w, m.Value, vw, m.Reasons(), nil)
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
