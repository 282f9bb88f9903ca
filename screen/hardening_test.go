package screen_test

import (
	"context"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// Issue 10, item 1: valid expressions over literal kinds the fast path does not model (uint, bytes, null,
// mixed-kind lists) load with New and Check and score like any other; they once panicked at load time.
func TestUnmodelledLiteralsLoadAndScore(t *testing.T) {
	for _, expr := range unmodelledLiteralExprs {
		t.Run(expr, func(t *testing.T) {
			fsys := fstest.MapFS{"gen.v1.yaml": {Data: []byte(genDefinition(strconv.Quote(expr), `"true"`, `"answers.a == 1"`))}}
			res, err := screen.Check(screen.WithDefinitions(fsys, ""))
			require.NoError(t, err)
			require.Empty(t, res.Diagnostics.Errors())
			assert.Equal(t, []string{"gen@1.0.0"}, res.Instruments)
			eng, err := screen.New(screen.WithDefinitions(fsys, ""))
			require.NoError(t, err)
			rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"gen": {"a": 1, "b": 0}}})
			require.NoError(t, err)
			sScore, ok := rep.Instrument("gen").Score("s")
			s := sScore.Value
			require.True(t, ok)
			assert.Equal(t, screen.IntValue(1), s)
		})
	}
}

// miniWith is an instrument of two items (b asked only when enable says), a score s (expr), a banded
// score of band, and a second score t reading s.
func miniWith(enable, expr, band string) string {
	return `id: mini
version: 1.0.0
title: Mini
domain: test
status: active
recall: today
citation: test
license: test
item_text: paraphrased
options:
  yn: [{value: 0, label: No}, {value: 1, label: Yes}]
items:
  - {id: a, text: A, options: yn}
  - {id: b, text: B, options: yn, enable_when: ` + enable + `}
scores:
  - id: s
    expr: ` + expr + `
  - id: level
    bands: {of: ` + band + `, cuts: [{max: 0, label: low}, {min: 1, label: high}]}
`
}

// Load-time problems that used to pass validate (constants that fail for every response) or were
// reported misleadingly (a score reading itself as "defined later"; positions inside quoted strings with
// escapes past the end of the file): each is one diagnostic, with its code and position.
func TestLoadTimeExpressionProblems(t *testing.T) {
	for _, tc := range []struct {
		name, enable, expr, band string
		want                     string
	}{
		{"overflowing sum", `"answers.a == 1"`, `"answers.a + (9223372036854775807 + 1)"`, "s",
			"mini.v1.yaml:17:45: cel_constant: 9223372036854775807 + 1 fails for every response: integer overflow"},
		{"overflowing conversion", `"answers.a == 1"`, `"int(1e19) + answers.a"`, "s",
			"mini.v1.yaml:17:15: cel_constant: int(1e+19) fails for every response: integer overflow"},
		{"constant division by zero", `"answers.a == 1"`, `"answers.a > 0 ? 1 / 0 : 2"`, "s",
			"mini.v1.yaml:17:30: cel_constant: 1 / 0 fails for every response: division by zero"},
		{"branch never taken", `"answers.a == 1"`, `"false ? 9223372036854775807 + 1 : answers.a"`, "s", ""},
		{"side never the result", `"true || answers.a + (9223372036854775807 + 1) > 0"`, `"answers.a"`, "s", ""},
		{"side sometimes the result", `"answers.a > 0 || 9223372036854775807 + 1 > 0"`, `"answers.a"`, "s",
			"mini.v1.yaml:14:90: cel_constant: 9223372036854775807 + 1 > 0 fails for every response: integer overflow"},
		{"score reads itself", `"answers.a == 1"`, `"scores.s + 1"`, "s",
			`mini.v1.yaml:17:19: self_reference: score "s" reads itself; an expression may read only earlier scores`},
		{"bands of themselves", `"answers.a == 1"`, `"answers.a"`, "level",
			`mini.v1.yaml:19:17: self_reference: bands of "level": the score reads itself; a score may only read earlier ones`},
		{"skip logic reads its item", `"answers.b == 1"`, `"answers.a"`, "s",
			`mini.v1.yaml:14:57: self_reference: skip logic of "b" reads the item itself; it may read only earlier items`},
		{"error after escapes", `"answers.a == 1"`, `"\x61nswers.a + \u0061nswers.zz"`, "s",
			`mini.v1.yaml:17:40: unknown_item: mini@1.0.0 has no item "zz"; did you mean "a"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"mini.v1.yaml": {Data: []byte(miniWith(tc.enable, tc.expr, tc.band))}}
			res, err := screen.Check(screen.WithDefinitions(fsys, ""))
			require.NoError(t, err)
			checkPositions(t, fsys, res.Diagnostics)
			if tc.want == "" {
				assert.Empty(t, res.Diagnostics.Errors()) // validate's warnings (an unread item) aside
				return
			}
			require.Len(t, res.Diagnostics, 1, "%v", res.Diagnostics)
			assert.Equal(t, tc.want, res.Diagnostics[0].String())
		})
	}
}
