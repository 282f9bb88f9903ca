package def

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The one scalar decoder. Loading (parser.integer, parser.number, parser.boolean) and digesting (canonical)
// both read scalars through these functions, so two files with equal digests load to equal definitions.

var (
	errNotDecimal  = errors.New("must be a whole number in decimal within ±2^63")
	errLeadingZero = errors.New("must not start with 0 (YAML 1.1 reads 010 as octal 8, YAML 1.2 as 10): write the number without leading zeros")
	errNotFinite   = errors.New("must be a finite number")
)

// scalarInt decodes an !!int scalar: decimal digits with an optional sign and _ separators, no leading
// zeros. Hexadecimal, octal and binary forms are refused.
func scalarInt(n *yaml.Node) (int64, error) {
	s := strings.ReplaceAll(n.Value, "_", "")
	digits := strings.TrimLeft(s, "+-")
	if len(digits) > 1 && digits[0] == '0' {
		if digits[1] >= '0' && digits[1] <= '9' {
			return 0, errLeadingZero
		}
		return 0, errNotDecimal // 0x…, 0o…, 0b…
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errNotDecimal
	}
	return v, nil
}

// scalarFloat decodes an !!float scalar to a finite number.
func scalarFloat(n *yaml.Node) (float64, error) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errNotFinite
	}
	return v, nil
}

// scalarBool decodes an !!bool scalar (yaml.v3 tags only true/false spellings as bool).
func scalarBool(n *yaml.Node) bool { return strings.EqualFold(n.Value, "true") }

// canonicalScalar is a scalar's form in the digest: null, or a number or boolean in the spelling its
// decoder would print back (so the loader reads exactly that value, as a number or as text), or else the
// scalar's text, quoted.
func canonicalScalar(n *yaml.Node) string {
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			return n.Value
		}
	case "!!int":
		if v, err := scalarInt(n); err == nil && strconv.FormatInt(v, 10) == n.Value {
			return n.Value
		}
	case "!!float":
		if v, err := scalarFloat(n); err == nil && strconv.FormatFloat(v, 'g', -1, 64) == n.Value {
			return n.Value
		}
	}
	return strconv.Quote(n.Value)
}
