package def

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
)

// Loading and digesting read scalars through one decoder, so equal digests mean equal definitions: a
// number spelled two ways either loads alike and digests alike, or is refused.
func TestDigestFollowsWhatLoads(t *testing.T) {
	load := func(src string) (File, diag.List) {
		var list diag.List
		f := Parse("x.v1.yaml", []byte(src), DefaultLimits(), &list)
		return f, list
	}
	withMax := func(max string) string {
		return strings.Replace(miniInstrument, "max: 10", "max: "+max, 1)
	}
	_, list := load(withMax("10"))
	require.False(t, list.HasErrors(), "%v", list)

	// 010 is 8 to YAML 1.1 and 10 to YAML 1.2: refused, never silently one of them.
	_, list = load(withMax("010"))
	require.True(t, list.HasErrors())
	assert.Contains(t, list.Error(), "leading zeros")
	for _, spelled := range []string{"0x0a", "0o12"} {
		_, list = load(withMax(spelled))
		assert.True(t, list.HasErrors(), spelled)
	}

	// 1_0 is 10 to YAML 1.1 and text to YAML 1.2: refused too.
	_, list = load(withMax("1_0"))
	assert.True(t, list.HasErrors(), "1_0")
}

// TestScalarRule pins the one rule for whole numbers (internal/yamlint) as a definition's whole-number
// field (a range's max) and number field (a band's cut) read them; respfile's TestYAMLWholeNumberRule pins
// the same spellings as answers.
func TestScalarRule(t *testing.T) {
	load := func(old, new string) (File, diag.List) {
		var list diag.List
		f := Parse("x.v1.yaml", []byte(strings.Replace(miniInstrument, old, new, 1)), DefaultLimits(), &list)
		return f, list
	}
	for _, tc := range []struct {
		spelled string
		max     int64   // as a whole-number field; 0: refused
		cut     float64 // as a number field; -1: refused
		err     string
	}{
		{"+3", 3, 3, ""},
		{"-0", 0, 0, ""}, // a valid spelling of 0 (the range is then refused for min > max, not for the number)
		{"1e2", 0, 100, "found a decimal number"},
		{"3.0", 0, 3, "found a decimal number"},
		{"0x10", 0, -1, "no 0x, 0o or 0b forms"},
		{"010", 0, -1, "leading zeros"},
		{"1_000", 0, -1, "no _ separators"},
		{"1_000.5", 0, -1, "found a decimal number"},
	} {
		f, list := load("max: 10", "max: "+tc.spelled)
		switch {
		case tc.max != 0:
			require.False(t, list.HasErrors(), "%s: %v", tc.spelled, list)
			assert.Equal(t, tc.max, *f.Instrument.Items[1].Max, tc.spelled)
		case tc.spelled == "-0":
			assert.NotContains(t, list.Error(), "whole number", tc.spelled)
		default:
			require.True(t, list.HasErrors(), tc.spelled)
			assert.Contains(t, list.Error(), tc.err, tc.spelled)
		}
		f, list = load("{max: 0, label: none}", "{max: "+tc.spelled+", label: none}")
		if tc.cut < 0 {
			assert.True(t, list.HasErrors(), "cut %s", tc.spelled)
			continue
		}
		require.False(t, list.HasErrors(), "cut %s: %v", tc.spelled, list)
		assert.Equal(t, tc.cut, *f.Instrument.Scores[1].Bands.Cuts[0].Max, "cut %s", tc.spelled)
	}
}
