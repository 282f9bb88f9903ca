package eval

import (
	"errors"
	"testing"

	"cel.dev/cel-go/cel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Every failure CEL's interpreter can report for the expressions definitions use comes back typed, so the
// engine compares errors by kind, never by message text — and a cel-go upgrade that changes an error makes
// this test fail instead of silently changing a diagnosis.
func TestCELErrorsAreTyped(t *testing.T) {
	base, err := celenv.NewBase(4096)
	require.NoError(t, err)
	env, err := base.Extend(cel.Variable("x", cel.IntType), cel.Variable("d", cel.DoubleType), cel.Variable("y", cel.DynType))
	require.NoError(t, err)
	for _, tc := range []struct {
		src  string
		want *ExprError
	}{
		{"9223372036854775807 + x", errIntOverflow},
		{"-9223372036854775807 - x - x", errIntOverflow},
		{"x * 9223372036854775807 * 2", errIntOverflow},
		{"1 / (x - 1)", errDivideByZero},
		{"1 % (x - 1)", errModulusZero},
		{"int(d * 1e300)", errIntOverflow},
		{"round(d, x + 20)", errRoundDigits},
		{"y + 1", errNoOverload},
	} {
		t.Run(tc.src, func(t *testing.T) {
			ast, iss := env.Compile(tc.src)
			require.NoError(t, iss.Err())
			prg, err := env.Program(ast)
			require.NoError(t, err)
			_, _, err = prg.Eval(map[string]any{"x": 1, "d": 1.0, "y": "text"})
			require.Error(t, err)
			got := fromCEL(err)
			var xe *ExprError
			require.True(t, errors.As(got, &xe), "%T %v", got, got)
			assert.Equal(t, tc.want.Kind, xe.Kind, "%v", err)
			assert.Same(t, tc.want, xe)
		})
	}
}

// Missing data passes through the interpreter's wrapping unchanged.
func TestCELMissingDataPassesThrough(t *testing.T) {
	fe := &plan.FieldError{Kind: plan.ReadItem, Name: "answers.q1"}
	ne := &NotEnoughError{Missing: 3, Allowed: 2}
	for _, e := range []error{fe, ne} {
		wrapped := errors.Join(errors.New("context"), e)
		got := fromCEL(wrapped)
		assert.Same(t, e, got)
		_, _, missing := MissingData(got)
		assert.True(t, missing)
	}
	disabled := &plan.FieldError{Disabled: true}
	_, _, missing := MissingData(disabled)
	assert.False(t, missing, "reading a disabled item is a definition bug, not missing data")
}
