package eval

import (
	"slices"

	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Deciding follow-up measures from completions (§3 rev 3). A measure reads only scores (plan.FollowUp
// BaseScores and CurScores), so its value in a completion of the two visits depends only on the values those
// scores take in it. Rather than enumerating the product of the two visits' completions, the engine
// enumerates each visit's completions once, keeps the distinct values of the scores the measure reads (a
// PHQ-9 total has at most 28), and evaluates the measure over the pairs of those: the same answer as the
// product, for the sum of the two visits' completions plus the pairs, all counted against the record's
// budget.

// maxFollowTuples bounds the distinct score values one visit may give a measure.
const maxFollowTuples = 1 << 10

// scoreTuple is the states and values of some scores in one completion.
type scoreTuple struct {
	ss []uint8
	sv []value.Value
}

func tupleOf(x *InstEval, scores []int) scoreTuple {
	t := scoreTuple{ss: make([]uint8, len(scores)), sv: make([]value.Value, len(scores))}
	for k, si := range scores {
		t.ss[k], t.sv[k] = x.SS[si], x.SV[si]
	}
	return t
}

// holds reports whether x's scores have the tuple's states and values.
func (t scoreTuple) holds(x *InstEval, scores []int) bool {
	for k, si := range scores {
		if x.SS[si] != t.ss[k] || x.SV[si] != t.sv[k] {
			return false
		}
	}
	return true
}

// tupleMemo is the distinct values one visit's completions gave some scores of an instrument (Score resets
// it): the measures of an instrument mostly read the same scores (PHQ-9 change, response, remission and
// worsening all read the total at both visits), which are then enumerated once.
type tupleMemo struct {
	ie     *InstEval
	scores []int
	out    []scoreTuple
	limit  bool
}

// visitTuples returns the distinct states and values scores take over the completions of ie's items in mask
// (nil: the actual values), enumerated in st, whose budget it counts down. limit reports that the budget
// ran out or there were too many distinct values.
func (st *State) visitTuples(ie *InstEval, scores []int, mask []bool) (out []scoreTuple, limit bool) {
	if mask == nil {
		return []scoreTuple{tupleOf(ie, scores)}, false
	}
	for _, m := range st.tupleMemo {
		if m.ie == ie && slices.Equal(m.scores, scores) {
			return m.out, m.limit
		}
	}
	limit = st.complete(ie, mask, func(x *InstEval) bool {
		for _, t := range out {
			if t.holds(x, scores) {
				return true
			}
		}
		out = append(out, tupleOf(x, scores))
		return len(out) <= maxFollowTuples
	})
	limit = limit || len(out) > maxFollowTuples
	st.tupleMemo = append(st.tupleMemo, tupleMemo{ie: ie, scores: scores, out: out, limit: limit})
	return out, limit
}

// baseTuples is visitTuples over the baseline's completions, which run in the baseline's state on this
// record's budget.
func (st *State) baseTuples(b *InstEval, scores []int, mask []bool) ([]scoreTuple, bool) {
	base := st.Base
	base.budget = st.budget
	out, limit := base.visitTuples(b, scores, mask)
	st.budget = base.budget
	return out, limit
}

// fuScratch returns two states of in to evaluate a measure over given score values in (baseline, current).
func (st *State) fuScratch(in *plan.Instrument) (xb, xc *InstEval) {
	if st.fuMem == nil {
		st.fuMem = make([][2]*InstEval, len(st.Plan.Insts))
	}
	p := &st.fuMem[in.Index]
	for k := range p {
		if p[k] == nil {
			ie := newInstEval(in, st)
			p[k] = &ie
			p[k].ctxView.ie = p[k]
		}
	}
	return p[0], p[1]
}

// setTuple gives x the tuple's scores and no others.
func setTuple(x *InstEval, scores []int, t scoreTuple) {
	clear(x.SS)
	clear(x.SV)
	for k, si := range scores {
		x.SS[si], x.SV[si] = t.ss[k], t.sv[k]
		if x.SS[si] == ScorePending {
			x.SS[si] = ScoreNotComputed
		}
	}
}

// decideFollowUp evaluates measure fi over the completions of the baseline's and the current visit's open
// answers (the items of the scores it reads that were not computed): the same value in every completion
// decides it (note determined); otherwise it stays not computed, with the values it may have (when there
// are few, and every completion computes it) for the rule set's combinations of possible values.
func (st *State) decideFollowUp(ie, b *InstEval, fi int, m *plan.FollowUp) {
	bt, blim := st.baseTuples(b, m.BaseScores, openDeps(b, m.BaseScores))
	ct, clim := st.visitTuples(ie, m.CurScores, openDeps(ie, m.CurScores))
	limit := blim || clim
	var set []value.Value
	all, stopped := true, false
	if !limit {
		xb, xc := st.fuScratch(ie.Inst)
		xc.base = xb
	pairs:
		for _, tb := range bt {
			setTuple(xb, m.BaseScores, tb)
			for _, tc := range ct {
				if st.budget <= 0 {
					limit = true
					break pairs
				}
				st.budget--
				setTuple(xc, m.CurScores, tc)
				mark := len(st.Reads)
				st.act.fu = true
				out, err := st.run(m.Prog, xc, false)
				st.act.fu = false
				st.Reads = st.Reads[:mark]
				if err == nil {
					err = finite(out)
				}
				if err != nil {
					all, stopped = false, true
					break pairs
				}
				if !slices.Contains(set, out) {
					set = append(set, out)
				}
				if len(set) > maxFollowPossible || (len(set) > 1 && m.Type != types.BoolType && m.Type != types.StringType) {
					stopped = true
					break pairs
				}
			}
		}
	}
	// The reasons name what the measure read of the decided values (the value read before the open one).
	start := int32(len(st.Reads))
	st.act.fu = true
	_, _ = st.run(m.Prog, ie, false)
	st.act.fu = false
	ie.FUR[fi] = st.span(start)
	switch {
	case limit && !stopped:
		ie.FUNote[fi] = FollowNoteLimit
	case all && !stopped && len(set) == 1:
		ie.FUS[fi], ie.FUV[fi], ie.FUMissing[fi] = FollowComputed, set[0], nil
		ie.FUNote[fi] = FollowNoteDetermined
	case all && len(set) > 1 && len(set) <= maxFollowPossible && (m.Type == types.BoolType || m.Type == types.StringType):
		slices.SortFunc(set, compareValues)
		ie.FUPossible[fi] = append(ie.FUPossible[fi][:0], set...)
		ie.FUNote[fi] = FollowNoteOpen
	default:
		ie.FUNote[fi] = FollowNoteOpen
	}
}
