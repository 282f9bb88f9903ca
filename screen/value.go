package screen

import (
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of Value.
const (
	KindNull Kind = iota
	KindInt
	KindDouble
	KindBool
	KindString
)

func (k Kind) String() string { return value.Kind(k).String() }

// Value is a score, answer, context or domain value: an integer, a number, a boolean, a string or null.
// The zero Value is null. Values are comparable and cheap to copy.
type Value value.Value

func (v Value) v() value.Value { return value.Value(v) }

// IntValue makes an integer Value.
func IntValue(v int64) Value { return Value(value.OfInt(v)) }

// DoubleValue makes a number Value.
func DoubleValue(v float64) Value { return Value(value.OfDouble(v)) }

// BoolValue makes a boolean Value.
func BoolValue(v bool) Value { return Value(value.OfBool(v)) }

// StringValue makes a string Value.
func StringValue(v string) Value { return Value(value.OfString(v)) }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return Kind(v.v().Kind()) }

// IsNull reports whether the value is null (absent).
func (v Value) IsNull() bool { return v.v().Kind() == value.Null }

// Int returns the integer; ok is false for other kinds.
func (v Value) Int() (int64, bool) { return v.v().I(), v.v().Kind() == value.Int }

// Float returns the value as a float64 for ints and doubles; ok is false for other kinds.
func (v Value) Float() (float64, bool) { return v.v().Float() }

// Bool returns the boolean; ok is false for other kinds.
func (v Value) Bool() (bool, bool) { return v.v().B(), v.v().Kind() == value.Bool }

// Str returns the string; ok is false for other kinds.
func (v Value) Str() (string, bool) { return v.v().S(), v.v().Kind() == value.String }

// String formats the value as it appears in JSON (strings unquoted).
func (v Value) String() string { return v.v().String() }

// Equal reports whether two values are equal; ints and doubles compare numerically.
func (v Value) Equal(w Value) bool { return v.v().Equal(w.v()) }

// MarshalJSON encodes the value as reports do: numbers in their shortest exact form, strings quoted, null
// for the zero Value.
func (v Value) MarshalJSON() ([]byte, error) { return v.v().AppendJSON(nil), nil }

// AppendJSON appends the value's JSON, as MarshalJSON encodes it, to b.
func (v Value) AppendJSON(b []byte) []byte { return v.v().AppendJSON(b) }

// AppendText appends the value as String formats it (encoding.TextAppender).
func (v Value) AppendText(b []byte) ([]byte, error) { return v.v().AppendText(b), nil }
