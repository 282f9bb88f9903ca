package plan

import (
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/painscreen/painscreen/screen/internal/celenv"
)

// Scope says what a compiled expression reads: an instrument's answers, scores and context (Inst), or a
// rule set's inputs and domains (Rules), and whether `tier` is visible (referrals).
type Scope struct {
	Inst  *Instrument
	Rules *RuleSet
	Tier  bool
	// FollowUp marks a follow-up measure, which CEL's interpreter evaluates (it is not on the hot path).
	FollowUp bool
}

// Runtime is what compile binds into the programs it builds from the stage that evaluates them: the CEL
// field accessors that read an evaluation's state, the answers functions, and the fast path's compiler.
// eval implements it (eval.Runtime) and the facade hands it to compile, so the stages import one way:
// compile, which comes before eval, never imports it.
type Runtime interface {
	// The accessors of the CEL views: an item, a score (read from the instrument, or qualified from a rule
	// set, with its not-computed error), a flag, <inst>.status, the answers, flags, baseline and followup
	// views of an input, a context field, a domain, and the follow-up fields.
	ItemField(idx int) (ref.FieldTester, ref.FieldGetter)
	ScoreField(idx int, unset *FieldError) (ref.FieldTester, ref.FieldGetter)
	FlagField(idx int) (ref.FieldTester, ref.FieldGetter)
	StatusField() (ref.FieldTester, ref.FieldGetter)
	AnswersField() (ref.FieldTester, ref.FieldGetter)
	FlagsField() (ref.FieldTester, ref.FieldGetter)
	BaselineViewField() (ref.FieldTester, ref.FieldGetter)
	FollowupViewField() (ref.FieldTester, ref.FieldGetter)
	ContextField(slot int, unset *FieldError) (ref.FieldTester, ref.FieldGetter)
	DomainField(idx int) (ref.FieldTester, ref.FieldGetter)
	BaselineField(idx int, unset *FieldError) (ref.FieldTester, ref.FieldGetter)
	CurrentField(idx int, unset *FieldError) (ref.FieldTester, ref.FieldGetter)
	FollowupField(idx int, unset *FieldError) (ref.FieldTester, ref.FieldGetter)
	DaysField() (ref.FieldTester, ref.FieldGetter)
	// Aggregate is the interpreter's binding of an answers function.
	Aggregate(mode celenv.Agg) func(args ...ref.Val) ref.Val
	// CompileFast returns the fast evaluator of a checked expression (Program.Fast), or nil (an untyped
	// nil) when the expression uses a construct the fast path does not model.
	CompileFast(a *celast.AST, scope Scope) any
	// CauseDecorator returns the decorator CEL's interpreter program of a is built with, so that it leaves
	// the same causes of a result among its reads as the fast path.
	CauseDecorator(a *celast.AST) interpreter.InterpretableDecoratorV2
}
