package celenv

import (
	"slices"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/decls"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
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
// Each is a macro: when the list is a literal of known, distinct item ids, answers.sum([...]) expands to
// answers.@items_sum([indices]) at parse time, so scoring reads items by index, with no lookups by name.
// A call that does not expand is left as written, and the compiler reports it with a precise diagnostic.

// Agg names an answers function.
type Agg int

// The answers functions.
const (
	AggSum Agg = iota
	AggMean
	AggAnswered
	AggProrated
)

// ExpandedPrefix starts the name of an expanded answers function (@items_sum).
const ExpandedPrefix = "@items_"

var aggNames = []string{"sum", "mean", "answered", "prorated_sum"}

// AggOf returns the answers function with the given name (sum, mean, answered, prorated_sum).
func AggOf(name string) (Agg, bool) {
	i := slices.Index(aggNames, name)
	return Agg(i), i >= 0
}

// IsAnswerFunction reports whether fn names an answers function.
func IsAnswerFunction(fn string) bool { return slices.Contains(aggNames, fn) }

// Args returns how many arguments the function takes.
func (a Agg) Args() int {
	if a == AggProrated {
		return 2
	}
	return 1
}

// AnswerFunctions declares the answers functions of one instrument: key names its overloads, answers is its
// answers type, itemIdx maps item ids to indices for the macros, and bind supplies each function's runtime
// binding (used when CEL's interpreter, rather than the fast path, evaluates an expression).
func AnswerFunctions(key string, answers *types.Type, itemIdx map[string]int, bind func(Agg) func(args ...ref.Val) ref.Val) cel.EnvOption {
	list := types.NewListType(types.IntType)
	noGuards := decls.DisableTypeGuards(true) // the checker has already proved the argument types
	var opts []cel.EnvOption
	for i, name := range aggNames {
		a := Agg(i)
		opts = append(opts, cel.Macros(itemMacro(itemIdx, name, a.Args())))
		args := []*types.Type{answers, list}
		out := types.IntType
		switch a {
		case AggMean:
			out = types.DoubleType
		case AggProrated:
			args, out = append(args, types.IntType), types.DoubleType
		}
		opts = append(opts, cel.Function(ExpandedPrefix+name, noGuards,
			cel.MemberOverload(key+"_"+name, args, out, cel.FunctionBinding(bind(a)))))
	}
	return cel.Lib(&lib{opts: opts})
}

type lib struct{ opts []cel.EnvOption }

func (l *lib) CompileOptions() []cel.EnvOption     { return l.opts }
func (l *lib) ProgramOptions() []cel.ProgramOption { return nil }

// itemMacro expands answers.<name>(["a", "b"] [, k]) into answers.@items_<name>([ia, ib] [, k]).
func itemMacro(itemIdx map[string]int, name string, nargs int) cel.Macro {
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
			i, found := itemIdx[string(s)]
			if !found || seen[i] {
				return nil, nil
			}
			seen[i] = true
			idx = append(idx, mef.NewLiteral(types.Int(i)))
		}
		out := []celast.Expr{mef.NewList(idx...)}
		if nargs == 2 {
			k, ok := LiteralInt(args[1])
			if !ok || k < 0 || k >= int64(len(elems)) {
				return nil, nil
			}
			out = append(out, mef.Copy(args[1]))
		}
		return mef.NewMemberCall(ExpandedPrefix+name, mef.Copy(target), out...), nil
	})
}

// LiteralInt returns the value of an int literal node.
func LiteralInt(n celast.Expr) (int64, bool) {
	if n.Kind() != celast.LiteralKind {
		return 0, false
	}
	v, ok := n.AsLiteral().(types.Int)
	return int64(v), ok
}
