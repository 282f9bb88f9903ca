package eval

import (
	"cmp"
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Follow-up (composite contract §3): a current response set is scored against a baseline one of the same
// subject. Base (scored first, into another State) and Days are set by the caller before Score; each
// instrument present in both, in the same version, gets its follow-up measures evaluated after its own
// scores and before the rule set, which may read them (<inst>.followup.<measure>, <inst>.baseline.<score>,
// followup.days). A measure reads only decided scores: one that reads a score not computed at either visit
// is not computed itself (FUMissing says which).

// Follow-up measure states.
const (
	FollowNotComputed uint8 = iota
	FollowComputed
	FollowFailed
	FollowTooEarly // days is below the measure's min_days
)

// What completions said of a measure whose scores were not all decided (InstEval.FUNote).
const (
	FollowNoteNone       uint8 = iota
	FollowNoteDetermined       // every completion gives the same value: computed
	FollowNoteOpen             // completions differ (FUPossible lists the values, when few)
	FollowNoteLimit            // too many completions to check
)

// FollowUpIn is what scoring against a baseline needs.
type FollowUpIn struct {
	Base *State // the baseline, already scored
	Days int64
}

// SetFollowUp makes the next Score compare with base (nil: no follow-up); Reset clears it.
func (st *State) SetFollowUp(base *State, days int64) {
	st.Base, st.Days = base, days
}

// followUp evaluates the follow-up measures of every instrument answered at both visits.
func (st *State) followUp() *Error {
	for _, i := range st.Used {
		ie := &st.Insts[i]
		in := ie.Inst
		if len(in.FollowUps) == 0 {
			continue
		}
		b := &st.Base.Insts[i]
		if !b.Present {
			continue
		}
		ie.base = b
		for fi, m := range in.FollowUps {
			if st.Days < m.MinDays {
				ie.FUS[fi] = FollowTooEarly
				continue
			}
			// Only decided values: a measure whose scores were not both decided is computed only when every
			// completion of the two visits' open answers gives it the same value (§3 rev 3).
			bfe := undecided(b, m.BaseScores, true)
			cfe := undecided(ie, m.CurScores, false)
			if bfe != nil || cfe != nil {
				ie.FUS[fi], ie.FUMissing[fi] = FollowNotComputed, cmp.Or(bfe, cfe)
				if decidable(b, m.BaseScores) && decidable(ie, m.CurScores) {
					st.decideFollowUp(ie, b, fi, m)
				}
				continue
			}
			start := int32(len(st.Reads))
			st.act.fu = true
			out, err := st.run(m.Prog, ie, false)
			st.act.fu = false
			if err == nil {
				err = finite(out)
			}
			switch {
			case err == nil:
				ie.FUV[fi], ie.FUS[fi] = out, FollowComputed
			case isMissing(err):
				fe, _, _ := MissingData(err)
				ie.FUS[fi], ie.FUMissing[fi] = FollowNotComputed, fe
			default:
				ie.FUS[fi] = FollowFailed
				if ferr := st.fail(evalError(in.Key, "followup."+m.ID, err)); ferr != nil {
					return ferr
				}
			}
			ie.FUR[fi] = st.span(start)
		}
	}
	return nil
}

// decidable reports whether each of scores is computed, or not computed for missing or unknown answers
// that completions can fill.
func decidable(ie *InstEval, scores []int) bool {
	for _, si := range scores {
		switch ie.SS[si] {
		case ScoreComputed:
		case ScoreNotComputed:
			if !open(ie, ie.Inst.Scores[si].Deps) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// openDeps is the union of the dependencies of the scores of ie that are not computed (nil: none).
func openDeps(ie *InstEval, scores []int) []bool {
	var m []bool
	for _, si := range scores {
		if ie.SS[si] != ScoreComputed {
			if m == nil {
				m = make([]bool, len(ie.Inst.Items))
			}
			for j, d := range ie.Inst.Scores[si].Deps {
				m[j] = m[j] || d
			}
		}
	}
	return m
}

// maxFollowPossible bounds the possible values a measure lists; a measure that can take more (a change
// over wide ranges) is simply not decided.
const maxFollowPossible = 8

// compareValues orders possible values: false before true, then by text or number.
func compareValues(a, b value.Value) int {
	if a.Kind() == value.Bool && b.Kind() == value.Bool {
		switch {
		case a.B() == b.B():
			return 0
		case !a.B():
			return -1
		}
		return 1
	}
	return cmp.Compare(a.String(), b.String())
}

// undecided returns the not-set error of the first of scores that ie did not compute, or nil.
func undecided(ie *InstEval, scores []int, base bool) *plan.FieldError {
	for _, si := range scores {
		if ie.SS[si] != ScoreComputed {
			if base {
				return ie.Inst.Scores[si].BaseUnset
			}
			return ie.Inst.Scores[si].CurUnset
		}
	}
	return nil
}

// Base returns the baseline's state of the instrument (nil: no follow-up).
func (ie *InstEval) Base() *InstEval { return ie.base }

// HasBase reports whether ie was scored against a baseline (the instrument was answered at both visits).
func (ie *InstEval) HasBase() bool { return ie.base != nil }

func baseGet(ie *InstEval, idx int, unset *plan.FieldError) (value.Value, error) {
	b := ie.base
	if b == nil || b.SS[idx] != ScoreComputed {
		if b != nil {
			ie.st.pendingBase(b, idx)
		}
		return value.Value{}, unset
	}
	ie.st.record(ie.st.baseRead(b, idx), plan.ReadBaseline, idx)
	return b.SV[idx], nil
}

func baseHas(ie *InstEval, idx int) value.Value {
	if b := ie.base; b != nil && b.SS[idx] == ScoreComputed {
		ie.st.record(ie.st.baseRead(b, idx), plan.ReadBaseline, idx)
		return value.OfBool(true)
	}
	if b := ie.base; b != nil && ie.st.pendingBase(b, idx) {
		return value.OfBool(false)
	}
	ie.st.recordMissing(ie, plan.ReadBaseline, idx)
	return value.OfBool(false)
}

func curGet(ie *InstEval, idx int, unset *plan.FieldError) (value.Value, error) {
	if ie.SS[idx] != ScoreComputed {
		return value.Value{}, unset
	}
	ie.st.record(ie, plan.ReadCurrent, idx)
	return ie.SV[idx], nil
}

func curHas(ie *InstEval, idx int) value.Value {
	if ie.SS[idx] == ScoreComputed {
		ie.st.record(ie, plan.ReadCurrent, idx)
		return value.OfBool(true)
	}
	ie.st.recordMissing(ie, plan.ReadCurrent, idx)
	return value.OfBool(false)
}

func followGet(ie *InstEval, idx int, unset *plan.FieldError) (value.Value, error) {
	if ie.FUS == nil || ie.FUS[idx] != FollowComputed {
		return value.Value{}, unset
	}
	ie.st.record(ie, plan.ReadFollowup, idx)
	return ie.FUV[idx], nil
}

func followHas(ie *InstEval, idx int) value.Value {
	if ie.FUS != nil && ie.FUS[idx] == FollowComputed {
		ie.st.record(ie, plan.ReadFollowup, idx)
		return value.OfBool(true)
	}
	ie.st.recordMissing(ie, plan.ReadFollowup, idx)
	return value.OfBool(false)
}

func daysGet(st *State) (value.Value, error) {
	if st.Base == nil {
		return value.Value{}, st.Plan.Rules.DaysUnset
	}
	st.record(nil, plan.ReadDays, 0)
	return value.OfInt(st.Days), nil
}

func daysHas(st *State) value.Value {
	if st.Base != nil {
		st.record(nil, plan.ReadDays, 0)
		return value.OfBool(true)
	}
	st.recordMissing(nil, plan.ReadDays, 0)
	return value.OfBool(false)
}

// The follow-up views: baseline.<score> and current.<score> in a measure (over the current instrument's
// state, which links to the baseline's), <inst>.followup.<measure> and <inst>.baseline.<score> in a rule
// set, and followup.days there.
type (
	baselineView InstEval
	currentView  InstEval
	followupView InstEval
	fuGlobalView State
)

var (
	_ ref.Val = (*baselineView)(nil)
	_ ref.Val = (*currentView)(nil)
	_ ref.Val = (*followupView)(nil)
	_ ref.Val = (*fuGlobalView)(nil)
)

func (v *baselineView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *baselineView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.BaselineType) }
func (v *baselineView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *baselineView) Type() ref.Type                            { return v.Inst.BaselineType }
func (v *baselineView) Value() any                                { return v }

func (v *currentView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *currentView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.CurrentType) }
func (v *currentView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *currentView) Type() ref.Type                            { return v.Inst.CurrentType }
func (v *currentView) Value() any                                { return v }

func (v *followupView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *followupView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.FollowupType) }
func (v *followupView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *followupView) Type() ref.Type                            { return v.Inst.FollowupType }
func (v *followupView) Value() any                                { return v }

func (v *fuGlobalView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *fuGlobalView) ConvertToType(t ref.Type) ref.Val {
	return viewConvert(t, v.Plan.Rules.FollowupType)
}
func (v *fuGlobalView) Equal(o ref.Val) ref.Val { return types.Bool(ref.Val(v) == o) }
func (v *fuGlobalView) Type() ref.Type          { return v.Plan.Rules.FollowupType }
func (v *fuGlobalView) Value() any              { return v }

// BaselineField binds baseline.<score> (and <inst>.baseline.<score> in rule sets).
func BaselineField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return baseHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(baseGet(viewIE(t), idx, unset)) }
}

// CurrentField binds current.<score>.
func CurrentField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return curHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(curGet(viewIE(t), idx, unset)) }
}

// FollowupField binds <inst>.followup.<measure>.
func FollowupField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return followHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(followGet(viewIE(t), idx, unset)) }
}

// BaselineViewField and FollowupViewField bind <inst>.baseline and <inst>.followup, the nested views.
func BaselineViewField() (ref.FieldTester, ref.FieldGetter) {
	return func(any) bool { return true }, func(t any) (any, error) { return (*baselineView)(viewIE(t)), nil }
}

// FollowupViewField binds <inst>.followup.
func FollowupViewField() (ref.FieldTester, ref.FieldGetter) {
	return func(any) bool { return true }, func(t any) (any, error) { return (*followupView)(viewIE(t)), nil }
}

// DaysField binds followup.days in a rule set.
func DaysField() (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return daysHas((*State)(t.(*fuGlobalView))).B() },
		func(t any) (any, error) { return getter(daysGet((*State)(t.(*fuGlobalView)))) }
}
