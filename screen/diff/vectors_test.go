package diff_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
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

// TestRuleSets: a version against itself changes nothing; two bundled versions of pain_oud differ, each
// change counted with an example.
func TestRuleSets(t *testing.T) {
	suites, err := suite.Load(bundled.FS, "")
	require.NoError(t, err)
	vectors := diff.VectorsOf(suites, "pain_oud")
	engine := func(ref string) *screen.Engine {
		e, err := screen.New(bundled.Definitions(), screen.WithRuleSet(ref))
		require.NoError(t, err)
		return e
	}
	a, b := engine("pain_oud@1.0.0"), engine("pain_oud@1.2.0")
	opt := diff.Options{Samples: 200, Examples: 1}
	same, err := diff.RuleSets(t.Context(), b, b, vectors, opt)
	require.NoError(t, err)
	assert.False(t, same.Changed())
	assert.Equal(t, int64(len(vectors)), same.Vectors.Checked)
	assert.Equal(t, int64(200), same.Patterns.Checked)

	res, err := diff.RuleSets(t.Context(), a, b, vectors, opt)
	require.NoError(t, err)
	assert.Equal(t, "rules", res.Kind)
	assert.Equal(t, "pain_oud@1.0.0", res.From)
	assert.Equal(t, "pain_oud@1.2.0", res.To)
	require.True(t, res.Changed())
	for _, c := range append(res.Vectors.Changes, res.Patterns.Changes...) {
		assert.NotEqual(t, c.From, c.To, c.Outcome)
		assert.Positive(t, c.Count, c.Outcome)
		assert.Len(t, c.Examples, 1, c.Outcome)
	}
}
