// Package compiletest compiles definitions written inline, for the tests of the stages around compile
// (compile, plan, trace, lint): Build runs load and compile as screen.New does, with eval's runtime.
package compiletest

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/load"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Build compiles definition files (name → YAML) and returns the result and the diagnostics. A zero
// opts.MaxCost is screen's default (10,000).
func Build(t testing.TB, files map[string]string, opts compile.Options) (*compile.Result, diag.List) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return BuildFS(t, fsys, opts)
}

// BuildFS compiles the definitions in fsys (the bundled ones: bundled.FS) as Build does.
func BuildFS(t testing.TB, fsys fs.FS, opts compile.Options) (*compile.Result, diag.List) {
	t.Helper()
	var list diag.List
	lim := def.DefaultLimits()
	sources, err := load.Read([]load.Root{{FS: fsys, Label: "t"}}, lim, &list)
	require.NoError(t, err)
	set := load.Dedupe(sources, &list)
	if opts.MaxCost == 0 {
		opts.MaxCost = 10000
	}
	opts.MaxExprBytes = lim.MaxExprBytes
	opts.LineOf = load.Lines(sources)
	opts.Runtime = eval.Runtime{}
	res, err := compile.Build(set, opts, &list)
	require.NoError(t, err)
	return res, list
}

// Plan compiles files that must compile without errors and returns the plan.
func Plan(t testing.TB, files map[string]string) *plan.Plan {
	t.Helper()
	res, list := Build(t, files, compile.Options{})
	require.Empty(t, list.Errors(), "diagnostics: %v", list)
	return res.Plan
}

// Instrument is the YAML of instrument t@1.0.0: items q1..q3 (options 0-3) and q4 (asked when q1 >= 1),
// the given scores (a YAML list, unindented) and any further top-level YAML.
func Instrument(scores, extra string) string {
	return `id: t
version: 1.0.0
title: T
domain: test
status: active
recall: today
citation: none
license: none
item_text: paraphrased
options:
  f:
    - {value: 0, label: A}
    - {value: 1, label: B}
    - {value: 2, label: C}
    - {value: 3, label: D}
items:
  - {id: q1, text: Q1, options: f}
  - {id: q2, text: Q2, options: f}
  - {id: q3, text: Q3, options: f}
  - {id: q4, text: Q4, options: f, enable_when: answers.q1 >= 1}
scores:
` + indent(scores) + extra
}

func indent(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}
