package suite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/suite"
)

var ynFS = fstest.MapFS{
	"yn.v1.yaml": {Data: []byte(`id: yn
version: 1.0.0
title: Yes/no
domain: test
status: active
recall: today
citation: none
license: none
item_text: paraphrased
items:
  - {id: a, text: A, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
  - {id: b, text: B, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
scores:
  - {id: total, expr: 'answers.sum(["a", "b"])'}
flags:
  - {id: both, when: scores.total == 2, level: info, message: Both}
`)},
	"yn.v1_test.yaml": {Data: []byte(`instrument: yn@1.0.0
tests:
  - name: both yes
    answers: {a: 1, b: 1}
    want: {scores: {total: 2}, flags: [both]}
  - name: "wrong \x1b[2J"
    answers: {a: 1, b: 0}
    want: {scores: {total: 2}, flags: [both]}
`)},
}

func runYN(t *testing.T, opts suite.Options) *suite.Summary {
	t.Helper()
	suites, err := suite.Load(ynFS, "defs")
	require.NoError(t, err)
	results, err := suite.Run(context.Background(), suites, opts, screen.WithDefinitions(ynFS, "defs"))
	require.NoError(t, err)
	sum := suite.Summarize(suites, results)
	sum.Coverage = opts.Coverage
	return sum
}

func TestSummaryText(t *testing.T) {
	sum := runYN(t, suite.Options{})
	var b strings.Builder
	require.NoError(t, sum.WriteText(&b, true))
	assert.Equal(t, `--- PASS: yn@1.0.0/both yes (defs/yn.v1_test.yaml:3)
--- FAIL: yn@1.0.0/wrong \x1b[2J (defs/yn.v1_test.yaml:6)
    scores.total:
        want: 2
        got:  1
    flags:
        want: [both]
        got:  []
        missing:    both
FAIL	yn@1.0.0	defs/yn.v1_test.yaml	1 of 2 failed
FAIL: 1 of 2 cases failed
`, b.String())
}

// TestSummaryJSON: the JSON names every field as documented, and reads back into a Summary.
func TestSummaryJSON(t *testing.T) {
	sum := runYN(t, suite.Options{})
	var b strings.Builder
	require.NoError(t, sum.WriteJSON(&b))
	assert.Contains(t, b.String(), `"what": "scores.total",`)
	assert.Contains(t, b.String(), `"status": "fail",`)
	var back suite.Summary
	require.NoError(t, json.Unmarshal([]byte(b.String()), &back))
	assert.Equal(t, sum, &back)
}

func TestSummaryJUnit(t *testing.T) {
	sum := runYN(t, suite.Options{})
	var b strings.Builder
	require.NoError(t, sum.WriteJUnit(&b))
	assert.Contains(t, b.String(), `<testsuites name="painscreen" tests="2" failures="1" skipped="0">`)
	assert.Contains(t, b.String(), `<failure message="2 of the expectations failed">scores.total: want 2, got 1`)
}

func TestCoverageText(t *testing.T) {
	sum := runYN(t, suite.Options{Coverage: &suite.Coverage{}})
	var b strings.Builder
	require.NoError(t, sum.Coverage.WriteText(&b))
	assert.Contains(t, b.String(), "coverage:\n  yn@1.0.0  ")
	assert.Contains(t, b.String(), "      not reached: ")
	assert.Regexp(t, `coverage: [0-9]+\.[0-9]% of [0-9]+ elements\n$`, b.String())
}

func TestPercentText(t *testing.T) {
	for _, tc := range []struct {
		covered, total int
		want           string
	}{
		{18, 27, "66.7"}, {2, 3, "66.7"}, {1, 3, "33.3"}, {1, 8, "12.5"}, {1, 16, "6.3"}, {3, 16, "18.8"},
		{44, 45, "97.8"}, {5, 9, "55.6"}, {4, 7, "57.1"},
		{9999, 10000, "99.9"}, {1, 10000, "0.1"}, {0, 10, "0.0"}, {10, 10, "100.0"}, {0, 0, "100.0"},
	} {
		assert.Equal(t, tc.want, suite.PercentText(tc.covered, tc.total), "%d of %d", tc.covered, tc.total)
	}
}

// Print a run's results as `painscreen test` does.
func ExampleSummary_WriteText() {
	suites, err := suite.Load(ynFS, "defs")
	if err != nil {
		return
	}
	results, err := suite.Run(context.Background(), suites, suite.Options{}, screen.WithDefinitions(ynFS, "defs"))
	if err != nil {
		return
	}
	_ = suite.Summarize(suites[:1], results[:1]).WriteText(os.Stdout, false)
	// Output:
	// ok  	yn@1.0.0	defs/yn.v1_test.yaml	1 passed
	// PASS: 1 cases
}

func ExamplePercentText() {
	fmt.Println(suite.PercentText(18, 27), suite.PercentText(2669, 2670), suite.PercentText(0, 0))
	// Output: 66.7 99.9 100.0
}
