package eval

import (
	"errors"
	"fmt"
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Field access shared by the two evaluators (the compiled fast path and CEL's interpreter). Reading a
// field records the read, so the report can say what each result was computed from; reading a field that
// is not set returns the field's error, made once at compile time.

func itemGet(ie *InstEval, idx int) (value.Value, error) {
	switch ie.St[idx] {
	case ItemAnswered:
		ie.st.record(ie, plan.ReadItem, idx)
		return value.OfInt(ie.Vals[idx]), nil
	case ItemDisabled:
		return value.Value{}, ie.Inst.Items[idx].Disabled
	case ItemPending:
		ie.st.need(idx)
	}
	return value.Value{}, ie.Inst.Items[idx].Unset
}

func scoreGet(ie *InstEval, idx int, unset *plan.FieldError) (value.Value, error) {
	if ie.SS[idx] != ScoreComputed {
		return value.Value{}, unset
	}
	ie.st.record(ie, plan.ReadScore, idx)
	return ie.SV[idx], nil
}

func flagGet(ie *InstEval, idx int) (value.Value, error) {
	if ie.FS[idx] == FlagNotEvaluated {
		return value.Value{}, ie.Inst.Flags[idx].Unset
	}
	ie.st.record(ie, plan.ReadFlag, idx)
	return value.OfBool(ie.FS[idx] == FlagFired), nil
}

func statusGet(ie *InstEval) value.Value {
	ie.st.record(ie, plan.ReadStatus, 0)
	return ie.Status()
}

// ctxGet reads context field slot, for instrument ie (nil in a rule set).
func ctxGet(st *State, ie *InstEval, slot int, unset *plan.FieldError) (value.Value, error) {
	ctx := &st.Ctx
	if !ctx.Set[slot] {
		return value.Value{}, unset
	}
	st.record(ie, plan.ReadContext, slot)
	return ctx.Vals[slot], nil
}

func domainGet(ce *CompEval, idx int) (value.Value, error) {
	v := ce.DV[idx]
	if v.Kind() == value.Null {
		return value.Value{}, ce.rs.Domains[idx].Unset
	}
	ce.st.record(nil, plan.ReadDomain, idx)
	return v, nil
}

func tierGet(ce *CompEval) value.Value {
	ce.st.record(nil, plan.ReadTier, 0)
	return ce.TierVal
}

// Presence tests (has()). A test is recorded as a read either way: one that holds as a read of the field
// (what is present is its value), one that fails as a failed presence test, so that a result that depends
// on something being absent says so in its reasons (for example has(phq9.answers.q9) = false).

func itemHas(ie *InstEval, idx int) value.Value {
	switch ie.St[idx] {
	case ItemAnswered:
		ie.st.record(ie, plan.ReadItem, idx)
		return value.OfBool(true)
	case ItemPending:
		ie.st.need(idx)
		return value.OfBool(true)
	}
	ie.st.recordMissing(ie, plan.ReadItem, idx)
	return value.OfBool(false)
}

func scoreHas(ie *InstEval, idx int) value.Value {
	if ie.SS[idx] == ScoreComputed {
		ie.st.record(ie, plan.ReadScore, idx)
		return value.OfBool(true)
	}
	ie.st.recordMissing(ie, plan.ReadScore, idx)
	return value.OfBool(false)
}

func flagHas(ie *InstEval, idx int) value.Value {
	if ie.FS[idx] != FlagNotEvaluated {
		ie.st.record(ie, plan.ReadFlag, idx)
		return value.OfBool(true)
	}
	ie.st.recordMissing(ie, plan.ReadFlag, idx)
	return value.OfBool(false)
}

func ctxHas(st *State, ie *InstEval, slot int) value.Value {
	if st.Ctx.Set[slot] {
		st.record(ie, plan.ReadContext, slot)
		return value.OfBool(true)
	}
	st.recordMissing(ie, plan.ReadContext, slot)
	return value.OfBool(false)
}

func domainHas(ce *CompEval, idx int) value.Value {
	if ce.DV[idx].Kind() != value.Null {
		ce.st.record(nil, plan.ReadDomain, idx)
		return value.OfBool(true)
	}
	ce.st.recordMissing(nil, plan.ReadDomain, idx)
	return value.OfBool(false)
}

// refOf converts a Value for CEL's interpreter (only expressions the fast path does not handle).
func refOf(v value.Value) ref.Val {
	switch v.Kind() {
	case value.Int:
		return types.Int(v.I())
	case value.Double:
		return types.Double(v.F())
	case value.Bool:
		return types.Bool(v.B())
	case value.String:
		return types.String(v.S())
	}
	return types.NullValue
}

// valueOf converts a CEL result into a Value.
func valueOf(v ref.Val) value.Value {
	switch t := v.(type) {
	case types.Int:
		return value.OfInt(int64(t))
	case types.Double:
		return value.OfDouble(float64(t))
	case types.Bool:
		return value.OfBool(bool(t))
	case types.String:
		return value.OfString(string(t))
	case nil:
		return value.Value{}
	}
	return value.OfString(fmt.Sprint(v.Value()))
}

// getter adapts an accessor to CEL's FieldGetter.
func getter(v value.Value, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return refOf(v), nil
}

// The CEL objects of definitions are views over the evaluation state. Each instrument expression sees
//
//	answers.<item>    int; set when the item was answered (has(answers.x) tests that)
//	scores.<score>    the type of that score; set when it was computed (only earlier scores are visible)
//	context.<field>   int, number (double), bool or string, as the instrument declares; set when the
//	                  response gives it
//
// and a rule-set expression sees one object per input instrument (<id>.status, <id>.<score>,
// <id>.answers.<item>, <id>.flags.<flag>), domains.<domain> (earlier domains), context.<field> (the
// fields the rule set declares) and, in referrals, `tier`.

var errNotObject = errors.New("engine objects cannot be converted")

func viewConvert(t ref.Type, own *types.Type) ref.Val {
	if t == types.TypeType {
		return own
	}
	return types.NewErr("type conversion error from '%s' to '%s'", own.TypeName(), t.TypeName())
}

// The views are CEL values.
var (
	_ ref.Val = (*answersView)(nil)
	_ ref.Val = (*scoresView)(nil)
	_ ref.Val = (*flagsView)(nil)
	_ ref.Val = (*resultView)(nil)
	_ ref.Val = (*contextView)(nil)
	_ ref.Val = (*domainsView)(nil)
)

// answersView exposes an instrument's answers.
type answersView InstEval

func (v *answersView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *answersView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.AnswersType) }
func (v *answersView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *answersView) Type() ref.Type                            { return v.Inst.AnswersType }
func (v *answersView) Value() any                                { return v }

// scoresView exposes an instrument's computed scores.
type scoresView InstEval

func (v *scoresView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *scoresView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.ScoresType) }
func (v *scoresView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *scoresView) Type() ref.Type                            { return v.Inst.ScoresType }
func (v *scoresView) Value() any                                { return v }

// flagsView exposes which flags fired (rule sets only).
type flagsView InstEval

func (v *flagsView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *flagsView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.FlagsType) }
func (v *flagsView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *flagsView) Type() ref.Type                            { return v.Inst.FlagsType }
func (v *flagsView) Value() any                                { return v }

// resultView exposes an instrument's whole result to a rule set.
type resultView InstEval

func (v *resultView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *resultView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.Inst.ResultType) }
func (v *resultView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *resultView) Type() ref.Type                            { return v.Inst.ResultType }
func (v *resultView) Value() any                                { return v }

// contextView exposes the respondent context with the fields one definition declares: an instrument's
// (ie set) or the rule set's (ie nil).
type contextView struct {
	st  *State
	ie  *InstEval
	typ *types.Type
}

func (v *contextView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *contextView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.typ) }
func (v *contextView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *contextView) Type() ref.Type                            { return v.typ }
func (v *contextView) Value() any                                { return v }

// domainsView exposes a rule set's domains computed so far.
type domainsView CompEval

func (v *domainsView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *domainsView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v.rs.DomainsType) }
func (v *domainsView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *domainsView) Type() ref.Type                            { return v.rs.DomainsType }
func (v *domainsView) Value() any                                { return v }

// Field bindings for the compiler: each returns the presence test and getter of one field of one view,
// as CEL's type provider wants them.

// ItemField binds answers.<item idx> (and <inst>.answers.<item> in rule sets).
func ItemField(idx int) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return itemHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(itemGet(viewIE(t), idx)) }
}

// ScoreField binds a score as the instrument (scores.<id>) or a rule set (<inst>.<id>) reads it.
func ScoreField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return scoreHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(scoreGet(viewIE(t), idx, unset)) }
}

// FlagField binds <inst>.flags.<id>.
func FlagField(idx int) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return flagHas(viewIE(t), idx).B() },
		func(t any) (any, error) { return getter(flagGet(viewIE(t), idx)) }
}

// StatusField binds <inst>.status.
func StatusField() (ref.FieldTester, ref.FieldGetter) {
	return func(any) bool { return true }, func(t any) (any, error) { return refOf(statusGet(viewIE(t))), nil }
}

// AnswersField and FlagsField bind <inst>.answers and <inst>.flags, the nested views.
func AnswersField() (ref.FieldTester, ref.FieldGetter) {
	return func(any) bool { return true }, func(t any) (any, error) { return (*answersView)(viewIE(t)), nil }
}

// FlagsField binds <inst>.flags.
func FlagsField() (ref.FieldTester, ref.FieldGetter) {
	return func(any) bool { return true }, func(t any) (any, error) { return (*flagsView)(viewIE(t)), nil }
}

// ContextField binds context.<id>.
func ContextField(slot int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { v := t.(*contextView); return ctxHas(v.st, v.ie, slot).B() },
		func(t any) (any, error) { v := t.(*contextView); return getter(ctxGet(v.st, v.ie, slot, unset)) }
}

// DomainField binds domains.<id>.
func DomainField(idx int) (ref.FieldTester, ref.FieldGetter) {
	return func(t any) bool { return domainHas((*CompEval)(t.(*domainsView)), idx).B() },
		func(t any) (any, error) { return getter(domainGet((*CompEval)(t.(*domainsView)), idx)) }
}

// viewIE returns the instrument state behind any instrument view.
func viewIE(t any) *InstEval {
	switch v := t.(type) {
	case *answersView:
		return (*InstEval)(v)
	case *scoresView:
		return (*InstEval)(v)
	case *flagsView:
		return (*InstEval)(v)
	case *resultView:
		return (*InstEval)(v)
	case *baselineView:
		return (*InstEval)(v)
	case *currentView:
		return (*InstEval)(v)
	case *followupView:
		return (*InstEval)(v)
	}
	return nil
}
