package suite_test

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/suite"
)

// answerTypos are suites whose answers name items and instruments the definitions do not have: by mistake
// (typo, typos) and on purpose (a case that expects the error).
var answerTypos = fstest.MapFS{
	"phq2_test.yaml": {Data: []byte(`instrument: phq2@1.0.0
tests:
  - name: typo
    answers: {q1: 0, q3: 1}
    want: {scores: {total: 1}}
  - name: on purpose
    answers: {q1: 0, q3: 1}
    want_error: {code: unknown_item}
`)},
	"rules_test.yaml": {Data: []byte(`rules: pain_oud@1.2.0
tests:
  - name: typos
    answers:
      phq_9: {q1: 0}
      gad2: {q1: 0, q22: 1}
    want: {applied: false}
`)},
}

// TestCheckAnswers: Check reports each answer key a test case's answers name that the definitions do not
// have — an item of an instrument suite, an instrument or an item of a rules suite — at its line and
// column, with a "did you mean" among the items the case does not already answer; a case that expects
// errors may send unknown keys on purpose.
func TestCheckAnswers(t *testing.T) {
	fsys := answerTypos
	suites, err := suite.Load(fsys, "t")
	require.NoError(t, err)
	list, err := suite.Check(suites, bundled.Definitions())
	require.NoError(t, err)
	var got []string
	for _, d := range list {
		assert.Equal(t, diag.Error, d.Severity)
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		`t/phq2_test.yaml:4:22: unknown_item: no item "q3" in phq2@1.0.0; did you mean "q2"?`,
		`t/rules_test.yaml:5:7: unknown_instrument: no instrument "phq_9" is loaded; did you mean "phq9"?`,
		`t/rules_test.yaml:6:21: unknown_item: no item "q22" in gad2@1.0.0; did you mean "q2"?`,
	}, got)
}

// TestRunAnswerTypoFailsOnce: a case whose answers name an item or instrument the definitions do not have
// fails with that one message at its place — not also with the "errors: want none" comparison the same
// unknown key spoils; a case that expects the error passes.
func TestRunAnswerTypoFailsOnce(t *testing.T) {
	fsys := answerTypos
	suites, err := suite.Load(fsys, "t")
	require.NoError(t, err)
	results, err := suite.Run(context.Background(), suites, suite.Options{}, bundled.Definitions())
	require.NoError(t, err)
	got := map[string][]string{}
	for _, r := range results {
		for _, f := range r.Failures {
			got[r.Name] = append(got[r.Name], f.What)
		}
	}
	assert.Equal(t, map[string][]string{
		"typo":  {`no item "q3" in phq2@1.0.0; did you mean "q2"?`},
		"typos": {`no instrument "phq_9" is loaded; did you mean "phq9"?`, `no item "q22" in gad2@1.0.0; did you mean "q2"?`},
	}, got)
}
