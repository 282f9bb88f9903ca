package screen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diag"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

// addYAMLSeeds adds every definition file (not suites) of fsys to the fuzz corpus.
func addYAMLSeeds(f *testing.F, fsys fs.FS) {
	f.Helper()
	require.NoError(f, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, "_test.yaml") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err == nil {
			f.Add(b, []byte(nil))
		}
		return err
	}))
}

// FuzzLoadDefinition loads arbitrary bytes as an instrument or rule-set file next to the bundled
// catalogue, and beside it an instrument whose expressions are generated from the second input (typed CEL:
// literals of every kind, in-lists, ternaries, conversions, macros, embedded in every YAML scalar style).
// Neither may panic New or Check: each either builds an engine (which must then score without panicking)
// or fails with Diagnostics, every one of which points inside its file.
func FuzzLoadDefinition(f *testing.F) {
	addYAMLSeeds(f, instruments.FS)
	addYAMLSeeds(f, rules.FS)
	addYAMLSeeds(f, os.DirFS("testdata"))
	f.Add([]byte("id: x\nversion: 1.0.0\nitems: []\n"), []byte(nil))
	f.Add([]byte("a: &a [*a, *a]\nitems: *a\n"), []byte(nil))
	// Literals the fast path does not model once panicked the compiler (issue 10, item 1).
	for _, e := range unmodelledLiteralExprs {
		f.Add([]byte(genDefinition(strconv.Quote(e), `"true"`, `"answers.a == 1"`)), []byte(nil))
	}
	for _, seed := range [][]byte{{0}, {1, 2, 3, 4, 5, 6, 7, 8}, {3, 7, 1, 0, 9, 2}, {255, 17, 4, 33, 200, 5, 6, 1}} {
		f.Add([]byte(nil), seed)
	}
	f.Fuzz(func(t *testing.T, data, prog []byte) {
		fsys := fstest.MapFS{}
		if len(data) > 0 {
			fsys["fuzz/def.v1.yaml"] = &fstest.MapFile{Data: data}
		}
		if len(prog) > 0 {
			g := &celGen{p: screen.NewFuzzPicker(prog)}
			fsys["fuzz/gen.v1.yaml"] = &fstest.MapFile{Data: []byte(genDefinition(
				g.scalar(g.expr(g.scoreType(), 4)), g.scalar(g.expr(tBool, 3)), g.scalar(g.expr(tBool, 2))))}
		}
		if len(fsys) == 0 {
			return
		}
		checkLoads(t, fsys)
	})
}

// checkLoads builds an engine from fsys beside the bundled catalogue and scores every loaded instrument;
// Check must agree on whether the definitions load.
func checkLoads(t *testing.T, fsys fstest.MapFS) {
	t.Helper()
	res, cerr := screen.Check(screen.WithDefinitions(fsys, ""))
	if cerr != nil {
		t.Fatalf("Check failed without Diagnostics: %v", cerr)
	}
	checkPositions(t, fsys, res.Diagnostics)
	eng, err := screen.New(screen.WithDefinitions(fsys, ""), screen.WithoutRuleSet())
	if err != nil {
		var diags diag.List
		if !errors.As(err, &diags) {
			t.Fatalf("New failed without Diagnostics: %v", err)
		}
		for _, d := range diags {
			if d.Code == "" || d.Message == "" {
				t.Fatalf("diagnostic without code or message: %+v", d)
			}
		}
		checkPositions(t, fsys, diags)
		return
	}
	// Score something against every loaded instrument: answer each item with its last option value or
	// range minimum (errors are fine, panics are not).
	for _, info := range eng.Instruments() {
		doc, err := eng.Describe(info.ID + "@" + info.Version)
		if err != nil {
			t.Fatal(err)
		}
		items := map[string]any{}
		for _, it := range doc.Items {
			switch {
			case len(it.Options) > 0:
				items[it.ID] = it.Options[len(it.Options)-1].Value
			case it.Min != nil:
				items[it.ID] = *it.Min
			}
		}
		_, err = eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{info.ID + "@" + info.Version: items}})
		var se *screen.ScoreError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("Score failed without a ScoreError: %v", err)
		}
	}
}

// checkPositions requires every diagnostic about a file of fsys to point inside it: a line of the file
// and a column of that line (or just past its end).
func checkPositions(t *testing.T, fsys fstest.MapFS, diags diag.List) {
	t.Helper()
	for _, d := range diags {
		mf := fsys[d.Pos.File]
		if mf == nil || d.Pos.Line == 0 {
			continue
		}
		lines := strings.Split(string(mf.Data), "\n")
		if d.Pos.Line > len(lines) {
			t.Fatalf("%v: line %d is past the end of the file (%d lines)", d, d.Pos.Line, len(lines))
		}
		if l := strings.TrimRight(lines[d.Pos.Line-1], "\r"); d.Pos.Col > len(l)+1 {
			t.Fatalf("%v: column %d is past the end of line %q", d, d.Pos.Col, l)
		}
	}
}

// unmodelledLiteralExprs are valid expressions over literal kinds the fast path does not model: each once
// panicked the fast-path compiler at load time.
var unmodelledLiteralExprs = []string{
	"1u in [1u, 2u] ? 1 : 0",
	"answers.a in [1, 1u] ? 1 : 0",
	"b'a' in [b'a'] ? 1 : 0",
	"null in [null] ? 1 : 0",
}

// genDefinition is an instrument whose score expression, flag condition and skip condition are the given
// YAML scalars (already quoted or block-formatted, each on the line after its key).
func genDefinition(expr, when, enable string) string {
	return `id: gen
version: 1.0.0
title: Generated
domain: test
status: active
recall: none
citation: tests
license: tests
item_text: paraphrased
context: {sex: string, age: int}
options:
  small: [{value: -1, label: m1}, {value: 0, label: z}, {value: 1, label: one}, {value: 3, label: three}]
items:
  - {id: a, text: A, options: small}
  - {id: b, text: B, options: small}
  - id: c
    text: C
    options: small
    enable_when:
      ` + enable + `
  - {id: big, text: Big, range: {min: -9223372036854775808, max: 9223372036854775807}}
scores:
  - {id: base, expr: 'answers.sum(["a", "b"])'}
  - id: s
    expr:
      ` + expr + `
flags:
  - id: f
    level: info
    message: F
    when:
      ` + when + `
`
}

// celType is a CEL type celGen can write an expression of.
type celType int

const (
	tInt celType = iota
	tUint
	tDouble
	tBool
	tString
	tBytes
	tNull
	tList
	nCelTypes
)

// celGen writes CEL expressions from fuzz bytes. They are typed so that most of them type-check and reach
// the fast-path compiler and the evaluators, and they cover what definitions rarely hold: literals of every
// kind (uint, bytes, null, doubles out of the int range), mixed-kind in-lists, nested ternaries,
// conversions that fail, comprehensions.
type celGen struct{ p *screen.FuzzPicker }

func (g *celGen) pick(n int) int { return g.p.Pick(n) }

func (g *celGen) one(s ...string) string { return s[g.pick(len(s))] }

func (g *celGen) anyType() celType { return celType(g.pick(int(nCelTypes))) }

// scoreType is mostly a type a score may have, sometimes any type.
func (g *celGen) scoreType() celType {
	if g.pick(4) == 0 {
		return g.anyType()
	}
	return []celType{tInt, tDouble, tBool, tString}[g.pick(4)]
}

func (g *celGen) literal(t celType) string {
	switch t {
	case tInt:
		return g.one("0", "1", "-1", "3", "9223372036854775807", "-9223372036854775808", "0x10", "-0x1")
	case tUint:
		return g.one("0u", "1u", "2u", "18446744073709551615u", "0x10u")
	case tDouble:
		return g.one("0.0", "1.5", "-2.25", "1e300", "-1e19", "1e-300", "9.223372036854775807e18", ".5")
	case tBool:
		return g.one("true", "false")
	case tString:
		return g.one(`""`, `"a"`, `'b'`, `"\u00e9"`, `r"\d"`, `"""x"""`, `"\x1b[2J"`, `"\u202e"`)
	case tBytes:
		return g.one("b'a'", `b""`, `b'\xff'`, `b"\303\251"`)
	case tNull:
		return "null"
	}
	return g.one("[]", "[1, 2]", "[1u]", "[1, 1u, 1.0]", `["a", b'a', null]`)
}

func (g *celGen) expr(t celType, depth int) string {
	if depth <= 0 || g.pick(4) == 0 {
		return g.leaf(t)
	}
	d := depth - 1
	if g.pick(6) == 0 { // any type: a ternary
		return "(" + g.expr(tBool, d) + " ? " + g.expr(t, d) + " : " + g.expr(t, d) + ")"
	}
	switch t {
	case tInt:
		switch g.pick(6) {
		case 0, 1:
			return "(" + g.expr(tInt, d) + g.one(" + ", " - ", " * ", " / ", " % ") + g.expr(tInt, d) + ")"
		case 2:
			return "int(" + g.expr([]celType{tDouble, tUint, tString, tInt}[g.pick(4)], d) + ")"
		case 3:
			return "size(" + g.expr([]celType{tString, tBytes, tList}[g.pick(3)], d) + ")"
		case 4:
			return "-" + g.expr(tInt, d)
		}
		return "[" + g.expr(tInt, d) + ", " + g.expr(tInt, d) + "][" + g.expr(tInt, d) + "]"
	case tUint:
		if g.pick(2) == 0 {
			return "uint(" + g.expr([]celType{tInt, tDouble}[g.pick(2)], d) + ")"
		}
		return "(" + g.expr(tUint, d) + g.one(" + ", " - ", " * ", " / ", " % ") + g.expr(tUint, d) + ")"
	case tDouble:
		switch g.pick(3) {
		case 0:
			return "double(" + g.expr([]celType{tInt, tUint, tString}[g.pick(3)], d) + ")"
		case 1:
			return "round(" + g.expr(tDouble, d) + ", " + g.one("0", "1", "-1", "12") + ")"
		}
		return "(" + g.expr(tDouble, d) + g.one(" + ", " - ", " * ", " / ") + g.expr(tDouble, d) + ")"
	case tBool:
		switch g.pick(6) {
		case 0:
			k := g.anyType()
			return "(" + g.expr(k, d) + " in [" + g.literal(k) + ", " + g.literal(g.anyType()) + "])"
		case 1:
			k := g.anyType()
			return "(" + g.expr(k, d) + g.one(" == ", " != ", " < ", " >= ") + g.expr(k, d) + ")"
		case 2:
			return "(" + g.expr(tBool, d) + g.one(" && ", " || ") + g.expr(tBool, d) + ")"
		case 3:
			return "!" + g.expr(tBool, d)
		case 4:
			return "[answers.a, answers.b, " + g.expr(tInt, d) + "]." + g.one("all", "exists", "exists_one") + "(x, x > " + g.expr(tInt, d) + ")"
		}
		return "(" + g.expr(tInt, d) + g.one(" > ", " <= ") + g.expr(tDouble, d) + ")"
	case tString:
		if g.pick(2) == 0 {
			return "string(" + g.expr([]celType{tInt, tUint, tDouble, tBytes, tBool}[g.pick(5)], d) + ")"
		}
		return "(" + g.expr(tString, d) + " + " + g.expr(tString, d) + ")"
	case tBytes:
		if g.pick(2) == 0 {
			return "bytes(" + g.expr(tString, d) + ")"
		}
		return "(" + g.expr(tBytes, d) + " + " + g.expr(tBytes, d) + ")"
	case tList:
		return "[" + g.expr(g.anyType(), d) + ", " + g.expr(g.anyType(), d) + "]"
	}
	return g.leaf(t)
}

func (g *celGen) leaf(t celType) string {
	if g.pick(3) > 0 {
		return g.literal(t)
	}
	switch t {
	case tInt:
		return g.one("answers.a", "answers.big", "scores.base", `answers.sum(["a", "b"])`, `answers.answered(["a", "b", "c"])`, "context.age", "answers.c")
	case tDouble:
		return g.one(`answers.mean(["a", "b"])`, `answers.prorated_sum(["a", "b", "c"], 1)`, "double(answers.a)")
	case tBool:
		return g.one("has(answers.a)", "has(context.sex)", "(answers.a > 0)", "has(scores.base)")
	case tString:
		return "context.sex"
	}
	return g.literal(t)
}

// plainSafe reports whether e reads as itself when written as a plain YAML scalar.
func plainSafe(e string) bool {
	return e != "" && !strings.ContainsAny(e[:1], "[]{}!&*'\"|>%@`-?:,#") && !strings.Contains(e, ": ") &&
		!strings.Contains(e, " #") && !strings.HasSuffix(e, ":")
}

// scalar writes an expression as a YAML scalar in a style chosen by the input: plain, double-quoted
// (sometimes with escapes standing for plain characters), single-quoted, literal or folded block. The
// scalar goes on its own line, indented by six spaces.
func (g *celGen) scalar(e string) string {
	switch g.pick(5) {
	case 0:
		if plainSafe(e) {
			return e
		}
		return "'" + strings.ReplaceAll(e, "'", "''") + "'"
	case 1:
		var b strings.Builder
		b.WriteByte('"')
		escapes := g.pick(2) == 0
		for i, r := range e {
			switch {
			case r == '"' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case escapes && i%3 == 0 && r < 0x80:
				fmt.Fprintf(&b, `\x%02x`, r)
			case escapes && i%3 == 1 && r < 0x80:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
		return b.String()
	case 2:
		return "'" + strings.ReplaceAll(e, "'", "''") + "'"
	}
	style := g.one("|", ">-")
	return style + "\n        " + strings.ReplaceAll(e, " ? ", "\n        ? ")
}

// FuzzScore scores arbitrary answers, context values and keys with the bundled engine. Every outcome must
// be a report or a *ScoreError; never a panic, and never an error that echoes an answer value.
func FuzzScore(f *testing.F) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(f, err)
	var insts []string
	items := map[string][]string{}
	for _, in := range eng.Instruments() {
		insts = append(insts, in.ID)
		doc, err := eng.Describe(in.ID)
		require.NoError(f, err)
		for _, it := range doc.Items {
			items[in.ID] = append(items[in.ID], it.ID)
		}
	}
	f.Add([]byte{0, 0, 2, 0, 1, 1, 0, 2, 3}, int64(47), "female")
	f.Add([]byte{5, 0, 3, 5, 1, 2, 5, 2, 7, 5, 3, 7, 5, 4, 7}, int64(-1), "male")
	f.Add([]byte{255, 255, 255}, int64(200), "\xff")
	f.Fuzz(func(t *testing.T, data []byte, age int64, sex string) {
		r := &screen.Response{Subject: "FUZZ-SUBJECT", Context: map[string]any{"age": age, "sex": sex},
			Answers: map[string]map[string]any{}}
		for i := 0; i+2 < len(data); i += 3 {
			inst := "unknown_instrument"
			if int(data[i]) < len(insts) {
				inst = insts[data[i]]
			}
			m := r.Answers[inst]
			if m == nil {
				m = map[string]any{}
				r.Answers[inst] = m
			}
			its := items[inst]
			item := "unknown_item"
			if len(its) > 0 && int(data[i+1]) < 2*len(its) {
				item = its[int(data[i+1])%len(its)]
			}
			var v any
			switch b := data[i+2]; {
			case b < 200:
				v = int(b) - 10
			case b < 210:
				v = "LA6568-5"
			case b < 220:
				v = nil
			case b < 230:
				v = 1.5
			case b < 240:
				v = true
			default:
				v = "SECRET-VALUE"
			}
			m[item] = v
		}
		rep, err := eng.Score(context.Background(), r)
		if err != nil {
			var se *screen.ScoreError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a ScoreError: %v", err)
			}
			if strings.Contains(err.Error(), "SECRET-VALUE") || strings.Contains(err.Error(), "FUZZ-SUBJECT") {
				t.Fatalf("error echoes health data: %v", err)
			}
			return
		}
		js, err := rep.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		// The engine's cache of encoded reasons (filled across the fuzz inputs) writes what the plan's
		// words write.
		if want := screen.AppendJSONUncached(rep, nil); !bytes.Equal(js, want) {
			t.Fatalf("cached reasons differ:\n%s\n%s", js, want)
		}
	})
}
