package respfile

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A FHIR valueInteger/valueDecimal follows the one rule for numbers (scalar.go): a whole number as written
// (2, -1, 2.0) is an int64; a fraction, an exponent or a number past int64 is passed on as text for the
// engine to report as an error of its item (composite.md §1 rev 3).
func TestFHIRNumberValue(t *testing.T) {
	for lit, want := range map[string]any{
		"3":                    int64(3),
		"-1":                   int64(-1),
		"2.0":                  int64(2),
		"2.000":                int64(2),
		"0":                    int64(0),
		"2.5":                  json.Number("2.5"),
		"3e0":                  json.Number("3e0"),
		"1E2":                  json.Number("1E2"),
		"1.0e1":                json.Number("1.0e1"),
		"99999999999999999999": json.Number("99999999999999999999"),
	} {
		assert.Equal(t, want, numberValue(lit), lit)
	}
}
