package eval

import (
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// aggregate computes answers.sum/mean/answered/prorated_sum over item indices (both evaluators use it).
func aggregate(ie *InstEval, idxs []int, mode celenv.Agg, allowed int64) (value.Value, error) {
	var sum, listed, answered int64
	unknown := false
	strict := mode == celenv.AggSum || mode == celenv.AggMean
	for _, idx := range idxs {
		switch ie.St[idx] {
		case ItemAnswered:
			ie.st.record(ie, plan.ReadItem, idx)
			sum += ie.Vals[idx]
			answered++
			listed++
		case ItemDisabled:
			if strict {
				return value.Value{}, ie.Inst.Items[idx].Disabled
			}
		case ItemPending:
			ie.st.need(idx)
			return value.Value{}, ie.Inst.Items[idx].Unset
		default:
			if strict {
				return value.Value{}, ie.Inst.Items[idx].Unset
			}
			unknown = unknown || ie.St[idx] == ItemUnknown
			listed++
		}
	}
	switch mode {
	case celenv.AggSum:
		return value.OfInt(sum), nil
	case celenv.AggMean:
		return value.OfDouble(float64(sum) / float64(answered)), nil
	case celenv.AggAnswered:
		return value.OfInt(answered), nil
	}
	missing := listed - answered
	if unknown {
		// An item this sum reads has an answer that is not valid: a prorated total from a corrupted form
		// would be a guess (§1a rule 1). Invalid answers to items the sum does not read change nothing.
		allowed = 0
	}
	if answered == 0 || missing > allowed {
		return value.Value{}, &NotEnoughError{Missing: int(missing), Allowed: int(allowed), Unknown: unknown}
	}
	if missing == 0 {
		return value.OfDouble(float64(sum)), nil
	}
	ie.prorated(int(answered), int(listed))
	// Round half-up to one decimal in exact integer arithmetic: round(10·sum·listed / answered) / 10.
	num := 10 * sum * listed
	tenths := (2*num + answered) / (2 * answered)
	if num < 0 {
		tenths = -((-2*num + answered) / (2 * answered))
	}
	return value.OfDouble(float64(tenths) / 10), nil
}

// BindAggregate is the CEL interpreter's binding of an answers function.
func BindAggregate(mode celenv.Agg) func(args ...ref.Val) ref.Val {
	return func(args ...ref.Val) ref.Val {
		ie := (*InstEval)(args[0].(*answersView))
		idxs, bad := indices(args[1])
		if bad != nil {
			return bad
		}
		var allowed int64
		if len(args) > 2 {
			allowed = int64(args[2].(types.Int))
		}
		v, err := aggregate(ie, idxs, mode, allowed)
		if err != nil {
			return types.WrapErr(err)
		}
		return refOf(v)
	}
}

// indices reads an expanded item list (a constant list of ints).
func indices(l ref.Val) ([]int, ref.Val) {
	lister, ok := l.(traits.Lister)
	if !ok {
		return nil, types.NewErr("item list expected")
	}
	n := int(lister.Size().(types.Int))
	out := make([]int, n)
	for i := range out {
		idx, ok := lister.Get(types.Int(i)).(types.Int)
		if !ok {
			return nil, types.NewErr("item index expected")
		}
		out[i] = int(idx)
	}
	return out, nil
}
