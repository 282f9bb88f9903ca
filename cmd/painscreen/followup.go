package main

import (
	"context"
	"fmt"
	"hash/maphash"
	"strconv"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// score --follow-up: each record is reported against its subject's baseline, the subject's earliest dated
// record in the input (the first of them on a tie). The reader groups the records of one subject — the
// input must hold them together (grouped, e.g. sorted by subject), so only one subject's records are held
// at a time — and gives each record its baseline; scoring stays parallel and the output in input order.
// The baseline record itself is reported as usual (no followup block). A record without a subject, or an
// error record, is reported as usual where it stands.

// maxVisits bounds the records of one subject held while its group is read.
const maxVisits = 10000

// followUpScorer is the part of *screen.Engine that scores against a baseline.
type followUpScorer interface {
	FollowUpTo(ctx context.Context, baseline, current *screen.Response, dst *screen.Report) error
}

// grouper collects one subject's records and hands them on, each with its baseline, when the subject
// changes. seen remembers (by a seeded hash: subject ids are never kept) the subjects already handed on, to
// tell an input that is not grouped.
type grouper struct {
	seed    maphash.Seed
	cur     string
	curHash uint64
	recs    []respfile.Record
	subj    int // records of the current subject in recs
	first   int // record number of the group's first record (for messages)
	seen    map[uint64]int
}

func newGrouper() *grouper {
	return &grouper{seed: maphash.MakeSeed(), seen: map[uint64]int{}}
}

// errNotGrouped and errTooManyVisits are fatal input errors of --follow-up.
func errNotGrouped(n, before int) error {
	return &respfile.Error{Code: "not_grouped", Msg: fmt.Sprintf("--follow-up needs each subject's records together in the input "+
		"(grouped, for example sorted by subject then date): record %d belongs to the subject of record %d, "+
		"with other subjects' records in between; sort the input by subject and run again", n, before)}
}

var errTooManyVisits = &respfile.Error{Code: "too_large", Msg: fmt.Sprintf("--follow-up: one subject has more than %d records in a row", maxVisits)}

// add takes the next record. push hands records on in input order, with their baselines (nil: scored on
// its own).
func (g *grouper) add(rec respfile.Record, push func(respfile.Record, *screen.Response, []respfile.Source)) error {
	if rec.Err != nil || rec.Response == nil || rec.Response.Subject == "" {
		if len(g.recs) == 0 {
			push(rec, nil, nil)
			return nil
		}
		g.recs = append(g.recs, rec) // kept in place, scored on its own
		return nil
	}
	s := rec.Response.Subject
	if len(g.recs) == 0 || s != g.cur {
		g.flush(push)
		h := maphash.String(g.seed, s)
		if at, dup := g.seen[h]; dup {
			return errNotGrouped(rec.N, at)
		}
		g.cur, g.curHash, g.first = s, h, rec.N
	}
	if g.subj++; g.subj > maxVisits {
		return errTooManyVisits
	}
	g.recs = append(g.recs, rec)
	return nil
}

// flush hands on the current group: the subject's earliest validly dated record is the baseline of the
// others (without one, the first record is, and every report says why follow-up was not computed).
func (g *grouper) flush(push func(respfile.Record, *screen.Response, []respfile.Source)) {
	if len(g.recs) == 0 {
		return
	}
	var base *screen.Response
	var baseSrc []respfile.Source
	best, dated := int64(0), false
	for i := range g.recs {
		r := g.recs[i].Response
		if g.recs[i].Err != nil || r == nil || r.Subject != g.cur {
			continue
		}
		if d, ok := screen.ParseDate(r.Date); ok && (!dated || d < best) {
			base, baseSrc, best, dated = r, g.recs[i].Sources, d, true
		}
		if base == nil {
			base, baseSrc = r, g.recs[i].Sources
		}
	}
	for i := range g.recs {
		rec := g.recs[i]
		r := rec.Response
		switch {
		case rec.Err != nil || r == nil || r.Subject != g.cur:
			push(rec, nil, nil)
		case r == base && dated:
			push(rec, nil, nil) // the baseline: reported as usual
		default:
			push(rec, base, baseSrc)
		}
		g.recs[i] = respfile.Record{}
	}
	if g.subj > 0 {
		g.seen[g.curHash] = g.first
	}
	g.recs, g.subj = g.recs[:0], 0
}

// scoreFollowUp scores one record against its baseline.
func (p *pipeline) scoreFollowUp(base *screen.Response, rec *respfile.Record, sc *scratch) error {
	return p.fu.FollowUpTo(p.scoreCtx, base, rec.Response, sc.rep)
}

// --- output -------------------------------------------------------------------------------------------

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
