package screen

import (
	"errors"
	"fmt"
	"slices"

	"github.com/painscreen/painscreen/screen/internal/eval"
)

// Sentinel errors for scoring problems; a *ScoreError matches one of them with errors.Is.
var (
	// ErrNoAnswers: the response set holds no answers at all.
	ErrNoAnswers = errors.New("no answers")
	// ErrUnknownInstrument: an answers key names an instrument that is not loaded.
	ErrUnknownInstrument = errors.New("unknown instrument")
	// ErrUnknownVersion: an answers key pins a version that is not loaded.
	ErrUnknownVersion = errors.New("unknown instrument version")
	// ErrDuplicateInstrument: two answers keys select the same instrument (for example "phq9" and "phq9@1.0.0").
	ErrDuplicateInstrument = errors.New("instrument answered twice")
	// ErrUnknownItem: an answer names an item the instrument does not have.
	ErrUnknownItem = errors.New("unknown item")
	// ErrInvalidValue: an answer is not among the item's options, or outside its range.
	ErrInvalidValue = errors.New("invalid answer value")
	// ErrWrongType: an answer is neither a number, an option code nor null (for example true or a list), or
	// is text for an item whose options have no codes.
	ErrWrongType = errors.New("wrong answer type")
	// ErrNotInteger: a number that is not a whole number (1.5, Inf, NaN), or one beyond the exact range.
	ErrNotInteger = errors.New("answer is not a whole number")
	// ErrDisabledItem: an item was answered although skip logic says it is not asked.
	ErrDisabledItem = errors.New("answer to an item that is not asked")
	// ErrUnknownContext: a context key is not declared by any loaded definition.
	ErrUnknownContext = errors.New("unknown context field")
	// ErrInvalidContext: a context value has the wrong type.
	ErrInvalidContext = errors.New("invalid context value")
	// ErrInvalidSubject: the subject id is not valid UTF-8 or is too long, or (CSV) the subject cell is empty
	// or an NA token, so the row was scored without a subject.
	ErrInvalidSubject = errors.New("invalid subject")
	// ErrEvaluation: an expression failed in a way that points at a definition bug (for example it read an
	// item that skip logic disabled, divided by zero, or produced a value outside its declared set).
	ErrEvaluation = errors.New("evaluation failed")
	// ErrCompositeNotApplied: the composite was required (RequireComposite) but its required inputs are absent.
	ErrCompositeNotApplied = errors.New("composite not applied")
	// ErrConflictingAnswers: an item was answered more than once (a list of answers, as a FHIR item with two
	// answers or a repeated linkId): the item is invalid (unknown), and a flag one of the answers fires is
	// still reported (Flag.Conflict).
	ErrConflictingAnswers = errors.New("conflicting answers")
)

var errCodes = map[error]string{
	ErrNoAnswers:           "no_answers",
	ErrUnknownInstrument:   "unknown_instrument",
	ErrUnknownVersion:      "unknown_version",
	ErrDuplicateInstrument: "duplicate_instrument",
	ErrUnknownItem:         "unknown_item",
	ErrInvalidValue:        "invalid_value",
	ErrWrongType:           "wrong_type",
	ErrNotInteger:          "not_integer",
	ErrDisabledItem:        "disabled_item",
	ErrUnknownContext:      "unknown_context",
	ErrInvalidContext:      "invalid_context",
	ErrInvalidSubject:      "invalid_subject",
	ErrEvaluation:          "evaluation",
	ErrCompositeNotApplied: "composite_not_applied",
	ErrConflictingAnswers:  "conflicting_answers",
}

// ScoreError is a problem with one response set. Its message names the instrument, item or rule involved
// and never contains answer values or the subject id (those are health data).
type ScoreError struct {
	// Code is a stable machine-readable kind: no_answers, unknown_instrument, unknown_version,
	// duplicate_instrument, unknown_item, invalid_value, wrong_type, not_integer, disabled_item,
	// unknown_context, invalid_context, invalid_subject, evaluation, composite_not_applied,
	// conflicting_answers. (The response-file
	// decoders use the same code names for the same problems.)
	Code string
	// Instrument is the instrument key as given in the response (or the definition's id@version).
	Instrument string
	// Item is the item, context field, score or rule concerned, when there is one.
	Item string
	// Message explains the problem in words.
	Message string
	kind    error
}

func (e *ScoreError) Error() string {
	var where string
	switch {
	case e.Instrument != "" && e.Item != "":
		where = e.Instrument + "." + e.Item + ": "
	case e.Instrument != "":
		where = e.Instrument + ": "
	case e.Item != "":
		where = e.Item + ": "
	}
	return where + e.Message
}

// Is makes errors.Is(err, ErrUnknownItem) and friends work. A ScoreError made by hand or read back from
// JSON (ReadReport) matches the sentinel of its Code.
func (e *ScoreError) Is(target error) bool { return target == e.sentinel() }

// Unwrap returns the sentinel.
func (e *ScoreError) Unwrap() error { return e.sentinel() }

func (e *ScoreError) sentinel() error {
	if e.kind != nil {
		return e.kind
	}
	return codeKinds[e.Code]
}

// codeKinds maps each code back to its sentinel.
var codeKinds = func() map[string]error {
	m := make(map[string]error, len(errCodes))
	for k, c := range errCodes {
		m[c] = k
	}
	return m
}()

// kinds maps the evaluator's problem kinds to the sentinels.
var kinds = [...]error{
	eval.KindNoAnswers:           ErrNoAnswers,
	eval.KindUnknownInstrument:   ErrUnknownInstrument,
	eval.KindUnknownVersion:      ErrUnknownVersion,
	eval.KindDuplicateInstrument: ErrDuplicateInstrument,
	eval.KindUnknownItem:         ErrUnknownItem,
	eval.KindInvalidValue:        ErrInvalidValue,
	eval.KindWrongType:           ErrWrongType,
	eval.KindNotInteger:          ErrNotInteger,
	eval.KindDisabledItem:        ErrDisabledItem,
	eval.KindUnknownContext:      ErrUnknownContext,
	eval.KindInvalidContext:      ErrInvalidContext,
	eval.KindInvalidSubject:      ErrInvalidSubject,
	eval.KindEvaluation:          ErrEvaluation,
	eval.KindCompositeNotApplied: ErrCompositeNotApplied,
	eval.KindConflictingAnswers:  ErrConflictingAnswers,
}

// scoreError converts an error from the evaluator; other errors (a cancelled context) pass through.
func scoreError(err error) error {
	e, ok := err.(*eval.Error)
	if !ok {
		return err
	}
	return newScoreError(kinds[e.Kind], e.Instrument, e.Item, e.Message)
}

func newScoreError(kind error, inst, item, msg string) *ScoreError {
	return &ScoreError{Code: errCodes[kind], Instrument: inst, Item: item, Message: msg, kind: kind}
}

// ResponseErrors is the error of a response set that was scored although some of its answers could not be
// used: invalid answers, unknown items or instruments, invalid context, or a definition bug met while
// scoring. Report.Err returns it, for a caller that wants a record with errors to be an error; the Report
// holds the same list in Errors and every result the usable answers settle. Each error names its
// instrument and item, never the value. errors.Is matches each error's sentinel
// (errors.Is(err, ErrInvalidValue)), and errors.As finds a *ScoreError.
//
// Errors has the element type of Report.Errors — values, not pointers — so that a Report stays plain data
// that owns what it holds (it can be copied, reused by ScoreTo and read back from JSON without sharing
// errors with anything); Unwrap hands out pointers into this list.
type ResponseErrors struct {
	Errors []ScoreError
}

func (e *ResponseErrors) Error() string {
	if len(e.Errors) == 0 {
		return "screen: no errors"
	}
	msg := e.Errors[0].Error()
	if n := len(e.Errors) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (e *ResponseErrors) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i := range e.Errors {
		out[i] = &e.Errors[i]
	}
	return out
}

// Err returns the report's errors (Report.Errors) as one error, a *ResponseErrors holding a copy of them
// (so it outlives a Report that ScoreTo reuses), or nil when the report has none. The report itself is
// still the result: its instruments, flags and composite are what the usable answers settle.
func (r *Report) Err() error {
	if r == nil || len(r.Errors) == 0 {
		return nil
	}
	return &ResponseErrors{Errors: slices.Clone(r.Errors)}
}
