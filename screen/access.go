package screen

import (
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Field access shared by the two evaluators (the compiled fast path and CEL's interpreter). Reading a
// field records the read, so the report can say what each result was computed from; reading a field that
// is not set returns the field's error, made once at compile time.

func itemGet(ie *instEval, idx int) (Value, error) {
	switch ie.st[idx] {
	case itemAnswered:
		ie.ev.record(ie, readItem, idx)
		return IntValue(ie.vals[idx]), nil
	case itemDisabled:
		return Value{}, ie.inst.itemDisabled[idx]
	}
	return Value{}, ie.inst.itemUnset[idx]
}

func scoreGet(ie *instEval, idx int, unset *fieldError) (Value, error) {
	if ie.ss[idx] != scoreComputed {
		return Value{}, unset
	}
	ie.ev.record(ie, readScore, idx)
	return ie.sv[idx], nil
}

func flagGet(ie *instEval, idx int) (Value, error) {
	if ie.fs[idx] == flagNotEvaluated {
		return Value{}, ie.inst.flagUnset[idx]
	}
	ie.ev.record(ie, readFlag, idx)
	return BoolValue(ie.fs[idx] == flagFired), nil
}

func statusGet(ie *instEval) Value {
	ie.ev.record(ie, readStatus, 0)
	return ie.status()
}

func ctxGet(ie *instEval, slot int, unset *fieldError) (Value, error) {
	ctx := &ie.ev.ctx
	if !ctx.set[slot] {
		return Value{}, unset
	}
	ie.ev.record(ie, readContext, slot)
	return ctx.vals[slot], nil
}

func domainGet(ce *compEval, idx int) (Value, error) {
	v := ce.dv[idx]
	if v.kind == KindNull {
		return Value{}, ce.rs.domainErr[idx]
	}
	ce.ev.record(nil, readDomain, idx)
	return v, nil
}

func tierGet(ce *compEval) Value {
	ce.ev.record(nil, readTier, 0)
	return ce.tierVal
}

// refOf converts a Value for CEL's interpreter (only expressions the fast path does not handle).
func refOf(v Value) ref.Val {
	switch v.kind {
	case KindInt:
		return types.Int(v.i())
	case KindDouble:
		return types.Double(v.f())
	case KindBool:
		return types.Bool(v.b())
	case KindString:
		return types.String(v.s)
	}
	return types.NullValue
}

// getter adapts an accessor to CEL's FieldGetter.
func getter(v Value, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return refOf(v), nil
}

// Presence tests (has()). A test that fails is recorded as a read, so that a result that depends on
// something being absent says so in its reasons (for example has(phq9.answers.q9) = false).

func itemHas(ie *instEval, idx int) Value {
	if ie.st[idx] == itemAnswered {
		return BoolValue(true)
	}
	ie.ev.recordMissing(ie, readItem, idx)
	return BoolValue(false)
}

func scoreHas(ie *instEval, idx int) Value {
	if ie.ss[idx] == scoreComputed {
		return BoolValue(true)
	}
	ie.ev.recordMissing(ie, readScore, idx)
	return BoolValue(false)
}

func flagHas(ie *instEval, idx int) Value {
	if ie.fs[idx] != flagNotEvaluated {
		return BoolValue(true)
	}
	ie.ev.recordMissing(ie, readFlag, idx)
	return BoolValue(false)
}

func ctxHas(ie *instEval, slot int) Value {
	if ie.ev.ctx.set[slot] {
		return BoolValue(true)
	}
	ie.ev.recordMissing(ie, readContext, slot)
	return BoolValue(false)
}

func domainHas(ce *compEval, idx int) Value {
	if ce.dv[idx].kind != KindNull {
		return BoolValue(true)
	}
	ce.ev.recordMissing(nil, readDomain, idx)
	return BoolValue(false)
}
