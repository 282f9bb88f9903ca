package screen

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// Functions on answers. Each takes a literal list of item ids (checked when the definition loads):
//
//	answers.sum(["q1", "q2"])              int: the sum; every listed item must be answered
//	answers.mean(["a", "b", "c"])          double: the mean; every listed item must be answered
//	answers.answered(["q1", "q2"])         int: how many of the listed items were answered
//	answers.prorated_sum(["q1", …, "q9"], 2)
//	    double: the sum scaled up to all listed items when at most 2 are missing
//	    (sum × listed / answered, rounded half-up to one decimal); with more missing the score is not
//	    computed. Items that skip logic disabled count as neither listed nor missing.
//
// Reading an item that is not answered makes the score "not computed" (the report says which item);
// reading an item that skip logic disabled is a definition error.
func answerFunctions(in *instrument) cel.EnvOption {
	list := types.NewListType(types.StringType)
	t := in.answersT.typ
	id := in.key
	return cel.Lib(&answerLib{opts: []cel.EnvOption{
		cel.Function("sum", cel.MemberOverload(id+"_sum", []*types.Type{t, list}, types.IntType,
			cel.BinaryBinding(answersSum))),
		cel.Function("mean", cel.MemberOverload(id+"_mean", []*types.Type{t, list}, types.DoubleType,
			cel.BinaryBinding(answersMean))),
		cel.Function("answered", cel.MemberOverload(id+"_answered", []*types.Type{t, list}, types.IntType,
			cel.BinaryBinding(answersAnswered))),
		cel.Function("prorated_sum", cel.MemberOverload(id+"_prorated_sum", []*types.Type{t, list, types.IntType}, types.DoubleType,
			cel.FunctionBinding(answersProrated))),
	}})
}

type answerLib struct{ opts []cel.EnvOption }

func (l *answerLib) CompileOptions() []cel.EnvOption     { return l.opts }
func (l *answerLib) ProgramOptions() []cel.ProgramOption { return nil }

// itemsOf resolves the literal list argument. The list was checked at load time, so an unknown id here is
// impossible; it is still reported as an error rather than trusted.
func forEachItem(ie *instEval, l ref.Val, fn func(idx int) ref.Val) ref.Val {
	lister, ok := l.(traits.Lister)
	if !ok {
		return types.NewErr("item list expected")
	}
	n := int(lister.Size().(types.Int))
	for i := 0; i < n; i++ {
		s, ok := lister.Get(types.Int(i)).(types.String)
		if !ok {
			return types.NewErr("item ids must be strings")
		}
		idx, found := ie.inst.itemIdx[string(s)]
		if !found {
			return types.NewErr("no item %q", string(s))
		}
		if r := fn(idx); r != nil {
			return r
		}
	}
	return nil
}

func answersSum(a, l ref.Val) ref.Val {
	ie := (*instEval)(a.(*answersView))
	var sum int64
	if err := forEachItem(ie, l, func(idx int) ref.Val {
		switch ie.st[idx] {
		case itemAnswered:
			ie.ev.record(ie, readItem, idx)
			sum += ie.vals[idx]
			return nil
		case itemDisabled:
			return types.WrapErr(ie.inst.itemDisabled[idx])
		}
		return types.WrapErr(ie.inst.itemUnset[idx])
	}); err != nil {
		return err
	}
	return types.Int(sum)
}

func answersMean(a, l ref.Val) ref.Val {
	ie := (*instEval)(a.(*answersView))
	var sum, n int64
	if err := forEachItem(ie, l, func(idx int) ref.Val {
		switch ie.st[idx] {
		case itemAnswered:
			ie.ev.record(ie, readItem, idx)
			sum += ie.vals[idx]
			n++
			return nil
		case itemDisabled:
			return types.WrapErr(ie.inst.itemDisabled[idx])
		}
		return types.WrapErr(ie.inst.itemUnset[idx])
	}); err != nil {
		return err
	}
	return types.Double(float64(sum) / float64(n))
}

func answersAnswered(a, l ref.Val) ref.Val {
	ie := (*instEval)(a.(*answersView))
	var n int64
	if err := forEachItem(ie, l, func(idx int) ref.Val {
		if ie.st[idx] == itemAnswered {
			ie.ev.record(ie, readItem, idx)
			n++
		}
		return nil
	}); err != nil {
		return err
	}
	return types.Int(n)
}

func answersProrated(args ...ref.Val) ref.Val {
	ie := (*instEval)(args[0].(*answersView))
	allowed := int64(args[2].(types.Int))
	var sum, listed, answered int64
	if err := forEachItem(ie, args[1], func(idx int) ref.Val {
		switch ie.st[idx] {
		case itemAnswered:
			ie.ev.record(ie, readItem, idx)
			sum += ie.vals[idx]
			answered++
			listed++
		case itemUnanswered:
			listed++
		}
		return nil
	}); err != nil {
		return err
	}
	missing := listed - answered
	if answered == 0 || missing > allowed {
		return types.WrapErr(&notEnoughError{missing: int(missing), allowed: int(allowed)})
	}
	if missing == 0 {
		return types.Double(float64(sum))
	}
	ie.prorated(int(answered), int(listed))
	// Round half-up to one decimal in exact integer arithmetic: round(10·sum·listed / answered) / 10.
	num := 10 * sum * listed
	tenths := (2*num + answered) / (2 * answered)
	if num < 0 {
		tenths = -((-2*num + answered) / (2 * answered))
	}
	return types.Double(float64(tenths) / 10)
}
