package screen

import (
	"fmt"
	"strings"
)

// report turns the evaluation state into a Report. Everything the report holds is copied out of the
// pooled state in a handful of allocations, most of them pointer-free (reads and values, see explain.go).
func (ev *evalState) report(subject string) *Report {
	e := ev.eng
	rep := &Report{Subject: subject, Engine: EngineInfo{Name: EngineName, Version: Version}}
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
	ex.insts = make([]*instrument, n)
	ex.valOff = make([]int32, n)
	ex.vals = make([]int64, 0, nVals)
	ex.reads = make([]xread, 0, len(ev.reads))
	for k, i := range ev.used {
		ie := &ev.insts[i]
		ex.insts[k] = ie.inst
		ex.valOff[k] = int32(len(ex.vals))
		ex.vals = append(ex.vals, ie.vals...)
	}
	for _, r := range ev.reads {
		if r.kind == readContext {
			ex.ctx = make([]Value, len(ev.ctx.vals))
			for i, v := range ev.ctx.vals {
				if ev.ctx.set[i] {
					ex.ctx[i] = v
				}
			}
			break
		}
	}
	scores := make([]Score, 0, nScores)
	var flags []Flag
	if nFlags > 0 {
		flags = make([]Flag, 0, nFlags)
	}
	var missing []string
	if nMissing > 0 {
		missing = make([]string, 0, nMissing)
	}
	var notes []Note
	if nNotes > 0 {
		notes = make([]Note, 0, nNotes)
	}
	rep.Instruments = make([]InstrumentResult, n)
	for k, i := range ev.used {
		ie := &ev.insts[i]
		in := ie.inst
		res := &rep.Instruments[k]
		res.ID, res.Version, res.Digest, res.Definition = in.id, in.version, in.def.Digest, in.def.Status
		res.Status = StatusComplete
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
	if e.rules != nil {
		rep.Composite = ev.compositeResult(ex)
	}
	return rep
}

// why copies the reads of one span into the report's explanation, dropping repeats.
func (ev *evalState) why(ex *explanation, sp span, rules bool) why {
	from := int32(len(ex.reads))
	for _, r := range ev.reads[sp.from:sp.to] {
		x := xread{kind: r.kind, rules: rules, k: int16(r.ie.posOrNone()), idx: r.idx}
		dup := false
		for _, p := range ex.reads[from:] {
			if p == x {
				dup = true
				break
			}
		}
		if !dup {
			ex.reads = append(ex.reads, x)
		}
	}
	return why{ex: ex, from: from, to: int32(len(ex.reads))}
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

func (ev *evalState) compositeResult(ex *explanation) *CompositeResult {
	ce := &ev.comp
	rs := ce.rs
	cr := &CompositeResult{ID: rs.def.ID, Version: rs.def.Version.String(), Digest: rs.def.Digest, Applied: ce.applied, Reason: ce.reason}
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
		return cr
	}
	cr.Domains = make([]Domain, len(rs.domains))
	for di, d := range rs.domains {
		v := ce.dv[di]
		cr.Domains[di] = Domain{ID: d.id, Value: v, Rule: d.rule, why: ev.why(ex, ce.dr[di], true)}
		if s, ok := v.Str(); ok && s == notAssessed {
			cr.NotAssessed = append(cr.NotAssessed, d.id)
		}
	}
	t := rs.tiers[ce.tier]
	cr.Tier, cr.TierRule = t.id, t.rule
	cr.tierWhy = ev.why(ex, ce.tr, true)
	n := 0
	for _, f := range ce.fired {
		if f {
			n++
		}
	}
	if n > 0 {
		cr.Referrals = make([]Referral, 0, n)
	}
	for ri, r := range rs.referrals {
		if !ce.fired[ri] {
			continue
		}
		d := r.def
		ref := Referral{ID: d.ID, Priority: d.Priority, Text: d.Text, Rationale: d.Rationale, Source: d.Source, Rule: r.rule}
		for ai, on := range ce.addFired[ri] {
			if on {
				ref.Addenda = append(ref.Addenda, d.Addenda[ai].Text)
			}
		}
		ref.why = ev.why(ex, ce.fr[ri], true)
		cr.Referrals = append(cr.Referrals, ref)
	}
	return cr
}
