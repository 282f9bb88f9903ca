package eval

import "github.com/painscreen/painscreen/screen/internal/value"

// Baseline scores the rule set reads (§3 rev 3). A referral may read a baseline score directly
// (phq9.baseline.total ≥ 10 in treatment_adjustment, peg.baseline.mean ≥ 4 in pain_treatment_review). When
// the baseline's answers leave that score not computed but its completions can give it values, the tier and
// each referral are evaluated over those values, like a domain's possible values: fired when every value
// fires it, possible when some do. The values are enumerated lazily, only for the baseline scores an
// evaluation reads: while the rule set is evaluated such a score is pending (ScorePending in the baseline's
// state), and an evaluation that reads it is discarded and repeated with each of its values.

// baseDim is a baseline score whose value the rule set's evaluation branches on.
type baseDim struct {
	b    *InstEval
	si   int
	vals []scoreTuple
	done bool // vals enumerated
	// cur is the index in vals of the value being evaluated (-1: none); holders hold, per value, a state
	// with that value, which a read records so that the reasons show the value the evaluation read.
	cur     int
	holders []*InstEval
}

// baseRead returns the state a read of baseline score idx of b records: b, or while the rule set branches on
// that score, a state holding the value being evaluated.
func (st *State) baseRead(b *InstEval, idx int) *InstEval {
	if !st.branching {
		return b
	}
	for k := range st.bdims {
		d := &st.bdims[k]
		if d.b != b || d.si != idx || d.cur < 0 {
			continue
		}
		if d.holders == nil {
			d.holders = make([]*InstEval, len(d.vals))
		}
		h := d.holders[d.cur]
		if h == nil {
			x := newInstEval(b.Inst, b.st)
			h = &x
			h.SS[idx], h.SV[idx] = b.SS[idx], b.SV[idx]
			d.holders[d.cur] = h
		}
		return h
	}
	return b
}

// openBaselines marks the baseline scores of the present inputs that the baseline left not computed for
// missing or unknown answers as pending, and returns whether there are any.
func (st *State) openBaselines() bool {
	st.bdims = st.bdims[:0]
	if st.Base == nil {
		return false
	}
	for _, ie := range st.Comp.Inputs {
		b := ie.base
		if !ie.Present || b == nil {
			continue
		}
		for si, s := range b.SS {
			if s == ScoreNotComputed && open(b, b.Inst.Scores[si].Deps) {
				b.SS[si] = ScorePending
				st.bdims = append(st.bdims, baseDim{b: b, si: si, cur: -1})
			}
		}
	}
	st.bneed = -1
	st.branching = len(st.bdims) > 0
	return st.branching
}

// closeBaselines undoes openBaselines.
func (st *State) closeBaselines() {
	for _, d := range st.bdims {
		d.b.SS[d.si], d.b.SV[d.si] = ScoreNotComputed, value.Value{}
	}
	st.bdims = st.bdims[:0]
	st.branching, st.bneed = false, -1
}

// pendingBase reports whether baseline score idx of b is pending, and if so records that an evaluation
// read it.
func (st *State) pendingBase(b *InstEval, idx int) bool {
	if !st.branching || b.SS[idx] != ScorePending {
		return false
	}
	for k, d := range st.bdims {
		if d.b == b && d.si == idx {
			if st.bneed < 0 {
				st.bneed = k
			}
			return true
		}
	}
	return false
}

// overBase runs leaf over the values of the pending baseline scores it reads. leaf must check st.bneed after
// each evaluation and, when it is set, return without committing anything.
//
// Each evaluation counts against the record's budget. Past it, the pending scores are no longer branched on:
// they read as not computed, so a referral that needs them does not fire in the evaluations left (it is at
// most possible, never listed as certain without every value checked), and BaseLimit says so.
func (st *State) overBase(leaf func() *Error) *Error {
	if st.branching {
		if st.budget <= 0 {
			st.branching, st.Comp.BaseLimit = false, true
		} else {
			st.budget--
		}
	}
	st.bneed = -1
	mark := len(st.Reads)
	err := leaf()
	k := st.bneed
	st.bneed = -1
	if k < 0 {
		return err
	}
	st.Reads = st.Reads[:mark]
	d := &st.bdims[k]
	if !d.done {
		d.done = true
		d.b.SS[d.si] = ScoreNotComputed
		vals, limit := st.baseTuples(d.b, []int{d.si}, d.b.Inst.Scores[d.si].Deps)
		if !limit {
			d.vals = vals
		}
	}
	defer func() { d.b.SS[d.si], d.b.SV[d.si], d.cur = ScorePending, value.Value{}, -1 }()
	if len(d.vals) == 0 {
		// Past the budget: the score stays not computed, as it was (conservative: a referral that needs it
		// does not fire).
		d.b.SS[d.si] = ScoreNotComputed
		return st.overBase(leaf)
	}
	for k, t := range d.vals {
		d.cur = k
		d.b.SS[d.si], d.b.SV[d.si] = t.ss[0], t.sv[0]
		if d.b.SS[d.si] == ScorePending {
			d.b.SS[d.si] = ScoreNotComputed
		}
		if err := st.overBase(leaf); err != nil {
			return err
		}
	}
	return nil
}
