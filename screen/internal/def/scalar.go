package def

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/internal/yamlint"
)

// The one scalar decoder. Loading (parser.integer, parser.number, parser.boolean) and digesting (canonical)
// both read scalars through these functions, so two files with equal digests load to equal definitions.

var (
	errNotDecimal  = errors.New("must be a whole number in plain decimal (digits and an optional sign; no _ separators, no 0x, 0o or 0b forms) within ±2^63")
	errLeadingZero = errors.New("must not start with 0 (YAML 1.1 reads 010 as octal 8, YAML 1.2 as 10): write the number without leading zeros")
	errNotFinite   = errors.New("must be a finite number (no _ separators)")
)

// scalarInt decodes an !!int scalar by the module's one rule for whole numbers (internal/yamlint): plain
// decimal with an optional sign, no leading zeros, no _ separators; hexadecimal, octal and binary forms
// are refused.
func scalarInt(n *yaml.Node) (int64, error) {
	v, err := yamlint.Parse(n.Value)
	switch {
	case errors.Is(err, yamlint.ErrLeadingZero):
		return 0, errLeadingZero
	case err != nil:
		return 0, errNotDecimal
	}
	return v, nil
}

// scalarFloat decodes an !!float scalar to a finite number. As for whole numbers, _ separators (which YAML
// 1.1 reads as nothing and YAML 1.2 as text) are refused.
func scalarFloat(n *yaml.Node) (float64, error) {
	if strings.Contains(n.Value, "_") {
		return 0, errNotFinite
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errNotFinite
	}
	return v, nil
}

// scalarBool decodes an !!bool scalar (yaml.v3 tags only true/false spellings as bool).
func scalarBool(n *yaml.Node) bool { return strings.EqualFold(n.Value, "true") }

// appendCanonicalScalar appends a scalar's form in the digest: null, or a number or boolean in the spelling
// its decoder would print back (so the loader reads exactly that value, as a number or as text), or else
// the scalar's text, quoted.
func appendCanonicalScalar(b []byte, n *yaml.Node) []byte {
	var buf [32]byte
	switch n.Tag {
	case "!!null":
		return append(b, "null"...)
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			return append(b, n.Value...)
		}
	case "!!int":
		if v, err := scalarInt(n); err == nil && string(strconv.AppendInt(buf[:0], v, 10)) == n.Value {
			return append(b, n.Value...)
		}
	case "!!float":
		if v, err := scalarFloat(n); err == nil && string(strconv.AppendFloat(buf[:0], v, 'g', -1, 64)) == n.Value {
			return append(b, n.Value...)
		}
	}
	return appendQuoted(b, n.Value)
}
