package screen

import (
	"fmt"
	"strings"
)

// reuse returns s emptied, or a new slice with room for n when s is too small.
func reuse[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:0]
	}
	return make([]T, 0, n)
}

// reportMem is the memory a Report reuses when it is scored into again (ScoreTo).
type reportMem struct {
	scores    []Score
	flags     []Flag
	missing   []string
	notes     []Note
	composite CompositeResult
}

// report fills rep from the evaluation state. Everything it holds is copied out of the pooled state; a new
// Report costs a handful of allocations (most of them pointer-free: reads and values, see explain.go), a
// reused one usually none.
func (ev *evalState) report(rep *Report, subject string) {
	e := ev.eng
	rep.Subject, rep.Engine = subject, EngineInfo{Name: EngineName, Version: Version}
	ex := &rep.ex
	ex.eng, ex.rep = e, rep
	nScores, nFlags, nMissing, nNotes, nVals := 0, 0, 0, 0, 0
	for k, i := range ev.used {
		ie := &ev.insts[i]
		ie.pos = k
		for _, s := range ie.ss {
			if s == scoreComputed {
				nScores++
			}
		}
		for _, f := range ie.fs {
			if f == flagFired {
				nFlags++
			}
		}
		for j, st := range ie.st {
			if st == itemUnanswered && ie.inst.items[j].required {
				nMissing++
			}
		}
		nNotes += len(ie.notes) + len(ie.inst.notes)
		nVals += len(ie.vals)
	}
	n := len(ev.used)
	ex.insts = reuse(ex.insts, n)
	ex.valOff = reuse(ex.valOff, n)
	ex.vals = reuse(ex.vals, nVals)
	ex.reads = reuse(ex.reads, len(ev.reads))
	for _, i := range ev.used {
		ie := &ev.insts[i]
		ex.insts = append(ex.insts, ie.inst)
		ex.valOff = append(ex.valOff, int32(len(ex.vals)))
		ex.vals = append(ex.vals, ie.vals...)
	}
	ex.ctx = ex.ctx[:0]
	for _, r := range ev.reads {
		if r.kind == readContext {
			ex.ctx = reuse(ex.ctx, len(ev.ctx.vals))
			for i, v := range ev.ctx.vals {
				if !ev.ctx.set[i] {
					v = Value{}
				}
				ex.ctx = append(ex.ctx, v)
			}
			break
		}
	}
	m := &rep.mem
	scores := reuse(m.scores, nScores)
	flags := reuse(m.flags, nFlags)
	missing := reuse(m.missing, nMissing)
	notes := reuse(m.notes, nNotes)
	rep.Instruments = reuse(rep.Instruments, n)[:n]
	for k, i := range ev.used {
		ie := &ev.insts[i]
		in := ie.inst
		res := &rep.Instruments[k]
		*res = InstrumentResult{ID: in.id, Version: in.version, Digest: in.def.Digest, Definition: in.def.Status, Status: StatusComplete}
		if ie.incomplete {
			res.Status = StatusIncomplete
		}
		s0 := len(scores)
		for si, s := range in.scores {
			if ie.ss[si] == scoreComputed {
				scores = append(scores, Score{ID: s.id, Value: ie.sv[si], Rule: s.rule, why: ev.why(ex, ie.sr[si], false)})
			}
		}
		res.Scores = scores[s0:len(scores):len(scores)]
		f0 := len(flags)
		for fi, f := range in.flags {
			if ie.fs[fi] == flagFired {
				flags = append(flags, Flag{ID: f.id, Level: f.level, Message: f.message, Rule: f.rule, why: ev.why(ex, ie.fr[fi], false)})
			}
		}
		if len(flags) > f0 {
			res.Flags = flags[f0:len(flags):len(flags)]
		}
		m0 := len(missing)
		for j, st := range ie.st {
			if st == itemUnanswered && in.items[j].required {
				missing = append(missing, in.items[j].id)
			}
		}
		if len(missing) > m0 {
			res.Missing = missing[m0:len(missing):len(missing)]
		}
		n0 := len(notes)
		notes = append(notes, in.notes...)
		for _, n := range ie.notes {
			notes = append(notes, ie.note(n))
		}
		if len(notes) > n0 {
			res.Notes = notes[n0:len(notes):len(notes)]
		}
	}
	m.scores, m.flags, m.missing, m.notes = scores, flags, missing, notes
	rep.Composite = nil
	if e.rules != nil {
		ev.compositeResult(&m.composite, ex)
		rep.Composite = &m.composite
	}
}

// why copies the reads of one span into the report's explanation, dropping repeats. Repeats are found
// with per-field marks stamped with a fresh epoch for each span, so this is linear in the span.
func (ev *evalState) why(ex *explanation, sp span, rules bool) why {
	ev.epoch++
	if ev.epoch == 0 { // wrapped: clear every mark so no stale one matches
		ev.clearMarks()
		ev.epoch = 1
	}
	from := int32(len(ex.reads))
	for _, r := range ev.reads[sp.from:sp.to] {
		m := ev.mark(r)
		if *m == ev.epoch {
			continue
		}
		*m = ev.epoch
		ex.reads = append(ex.reads, xread{kind: r.kind, rules: rules, missing: r.missing, k: int16(r.ie.posOrNone()), idx: r.idx})
	}
	return why{ex: ex, from: from, to: int32(len(ex.reads))}
}

// mark returns the dedupe mark of the field a read names.
func (ev *evalState) mark(r read) *uint32 {
	switch r.kind {
	case readItem:
		return &r.ie.marks.items[r.idx]
	case readScore:
		return &r.ie.marks.scores[r.idx]
	case readFlag:
		return &r.ie.marks.flags[r.idx]
	case readStatus:
		return &r.ie.marks.status
	case readContext:
		return &ev.ctx.marks[r.idx]
	case readDomain:
		return &ev.comp.marks[r.idx]
	}
	return &ev.comp.tierMark
}

func (ev *evalState) clearMarks() {
	clearMarks := func(ie *instEval) {
		clear(ie.marks.items)
		clear(ie.marks.scores)
		clear(ie.marks.flags)
		ie.marks.status = 0
	}
	for i := range ev.insts {
		clearMarks(&ev.insts[i])
	}
	for i := range ev.comp.placeholders {
		clearMarks(&ev.comp.placeholders[i])
	}
	clear(ev.ctx.marks)
	clear(ev.comp.marks)
	ev.comp.tierMark = 0
}

// note renders an evaluation note. These run only when something is missing or prorated.
func (ie *instEval) note(n noteRec) Note {
	in := ie.inst
	switch n.kind {
	case noteProrated:
		id := in.scores[n.about].id
		return Note{Code: "prorated", About: id, Message: fmt.Sprintf("%s prorated from %d of %d answered items", id, n.a, n.b)}
	case noteNotComputed:
		id := in.scores[n.about].id
		return Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s", id, missingWhat(n.field))}
	case noteTooFew:
		id := in.scores[n.about].id
		return Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %d items missing, at most %d allowed", id, n.a, n.b)}
	case noteDependency:
		id := in.scores[n.about].id
		return Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s was not computed", id, in.scores[n.a].id)}
	case noteNotApplicable:
		id := in.scores[n.about].id
		return Note{Code: "not_applicable", About: id, Message: id + " does not apply to these answers"}
	case noteFlagNotEvaluated:
		id := in.flags[n.about].id
		why := "the items it reads are missing"
		if n.field != nil {
			why = missingWhat(n.field)
		}
		return Note{Code: "flag_not_evaluated", About: id, Message: fmt.Sprintf("flag %s not evaluated: %s", id, why)}
	}
	return Note{}
}

func missingWhat(fe *fieldError) string {
	switch fe.kind {
	case readItem:
		return fe.name + " is not answered"
	case readContext:
		return fe.name + " is not given"
	}
	return fe.name + " was not computed"
}

// compositeResult fills cr, reusing its slices.
func (ev *evalState) compositeResult(cr *CompositeResult, ex *explanation) {
	ce := &ev.comp
	rs := ce.rs
	nRef, nNA := 0, 0
	for _, f := range ce.fired {
		if f {
			nRef++
		}
	}
	for _, v := range ce.dv {
		if v.kind == KindString && v.s == notAssessed {
			nNA++
		}
	}
	*cr = CompositeResult{ID: rs.def.ID, Version: rs.version, Digest: rs.def.Digest, Applied: ce.applied, Reason: ce.reason,
		Domains: reuse(cr.Domains, len(rs.domains)), Referrals: reuse(cr.Referrals, nRef),
		NotAssessed: reuse(cr.NotAssessed, nNA), Notes: cr.Notes[:0]}
	for i, in := range rs.inputs {
		ie := ce.inputs[i]
		switch {
		case ie.present && ie.incomplete:
			var why []string
			for _, n := range ie.notes {
				if n.kind != noteProrated && n.kind != noteNotApplicable && n.kind != noteFlagNotEvaluated {
					why = append(why, ie.note(n).Message)
				}
			}
			cr.Notes = append(cr.Notes, Note{Code: "input_incomplete", About: in.id,
				Message: fmt.Sprintf("%s is incomplete (%s); what depends on it counts as not assessed", in.id, strings.Join(why, "; "))})
		case !ie.present && ce.mismatch[i] != nil:
			m := ce.mismatch[i]
			cr.Notes = append(cr.Notes, Note{Code: "input_version_mismatch", About: in.id,
				Message: fmt.Sprintf("%s was answered, but %s reads %s %s; it counts as absent", m.inst.key, rs.key, in.id, rs.def.Inputs[i].Constraint.String())})
		}
	}
	if !ce.applied {
		cr.Domains, cr.Referrals, cr.NotAssessed = nil, nil, nil
		return
	}
	for di, d := range rs.domains {
		v := ce.dv[di]
		cr.Domains = append(cr.Domains, Domain{ID: d.id, Value: v, Rule: d.rule, why: ev.why(ex, ce.dr[di], true)})
		if v.kind == KindString && v.s == notAssessed {
			cr.NotAssessed = append(cr.NotAssessed, d.id)
		}
	}
	t := rs.tiers[ce.tier]
	cr.Tier, cr.TierRule = t.id, t.rule
	cr.tierWhy = ev.why(ex, ce.tr, true)
	for ri, r := range rs.referrals {
		if !ce.fired[ri] {
			continue
		}
		d := r.def
		// Reuse the Addenda slice of the entry this one overwrites.
		var addenda []string
		if k := len(cr.Referrals); k < cap(cr.Referrals) {
			addenda = cr.Referrals[:k+1][k].Addenda[:0]
		}
		for ai, on := range ce.addFired[ri] {
			if on {
				addenda = append(addenda, d.Addenda[ai].Text)
			}
		}
		if len(addenda) == 0 {
			addenda = nil
		}
		cr.Referrals = append(cr.Referrals, Referral{ID: d.ID, Priority: d.Priority, Text: d.Text, Addenda: addenda,
			Rationale: d.Rationale, Source: d.Source, Rule: r.rule, why: ev.why(ex, ce.fr[ri], true)})
	}
	if len(cr.NotAssessed) == 0 {
		cr.NotAssessed = cr.NotAssessed[:0:0]
	}
}
