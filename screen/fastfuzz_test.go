package screen

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// exprGen builds a CEL expression from fuzz bytes: typed (int, double, bool, string) so that most
// expressions type-check, over the constructs the fast path models and some it leaves to the interpreter
// (typed literals of every kind, in-lists, ternaries, conversions, presence tests, string functions).
type exprGen struct {
	b []byte
	i int
}

func (g *exprGen) next(n int) int {
	if g.i >= len(g.b) || n <= 1 {
		return 0
	}
	v := int(g.b[g.i]) % n
	g.i++
	return v
}

var genItems = []string{"a", "b", "c", "big"}

func (g *exprGen) gen(t string, depth int) string {
	leaf := depth <= 0 || g.next(4) == 0
	switch t {
	case "int":
		if leaf {
			switch g.next(6) {
			case 0:
				return fmt.Sprint([]int64{0, 1, -1, 2, 3, 7, 9223372036854775807, -9223372036854775808}[g.next(8)])
			case 1:
				return "answers." + genItems[g.next(len(genItems))]
			case 2:
				return `answers.sum(["a", "b"])`
			case 3:
				return `answers.answered(["a", "b", "c"])`
			case 4:
				return "context.age"
			}
			return "answers.a"
		}
		switch g.next(7) {
		case 0, 1:
			return "(" + g.gen("int", depth-1) + " " + []string{"+", "-", "*", "/", "%"}[g.next(5)] + " " + g.gen("int", depth-1) + ")"
		case 2:
			return "-" + g.gen("int", depth-1)
		case 3:
			return "(" + g.gen("bool", depth-1) + " ? " + g.gen("int", depth-1) + " : " + g.gen("int", depth-1) + ")"
		case 4:
			return "int(" + g.gen("double", depth-1) + ")"
		case 5:
			return "size(" + g.gen("string", depth-1) + ")"
		}
		return "(has(answers.c) ? answers.c : 0)"
	case "double":
		if leaf {
			switch g.next(5) {
			case 0:
				return []string{"0.0", "1.5", "-2.25", "1e300", "0.1"}[g.next(5)]
			case 1:
				return `answers.mean(["a", "b"])`
			case 2:
				return `answers.prorated_sum(["a", "b", "c"], 1)`
			}
			return "double(answers.a)"
		}
		switch g.next(4) {
		case 0, 1:
			return "(" + g.gen("double", depth-1) + " " + []string{"+", "-", "*", "/"}[g.next(4)] + " " + g.gen("double", depth-1) + ")"
		case 2:
			return "double(" + g.gen("int", depth-1) + ")"
		}
		return "round(" + g.gen("double", depth-1) + ", " + fmt.Sprint(g.next(13)-1) + ")"
	case "bool":
		if leaf {
			switch g.next(4) {
			case 0:
				return []string{"true", "false"}[g.next(2)]
			case 1:
				return "has(answers." + genItems[g.next(len(genItems))] + ")"
			case 2:
				return "has(context.sex)"
			}
			return "answers.a > 0"
		}
		switch g.next(9) {
		case 0, 1:
			num := []string{"int", "double"}
			return "(" + g.gen(num[g.next(2)], depth-1) + " " + []string{"<", "<=", ">", ">=", "==", "!="}[g.next(6)] + " " + g.gen(num[g.next(2)], depth-1) + ")"
		case 2:
			return "(" + g.gen("bool", depth-1) + " " + []string{"&&", "||"}[g.next(2)] + " " + g.gen("bool", depth-1) + ")"
		case 3:
			return "!" + g.gen("bool", depth-1)
		case 4:
			return "(" + g.gen("int", depth-1) + " in [1, 2, -1])"
		case 5:
			// Literals of kinds the fast path does not model: the interpreter must take these.
			return []string{"(1u in [1u, 2u])", "(b'a' in [b'a'])", "(null in [null])", "(answers.a in [1, 1])", "(1.5 in [1.5, 2.0])"}[g.next(5)]
		case 6:
			return "(" + g.gen("string", depth-1) + " " + []string{"==", "<", "!="}[g.next(3)] + " " + g.gen("string", depth-1) + ")"
		case 7:
			return "[answers.a, answers.b].exists(x, x > " + g.gen("int", depth-1) + ")"
		}
		return "(" + g.gen("bool", depth-1) + " == " + g.gen("bool", depth-1) + ")"
	}
	if leaf {
		switch g.next(3) {
		case 0:
			return []string{`""`, `"male"`, `"m"`}[g.next(3)]
		case 1:
			return "context.sex"
		}
		return `"x"`
	}
	switch g.next(3) {
	case 0:
		return "(" + g.gen("string", depth-1) + " + " + g.gen("string", depth-1) + ")"
	case 1:
		return "(" + g.gen("bool", depth-1) + " ? " + g.gen("string", depth-1) + " : " + g.gen("string", depth-1) + ")"
	}
	return "string(" + g.gen("int", depth-1) + ")"
}

const fuzzDefinition = `id: fz
version: 1.0.0
title: Fuzz
domain: test
status: active
recall: none
citation: tests
license: tests
item_text: paraphrased
context: {sex: string, age: int}
options:
  small: [{value: -2, label: m2}, {value: -1, label: m1}, {value: 0, label: z}, {value: 1, label: one}, {value: 3, label: three}]
items:
  - {id: a, text: A, options: small}
  - {id: b, text: B, options: small}
  - {id: c, text: C, options: small}
  - {id: big, text: Big, range: {min: -9223372036854775808, max: 9223372036854775807}}
scores:
  - id: s
    expr: %q
flags:
  - {id: f, when: %q, level: info, message: F}
`

// FuzzFastPathMatchesInterpreter compiles random expressions with and without the fast path and requires
// the same diagnostics, and for random answers the same report (values, notes, reasons) or the same error.
func FuzzFastPathMatchesInterpreter(f *testing.F) {
	for _, seed := range [][]byte{{}, {1, 2, 3, 4, 5, 6, 7, 8}, {2, 5, 1, 0, 3}, {8, 5, 0}, {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, {255, 128, 7, 77, 1}} {
		f.Add(seed, int64(1), int64(-2), int64(3), int64(9223372036854775807), int64(40), "male")
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, prog []byte, a, b, c, big, age int64, sex string) {
		g := &exprGen{b: prog}
		types := []string{"int", "double", "bool", "string"}
		expr := g.gen(types[g.next(4)], 4)
		cond := g.gen("bool", 3)
		fsys := fstest.MapFS{"fz.v1.yaml": {Data: []byte(fmt.Sprintf(fuzzDefinition, expr, cond))}}
		fast, ferr := New(WithDefinitions(fsys, ""))
		slow, serr := New(WithDefinitions(fsys, ""), withInterpreterOnly())
		if ferr != nil || serr != nil {
			require.Error(t, ferr, "%s | %s: only the interpreter failed to load: %v", expr, cond, serr)
			require.Error(t, serr, "%s | %s: only the fast path failed to load: %v", expr, cond, ferr)
			require.Equal(t, serr.Error(), ferr.Error())
			return
		}
		answers := map[string]any{}
		for i, v := range []int64{a, b, c} {
			if v >= -2 && v <= 3 && v != 2 {
				answers[[]string{"a", "b", "c"}[i]] = v
			}
		}
		answers["big"] = big
		r := &Response{Context: map[string]any{"age": age % 151, "sex": strings.ToValidUTF8(sex, "")}, Answers: map[string]map[string]any{"fz": answers}}
		if age < 0 {
			r.Context = nil
		}
		x, xerr := fast.Score(ctx, r)
		y, yerr := slow.Score(ctx, r)
		if xerr != nil || yerr != nil {
			require.Error(t, xerr, "%s | %s: only the interpreter failed: %v", expr, cond, yerr)
			require.Error(t, yerr, "%s | %s: only the fast path failed: %v", expr, cond, xerr)
			require.Equal(t, yerr.Error(), xerr.Error(), "%s | %s", expr, cond)
			return
		}
		require.Equal(t, string(y.AppendJSON(nil)), string(x.AppendJSON(nil)), "%s | %s", expr, cond)
	})
}
