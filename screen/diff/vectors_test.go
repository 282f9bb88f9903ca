package diff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diff"
	"github.com/painscreen/painscreen/screen/suite"
)

// TestVectorsOf: the cases of every suite of one definition (any version), each with its file and line,
// a follow-up case with its baseline visit; other definitions' cases are not taken.
func TestVectorsOf(t *testing.T) {
	suites, err := suite.Load(bundled.FS, "")
	require.NoError(t, err)
	total := 0
	for _, s := range suites {
		total += s.Len()
	}
	vs := diff.VectorsOf(suites, "pain_oud")
	require.NotEmpty(t, vs)
	assert.Less(t, len(vs), total)
	follow := 0
	for _, v := range vs {
		assert.NotEmpty(t, v.Name)
		assert.Contains(t, v.File, "pain_oud")
		assert.Positive(t, v.Line)
		assert.Nil(t, v.Items, "a rules suite's answers are by instrument")
		if v.Baseline != nil {
			follow++
			assert.NotEmpty(t, v.Date)
		}
	}
	assert.Positive(t, follow, "the rule set's suites have follow-up cases")
	assert.Empty(t, diff.VectorsOf(suites, "nope"))
	for _, v := range diff.VectorsOf(suites, "phq9") {
		assert.NotNil(t, v.Items, "an instrument suite's answers are its items")
	}
}
