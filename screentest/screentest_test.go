package screentest_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screentest"
)

// recorder captures what Run reports instead of failing the real test.
type recorder struct {
	testing.TB
	errs  []string
	fatal string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }

const mini = `id: mini
version: 1.0.0
title: Mini
domain: test
status: active
recall: today
citation: c
license: l
item_text: paraphrased
items:
  - {id: a, text: A, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
scores:
  - {id: total, expr: "answers.sum(['a'])"}
`

func TestRunReportsFailuresWithPositions(t *testing.T) {
	fsys := fstest.MapFS{
		"mini/mini.v1.yaml": {Data: []byte(mini)},
		"mini/mini.v1_test.yaml": {Data: []byte(`instrument: mini@1.0.0
tests:
  - name: passes
    answers: {a: 1}
    want: {scores: {total: 1}}
  - name: fails
    answers: {a: 0}
    want: {scores: {total: 1}}
`)},
	}
	rec := &recorder{TB: t}
	screentest.Run(rec, fsys, "defs")
	require.Empty(t, rec.fatal)
	require.Len(t, rec.errs, 1)
	assert.Equal(t, "defs/mini/mini.v1_test.yaml:6:5: scores.total: want 1, got 0", rec.errs[0])
}

func TestRunFailsOnBrokenSuites(t *testing.T) {
	rec := &recorder{TB: t}
	screentest.Run(rec, fstest.MapFS{"x_test.yaml": {Data: []byte("instrument: [\n")}}, "")
	assert.True(t, strings.HasPrefix(rec.fatal, "loading test suites:"), rec.fatal)

	rec = &recorder{TB: t}
	screentest.Run(rec, fstest.MapFS{"x.yaml": {Data: []byte(mini)}}, "")
	assert.Equal(t, "no test suites (*_test.yaml) found", rec.fatal)
}
