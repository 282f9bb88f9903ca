package eval

import (
	"context"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Score scores one response set into the state: answers are validated and loaded, every answered
// instrument is scored, then the rule set (if the plan has one). The error is a *Error for problems with
// the response (or a definition bug met while scoring it), or the context's error.
func (st *State) Score(ctx context.Context, subject string, ctxVals map[string]any, answers map[string]map[string]any, requireComposite bool) error {
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
	if rs := st.Plan.Rules; rs != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.scoreComposite(); err != nil {
			return err
		}
		if !st.Comp.Applied && requireComposite {
			return Errorf(KindCompositeNotApplied, "", rs.Key, "%s was not applied: %s", rs.Key, st.Comp.Reason)
		}
	}
	return nil
}

func (st *State) span(start int32) Span { return Span{start, int32(len(st.Reads))} }

// scoreInstrument computes one instrument's scores and flags.
func (st *State) scoreInstrument(ie *InstEval) *Error {
	in := ie.Inst
	for si, s := range in.Scores {
		ie.cur = si
		start := int32(len(st.Reads))
		if s.When != nil {
			out, err := st.run(s.When, ie, false)
			if err != nil {
				if cerr := ie.notComputed(si, err); cerr != nil {
					return cerr
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
			if err != nil {
				if cerr := ie.notComputed(si, err); cerr != nil {
					return cerr
				}
			} else {
				ie.SV[si], ie.SS[si] = out, ScoreComputed
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
				if out, ok = s.BandOf(v); !ok {
					return Errorf(KindEvaluation, in.Key, s.ID, "score %s: the value of %s falls outside every band (a definition bug)", s.ID, in.Scores[s.Of].ID)
				}
			} else if out, ok = s.LookupOf(v); !ok {
				return Errorf(KindEvaluation, in.Key, s.ID, "score %s: the lookup table has no row for this value of %s (a definition bug)", s.ID, in.Scores[s.Of].ID)
			}
			ie.SV[si], ie.SS[si] = out, ScoreComputed
		}
		ie.SR[si] = st.span(start)
	}
	for fi, f := range in.Flags {
		start := int32(len(st.Reads))
		out, err := st.run(f.When, ie, false)
		switch {
		case err != nil:
			fe, _, missing := MissingData(err)
			if !missing {
				return evalError(in.Key, "flags."+f.ID, err)
			}
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteFlagNotEvaluated, About: fi, Field: fe})
			ie.FS[fi] = FlagNotEvaluated
		case out.IsTrue():
			ie.FS[fi] = FlagFired
		default:
			ie.FS[fi] = FlagNotFired
		}
		ie.FR[fi] = st.span(start)
	}
	return nil
}

// notComputed records why score si could not be computed, or returns the error when the failure is a
// definition bug rather than missing data.
func (ie *InstEval) notComputed(si int, err error) *Error {
	fe, ne, missing := MissingData(err)
	switch {
	case !missing:
		return evalError(ie.Inst.Key, "scores."+ie.Inst.Scores[si].ID, err)
	case fe != nil:
		ie.Notes = append(ie.Notes, NoteRec{Kind: NoteNotComputed, About: si, Field: fe})
	default:
		ie.Notes = append(ie.Notes, NoteRec{Kind: NoteTooFew, About: si, A: ne.Missing, B: ne.Allowed})
	}
	ie.SS[si] = ScoreNotComputed
	ie.Incomplete = true
	return nil
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
		for _, j := range st.Used {
			if st.Insts[j].Inst.ID == in.ID {
				ce.Mismatch[i] = &st.Insts[j]
			}
		}
	}
	ce.Applied = true
	for i, in := range rs.Inputs {
		if in.Required && !ce.Inputs[i].Present {
			ce.Applied, ce.Reason = false, in.AbsentReason
			return nil
		}
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
	for di, d := range rs.Domains {
		start := int32(len(st.Reads))
		out, err := st.run(d.Prog, nil, true)
		if err != nil {
			if _, _, missing := MissingData(err); !missing || d.NotAssessed.Kind() == value.Null {
				return evalError(rs.Key, d.Names.Local, err)
			}
			out = d.NotAssessed
		}
		if d.Values != nil && !slices.Contains(d.Values, out) {
			return Errorf(KindEvaluation, rs.Key, d.Names.Local, "domain %s produced a value outside its declared values (a definition bug)", d.ID)
		}
		ce.DV[di] = out
		ce.DR[di] = st.span(start)
	}
	start := int32(len(st.Reads))
	ce.Tier = -1
	for ti, t := range rs.Tiers {
		if t.When == nil {
			ce.Tier = ti
			break
		}
		out, err := st.run(t.When, nil, true)
		if err != nil {
			return evalError(rs.Key, "tiers."+t.ID, err)
		}
		if out.IsTrue() {
			ce.Tier = ti
			break
		}
	}
	ce.TR = st.span(start)
	if ce.Tier < 0 {
		return Errorf(KindEvaluation, rs.Key, "tiers", "no tier matched and there is no fallback tier (a definition bug)")
	}
	ce.TierVal = rs.Tiers[ce.Tier].Val
	for ri, r := range rs.Referrals {
		start := int32(len(st.Reads))
		out, err := st.run(r.When, nil, true)
		if err != nil {
			return evalError(rs.Key, "referrals."+r.Def.ID, err)
		}
		if out.IsTrue() {
			ce.Fired[ri] = true
			for ai, a := range r.Addenda {
				out, err := st.run(a, nil, true)
				if err != nil {
					return evalError(rs.Key, "referrals."+r.Def.ID+".addenda", err)
				}
				ce.AddFired[ri][ai] = out.IsTrue()
			}
		}
		ce.FR[ri] = st.span(start)
	}
	return nil
}
