package suite_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/suite"
)

// Load a definition's suite and run it against an engine built from the same definitions.
func ExampleRun() {
	fsys := fstest.MapFS{
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
  - {id: any, expr: scores.total >= 1}
`)},
		"yn.v1_test.yaml": {Data: []byte(`instrument: yn@1.0.0
tests:
  - name: both yes
    answers: {a: 1, b: 1}
    want: {scores: {total: 2, any: true}}
  - name: one yes, one blank, decided anyway
    answers: {a: 1}
    want: {scores: {total: null, any: true}, notes: [not_computed, determined]}
`)},
	}
	suites, err := suite.Load(fsys, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	results, err := suite.Run(context.Background(), suites, suite.Options{}, screen.WithDefinitions(fsys, ""))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Name, r.Passed(), r.Failures)
	}
	// Output:
	// both yes true []
	// one yes, one blank, decided anyway true []
}

// Measure which parts of a definition the suites reach: here the band "high" and the upper side of its
// cut-point are never reached.
func ExampleCoverage() {
	fsys := fstest.MapFS{
		"two.v1.yaml": {Data: []byte(`id: two
version: 1.0.0
title: Two items
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
  - {id: total, type: int, expr: 'answers.sum(["a", "b"])'}
  - id: level
    bands: {of: total, cuts: [{min: 0, max: 1, label: low}, {min: 2, max: 2, label: high}]}
`)},
		"two.v1_test.yaml": {Data: []byte(`instrument: two@1.0.0
tests:
  - name: one yes
    answers: {a: 1, b: 0}
    want: {scores: {total: 1, level: low}}
  - name: one blank
    answers: {a: 1}
    want: {scores: {total: null}}
`)},
	}
	suites, err := suite.Load(fsys, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	var cov suite.Coverage
	if _, err := suite.Run(context.Background(), suites, suite.Options{Coverage: &cov}, screen.WithDefinitions(fsys, "")); err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range cov.Definitions {
		fmt.Printf("%s: %d of %d\n", d.Definition, d.Covered(), d.Total())
		for _, e := range d.Uncovered() {
			fmt.Println("  not reached:", e)
		}
	}
	// Output:
	// two@1.0.0: 4 of 7
	//   not reached: band level: high
	//   not reached: cut level: low|high, upper side: total 2 (high)
	//   not reached: decided level: decided despite missing answers
}
