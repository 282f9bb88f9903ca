package eval

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Kind classifies a problem with a response set; the facade maps each kind to its public sentinel error and
// code.
type Kind uint8

// The kinds of problem with a response set.
const (
	KindNoAnswers Kind = iota
	KindUnknownInstrument
	KindUnknownVersion
	KindDuplicateInstrument
	KindUnknownItem
	KindInvalidValue
	KindWrongType
	KindNotInteger
	KindDisabledItem
	KindUnknownContext
	KindInvalidContext
	KindInvalidSubject
	KindEvaluation
	KindCompositeNotApplied
	KindConflictingAnswers
)

// Error is a problem with one response set. Its message names instruments, items and rules, never answer
// values or the subject id.
type Error struct {
	Kind       Kind
	Instrument string
	Item       string
	Message    string
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an Error.
func Errorf(kind Kind, inst, item, format string, args ...any) *Error {
	return &Error{Kind: kind, Instrument: inst, Item: item, Message: fmt.Sprintf(format, args...)}
}

// NotEnoughError is the error of a prorated sum with more missing items than it allows: missing data, not
// a definition bug.
type NotEnoughError struct {
	Missing, Allowed int
	// Unknown is set when some of the sum's items have answers that are not valid: the sum is then not
	// prorated (Allowed is 0), §1a rule 1.
	Unknown bool
}

func (e *NotEnoughError) Error() string {
	return fmt.Sprintf("%d items missing; at most %d allowed", e.Missing, e.Allowed)
}

// ExprKind classifies an expression failure that is not missing data.
type ExprKind uint8

// The kinds of expression failure.
const (
	ExprOther ExprKind = iota
	ExprOverflow
	ExprDivideByZero
	ExprModulusByZero
	ExprNoOverload
	ExprRoundDigits
	ExprNonFinite
)

// ExprError is an expression failure that points at a definition bug. Both evaluators return these, so
// errors are compared by kind, never by message text.
type ExprError struct {
	Kind ExprKind
	msg  string
}

func (e *ExprError) Error() string { return e.msg }

// The expression failures, made once.
var (
	errIntOverflow  = &ExprError{ExprOverflow, "integer overflow"}
	errIntRange     = &ExprError{ExprOverflow, "integer overflow: double out of int range"}
	errDivideByZero = &ExprError{ExprDivideByZero, "division by zero"}
	errModulusZero  = &ExprError{ExprModulusByZero, "modulus by zero"}
	errNoOverload   = &ExprError{ExprNoOverload, "no such overload"}
	errRoundDigits  = &ExprError{ExprRoundDigits, celenv.ErrRoundDigits.Error()}
	errNonFinite    = &ExprError{ExprNonFinite, "the result is not a finite number"}
	errOther        = &ExprError{ExprOther, "runtime error"}
)

// celSentinels are the errors cel-go's interpreter wraps for overflow and division by zero. cel-go does not
// export them, so they are captured by evaluating expressions that produce them: once, on the first error
// to classify (not at package init, which every command's start-up would pay for).
var celSentinels = sync.OnceValue(func() map[error]*ExprError {
	out := map[error]*ExprError{}
	env, err := cel.NewEnv()
	if err != nil {
		return out
	}
	for src, typed := range map[string]*ExprError{
		"9223372036854775807 + x": errIntOverflow,
		"1 / (x - x)":             errDivideByZero,
		"1 % (x - x)":             errModulusZero,
	} {
		e2, _ := env.Extend(cel.Variable("x", cel.IntType))
		ast, iss := e2.Compile(src)
		if iss.Err() != nil {
			continue
		}
		prg, err := e2.Program(ast)
		if err != nil {
			continue
		}
		_, _, err = prg.Eval(map[string]any{"x": 1})
		var te *types.Err
		if errors.As(err, &te) && te.Unwrap() != nil {
			out[te.Unwrap()] = typed
		}
	}
	return out
})

// fromCEL turns an error from CEL's interpreter into the engine's typed errors. Missing data (a
// *plan.FieldError or *NotEnoughError) passes through; cel-go's own failures are matched against its
// sentinels, except "no such overload", which cel-go makes afresh each time and is recognised by its
// prefix (TestCELErrorsAreTyped pins every case).
func fromCEL(err error) error {
	var fe *plan.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	var ne *NotEnoughError
	if errors.As(err, &ne) {
		return ne
	}
	var xe *ExprError
	if errors.As(err, &xe) {
		return xe
	}
	if errors.Is(err, celenv.ErrRoundDigits) {
		return errRoundDigits
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if typed, ok := celSentinels()[e]; ok {
			return typed
		}
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "no such overload"):
		return errNoOverload
	}
	return errOther
}

// MissingData reports whether an evaluation failed only because data was missing: a field that is not set
// (fe) or a prorated sum with too many items missing (ne). Any other failure, including reading an item
// that skip logic disabled, is a definition bug.
func MissingData(err error) (fe *plan.FieldError, ne *NotEnoughError, missing bool) {
	switch e := err.(type) {
	case *plan.FieldError:
		return e, nil, !e.Disabled
	case *NotEnoughError:
		return nil, e, true
	}
	return nil, nil, false
}

// evalError reports an expression failure without echoing values (CEL messages can quote them).
func evalError(key, what string, err error) *Error {
	reason := "runtime error"
	switch e := err.(type) {
	case *plan.FieldError:
		if e.Disabled {
			reason = e.Error()
		}
	case *ExprError:
		switch e.Kind {
		case ExprOverflow:
			reason = "integer overflow"
		case ExprDivideByZero:
			reason = "division by zero"
		case ExprModulusByZero:
			reason = "modulus by zero"
		case ExprNoOverload:
			reason = "no matching function for these value types"
		case ExprRoundDigits:
			reason = e.msg
		case ExprNonFinite:
			reason = "the result is not a finite number (a division by zero or an overflow of doubles gives infinity or NaN)"
		}
	}
	return Errorf(KindEvaluation, key, what, "evaluating %s failed: %s (a definition bug: please report it with the definition's digest)", what, reason)
}

// finite returns errNonFinite for a double that is NaN or infinite: a score or domain never holds one.
func finite(v value.Value) error {
	if v.Kind() == value.Double {
		if f := v.F(); math.IsNaN(f) || math.IsInf(f, 0) {
			return errNonFinite
		}
	}
	return nil
}
