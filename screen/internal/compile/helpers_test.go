package compile_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/load"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// build compiles definition files (name → YAML) as screen.New does and returns the result and the
// diagnostics.
func build(t *testing.T, files map[string]string, opts compile.Options) (*compile.Result, diag.List) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
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
	res, err := compile.Build(set, opts, &list)
	require.NoError(t, err)
	return res, list
}

// mustBuild compiles files that must compile without errors and returns the plan.
func mustBuild(t *testing.T, files map[string]string) *plan.Plan {
	t.Helper()
	res, list := build(t, files, compile.Options{})
	require.Empty(t, list.Errors(), "diagnostics: %v", list)
	return res.Plan
}

// instrument is an instrument definition with items q1..q4 (0-3) and the given scores, flags and extra
// top-level YAML.
func instrument(scores, extra string) string {
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
