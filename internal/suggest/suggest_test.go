package suggest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"kitten", "sitting", 3},
		{"q77", "q7", 1},
		{"abc", "", 3},
		{"total", "totl", 1},
		{strings.Repeat("a", 300), "a", 300}, // too long to compare: the longer length
	} {
		assert.Equal(t, tc.want, Distance(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, Distance(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		s     string
		cands []string
		want  string
	}{
		{"q77", []string{"q1", "q7", "difficulty"}, "q7"},
		{"dificulty", []string{"q1", "difficulty"}, "difficulty"},
		{"zzzz", []string{"q1", "difficulty"}, ""},
		{"GAD7", []string{"gad7", "phq9"}, "gad7"},                // case does not count
		{"phq9.q8x", []string{"phq9.q1xx", "phq9.q8"}, "phq9.q8"}, // the nearest wins over an earlier, farther one
		{"ab", []string{"xy"}, ""},                                // a short name needs a near match
	} {
		assert.Equal(t, tc.want, Closest(tc.s, tc.cands), tc.s)
	}
}

func TestNear(t *testing.T) {
	assert.Equal(t, "total", Near("totl", []string{"severity", "total"}))
	assert.Equal(t, "", Near("Total", []string{"x"}))
	assert.Equal(t, "", Near("TOTAL", []string{"total"})) // case counts: 5 edits
	assert.Equal(t, "options", Near("optins", []string{"options", "option_sets"}))
	assert.Equal(t, "", Near("completely_different", []string{"total"}))
}
