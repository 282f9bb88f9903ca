package eval

import (
	"context"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Score scores one response set into the state: answers are validated and loaded, every answered
// instrument is scored (and what its answers settle decided, §1a rule 3), then the rule set (if the plan has
// one). Problems with the response that spoil only themselves are in st.Errors; the error returned is a
// *Error for a problem that leaves the record unscored (or, with Strict, the first problem), or the
// context's error.
func (st *State) Score(ctx context.Context, subject string, ctxVals map[string]any, answers map[string]map[string]any, requireComposite bool) error {
	st.budget = MaxCompletions
	if len(st.tupleMemo) > 0 {
		clear(st.tupleMemo)
		st.tupleMemo = st.tupleMemo[:0]
	}
	if err := st.load(subject, ctxVals, answers); err != nil {
		return err
	}
	for _, i := range st.Used {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.scoreInstrument(&st.Insts[i]); err != nil {
			return err
		}
	}
	if st.Base != nil {
		if err := st.followUp(); err != nil {
			return err
		}
	}
	if rs := st.Plan.Rules; rs != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.scoreComposite(); err != nil {
			return err
		}
		// A respondent outside the rule set's population is not a problem with the record.
		if !st.Comp.Applied && requireComposite && st.Comp.Reason != plan.ReasonOutsidePopulation {
			return Errorf(KindCompositeNotApplied, "", rs.Key, "%s was not applied: %s", rs.Key, st.Comp.Reason)
		}
	}
	return nil
}

// anyInput reports whether an input that a domain reads is present (§2: an input read only by follow-up, such
// as the PEG, does not apply the rule set on its own).
func (st *State) anyInput() bool {
	reads := st.Comp.rs.DomainReads
	for i, ie := range st.Comp.Inputs {
		if ie.Present && (reads == nil || reads[i]) {
			return true
		}
	}
	return false
}

func (st *State) span(start int32) Span { return Span{start, int32(len(st.Reads))} }

// scoreInstrument computes one instrument's scores and flags, decides what its answers settle, and adds its
// conditional notes.
func (st *State) scoreInstrument(ie *InstEval) *Error {
	if err := st.scoreScoresAndFlags(ie, nil, nil); err != nil {
		return err
	}
	st.decide(ie)
	st.conflictFlags(ie)
	for ni, n := range ie.Inst.CondNotes {
		if out, err := st.run(n.When, ie, false); err == nil && out.IsTrue() {
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteConditional, About: ni})
		}
	}
	return nil
}

// scoreScoresAndFlags evaluates the scores and flags of ie. An expression that fails for a reason other
// than missing data is a definition bug: the score is not computed and the record gets an error (or, with
// Strict, ends). While completing (c not nil; ie is then the completion of base), failures are simply part
// of the completion's results, and results that do not depend on the completed items are copied from base.
func (st *State) scoreScoresAndFlags(ie, base *InstEval, c *completer) *Error {
	in := ie.Inst
	completing := c != nil
	failed := func(si int, what string, err error) *Error {
		ie.SS[si] = ScoreFailed
		ie.Incomplete = true
		if completing {
			return nil
		}
		ie.Error = true
		ie.Notes = append(ie.Notes, NoteRec{Kind: NoteFailed, About: si})
		return st.fail(evalError(in.Key, what, err))
	}
	for si, s := range in.Scores {
		ie.cur = si
		if completing && !c.scoreOn[si] {
			ie.SS[si], ie.SV[si] = base.SS[si], base.SV[si]
			continue
		}
		if completing && st.needItem >= 0 {
			return nil // a pending item must be filled first
		}
		start := int32(len(st.Reads))
		if s.When != nil {
			out, err := st.run(s.When, ie, false)
			if err != nil {
				if _, _, missing := MissingData(err); !missing {
					if ferr := failed(si, "scores."+s.ID+".when", err); ferr != nil {
						return ferr
					}
				} else {
					ie.notComputed(si, err)
				}
				ie.SR[si] = st.span(start)
				continue
			}
			if !out.IsTrue() {
				ie.SS[si] = ScoreNotApplicable
				ie.Notes = append(ie.Notes, NoteRec{Kind: NoteNotApplicable, About: si})
				ie.SR[si] = st.span(start)
				continue
			}
		}
		switch s.Kind {
		case plan.ScoreExpr:
			out, err := st.run(s.Expr, ie, false)
			if err == nil {
				err = finite(out)
			}
			switch {
			case err == nil:
				ie.SV[si], ie.SS[si] = out, ScoreComputed
			case isMissing(err):
				ie.notComputed(si, err)
			default:
				if ferr := failed(si, "scores."+s.ID, err); ferr != nil {
					return ferr
				}
			}
		case plan.ScoreBands, plan.ScoreLookup:
			if ie.SS[s.Of] != ScoreComputed {
				ie.SS[si] = ScoreNotComputed
				ie.Incomplete = true
				ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDependency, About: si, A: s.Of})
				break
			}
			st.record(ie, plan.ReadScore, s.Of)
			v := ie.SV[s.Of]
			var out value.Value
			var ok bool
			if s.Kind == plan.ScoreBands {
				out, ok = s.BandOf(v)
			} else {
				out, ok = s.LookupOf(v)
			}
			if !ok {
				ie.SS[si], ie.Incomplete = ScoreFailed, true
				if completing {
					break
				}
				ie.Error = true
				ie.Notes = append(ie.Notes, NoteRec{Kind: NoteFailed, About: si})
				what := "falls outside every band"
				if s.Kind == plan.ScoreLookup {
					what = "has no row in the lookup table"
				}
				if ferr := st.fail(Errorf(KindEvaluation, in.Key, s.ID, "score %s: the value of %s %s (a definition bug)", s.ID, in.Scores[s.Of].ID, what)); ferr != nil {
					return ferr
				}
				break
			}
			ie.SV[si], ie.SS[si] = out, ScoreComputed
		}
		ie.SR[si] = st.span(start)
	}
	for fi, f := range in.Flags {
		if completing && !c.flagOn[fi] {
			ie.FS[fi] = base.FS[fi]
			continue
		}
		if completing && st.needItem >= 0 {
			return nil
		}
		start := int32(len(st.Reads))
		out, err := st.run(f.When, ie, false)
		switch {
		case err == nil && out.IsTrue():
			ie.FS[fi] = FlagFired
		case err == nil:
			ie.FS[fi] = FlagNotFired
		case isMissing(err):
			fe, _, _ := MissingData(err)
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteFlagNotEvaluated, About: fi, Field: fe})
			ie.FS[fi] = FlagNotEvaluated
		default:
			ie.FS[fi] = FlagNotEvaluated
			if completing {
				break
			}
			ie.Error = true
			if ferr := st.fail(evalError(in.Key, "flags."+f.ID, err)); ferr != nil {
				return ferr
			}
		}
		ie.FR[fi] = st.span(start)
	}
	return nil
}

func isMissing(err error) bool {
	_, _, missing := MissingData(err)
	return missing
}

// notComputed records why score si could not be computed for missing data.
func (ie *InstEval) notComputed(si int, err error) {
	fe, ne, _ := MissingData(err)
	if fe != nil {
		ie.Notes = append(ie.Notes, NoteRec{Kind: NoteNotComputed, About: si, Field: fe})
	} else {
		ie.Notes = append(ie.Notes, NoteRec{Kind: NoteTooFew, About: si, A: ne.Missing, B: ne.Allowed, Unknown: ne.Unknown})
	}
	ie.SS[si] = ScoreNotComputed
	ie.Incomplete = true
}

// scoreComposite applies the rule set.
func (st *State) scoreComposite() *Error {
	ce := &st.Comp
	rs := ce.rs
	for i, in := range rs.Inputs {
		ie := &st.Insts[in.Inst.Index]
		if ie.Present {
			ce.Inputs[i] = ie
			continue
		}
		ce.Inputs[i] = &ce.placeholders[i]
		for _, j := range st.answeredAs(in.Inst) {
			if st.Insts[j].Inst.ID == in.ID {
				ce.Mismatch[i] = &st.Insts[j]
			}
		}
	}
	if rs.HasPopulation && st.Ctx.Set[rs.AgeSlot] && st.Ctx.Vals[rs.AgeSlot].I() < rs.MinAge {
		// The rule set is not for this respondent (its referrals follow adult guidelines, say); instrument
		// results and flags stand.
		ce.Applied, ce.Reason = false, plan.ReasonOutsidePopulation
		return nil
	}
	ce.Applied = true
	for i, in := range rs.Inputs {
		if in.Required && !ce.Inputs[i].Present {
			ce.Applied, ce.Reason = false, in.AbsentReason
			return nil
		}
	}
	if !st.anyInput() {
		// Every input is optional and none is present: nothing to apply the rule set to (§2).
		ce.Applied, ce.Reason = false, plan.ReasonNoInputs
		return nil
	}
	for _, g := range rs.AnyOf {
		ok := false
		for _, i := range g {
			ok = ok || ce.Inputs[i].Present
		}
		if !ok {
			var ids []string
			for _, i := range g {
				ids = append(ids, rs.Inputs[i].ID)
			}
			ce.Applied, ce.Reason = false, "none of "+strings.Join(ids, ", ")+" is present; at least one is required"
			return nil
		}
	}
	// A definition bug in the rule set stops it (not the record): instrument results and flags stand.
	stop := func(err *Error) *Error {
		if ferr := st.fail(err); ferr != nil {
			return ferr
		}
		ce.Applied, ce.Failed, ce.Reason = false, true, "evaluating "+rs.Key+" failed: "+err.Message
		return nil
	}
	for di, d := range rs.Domains {
		start := int32(len(st.Reads))
		var out value.Value
		if d.Sources != nil {
			var err *Error
			if out, err = st.domainFromSources(di, d); err != nil {
				return stop(err)
			}
		} else {
			v, err := st.run(d.Prog, nil, true)
			if err == nil {
				err = finite(v)
			}
			if err != nil {
				if !isMissing(err) || d.NotAssessed.Kind() == value.Null {
					return stop(evalError(rs.Key, d.Names.Local, err))
				}
				v = d.NotAssessed
			}
			out = v
		}
		if d.Values != nil && !slices.Contains(d.Values, out) {
			return stop(Errorf(KindEvaluation, rs.Key, d.Names.Local, "domain %s produced a value outside its declared values (a definition bug)", d.ID))
		}
		ce.DV[di] = out
		ce.DR[di] = st.span(start)
	}
	if err := st.tiersAndReferrals(); err != nil {
		return stop(err)
	}
	if slices.Contains(ce.PossibleTiers, true) {
		st.settle()
	}
	return nil
}
