package batch

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Follow-up (Options.FollowUp): each record is reported against its subject's baseline, the subject's earliest dated
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
	visits  []*screen.Response // flush: the subject's responses
	at      []int              // flush: their indexes in recs
}

func newGrouper() *grouper {
	return &grouper{seed: maphash.MakeSeed(), seen: map[uint64]int{}}
}

// errNotGrouped and errTooManyVisits are fatal input errors of follow-up (their messages name the CLI flag, which is how most users meet them).
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
	g.visits, g.at = g.visits[:0], g.at[:0]
	for i := range g.recs {
		r := g.recs[i].Response
		if g.recs[i].Err != nil || r == nil || r.Subject != g.cur {
			continue
		}
		g.visits, g.at = append(g.visits, r), append(g.at, i)
	}
	var base *screen.Response
	var baseSrc []respfile.Source
	bi, dated := Baseline(g.visits)
	if bi >= 0 {
		base, baseSrc = g.visits[bi], g.recs[g.at[bi]].Sources
	}
	clear(g.visits)
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

// Baseline returns which of one subject's visits the others are reported against (Engine.FollowUp): the
// earliest with a valid date (screen.ParseDate), the first of them on a tie. When no visit has a valid
// date, dated is false and the first visit is the baseline: follow-up against it is not computed, and the
// report says why. i is -1 when there are no visits.
func Baseline(visits []*screen.Response) (i int, dated bool) {
	i = -1
	best := int64(0)
	for j, r := range visits {
		if d, ok := screen.ParseDate(r.Date); ok && (!dated || d < best) {
			i, best, dated = j, d, true
		}
		if i < 0 {
			i = j
		}
	}
	return i, dated
}

// Pair returns, for each of one subject's visits, the baseline to report it against (Baseline): nil for
// the baseline itself when it is dated (it is reported on its own, with no followup block).
func Pair(visits []*screen.Response) []*screen.Response {
	bases := make([]*screen.Response, len(visits))
	bi, dated := Baseline(visits)
	for j := range visits {
		if j != bi || !dated {
			bases[j] = visits[bi]
		}
	}
	return bases
}
