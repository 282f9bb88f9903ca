package suite_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/suite"
)

// A rules suite can expect tier_decided and settle (§1b): compared exactly, settle in order.
func TestSuiteWantsTierDecidedAndSettle(t *testing.T) {
	src := `rules: pain_oud@1.1.0
tests:
  - name: item 9 unanswered
    answers:
      gcps_r: {pain_frequency: 1}
      sisq_drug: {times: 0}
      phq9: {q1: 0, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0, q8: 0}
    want: {tier: low, tier_decided: false, settle: [phq9.q9], possible_tiers: [urgent, low]}
  - name: a wrong expectation fails
    answers:
      gcps_r: {pain_frequency: 1}
      sisq_drug: {times: 0}
      phq9: {q1: 0, q2: 0, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0, q8: 0}
    want: {tier_decided: true, settle: [phq9.q8]}
  - name: decided
    answers:
      gcps_r: {pain_frequency: 1}
      sisq_drug: {times: 0}
    want: {tier_decided: true, settle: []}
`
	suites, err := suite.Load(fstest.MapFS{"s_test.yaml": {Data: []byte(src)}}, "")
	require.NoError(t, err)
	res, err := suite.Run(context.Background(), suites, suite.Options{}, bundled.Definitions())
	require.NoError(t, err)
	require.Len(t, res, 3)
	assert.Empty(t, res[0].Failures)
	var what []string
	for _, f := range res[1].Failures {
		what = append(what, f.What)
	}
	assert.Equal(t, []string{"tier_decided", "settle"}, what)
	assert.Empty(t, res[2].Failures)
}
