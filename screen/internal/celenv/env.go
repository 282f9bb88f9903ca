// Package celenv is painscreen's CEL dialect: the base environment every definition compiles in (the
// standard library with cross-type numeric comparison, round(), parser limits), the answers functions and
// their macros, the object types the engine defines (a type provider), and the static cost model that bounds
// every expression when it loads.
package celenv

import (
	"math"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// MaxContextString bounds a string context value (bytes), which bounds the cost of expressions over it.
const MaxContextString = 256

// ErrRoundDigits is round()'s error for a digit count outside 0..10.
var ErrRoundDigits = roundDigitsError{}

type roundDigitsError struct{}

func (roundDigitsError) Error() string { return "round: digits must be between 0 and 10" }

// NewBase returns the CEL environment every definition starts from: the standard library, cross-type
// numeric comparison (so a prorated double total compares with 10), round(), and parser limits.
func NewBase(maxExprBytes int) (*cel.Env, error) {
	return cel.NewEnv(
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(maxExprBytes),
		cel.ParserRecursionLimit(48),
		cel.Function("round",
			cel.Overload("round_double_int", []*types.Type{types.DoubleType, types.IntType}, types.DoubleType,
				cel.BinaryBinding(roundBinding))),
	)
}

func roundBinding(x, n ref.Val) ref.Val {
	f, d := float64(x.(types.Double)), int64(n.(types.Int))
	if d < 0 || d > 10 {
		return types.WrapErr(ErrRoundDigits)
	}
	return types.Double(RoundHalfUp(f, int(d)))
}

// RoundHalfUp rounds f to digits decimal places, halves away from zero, on the decimal digits a person
// would see (so RoundHalfUp(1.15, 1) is 1.2 even though 1.15 is stored as 1.149999…).
func RoundHalfUp(f float64, digits int) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1e15 {
		return f
	}
	var buf [64]byte
	s := strconv.AppendFloat(buf[:0], math.Abs(f), 'f', -1, 64) // shortest decimal that round-trips
	intPart, frac, _ := strings.Cut(string(s), ".")
	if len(frac) <= digits {
		return f
	}
	keep := intPart + frac[:digits]
	up := frac[digits] >= '5'
	var v float64
	for i := 0; i < len(keep); i++ {
		v = v*10 + float64(keep[i]-'0')
	}
	if up {
		v++
	}
	v /= math.Pow(10, float64(digits))
	if f < 0 {
		v = -v
	}
	return v
}

// CostEstimator bounds the engine's own functions and the size of context strings for CEL's static cost
// estimate, so every accepted expression has a finite worst case.
type CostEstimator struct{}

// EstimateSize bounds context strings.
func (CostEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if t := n.Type(); t != nil && t.IsExactType(types.StringType) {
		if p := n.Path(); len(p) > 0 && p[0] == "context" {
			return &cost.SizeEstimate{Min: 0, Max: MaxContextString}
		}
	}
	return nil
}

// EstimateCallCost bounds the answers functions (linear in their item list) and round().
func (CostEstimator) EstimateCallCost(fn, _ string, _ *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	if name, ok := strings.CutPrefix(fn, ExpandedPrefix); ok && IsAnswerFunction(name) && len(args) > 0 {
		n := uint64(64)
		if sz := args[0].ComputedSize(); sz != nil {
			n = sz.Max
		}
		return &cost.CallEstimate{CostEstimate: cost.FixedCostEstimate(n + 1)}
	}
	if fn == "round" {
		return &cost.CallEstimate{CostEstimate: cost.FixedCostEstimate(2)}
	}
	return nil
}
