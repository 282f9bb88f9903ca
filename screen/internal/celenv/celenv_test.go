package celenv_test

import (
	"errors"
	"math"
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/celenv"
)

func TestRoundHalfUp(t *testing.T) {
	for _, tc := range []struct {
		f      float64
		digits int
		want   float64
	}{
		{1.15, 1, 1.2}, // stored as 1.149999…, rounded as written
		{1.25, 1, 1.3},
		{2.5, 0, 3},
		{-2.5, 0, -3}, // halves away from zero
		{0.125, 2, 0.13},
		{1.149, 2, 1.15},
		{1.144, 2, 1.14},
		{7, 1, 7},
		{12.345678, 10, 12.345678}, // fewer digits than asked: unchanged
		{0.05, 1, 0.1},
		{-0.04, 1, -0},
	} {
		assert.Equal(t, tc.want, celenv.RoundHalfUp(tc.f, tc.digits), "round(%v, %d)", tc.f, tc.digits)
	}
	assert.True(t, math.IsNaN(celenv.RoundHalfUp(math.NaN(), 1)))
	assert.Equal(t, math.Inf(1), celenv.RoundHalfUp(math.Inf(1), 1))
	assert.Equal(t, 1e16+0.5, celenv.RoundHalfUp(1e16+0.5, 0), "beyond 1e15: unchanged")
}

// eval compiles and runs src in env.
func eval(t *testing.T, env *cel.Env, src string, vars map[string]any) (ref.Val, error) {
	t.Helper()
	ast, iss := env.Compile(src)
	require.NoError(t, iss.Err(), src)
	prg, err := env.Program(ast)
	require.NoError(t, err)
	out, _, err := prg.Eval(vars)
	return out, err
}

func TestBaseEnvironment(t *testing.T) {
	env, err := celenv.NewBase(4096)
	require.NoError(t, err)
	out, err := eval(t, env, "round(1.15, 1)", nil)
	require.NoError(t, err)
	assert.Equal(t, types.Double(1.2), out)
	_, err = eval(t, env, "round(1.15, 11)", nil)
	require.Error(t, err)
	assert.True(t, errors.Is(err, celenv.ErrRoundDigits) || err.Error() == celenv.ErrRoundDigits.Error(), "%v", err)

	out, err = eval(t, env, "2.0 > 1 && 3 >= 2.5", nil)
	require.NoError(t, err)
	assert.Equal(t, types.True, out, "int and double compare across types")

	_, iss := env.Compile("1 + 1 + 1 + 1")
	require.NoError(t, iss.Err())
	small, err := celenv.NewBase(8)
	require.NoError(t, err)
	_, iss = small.Compile("1 + 1 + 1 + 1")
	assert.Error(t, iss.Err(), "over the expression size limit")
}

func TestAgg(t *testing.T) {
	for name, want := range map[string]celenv.Agg{"sum": celenv.AggSum, "mean": celenv.AggMean, "answered": celenv.AggAnswered, "prorated_sum": celenv.AggProrated} {
		a, ok := celenv.AggOf(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, a, name)
		assert.True(t, celenv.IsAnswerFunction(name), name)
	}
	_, ok := celenv.AggOf("max")
	assert.False(t, ok)
	assert.Equal(t, 2, celenv.AggProrated.Args())
	assert.Equal(t, 1, celenv.AggSum.Args())
}

// answersEnv is an environment with an answers object of items a, b, c whose functions record the item
// indices they are called with.
func answersEnv(t *testing.T, calls *[][]int64) *cel.Env {
	t.Helper()
	base, err := celenv.NewBase(4096)
	require.NoError(t, err)
	prov, err := celenv.NewProvider()
	require.NoError(t, err)
	answers := prov.NewStruct("t/answers")
	bind := func(a celenv.Agg) func(args ...ref.Val) ref.Val {
		return func(args ...ref.Val) ref.Val {
			var idx []int64
			for _, v := range args[1].(interface{ Value() any }).Value().([]ref.Val) {
				idx = append(idx, int64(v.(types.Int)))
			}
			*calls = append(*calls, idx)
			if a == celenv.AggMean || a == celenv.AggProrated {
				return types.Double(1.5)
			}
			return types.Int(len(idx))
		}
	}
	env, err := base.Extend(cel.CustomTypeProvider(prov), cel.Variable("answers", answers.Type),
		celenv.AnswerFunctions("t", answers.Type, map[string]int{"a": 0, "b": 1, "c": 2}, bind))
	require.NoError(t, err)
	return env
}

// TestAnswerFunctions: the macros expand a literal list of known, distinct items to their indices; any other
// call is left as written, and does not type-check.
func TestAnswerFunctions(t *testing.T) {
	var calls [][]int64
	env := answersEnv(t, &calls)
	for _, tc := range []struct {
		src  string
		want ref.Val
		idx  []int64
	}{
		{`answers.sum(["c", "a"])`, types.Int(2), []int64{2, 0}},
		{`answers.answered(["a", "b", "c"])`, types.Int(3), []int64{0, 1, 2}},
		{`answers.mean(["b"])`, types.Double(1.5), []int64{1}},
		{`answers.prorated_sum(["a", "b", "c"], 1)`, types.Double(1.5), []int64{0, 1, 2}},
	} {
		calls = nil
		out, err := eval(t, env, tc.src, map[string]any{"answers": types.NullValue})
		require.NoError(t, err, tc.src)
		assert.Equal(t, tc.want, out, tc.src)
		assert.Equal(t, [][]int64{tc.idx}, calls, tc.src)
	}
	for _, src := range []string{
		`answers.sum(["a", "zz"])`,                // unknown item
		`answers.sum(["a", "a"])`,                 // repeated
		`answers.sum([])`,                         // empty
		`answers.prorated_sum(["a", "b"], 2)`,     // as many missing as listed
		`answers.prorated_sum(["a", "b"], 1 + 0)`, // not a literal
	} {
		_, iss := env.Compile(src)
		assert.Error(t, iss.Err(), src)
	}
}

// TestCost: the answers functions cost one step per listed item (plus one), round() two; every expression
// has a finite bound.
func TestCost(t *testing.T) {
	var calls [][]int64
	env := answersEnv(t, &calls)
	cost := func(src string) uint64 {
		ast, iss := env.Compile(src)
		require.NoError(t, iss.Err(), src)
		est, err := env.EstimateCost(ast, celenv.CostEstimator{})
		require.NoError(t, err, src)
		require.Equal(t, est.Min <= est.Max, true)
		return est.Max
	}
	one, three := cost(`answers.sum(["a"])`), cost(`answers.sum(["a", "b", "c"])`)
	assert.Equal(t, uint64(2), three-one, "linear in the items listed")
	assert.Less(t, cost(`round(1.5, 0)`), uint64(5))
	assert.Less(t, cost(`answers.sum(["a", "b", "c"]) >= 3 && answers.mean(["a"]) > 1.0`), uint64(50))
}
