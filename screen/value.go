package screen

import (
	"fmt"
	"math"
	"strconv"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
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

func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindDouble:
		return "double"
	case KindBool:
		return "bool"
	case KindString:
		return "string"
	}
	return "null"
}

// Value is a score, answer, context or domain value: an integer, a number, a boolean, a string or null.
// The zero Value is null.
type Value struct {
	s    string
	n    uint64 // int64, float64 bits, or 0/1 for a bool
	kind Kind
}

// IntValue makes an integer Value.
func IntValue(v int64) Value { return Value{kind: KindInt, n: uint64(v)} }

// DoubleValue makes a number Value.
func DoubleValue(v float64) Value { return Value{kind: KindDouble, n: math.Float64bits(v)} }

// BoolValue makes a boolean Value.
func BoolValue(v bool) Value {
	if v {
		return Value{kind: KindBool, n: 1}
	}
	return Value{kind: KindBool}
}

// StringValue makes a string Value.
func StringValue(v string) Value { return Value{kind: KindString, s: v} }

func (v Value) i() int64   { return int64(v.n) }
func (v Value) f() float64 { return math.Float64frombits(v.n) }
func (v Value) b() bool    { return v.n != 0 }

// isTrue reports whether v is the boolean true.
func (v Value) isTrue() bool { return v.kind == KindBool && v.n != 0 }

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether the value is null (absent).
func (v Value) IsNull() bool { return v.kind == KindNull }

// Int returns the integer; ok is false for other kinds.
func (v Value) Int() (int64, bool) { return v.i(), v.kind == KindInt }

// Float returns the value as a float64 for ints and doubles; ok is false for other kinds.
func (v Value) Float() (float64, bool) {
	switch v.kind {
	case KindInt:
		return float64(v.i()), true
	case KindDouble:
		return v.f(), true
	}
	return 0, false
}

// Bool returns the boolean; ok is false for other kinds.
func (v Value) Bool() (bool, bool) { return v.b(), v.kind == KindBool }

// Str returns the string; ok is false for other kinds.
func (v Value) Str() (string, bool) { return v.s, v.kind == KindString }

// String formats the value as it appears in JSON (strings unquoted).
func (v Value) String() string {
	switch v.kind {
	case KindInt:
		return strconv.FormatInt(v.i(), 10)
	case KindDouble:
		return formatFloat(v.f())
	case KindBool:
		return strconv.FormatBool(v.b())
	case KindString:
		return v.s
	}
	return "null"
}

// Equal reports whether two values are equal; ints and doubles compare numerically.
func (v Value) Equal(w Value) bool {
	if a, ok := v.Float(); ok {
		if b, ok := w.Float(); ok {
			if v.kind == KindInt && w.kind == KindInt {
				return v.n == w.n
			}
			return a == b
		}
		return false
	}
	return v == w
}

// formatFloat prints the shortest representation that round-trips, without exponent for ordinary
// magnitudes, so 12.0 prints as 12 and 5.7 as 5.7.
func formatFloat(f float64) string {
	return string(appendFloat(nil, f))
}

func appendFloat(b []byte, f float64) []byte {
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

// valueOf converts a CEL value into a Value.
func valueOf(v ref.Val) Value {
	switch t := v.(type) {
	case types.Int:
		return IntValue(int64(t))
	case types.Double:
		return DoubleValue(float64(t))
	case types.Bool:
		return BoolValue(bool(t))
	case types.String:
		return StringValue(string(t))
	case nil:
		return Value{}
	}
	return Value{kind: KindString, s: fmt.Sprint(v.Value())}
}
