package eval

import (
	"math"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Settle (composite contract §1b). When the tier is not decided, the report names the items whose answers
// could change it. The definition is exact: a *completion* of the record gives every unanswered or invalid
// item of the rule set's present inputs a value it allows (skip logic applied to the completed answers), and
// an item is listed when two completions that differ only in its answer give different tiers. These are
// exactly the items the tier depends on: answering all of them decides the tier, and no other item can
// change it.
//
// It is computed by enumerating the completions of the present inputs' open items that the tier can read
// (plan.RuleSet.TierDeps) with the lazy completer, one input inside the other, so that each leaf of the
// enumeration is a partial assignment (the items the evaluation read) and a tier that holds for every
// completion it covers. Two leaves with different tiers that conflict in exactly one item make that item
// matter; conversely, two completions that differ only in one item and give different tiers lie in two such
// leaves. Past the record's determinacy budget (or when an item's values cannot be enumerated, such as a
// count with no upper bound), settle lists every unanswered or invalid item the tier can read that the
// actual answers ask, and SettleLimit says so.

// SettleRef names an item of a rule-set input.
type SettleRef struct {
	Input, Item int
}

// maxSettleLeaves bounds the leaves compared pairwise.
const maxSettleLeaves = 1 << 10

// Sentinels in a leaf's assignment.
const (
	leafFree     = math.MinInt64     // not read: any value
	leafDisabled = math.MinInt64 + 1 // not asked in this completion: its value does not matter
)

// settleLevel is one input whose open items are enumerated.
type settleLevel struct {
	input int
	ie    *InstEval
	mask  []bool
	items []int // the open items of mask, in item order: the leaf's positions
}

// settleRun is the state of one settle computation; the State keeps it, so that its memory is reused.
type settleRun struct {
	st      *State
	levels  []settleLevel
	items   []int          // the levels' items, back to back
	srcs    []*plan.Source // every domain source, flattened
	srcOK   []bool         // per source: it gave a value in the current completion of its level
	srcVal  []value.Value
	width   int     // positions per leaf
	leaves  []int64 // the leaves' assignments, width each
	tiers   []int
	savedDV []value.Value
	mark    []bool
	limit   bool
	stopped bool
}

// leaf returns the assignment of leaf k.
func (r *settleRun) leafAt(k int) []int64 { return r.leaves[k*r.width : (k+1)*r.width] }

// settle fills Comp.Settle when the tier is not decided.
func (st *State) settle() {
	ce := &st.Comp
	rs := ce.rs
	if st.settleMem == nil {
		st.settleMem = &settleRun{}
	}
	r := st.settleMem
	*r = settleRun{st: st, levels: r.levels[:0], items: r.items[:0], srcs: r.srcs[:0], srcOK: r.srcOK[:0], srcVal: r.srcVal[:0],
		leaves: r.leaves[:0], tiers: r.tiers[:0], savedDV: r.savedDV[:0], mark: r.mark[:0]}
	for i, ie := range ce.Inputs {
		if !ie.Present || rs.TierDeps[i] == nil {
			continue
		}
		mask := rs.TierDeps[i]
		from := len(r.items)
		for j := range ie.Inst.Items {
			if mask[j] && !ie.given[j] {
				r.items = append(r.items, j)
			}
		}
		if len(r.items) > from {
			r.levels = append(r.levels, settleLevel{input: i, ie: ie, mask: mask, items: r.items[from:len(r.items):len(r.items)]})
		}
	}
	r.width = len(r.items)
	for _, d := range rs.Domains {
		r.srcs = append(r.srcs, d.Sources...)
	}
	for range r.srcs {
		r.srcOK = append(r.srcOK, false)
		r.srcVal = append(r.srcVal, value.Value{})
	}
	r.savedDV = append(r.savedDV, ce.DV...)
	savedDV := r.savedDV
	savedTR, savedTierVal := ce.TR, ce.TierVal
	mark := len(st.Reads)
	if len(r.levels) > 0 {
		r.level(0)
	}
	st.Reads = st.Reads[:mark]
	copy(ce.DV, savedDV)
	ce.TR, ce.TierVal = savedTR, savedTierVal
	for k := range r.levels {
		ce.Inputs[r.levels[k].input] = r.levels[k].ie
	}
	ce.Settle = ce.Settle[:0]
	if r.limit || len(r.tiers) > maxSettleLeaves {
		// Every open item the tier can read (not those the actual answers' skip logic leaves unasked).
		ce.SettleLimit = true
		for _, l := range r.levels {
			for _, j := range l.items {
				if st := l.ie.St[j]; st == ItemUnanswered || st == ItemUnknown {
					ce.Settle = append(ce.Settle, SettleRef{Input: l.input, Item: j})
				}
			}
		}
		return
	}
	for range r.width {
		r.mark = append(r.mark, false)
	}
	mark2 := r.mark
	for a := range r.tiers {
		for b := a + 1; b < len(r.tiers); b++ {
			if r.tiers[a] == r.tiers[b] {
				continue
			}
			if p := oneConflict(r.leafAt(a), r.leafAt(b)); p >= 0 {
				mark2[p] = true
			}
		}
	}
	p := 0
	for _, l := range r.levels {
		for _, j := range l.items {
			if mark2[p] {
				ce.Settle = append(ce.Settle, SettleRef{Input: l.input, Item: j})
			}
			p++
		}
	}
}

// oneConflict returns the one position at which two leaves assign different values, or -1 when they
// conflict in none or in more than one.
func oneConflict(a, b []int64) int {
	at := -1
	for p := range a {
		x, y := a[p], b[p]
		if x == y || x == leafFree || y == leafFree || x == leafDisabled || y == leafDisabled {
			continue
		}
		if at >= 0 {
			return -1
		}
		at = p
	}
	return at
}

// level enumerates the completions of level k and, inside each, the levels after it.
func (r *settleRun) level(k int) {
	st, ce := r.st, &r.st.Comp
	l := &r.levels[k]
	limit := st.complete(l.ie, l.mask, func(x *InstEval) bool {
		ce.Inputs[l.input] = x
		// The sources on this input, evaluated here so that what they read is filled at this level.
		for si, src := range r.srcs {
			if src.Input != l.input {
				continue
			}
			r.srcOK[si] = false
			if !ce.Inputs[src.Input].Present {
				continue
			}
			if src.When != nil {
				out, err := st.run(src.When, nil, true)
				if st.needItem >= 0 {
					return true // the completer fills the item and comes back
				}
				if err != nil || !out.IsTrue() {
					continue
				}
			}
			out, err := st.run(src.Expr, nil, true)
			if st.needItem >= 0 {
				return true
			}
			if err == nil {
				r.srcOK[si], r.srcVal[si] = true, out
			} else if !isMissing(err) {
				r.stopped, r.limit = true, true
				return false
			}
		}
		if k+1 < len(r.levels) {
			r.level(k + 1)
		} else {
			r.leaf()
		}
		return !r.stopped
	})
	if limit {
		r.stopped, r.limit = true, true
	}
}

// leaf evaluates the domains and the tier of the current completion and records its assignment.
func (r *settleRun) leaf() {
	st, ce := r.st, &r.st.Comp
	rs := ce.rs
	if len(r.tiers) >= maxSettleLeaves {
		r.stopped, r.limit = true, true
		return
	}
	mark := len(st.Reads)
	defer func() { st.Reads = st.Reads[:mark] }()
	si := 0
	for di, d := range rs.Domains {
		if d.Sources == nil {
			out, err := st.run(d.Prog, nil, true)
			if err == nil {
				err = finite(out)
			}
			switch {
			case st.needItem >= 0:
				st.needItem = -1
				r.stopped, r.limit = true, true
				return
			case err != nil && isMissing(err) && d.NotAssessed.Kind() != value.Null:
				out = d.NotAssessed
			case err != nil:
				r.stopped, r.limit = true, true
				return
			}
			ce.DV[di] = out
			continue
		}
		v := d.NotAssessed
		found := false
		for range d.Sources {
			src := r.srcs[si]
			if !found {
				switch {
				case r.isLevel(src.Input):
					if r.srcOK[si] {
						v, found = r.srcVal[si], true
					}
				default:
					if out, ok := r.fixedSource(src); ok {
						v, found = out, true
					}
				}
			}
			si++
		}
		ce.DV[di] = v
	}
	ti, err := st.evalTier()
	if err != nil || st.needItem >= 0 {
		st.needItem = -1
		r.stopped, r.limit = true, true
		return
	}
	for _, l := range r.levels {
		x := ce.Inputs[l.input]
		for _, j := range l.items {
			switch x.St[j] {
			case ItemAnswered:
				r.leaves = append(r.leaves, x.Vals[j])
			case ItemDisabled:
				r.leaves = append(r.leaves, leafDisabled)
			default:
				r.leaves = append(r.leaves, leafFree)
			}
		}
	}
	r.tiers = append(r.tiers, ti)
}

func (r *settleRun) isLevel(input int) bool {
	for k := range r.levels {
		if r.levels[k].input == input {
			return true
		}
	}
	return false
}

// fixedSource evaluates a source on an input with no open items the tier reads.
func (r *settleRun) fixedSource(src *plan.Source) (value.Value, bool) {
	st := r.st
	if !st.Comp.Inputs[src.Input].Present {
		return value.Value{}, false
	}
	if src.When != nil {
		out, err := st.run(src.When, nil, true)
		if err != nil || !out.IsTrue() {
			return value.Value{}, false
		}
	}
	out, err := st.run(src.Expr, nil, true)
	return out, err == nil
}
