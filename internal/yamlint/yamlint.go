// Package yamlint is the one rule by which painscreen reads a whole number written in YAML, in definitions
// (package def) and in response files (package respfile) alike.
//
// A whole number is written in plain decimal: an optional sign (+ or -) and the digits 0-9, without leading
// zeros and within the range of int64: 0, 7, -3, +3, 9223372036854775807. Everything YAML 1.1 and YAML 1.2
// read differently, or that people misread, is refused rather than guessed at: 010 (octal 8 in YAML 1.1,
// 10 in YAML 1.2), 0x10, 0o17, 0b11, 1_000 (1000 in YAML 1.1, text in YAML 1.2). Forms the YAML parser
// tags as floats (1e2, 3.0) are not whole numbers to this rule; a response file reads an answer written
// 3.0 as 3 (as JSON does), a definition's whole-number field refuses it.
package yamlint

import (
	"errors"
	"strconv"
)

// The ways a scalar fails the rule.
var (
	// ErrForm: not an optional sign and decimal digits (0x10, 1_000, 1e2, 3.0, "").
	ErrForm = errors.New("not a whole number in plain decimal")
	// ErrLeadingZero: decimal digits with a leading zero (010), which YAML 1.1 reads as octal.
	ErrLeadingZero = errors.New("a whole number with a leading zero")
	// ErrRange: a plain decimal number outside the range of int64.
	ErrRange = errors.New("a whole number outside ±2^63")
)

// Parse reads s, the text of a YAML scalar, as a whole number by the package's rule. It does not allocate.
func Parse(s string) (int64, error) {
	digits := s
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, ErrForm
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, ErrForm
		}
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, ErrLeadingZero
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	return v, nil
}
