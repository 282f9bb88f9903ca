package screen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Building a Report from the evaluation state: every value, note and reason is copied into memory the
// Report owns (reportMem), so nothing in it points back into the pooled state. A new Report costs a
// handful of allocations; a reused one (ScoreTo) usually none.

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
	arena     reasonArena // every result's reasons
	composite CompositeResult
	// compNotes is where the composite's first notes go, so that a new Report with a few of them (the
	// context_unknown note of a record without treatment context) costs no allocation for them.
	compNotes [4]Note
}

// scratch is what one Score call works in; the engine pools them.
type scratch struct {
	st *eval.State
	tr *trace.Tracer
}

// report fills rep from the evaluation state.
func (s *scratch) report(rep *Report, subject string) {
	st := s.st
	rep.Subject, rep.Engine = subject, EngineInfo{Name: EngineName, Version: Version}
	// Upper bounds, cheap to compute, so that results rarely move while they are built (a slice that does
	// grow leaves earlier results pointing at the old, still correct, array).
	nScores, nNotes := 0, 0
	for _, i := range st.Used {
		ie := &st.Insts[i]
		nScores += len(ie.SS)
		nNotes += len(ie.Notes) + len(ie.Inst.Notes)
	}
	m := &rep.mem
	// Every read belongs to at most one result, so the reads bound the reasons.
	m.arena.plan = st.Plan
	m.arena.items = reuse(m.arena.items, len(st.Reads))
	// String values (domains, the tier, statuses, text context) are a minority of the reads: room for a
	// quarter of them spares a new Report the slice's growth.
	m.arena.strs = reuse(m.arena.strs, len(st.Reads)/4+4)
	scores := reuse(m.scores, nScores)
	flags := m.flags[:0]
	missing := m.missing[:0]
	notes := reuse(m.notes, nNotes)
	n := len(st.Used)
	rep.Instruments = reuse(rep.Instruments, n)[:n]
	for k, i := range st.Used {
		ie := &st.Insts[i]
		in := ie.Inst
		res := &rep.Instruments[k]
		*res = InstrumentResult{ID: in.ID, Version: in.Version, Digest: in.Def.Digest, Definition: in.Def.Status, Status: StatusComplete}
		switch {
		case ie.Error:
			res.Status = StatusError
		case ie.Incomplete:
			res.Status = StatusIncomplete
		}
		s0 := len(scores)
		for si, sc := range in.Scores {
			if ie.SS[si] == eval.ScoreComputed {
				scores = append(scores, Score{ID: sc.ID, Value: Value(ie.SV[si]), Rule: sc.Rule, why: m.arena.collect(s, ie.SR[si], false)})
			}
		}
		res.Scores = scores[s0:len(scores):len(scores)]
		f0 := len(flags)
		for fi, f := range in.Flags {
			if ie.FS[fi] == eval.FlagFired {
				flags = append(flags, Flag{ID: f.ID, Level: Level(f.Level), Message: f.Message, Rule: f.Rule, why: m.arena.collect(s, ie.FR[fi], false)})
			} else if ie.FC != nil && ie.FC[fi] {
				flags = append(flags, Flag{ID: f.ID, Level: Level(f.Level), Message: f.Message, Rule: f.Rule, Conflict: ie.ConflictItems(fi)})
			}
		}
		if len(flags) > f0 {
			res.Flags = flags[f0:len(flags):len(flags)]
		}
		m0 := len(missing)
		for j, state := range ie.St {
			if state == eval.ItemUnanswered && in.Items[j].Required {
				missing = append(missing, in.Items[j].ID)
			}
		}
		if len(missing) > m0 {
			res.Missing = missing[m0:len(missing):len(missing)]
		}
		n0 := len(notes)
		for _, n := range in.Notes {
			notes = append(notes, Note(n))
		}
		for _, n := range ie.Notes {
			notes = append(notes, Note(ie.Note(n)))
		}
		if len(notes) > n0 {
			res.Notes = notes[n0:len(notes):len(notes)]
		}
	}
	m.scores, m.flags, m.missing, m.notes = scores, flags, missing, notes
	rep.Errors = rep.Errors[:0]
	for _, e := range st.Errors {
		rep.Errors = append(rep.Errors, ScoreError{Code: errCodes[kinds[e.Kind]], Instrument: e.Instrument, Item: e.Item, Message: e.Message, kind: kinds[e.Kind]})
	}
	if len(rep.Errors) == 0 {
		rep.Errors = nil
	}
	rep.Composite = nil
	if st.Plan.Rules != nil {
		s.composite(&m.composite, m)
		rep.Composite = &m.composite
	}
}

// composite fills cr, reusing its slices.
func (s *scratch) composite(cr *CompositeResult, m *reportMem) {
	ce := &s.st.Comp
	rs := s.st.Plan.Rules
	nRef, nNA := 0, 0
	for _, f := range ce.Fired {
		if f {
			nRef++
		}
	}
	for _, v := range ce.DV {
		if v.Kind() == value.String && v.S() == plan.NotAssessed {
			nNA++
		}
	}
	if cap(cr.Notes) == 0 {
		cr.Notes = m.compNotes[:0]
	}
	*cr = CompositeResult{ID: rs.Def.ID, Version: rs.Version, Digest: rs.Def.Digest, Applied: ce.Applied, Reason: ce.Reason,
		Domains: reuse(cr.Domains, len(rs.Domains)), Referrals: reuse(cr.Referrals, nRef),
		NotAssessed: reuse(cr.NotAssessed, nNA), Notes: cr.Notes[:0], PossibleTiers: cr.PossibleTiers[:0], Settle: cr.Settle[:0],
		PossibleReferrals: cr.PossibleReferrals[:0]}
	for i, in := range rs.Inputs {
		ie := ce.Inputs[i]
		switch {
		case ie.Present && ie.Incomplete:
			var why []string
			for _, n := range ie.Notes {
				switch n.Kind {
				case eval.NoteNotComputed, eval.NoteTooFew, eval.NoteDependency, eval.NoteFailed, eval.NoteUnknownAnswers, eval.NoteDeterminacyLimit:
					why = append(why, ie.Note(n).Message)
				}
			}
			cr.Notes = append(cr.Notes, Note{Code: "input_incomplete", About: in.ID,
				Message: fmt.Sprintf("%s is incomplete (%s); what depends on it is decided from what its answers settle, or is not assessed", in.Named(), strings.Join(why, "; "))})
		case !ie.Present && ce.Mismatch[i] != nil:
			other := ce.Mismatch[i]
			cr.Notes = append(cr.Notes, Note{Code: "input_version_mismatch", About: in.ID,
				Message: fmt.Sprintf("%s was answered, but %s reads %s %s; it counts as absent", other.Inst.Key, rs.Key, in.ID, rs.Def.Inputs[i].Constraint.String())})
		}
	}
	if !ce.Applied {
		cr.Domains, cr.Referrals, cr.NotAssessed, cr.Settle = nil, nil, nil, nil
		if ce.Reason == plan.ReasonOutsidePopulation {
			pop := rs.Def.Population
			cr.Notes = append(cr.Notes, Note{Code: plan.ReasonOutsidePopulation, About: "context.age",
				Message: fmt.Sprintf("The rule set is for ages %d and over (%s); age is under %d, so its domains, tier and referrals are not given. Instrument results and flags are reported.",
					pop.MinAge, pop.Description, pop.MinAge)})
		}
		return
	}
	for _, dn := range ce.DomainNotes {
		cr.Notes = append(cr.Notes, domainNote(rs, dn))
	}
	if note, ok := contextUnknown(rs, s.st); ok {
		cr.Notes = append(cr.Notes, note)
	}
	for di, d := range rs.Domains {
		v := ce.DV[di]
		var possible []Value
		if len(ce.Possible[di]) > 1 {
			possible = make([]Value, 0, len(ce.Possible[di]))
			for _, pv := range d.Values { // in the declared order
				if slices.Contains(ce.Possible[di], pv) {
					possible = append(possible, Value(pv))
				}
			}
		}
		cr.Domains = append(cr.Domains, Domain{ID: d.ID, Value: Value(v), Possible: possible, Rule: d.Rule, why: m.arena.collect(s, ce.DR[di], true)})
		if v.Kind() == value.String && v.S() == plan.NotAssessed {
			cr.NotAssessed = append(cr.NotAssessed, d.ID)
		}
	}
	t := rs.Tiers[ce.Tier]
	cr.Tier, cr.TierRule = Tier(t.ID), t.Rule
	cr.tierWhy = m.arena.collect(s, ce.TR, true)
	for ti, on := range ce.PossibleTiers {
		if on {
			cr.PossibleTiers = append(cr.PossibleTiers, Tier(rs.Tiers[ti].ID))
		}
	}
	cr.TierDecided = len(cr.PossibleTiers) == 0
	for _, sr := range ce.Settle {
		cr.Settle = append(cr.Settle, settleName(rs, sr))
	}
	if ce.SettleLimit {
		cr.Notes = append(cr.Notes, Note{Code: "determinacy_limit", About: "settle",
			Message: "the possible answers are too many to check which of them could change the tier: settle lists every unanswered or invalid item the tier can read"})
	}
	if ce.BaseLimit {
		cr.Notes = append(cr.Notes, Note{Code: "determinacy_limit", About: "referrals",
			Message: "the possible baseline scores are too many to check: a follow-up referral that needs them is listed as possible at most"})
	}
	notAssessed := ""
	for ri, r := range rs.Referrals {
		if r.Expands && (ce.Fired[ri] || ce.PossibleFired[ri]) && notAssessed == "" {
			notAssessed = questionnaireNotAssessed(rs, ce)
		}
		if ce.PossibleFired[ri] {
			d := r.Def
			cr.PossibleReferrals = append(cr.PossibleReferrals, Referral{ID: d.ID, Priority: Priority(d.Priority), Text: expand(r, d.Text, notAssessed),
				Rationale: d.Rationale, Source: d.Source, Rule: r.Rule, why: m.arena.collect(s, ce.PossibleFR[ri], true)})
		}
		if !ce.Fired[ri] {
			continue
		}
		d := r.Def
		// Reuse the Addenda slice of the entry this one overwrites.
		var addenda []string
		if k := len(cr.Referrals); k < cap(cr.Referrals) {
			addenda = cr.Referrals[:k+1][k].Addenda[:0]
		}
		for ai, on := range ce.AddFired[ri] {
			if !on {
				continue
			}
			if notAssessed == "" && r.Expands && strings.Contains(d.Addenda[ai].Text, "{not_assessed}") {
				continue // it would name no domain: every domain was assessed
			}
			addenda = append(addenda, expand(r, d.Addenda[ai].Text, notAssessed))
		}
		if len(addenda) == 0 {
			addenda = nil
		}
		cr.Referrals = append(cr.Referrals, Referral{ID: d.ID, Priority: Priority(d.Priority), Text: expand(r, d.Text, notAssessed), Addenda: addenda,
			Rationale: d.Rationale, Source: d.Source, Rule: r.Rule, why: m.arena.collect(s, ce.FR[ri], true)})
	}
	if len(cr.NotAssessed) == 0 {
		cr.NotAssessed = cr.NotAssessed[:0:0]
	}
	if len(cr.PossibleTiers) == 0 {
		cr.PossibleTiers = nil
	}
	if len(cr.Settle) == 0 {
		cr.Settle = nil
	}
	if len(cr.PossibleReferrals) == 0 {
		cr.PossibleReferrals = nil
	}
}

// expand fills the placeholder {not_assessed} of a referral's text with the domains not assessed.
func expand(r *plan.Referral, text, notAssessed string) string {
	if !r.Expands {
		return text
	}
	return strings.ReplaceAll(text, "{not_assessed}", notAssessed)
}

// domainNote renders a note about a domain decided (or not) from an input's completions.
func domainNote(rs *plan.RuleSet, dn eval.DomainNote) Note {
	d := rs.Domains[dn.Domain]
	if dn.Kind == eval.NoteDetermined {
		return Note{Code: "determined", About: d.ID, Message: fmt.Sprintf("%s is the same whatever the missing answers of %s would be, so it is reported", d.Label, rs.Inputs[dn.Input].Named())}
	}
	if dn.Kind == eval.NoteUnreadAnswers {
		prev, next := rs.Inputs[dn.Input].Named(), rs.Inputs[dn.Next].Named()
		what := "the next source (" + next + ")"
		if dn.Next == dn.Input {
			what = "the next source (a shorter form within " + next + ")"
		}
		return Note{Code: "unread_answers", About: d.ID, Message: fmt.Sprintf("%s is not decided: %s leaves it open, and %s does not read every answered item of %s, so it does not decide it; every value %s could give stays possible", d.Label, prev, what, prev, prev)}
	}
	if dn.Input < 0 {
		return Note{Code: "determinacy_limit", About: d.ID, Message: fmt.Sprintf("%s: too many combinations of possible domain values to check; the tier and referrals treat it as not assessed", d.Label)}
	}
	return Note{Code: "determinacy_limit", About: d.ID, Message: fmt.Sprintf("%s is not decided: the possible answers of %s are too many to check", d.Label, rs.Inputs[dn.Input].Named())}
}

// settleName names an item of a rule-set input as "<input>.<item>" (the input ids are the instrument ids).
func settleName(rs *plan.RuleSet, sr eval.SettleRef) string {
	return rs.ItemNames[sr.Input][sr.Item]
}

// contextUnknown is the composite note context_unknown: the rule set's declared context fields that are
// unknown (not given, or not valid: §1a rule 5), when there are any.
func contextUnknown(rs *plan.RuleSet, st *eval.State) (Note, bool) {
	mask := 0
	for i, slot := range rs.Context {
		if !st.Ctx.Set[slot] {
			mask |= 1 << (i % 64)
		}
	}
	if mask == 0 {
		return Note{}, false
	}
	if mask < len(rs.CtxUnknownMsgs) {
		return Note{Code: "context_unknown", About: "context", Message: rs.CtxUnknownMsgs[mask]}, true
	}
	var ids []string
	for _, slot := range rs.Context {
		if !st.Ctx.Set[slot] {
			ids = append(ids, st.Plan.Ctx[slot].Named())
		}
	}
	return Note{Code: "context_unknown", About: "context", Message: plan.ContextUnknownMessage(ids)}, true
}

// questionnaireNotAssessed lists, for the placeholder {not_assessed}, the domains not assessed that read an
// instrument: missing treatment context is the note context_unknown, not a domain to screen for.
func questionnaireNotAssessed(rs *plan.RuleSet, ce *eval.CompEval) string {
	var b strings.Builder
	for di, d := range rs.Domains {
		if v := ce.DV[di]; d.Questionnaire && v.Kind() == value.String && v.S() == plan.NotAssessed {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Label)
		}
	}
	return b.String()
}
