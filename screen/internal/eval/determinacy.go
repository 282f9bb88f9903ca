package eval

import (
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Determinacy (composite contract §1a rule 3). A completion of an instrument fills each of its missing or
// unknown answers with a value the item allows, respecting skip logic: an item the completion's own answers
// do not ask stays absent. A result the definition leaves not computed is still decided when every
// completion gives it the same value. The engine decides exactly, by enumerating completions — only of the
// missing items the result depends on (plan.Score.Deps and friends), and stopping as soon as the answer is
// known (two completions disagree) — within a budget per record; past it, the result stays open with a
// note determinacy_limit.

// MaxCompletions is the most completions one record may evaluate, over all its instruments.
const MaxCompletions = 1 << 20

// scratchOf returns the state completions of in are evaluated in.
func (st *State) scratchOf(in *plan.Instrument) *InstEval {
	x := st.scratch[in.Index]
	if x == nil {
		ie := newInstEval(in, st)
		x = &ie
		x.ctxView.ie = x
		st.scratch[in.Index] = x
	}
	return x
}

// open reports whether ie has missing or unknown answers among the items of mask.
func open(ie *InstEval, mask []bool) bool {
	for i, s := range ie.St {
		if (s == ItemUnanswered || s == ItemUnknown) && mask[i] {
			return true
		}
	}
	return false
}

// completer enumerates the completions of one instrument over the missing items of a mask. It fills items
// lazily: the results that depend on the mask's items (the others are copied from the actual answers'
// results) and then the target are evaluated with the items not yet filled pending; an evaluation that
// reads a pending item stops and that item is filled with each value it allows (after its own skip logic is
// settled the same way), while an evaluation that reads none holds for every completion below it. Exact, and
// usually far fewer evaluations than completions.
type completer struct {
	st              *State
	ie, x           *InstEval
	mask            []bool
	scoreOn, flagOn []bool
	// target evaluates what the caller wants of a completion (it may read items, which may be pending) and
	// returns false to stop.
	target         func(x *InstEval) bool
	stopped, limit bool
}

// complete runs target over the completions of ie over mask; limit reports that the record's budget ran
// out (or an item's values cannot be enumerated) before target stopped or the completions were exhausted.
func (st *State) complete(ie *InstEval, mask []bool, target func(x *InstEval) bool) (limit bool) {
	in := ie.Inst
	for i, it := range in.Items {
		if mask[i] && !ie.given[i] {
			if _, ok := it.Values(); !ok {
				return true
			}
		}
	}
	// Completers are kept by the State, one per nesting depth, with their masks: a record that completes
	// allocates nothing after the first.
	if st.completing == len(st.completers) {
		st.completers = append(st.completers, new(completer))
	}
	c := st.completers[st.completing]
	st.completing++
	defer func() { st.completing-- }()
	*c = completer{st: st, ie: ie, x: st.scratchOf(in), mask: mask, target: target,
		scoreOn: resized(c.scoreOn, len(in.Scores)), flagOn: resized(c.flagOn, len(in.Flags))}
	for i, sc := range in.Scores {
		c.scoreOn[i] = overlaps(sc.Deps, mask)
	}
	for i, f := range in.Flags {
		c.flagOn[i] = overlaps(f.Deps, mask)
	}
	x := c.x
	x.Present, x.Key = true, ie.Key
	for i, it := range in.Items {
		switch {
		case mask[i] && (!ie.given[i] || it.Enable != nil):
			x.St[i] = ItemPending // filled when read; a gated item's skip logic is settled then
		default:
			x.St[i], x.Vals[i] = ie.St[i], ie.Vals[i]
			if x.St[i] == ItemUnknown {
				x.St[i] = ItemUnanswered
			}
		}
	}
	mark := len(st.Reads)
	c.explore()
	st.Reads = st.Reads[:mark]
	st.needItem = -1
	return c.limit
}

// resized returns b with length n, reusing its array when it is large enough; the caller sets every element.
func resized(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	return b[:n]
}

// explore evaluates the current partial completion; if it read a pending item, it fills that item.
func (c *completer) explore() {
	if c.stopped {
		return
	}
	st, x := c.st, c.x
	if st.budget <= 0 {
		c.stopped, c.limit = true, true
		return
	}
	st.budget--
	mark := len(st.Reads)
	clear(x.SV)
	clear(x.SS)
	clear(x.FS)
	x.Notes = x.Notes[:0]
	x.Incomplete, x.Error = false, false
	st.needItem = -1
	st.scoreScoresAndFlags(x, c.ie, c)
	more := true
	if st.needItem < 0 {
		more = c.target(x)
	}
	st.Reads = st.Reads[:mark]
	need := st.needItem
	st.needItem = -1
	switch {
	case need >= 0:
		c.fill(need)
	case !more:
		c.stopped = true
	}
}

// fill settles pending item i: its skip logic first (which may need earlier items), then its answer — the
// given one, or each value it allows — exploring each.
func (c *completer) fill(i int) {
	st, ie, x := c.st, c.ie, c.x
	it := ie.Inst.Items[i]
	defer func() { x.St[i] = ItemPending }()
	if it.Enable != nil {
		st.needItem = -1
		on, err := st.enabled(x, it)
		need := st.needItem
		st.needItem = -1
		if need >= 0 {
			c.fill(need) // settle what the skip logic reads; exploring from there comes back here
			return
		}
		if err == nil && !on {
			x.St[i] = ItemDisabled
			c.explore()
			return
		}
	}
	if ie.given[i] {
		x.St[i], x.Vals[i] = ItemAnswered, ie.Vals[i]
		c.explore()
		return
	}
	n, _ := it.Values()
	for k := int64(0); k < n && !c.stopped; k++ {
		x.St[i], x.Vals[i] = ItemAnswered, it.ValueAt(k)
		c.explore()
	}
}

// decideRun accumulates, over the completions of score or flag i, whether they all agree on its result.
type decideRun struct {
	i          int
	first      value.Value
	firstState uint8
	n          int
	same       bool
}

// decide settles, from ie's completions, the scores and flags its answers left open: each over the
// missing items it depends on.
func (st *State) decide(ie *InstEval) {
	in := ie.Inst
	var decidedScore, decidedFlag uint64 // bit per score or flag (the first 64; more stay open)
	for si, s := range ie.SS {
		if s != ScoreNotComputed || si >= 64 || !open(ie, in.Scores[si].Deps) {
			continue
		}
		d := &st.dec
		d.i, d.n, d.same = si, 0, true
		if st.decScore == nil {
			st.decScore = func(x *InstEval) bool {
				d := &st.dec
				if d.n == 0 {
					d.first, d.firstState = x.SV[d.i], x.SS[d.i]
				}
				d.n++
				d.same = d.same && (x.SS[d.i] == ScoreComputed || x.SS[d.i] == ScoreNotApplicable) && x.SS[d.i] == d.firstState && x.SV[d.i] == d.first
				return d.same
			}
		}
		limit := st.complete(ie, in.Scores[si].Deps, st.decScore)
		first, firstState, n, same := d.first, d.firstState, d.n, d.same
		switch {
		case same && limit:
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDeterminacyLimit, About: si})
		case same && n > 0:
			ie.SS[si], ie.SV[si] = firstState, first
			decidedScore |= 1 << si
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDetermined, About: si})
		}
	}
	for fi, f := range ie.FS {
		if f != FlagNotEvaluated || fi >= 64 || !open(ie, in.Flags[fi].Deps) {
			continue
		}
		d := &st.dec
		d.i, d.n, d.same = fi, 0, true
		if st.decFlag == nil {
			st.decFlag = func(x *InstEval) bool {
				d := &st.dec
				if d.n == 0 {
					d.firstState = x.FS[d.i]
				}
				d.n++
				d.same = d.same && (x.FS[d.i] == FlagFired || x.FS[d.i] == FlagNotFired) && x.FS[d.i] == d.firstState
				return d.same
			}
		}
		limit := st.complete(ie, in.Flags[fi].Deps, st.decFlag)
		first, n, same := d.firstState, d.n, d.same
		switch {
		case same && limit:
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDeterminacyLimit, About: fi, A: 1})
		case same && n > 0:
			ie.FS[fi] = first
			decidedFlag |= 1 << fi
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDetermined, About: fi, A: 1})
		}
	}
	if decidedScore == 0 && decidedFlag == 0 {
		return
	}
	// The notes that said why a now decided result was not computed no longer apply.
	notes := ie.Notes[:0]
	for _, n := range ie.Notes {
		switch n.Kind {
		case NoteNotComputed, NoteTooFew, NoteDependency:
			if decidedScore&(1<<n.About) != 0 {
				continue
			}
		case NoteFlagNotEvaluated:
			if decidedFlag&(1<<n.About) != 0 {
				continue
			}
		}
		notes = append(notes, n)
	}
	ie.Notes = notes
	ie.Incomplete = false
	for _, s := range ie.SS {
		ie.Incomplete = ie.Incomplete || s == ScoreNotComputed || s == ScoreFailed
	}
}

// overlaps reports whether two masks share an item.
func overlaps(a, b []bool) bool {
	for i := range a {
		if a[i] && b[i] {
			return true
		}
	}
	return false
}
