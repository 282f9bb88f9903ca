package screen

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/decls"
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
//
// Each is a macro: when the list is a literal of known, distinct item ids, answers.sum([...]) expands to
// answers.@items_sum([indices]) at parse time, so scoring reads items by index, with no lookups by name.
// A call that does not expand is left as written and reported by checkRefs with a precise diagnostic.
func answerFunctions(in *instrument) cel.EnvOption {
	list := types.NewListType(types.IntType)
	t := in.answersT.typ
	id := in.key
	noGuards := decls.DisableTypeGuards(true) // the checker has already proved the argument types
	return cel.Lib(&answerLib{opts: []cel.EnvOption{
		cel.Macros(itemMacro(in, "sum", 1), itemMacro(in, "mean", 1), itemMacro(in, "answered", 1), itemMacro(in, "prorated_sum", 2)),
		cel.Function("@items_sum", noGuards, cel.MemberOverload(id+"_sum", []*types.Type{t, list}, types.IntType,
			cel.FunctionBinding(bindAggregate(aggSum)))),
		cel.Function("@items_mean", noGuards, cel.MemberOverload(id+"_mean", []*types.Type{t, list}, types.DoubleType,
			cel.FunctionBinding(bindAggregate(aggMean)))),
		cel.Function("@items_answered", noGuards, cel.MemberOverload(id+"_answered", []*types.Type{t, list}, types.IntType,
			cel.FunctionBinding(bindAggregate(aggAnswered)))),
		cel.Function("@items_prorated_sum", noGuards, cel.MemberOverload(id+"_prorated_sum", []*types.Type{t, list, types.IntType}, types.DoubleType,
			cel.FunctionBinding(bindAggregate(aggProrated)))),
	}})
}

type answerLib struct{ opts []cel.EnvOption }

func (l *answerLib) CompileOptions() []cel.EnvOption     { return l.opts }
func (l *answerLib) ProgramOptions() []cel.ProgramOption { return nil }

// itemMacro expands answers.<name>(["a", "b"] [, k]) into answers.@items_<name>([ia, ib] [, k]).
func itemMacro(in *instrument, name string, nargs int) cel.Macro {
	return cel.ReceiverMacro(name, nargs, func(mef cel.MacroExprFactory, target celast.Expr, args []celast.Expr) (celast.Expr, *common.Error) {
		if target.Kind() != celast.IdentKind || target.AsIdent() != "answers" || args[0].Kind() != celast.ListKind {
			return nil, nil
		}
		elems := args[0].AsList().Elements()
		if len(elems) == 0 {
			return nil, nil
		}
		idx := make([]celast.Expr, 0, len(elems))
		seen := map[int]bool{}
		for _, el := range elems {
			if el.Kind() != celast.LiteralKind {
				return nil, nil
			}
			s, ok := el.AsLiteral().(types.String)
			if !ok {
				return nil, nil
			}
			i, found := in.itemIdx[string(s)]
			if !found || seen[i] {
				return nil, nil
			}
			seen[i] = true
			idx = append(idx, mef.NewLiteral(types.Int(i)))
		}
		out := []celast.Expr{mef.NewList(idx...)}
		if nargs == 2 {
			k, ok := literalInt(args[1])
			if !ok || k < 0 || k >= int64(len(elems)) {
				return nil, nil
			}
			out = append(out, mef.Copy(args[1]))
		}
		return mef.NewMemberCall("@items_"+name, mef.Copy(target), out...), nil
	})
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

// The CEL bindings, used when an expression is evaluated by CEL's interpreter rather than the fast path.

func bindAggregate(mode int) func(args ...ref.Val) ref.Val {
	return func(args ...ref.Val) ref.Val {
		ie := (*instEval)(args[0].(*answersView))
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
