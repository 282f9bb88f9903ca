package eval

import (
	"slices"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// domainFromSources decides a domain from its sources, in order (§1a rule 3). For a present source whose
// expression the actual answers settle, that value decides. Otherwise the source's completions are
// enumerated: one value decides; fewer than all the values the source can give leaves the domain
// not_assessed with those values possible, and later sources are not read (they could contradict what the
// stronger source settles); all of them say nothing, and the next source is read. When no source decides,
// the domain is not_assessed, with the values the first present source left possible.
func (st *State) domainFromSources(di int, d *plan.Domain) (value.Value, *Error) {
	ce := &st.Comp
	rs := ce.rs
	var first []value.Value
	firstSet := false
	// silent is the last source read that said nothing (its completions give every value it can), and
	// silentIE its input's state.
	var silent *plan.Source
	var silentIE *InstEval
	var silentSet []value.Value
	for _, src := range d.Sources {
		ie := ce.Inputs[src.Input]
		if !ie.Present {
			continue
		}
		if src.When != nil {
			out, err := st.run(src.When, nil, true)
			if err != nil && !isMissing(err) {
				return value.Value{}, evalError(rs.Key, d.Names.Local+".when", err)
			}
			if err != nil || !out.IsTrue() {
				continue
			}
		}
		if silent != nil {
			// (rev 3) The source before said nothing: this one is read only when it reads every item that
			// one has answered. Other answers are evidence this source cannot see (a PHQ-9 whose answered
			// items sum to 9 with three blank is possibly positive, whatever its first two items say): the
			// domain stays not_assessed with every value of the source before possible.
			if !readsAnswered(silent, silentIE, src) {
				ce.DomainNotes = append(ce.DomainNotes, DomainNote{Kind: NoteUnreadAnswers, Domain: di, Input: silent.Input, Next: src.Input})
				ce.Possible[di] = append(ce.Possible[di][:0], silentSet...)
				return d.NotAssessed, nil
			}
			silent = nil
		}
		out, err := st.run(src.Expr, nil, true)
		if err == nil {
			return out, nil
		}
		fe, _, missing := MissingData(err)
		if !missing {
			return value.Value{}, evalError(rs.Key, d.Names.Local, err)
		}
		if fe != nil {
			// The reasons say what the actual answers did not settle.
			st.recordMissing(fieldIE(ie, fe), fe.Kind, fe.Idx)
		}
		gives := src.Gives
		if gives == nil {
			for _, v := range d.Values {
				if v != d.NotAssessed {
					gives = append(gives, v)
				}
			}
		}
		if !open(ie, src.Deps) {
			continue // nothing to complete: the source cannot read what it needs
		}
		set, limit, serr := st.sourceValues(src, ie, gives)
		if serr != nil {
			return value.Value{}, evalError(rs.Key, d.Names.Local, serr)
		}
		if limit {
			ce.DomainNotes = append(ce.DomainNotes, DomainNote{Kind: NoteDeterminacyLimit, Domain: di, Input: src.Input})
			ce.Possible[di] = append(ce.Possible[di][:0], gives...)
			return d.NotAssessed, nil
		}
		if len(set) == 1 {
			ce.DomainNotes = append(ce.DomainNotes, DomainNote{Kind: NoteDetermined, Domain: di, Input: src.Input})
			return set[0], nil
		}
		if !firstSet {
			first, firstSet = set, true
		}
		all := true
		for _, g := range gives {
			all = all && slices.Contains(set, g)
		}
		if !all {
			ce.Possible[di] = append(ce.Possible[di][:0], set...)
			return d.NotAssessed, nil
		}
		silent, silentIE, silentSet = src, ie, set
	}
	if len(first) > 1 {
		ce.Possible[di] = append(ce.Possible[di][:0], first...)
	}
	return d.NotAssessed, nil
}

// readsAnswered reports whether next reads every item of prev's input that prev depends on and that was
// answered (validly or not: an invalid answer is still an answer the respondent gave).
func readsAnswered(prev *plan.Source, ie *InstEval, next *plan.Source) bool {
	for j, dep := range prev.Deps {
		if !dep || !(ie.given[j] || ie.St[j] == ItemUnknown) {
			continue
		}
		if next.Input != prev.Input || !next.Deps[j] {
			return false
		}
	}
	return true
}

// fieldIE is the instrument state a missing field belongs to (domains and the tier have none).
func fieldIE(ie *InstEval, fe *plan.FieldError) *InstEval {
	if fe.Kind == plan.ReadDomain || fe.Kind == plan.ReadTier {
		return nil
	}
	return ie
}

// sourceValues evaluates a source over the completions of its input's missing items and returns the values
// it gives, stopping once it has given every value it can (it then says nothing).
func (st *State) sourceValues(src *plan.Source, ie *InstEval, gives []value.Value) (set []value.Value, limit bool, err error) {
	ce := &st.Comp
	defer func() { ce.Inputs[src.Input] = ie }()
	// The values go to the record's arena (set is its tail), and the target is made once per State, so a
	// source completed allocates nothing after the first records.
	r := &st.src
	saved := *r
	*r = sourceRun{src: src, gives: gives, from: len(st.srcVals)}
	if st.srcTarget == nil {
		st.srcTarget = st.sourceTarget
	}
	limit = st.complete(ie, src.Deps, st.srcTarget)
	set, err = st.srcVals[r.from:len(st.srcVals):len(st.srcVals)], r.err
	*r = saved
	return set, limit && err == nil, err
}

// sourceRun is what sourceTarget needs of the source being completed.
type sourceRun struct {
	src   *plan.Source
	gives []value.Value
	from  int // where its values start in State.srcVals
	err   error
}

// sourceTarget evaluates the source of st.src on completion x and adds its value to the set; it stops once
// the set holds every value the source gives.
func (st *State) sourceTarget(x *InstEval) bool {
	r, ce := &st.src, &st.Comp
	ce.Inputs[r.src.Input] = x
	mark := len(st.Reads)
	out, rerr := st.run(r.src.Expr, nil, true)
	st.Reads = st.Reads[:mark]
	if rerr != nil {
		if isMissing(rerr) {
			return true // a completion in which the source still cannot read what it needs says nothing
		}
		r.err = rerr
		return false
	}
	if set := st.srcVals[r.from:]; !slices.Contains(set, out) {
		st.srcVals = append(st.srcVals, out)
	}
	set := st.srcVals[r.from:]
	all := true
	for _, g := range r.gives {
		all = all && slices.Contains(set, g)
	}
	return !all
}

// tiersAndReferrals evaluates the tier and the referrals: over every combination of the possible values of
// the domains the answers leave open (a domain with no possible values is its value). A referral that fires
// in every combination applies; one that fires in some is possible. The tier is the one every combination
// gives, when they agree; otherwise the lowest of them (the last in the rule set's order: what holds
// whatever the missing answers are), and the others are possible.
func (st *State) tiersAndReferrals() *Error {
	ce := &st.Comp
	rs := ce.rs
	var open []int
	combos := 1
	for di := range rs.Domains {
		if n := len(ce.Possible[di]); n > 1 {
			open = append(open, di)
			combos *= n
			if combos > maxCombinations {
				break
			}
		}
	}
	// Follow-up measures the completions of the two visits leave open take part too (§3 rev 3).
	var fopen []fuDim
	if st.Base != nil {
		for _, ie := range ce.Inputs {
			for fi := range ie.FUPossible {
				if n := len(ie.FUPossible[fi]); n > 1 && combos <= maxCombinations {
					fopen = append(fopen, fuDim{ie, fi})
					combos *= n
				}
			}
		}
	}
	if combos > maxCombinations {
		// Too many to enumerate: evaluate once with the open domains not_assessed (and the open measures not
		// computed), and say so.
		for _, di := range open {
			ce.DomainNotes = append(ce.DomainNotes, DomainNote{Kind: NoteDeterminacyLimit, Domain: di, Input: -1})
			ce.Possible[di] = ce.Possible[di][:0]
		}
		for _, f := range fopen {
			f.ie.FUNote[f.fi] = FollowNoteLimit
			f.ie.FUPossible[f.fi] = f.ie.FUPossible[f.fi][:0]
		}
		open, fopen = nil, nil
	}
	// Baseline scores the baseline left open take part when the rule set reads them (followup_base.go).
	if st.openBaselines() {
		defer st.closeBaselines()
	}
	if len(open) == 0 && len(fopen) == 0 && !st.branching {
		ti, err := st.evalTier()
		if err != nil {
			return err
		}
		ce.Tier, ce.TierVal = ti, rs.Tiers[ti].Val
		for ri := range rs.Referrals {
			fired, err := st.evalReferral(ri)
			if err != nil {
				return err
			}
			ce.Fired[ri] = fired
		}
		return nil
	}
	saved := make([]value.Value, len(open))
	for k, di := range open {
		saved[k] = ce.DV[di]
	}
	defer func() {
		for k, di := range open {
			ce.DV[di] = saved[k]
		}
		for _, f := range fopen {
			f.ie.FUS[f.fi], f.ie.FUV[f.fi] = FollowNotComputed, value.Value{}
		}
	}()
	idx := make([]int, len(open)+len(fopen))
	firedAll := make([]bool, len(rs.Referrals))
	for ri := range firedAll {
		firedAll[ri] = true
	}
	tierSpans := make([]Span, len(rs.Tiers))
	var ctiers []int
	var adds []bool
	for {
		for k, di := range open {
			ce.DV[di] = ce.Possible[di][idx[k]]
		}
		for k, f := range fopen {
			f.ie.FUS[f.fi], f.ie.FUV[f.fi] = FollowComputed, f.ie.FUPossible[f.fi][idx[len(open)+k]]
		}
		// The tiers of this combination: one, unless the tier reads a baseline score left open.
		ctiers = ctiers[:0]
		if err := st.overBase(func() *Error {
			start := int32(len(st.Reads))
			ti, err := st.evalTier()
			if st.bneed >= 0 {
				return nil
			}
			if err != nil {
				return err
			}
			if !ce.PossibleTiers[ti] {
				ce.PossibleTiers[ti] = true
				tierSpans[ti] = st.span(start)
			}
			if !slices.Contains(ctiers, ti) {
				ctiers = append(ctiers, ti)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, ti := range ctiers {
			// Referrals that read `tier` (rescreen) read this combination's tier.
			ce.TierVal = rs.Tiers[ti].Val
			for ri, r := range rs.Referrals {
				if err := st.overBase(func() *Error {
					rstart := int32(len(st.Reads))
					on, err := st.evalReferralOnly(ri)
					if st.bneed >= 0 {
						return nil
					}
					if err != nil {
						return err
					}
					adds = adds[:0]
					if on {
						for _, a := range r.Addenda {
							m := len(st.Reads)
							out, err := st.run(a, nil, true)
							if st.bneed >= 0 {
								return nil
							}
							if err != nil {
								return evalError(rs.Key, "referrals."+r.Def.ID+".addenda", err)
							}
							adds = append(adds, out.IsTrue())
							if !out.IsTrue() {
								st.Reads = st.Reads[:m]
							}
						}
					}
					if on && !ce.PossibleFired[ri] {
						ce.PossibleFired[ri] = true
						ce.PossibleFR[ri] = st.span(rstart)
					}
					if !on {
						firedAll[ri] = false
						return nil
					}
					// Addenda apply when they hold in every combination in which the referral fires.
					for ai, add := range adds {
						if !ce.Fired[ri] { // the first combination in which it fires
							ce.AddFired[ri][ai] = add
						} else {
							ce.AddFired[ri][ai] = ce.AddFired[ri][ai] && add
						}
					}
					ce.Fired[ri] = true // fired in some combination so far; firedAll says whether in all
					return nil
				}); err != nil {
					return err
				}
			}
		}
		k := 0
		for ; k < len(idx); k++ {
			idx[k]++
			n := 0
			if k < len(open) {
				n = len(ce.Possible[open[k]])
			} else {
				f := fopen[k-len(open)]
				n = len(f.ie.FUPossible[f.fi])
			}
			if idx[k] < n {
				break
			}
			idx[k] = 0
		}
		if k == len(idx) {
			break
		}
	}
	// The tier: the one every combination gives, or the lowest that some does.
	ce.Tier = -1
	n := 0
	for ti, on := range ce.PossibleTiers {
		if on {
			ce.Tier = ti
			n++
		}
	}
	ce.TierVal = rs.Tiers[ce.Tier].Val
	ce.TR = tierSpans[ce.Tier]
	if n == 1 {
		clear(ce.PossibleTiers)
	}

	for ri := range rs.Referrals {
		switch {
		case firedAll[ri]:
			ce.Fired[ri], ce.PossibleFired[ri] = true, false
			ce.FR[ri] = ce.PossibleFR[ri]
		case ce.PossibleFired[ri]:
			ce.Fired[ri] = false
			clear(ce.AddFired[ri])
		}
	}
	return nil
}

// fuDim is a follow-up measure with possible values, one dimension of the combinations.
type fuDim struct {
	ie *InstEval
	fi int
}

// maxCombinations bounds the combinations of possible domain values a record may enumerate.
const maxCombinations = 1 << 12

// evalTier returns the index of the first tier that holds.
func (st *State) evalTier() (int, *Error) {
	rs := st.Comp.rs
	start := int32(len(st.Reads))
	for ti, t := range rs.Tiers {
		if t.When == nil { // the fallback: its reasons are why no tier before it matched
			st.Comp.TR = st.span(start)
			return ti, nil
		}
		tstart := len(st.Reads)
		out, err := st.run(t.When, nil, true)
		if err != nil {
			return 0, evalError(rs.Key, "tiers."+t.ID, err)
		}
		if out.IsTrue() {
			st.cut(int(start), tstart) // a matched tier's reasons are its own rule's causes
			st.Comp.TR = st.span(start)
			return ti, nil
		}
	}
	return 0, Errorf(KindEvaluation, rs.Key, "tiers", "no tier matched and there is no fallback tier (a definition bug)")
}

// evalReferralOnly evaluates a referral's condition.
func (st *State) evalReferralOnly(ri int) (bool, *Error) {
	r := st.Comp.rs.Referrals[ri]
	out, err := st.run(r.When, nil, true)
	if err != nil {
		return false, evalError(st.Comp.rs.Key, "referrals."+r.Def.ID, err)
	}
	return out.IsTrue(), nil
}

// evalReferral evaluates a referral and, when it fires, its addenda, recording its reads.
func (st *State) evalReferral(ri int) (bool, *Error) {
	ce := &st.Comp
	r := ce.rs.Referrals[ri]
	start := int32(len(st.Reads))
	on, err := st.evalReferralOnly(ri)
	if err != nil {
		return false, err
	}
	if on {
		for ai, a := range r.Addenda {
			m := len(st.Reads)
			out, err := st.run(a, nil, true)
			if err != nil {
				return false, evalError(ce.rs.Key, "referrals."+r.Def.ID+".addenda", err)
			}
			ce.AddFired[ri][ai] = out.IsTrue()
			if !out.IsTrue() { // an addendum that does not apply is no reason
				st.Reads = st.Reads[:m]
			}
		}
	}
	ce.FR[ri] = st.span(start)
	return on, nil
}
