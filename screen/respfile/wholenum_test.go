package respfile

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLWholeNumberRule pins, for answers, the spellings def's TestScalarRule pins for definitions: one
// rule for whole numbers (internal/yamlint). What the rule refuses is passed on as no number at all
// (json.Number("NaN"), an invalid answer of the item); a float spelling is a whole number only with a zero
// fraction (3.0), as in JSON; 1e2 stays a number for the engine to refuse as not whole.
func TestYAMLWholeNumberRule(t *testing.T) {
	for spelled, want := range map[string]any{
		"+3":    int64(3),
		"-0":    int64(0),
		"3.0":   int64(3),
		"1e2":   json.Number("1e2"),
		"0x10":  json.Number("NaN"),
		"010":   json.Number("NaN"),
		"1_000": json.Number("NaN"),
	} {
		r := one(t, FormatYAML, "answers: {p: {q: "+spelled+"}}\n", Limits{})
		require.Nil(t, r.Err, spelled)
		assert.Equal(t, want, r.Response.Answers["p"]["q"], spelled)
	}
}
