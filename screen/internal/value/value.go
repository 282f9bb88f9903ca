// Package value is the engine's scalar value: what an answer, score, context field, domain or tier holds
// while scoring and in a report. It is a small comparable struct (a string, 64 bits and a kind), so values
// move around the evaluator and into reports without allocating. The public screen.Value is a defined type
// over this one.
package value

import (
	"math"
	"strconv"

	"github.com/painscreen/painscreen/internal/jsonenc"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of Value.
const (
	Null Kind = iota
	Int
	Double
	Bool
	String
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Double:
		return "double"
	case Bool:
		return "bool"
	case String:
		return "string"
	}
	return "null"
}

// Value is an integer, a number, a boolean, a string or null. The zero Value is null.
type Value struct {
	s    string
	n    uint64 // int64, float64 bits, or 0/1 for a bool
	kind Kind
}

// OfInt makes an integer Value.
func OfInt(v int64) Value { return Value{kind: Int, n: uint64(v)} }

// OfDouble makes a number Value.
func OfDouble(v float64) Value { return Value{kind: Double, n: math.Float64bits(v)} }

// OfBool makes a boolean Value.
func OfBool(v bool) Value {
	if v {
		return Value{kind: Bool, n: 1}
	}
	return Value{kind: Bool}
}

// OfString makes a string Value.
func OfString(v string) Value { return Value{kind: String, s: v} }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// I, F, B and S return the raw payload without checking the kind (the evaluator knows it from the type
// checker).
func (v Value) I() int64   { return int64(v.n) }
func (v Value) F() float64 { return math.Float64frombits(v.n) }
func (v Value) B() bool    { return v.n != 0 }
func (v Value) S() string  { return v.s }

// IsTrue reports whether v is the boolean true.
func (v Value) IsTrue() bool { return v.kind == Bool && v.n != 0 }

// Float returns the value as a float64 for ints and doubles; ok is false for other kinds.
func (v Value) Float() (float64, bool) {
	switch v.kind {
	case Int:
		return float64(v.I()), true
	case Double:
		return v.F(), true
	}
	return 0, false
}

// String formats the value as it appears in JSON (strings unquoted).
func (v Value) String() string {
	switch v.kind {
	case String:
		return v.s
	case Null:
		return "null"
	}
	return string(v.AppendJSON(nil))
}

// Equal reports whether two values are equal; ints and doubles compare numerically.
func (v Value) Equal(w Value) bool {
	if a, ok := v.Float(); ok {
		if b, ok := w.Float(); ok {
			if v.kind == Int && w.kind == Int {
				return v.n == w.n
			}
			return a == b
		}
		return false
	}
	return v == w
}

// Same reports whether two values are identical: same kind and payload (a NaN is the same as itself).
func (v Value) Same(w Value) bool { return v == w }

// AppendJSON appends the value as reports write it: numbers in their shortest exact form (12, 5.7), strings
// quoted and escaped, null for the zero Value and for non-finite numbers.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case Int:
		return strconv.AppendInt(b, v.I(), 10)
	case Double:
		return AppendFloat(b, v.F())
	case Bool:
		return strconv.AppendBool(b, v.B())
	case String:
		return jsonenc.AppendString(b, v.s)
	}
	return append(b, "null"...)
}

// AppendText appends the value as String formats it.
func (v Value) AppendText(b []byte) []byte {
	switch v.kind {
	case String:
		return append(b, v.s...)
	case Null:
		return append(b, "null"...)
	}
	return v.AppendJSON(b)
}

// AppendFloat prints the shortest representation that round-trips, without exponent for ordinary
// magnitudes, so 12.0 prints as 12 and 5.7 as 5.7.
func AppendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == 0 {
		return append(b, '0')
	}
	abs := math.Abs(f)
	if abs < 1e-6 || abs >= 1e21 {
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// Bits returns the value's kind and payload without its string: for ints, doubles and bools the payload is
// the whole value (FromBits rebuilds it); strings need their text kept beside it.
func (v Value) Bits() (Kind, uint64) { return v.kind, v.n }

// FromBits rebuilds a value from Bits, and for a string its text.
func FromBits(k Kind, n uint64, s string) Value { return Value{kind: k, n: n, s: s} }
