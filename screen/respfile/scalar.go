package respfile

// The one rule for what an answer or a context value may be (composite contract §1, §1a rule 1).
//
// Every decoder reads a value's syntax its own way (a JSON literal, a YAML scalar's tag, a CSV cell's
// text) and then builds the value with these functions, so that the same value written in any format
// gives the same Go value. Nothing that is wrong with a value that parses is an error of the record: the
// decoder passes on a value that the engine reports as an error of its item (or as invalid_context),
// naming the instrument and item, never the value, and the rest of the record is still scored.
//
//	written                                  passed on as         the engine, for an item / a context field
//	a whole number within int64: 2, -1, 2.0  int64                the value
//	any other number: 2.5, 1e2, 1e400,       json.Number (text)   not_integer / read as a number when the
//	99999999999999999999, YAML .inf                               field is declared a number, else invalid
//	YAML 0x1F, 0o17, 007, 1_000 (YAML 1.1     json.Number("NaN")   not_integer / invalid
//	and 1.2 read them differently)
//	true, false                              bool                 wrong_type / read when declared a boolean
//	an object, a YAML mapping                map[string]any{}     wrong_type / invalid_context
//	an array, a YAML sequence                []any{}              wrong_type / invalid_context
//
// The content of an object or array is checked for syntax but not kept (the engine rejects it by its
// type alone). A number's text is kept up to Limits.MaxStringBytes; a longer one is passed on as
// badNumber, which no item or field accepts.

import (
	"encoding/json"
	"strconv"
)

// badNumber stands for a number whose text is too long to keep: it parses neither as an integer nor as a
// finite number, so the engine rejects it as an answer (not_integer) and as a context value.
const badNumber = json.Number("NaN")

// otherNumber returns the value of a number that is not a whole number within int64, from its text. Text
// that strconv.ParseInt would read (a YAML !!float 012) is never passed on: whether a number is a whole
// number is the decoder's decision, and such text is not one of the whole numbers it accepts.
func otherNumber(text []byte, lim *Limits) any {
	if len(text) > lim.MaxStringBytes {
		return badNumber
	}
	if _, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return badNumber
	}
	return json.Number(text)
}

// objectValue and arrayValue return the values of an object and an array written as an answer or a
// context value. They are fresh, so that a caller that changes a Response changes nothing else.
func objectValue() any { return map[string]any{} }

func arrayValue() any { return []any{} }

// appendAnswer adds answer v to an item already answered with old (a duplicate key in one record): the
// answers are kept as a list, which the engine reads as conflicting answers (code conflicting_answers, an
// error of the item that still surfaces a flag one of them fires). Decoded values are scalars or the empty
// placeholders of objectValue and arrayValue, so a list of two or more is always such a list.
func appendAnswer(old, v any) any {
	if list, ok := old.([]any); ok && len(list) > 1 {
		return append(list, v)
	}
	return []any{old, v}
}
