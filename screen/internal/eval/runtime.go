package eval

import (
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Runtime is eval's side of plan.Runtime: what compile binds into programs. The facade passes Runtime{} to
// compile.
type Runtime struct{}

var _ plan.Runtime = Runtime{}

// ItemField is ItemField.
func (Runtime) ItemField(idx int) (ref.FieldTester, ref.FieldGetter) { return ItemField(idx) }

// ScoreField is ScoreField.
func (Runtime) ScoreField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return ScoreField(idx, unset)
}

// FlagField is FlagField.
func (Runtime) FlagField(idx int) (ref.FieldTester, ref.FieldGetter) { return FlagField(idx) }

// StatusField is StatusField.
func (Runtime) StatusField() (ref.FieldTester, ref.FieldGetter) { return StatusField() }

// AnswersField is AnswersField.
func (Runtime) AnswersField() (ref.FieldTester, ref.FieldGetter) { return AnswersField() }

// FlagsField is FlagsField.
func (Runtime) FlagsField() (ref.FieldTester, ref.FieldGetter) { return FlagsField() }

// BaselineViewField is BaselineViewField.
func (Runtime) BaselineViewField() (ref.FieldTester, ref.FieldGetter) { return BaselineViewField() }

// FollowupViewField is FollowupViewField.
func (Runtime) FollowupViewField() (ref.FieldTester, ref.FieldGetter) { return FollowupViewField() }

// ContextField is ContextField.
func (Runtime) ContextField(slot int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return ContextField(slot, unset)
}

// DomainField is DomainField.
func (Runtime) DomainField(idx int) (ref.FieldTester, ref.FieldGetter) { return DomainField(idx) }

// BaselineField is BaselineField.
func (Runtime) BaselineField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return BaselineField(idx, unset)
}

// CurrentField is CurrentField.
func (Runtime) CurrentField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return CurrentField(idx, unset)
}

// FollowupField is FollowupField.
func (Runtime) FollowupField(idx int, unset *plan.FieldError) (ref.FieldTester, ref.FieldGetter) {
	return FollowupField(idx, unset)
}

// DaysField is DaysField.
func (Runtime) DaysField() (ref.FieldTester, ref.FieldGetter) { return DaysField() }

// Aggregate is BindAggregate.
func (Runtime) Aggregate(mode celenv.Agg) func(args ...ref.Val) ref.Val { return BindAggregate(mode) }

// CompileFast is CompileFast, nil (untyped) when the fast path does not cover the expression.
func (Runtime) CompileFast(a *celast.AST, scope plan.Scope) any {
	if n := CompileFast(a, scope); n != nil {
		return n
	}
	return nil
}

// CauseDecorator is CauseDecorator.
func (Runtime) CauseDecorator(a *celast.AST) interpreter.InterpretableDecoratorV2 {
	return CauseDecorator(a)
}
