package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/diff"
	"github.com/painscreen/painscreen/screen/suite"
)

const diffAbout = `Compare two versions of an instrument or rule set by what they give. Both versions are replayed over
the test vectors (the cases of both versions' *_test.yaml suites) and over answer patterns: for an
instrument, every complete answer pattern (each item answered with each value it allows, with each
context the test vectors give) when there are at most --max-patterns, otherwise a reproducible random
sample of --samples patterns; for a rule set, a random sample of response sets (inputs present or not,
items answered or not). Each outcome that changes is counted with examples: an instrument's status, its
scores and flags; a rule set's tier, domains and referrals.

The versions come from the bundled definitions and from --instruments and --rules folders (a changed copy
of a definition with a new version, next to its suite).

Exit status: 0 no outcome changes; 1 some outcome changes; 2 usage error; 3 the definitions or suites do
not load.`

const diffExamples = `  painscreen diff --instruments my-phq9/ phq9@1.0.0 phq9@1.0.1
  painscreen diff --rules my-rules/ --format json pain_oud@1.2.0 pain_oud@1.3.0`

func runDiff(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("diff", "painscreen diff [flags] ID@A ID@B", diffAbout, diffExamples)
	var d defFlags
	f.Var(&d.instruments, "instruments", "load instrument definitions (and suites) from `DIR` (or one file), in addition to the bundled\nones; repeatable")
	f.Var(&d.rules, "rules", "load rule sets (and suites) from `DIR` (or one file); repeatable")
	f.BoolVar(&d.noBundled, "no-bundled", false, "do not load the bundled definitions (use only --instruments and --rules)")
	format := f.String("format", "text", "output `FORMAT`: text or json")
	var opt diff.Options
	f.Int64Var(&opt.MaxPatterns, "max-patterns", 1<<20, "enumerate every answer pattern when there are at most `N`")
	f.IntVar(&opt.Samples, "samples", 20_000, "otherwise, and for rule sets, score `N` random patterns (reproducible; 0 skips them)")
	f.IntVar(&opt.Examples, "examples", 3, "show up to `N` examples per change")
	f.BoolVar(&opt.Missing, "missing", false, "instruments: also leave each item unanswered, so the patterns include missing answers\n(prorating, and results decided despite them)")
	paths, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(paths) != 2 {
		return f.fail(stderr, "want two versions: ID@A ID@B")
	}
	switch *format {
	case "text", "json":
	default:
		return f.fail(stderr, "--format: unknown format %q (want text or json)", *format)
	}
	if opt.MaxPatterns < 1 || opt.Samples < 0 || opt.Examples < 0 {
		return f.fail(stderr, "--max-patterns wants at least 1, --samples and --examples 0 or more")
	}
	if opt.Samples == 0 {
		opt.Samples = -1 // diff: negative skips
	}
	if opt.Examples == 0 {
		opt.Examples = -1
	}
	from, to := paths[0], paths[1]
	idA, verA, okA := strings.Cut(from, "@")
	idB, verB, okB := strings.Cut(to, "@")
	if !okA || !okB || verA == "" || verB == "" || !refPattern().MatchString(from) || !refPattern().MatchString(to) {
		return f.fail(stderr, "want two versions as ID@VERSION (got %q and %q)", from, to)
	}
	if idA != idB {
		return f.fail(stderr, "the two versions are of different definitions (%s and %s)", idA, idB)
	}
	opts, _, err := d.options()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eng, err := screen.New(append(slices.Clone(opts), screen.WithoutRuleSet())...)
	if err != nil {
		return reportLoadError(stderr, err)
	}
	kind := ""
	if _, err := eng.Describe(idA); err == nil {
		kind = "instrument"
	}
	vectors, code := diffVectors(d.sources(), idA, stderr)
	if code != exitOK {
		return code
	}
	var res *diff.Result
	if kind == "instrument" {
		for _, ref := range []string{from, to} {
			if _, err := eng.Describe(ref); err != nil {
				return diffNotLoaded(stderr, ref, err)
			}
		}
		res, err = diff.Instruments(ctx, eng, from, to, vectors, opt)
	} else {
		engA, errA := screen.New(append(slices.Clone(opts), screen.WithRuleSet(from))...)
		if errA != nil {
			return diffNotLoaded(stderr, from, errA)
		}
		engB, errB := screen.New(append(slices.Clone(opts), screen.WithRuleSet(to))...)
		if errB != nil {
			return diffNotLoaded(stderr, to, errB)
		}
		res, err = diff.RuleSets(ctx, engA, engB, vectors, opt)
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "painscreen diff: interrupted")
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "painscreen diff: %s\n", safe(err.Error()))
		return exitDefinitions
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		writeDiffText(stdout, res)
	}
	if res.Changed() {
		return exitRecords
	}
	return exitOK
}

// diffNotLoaded explains a version that is not loaded: exit 3 when the definitions do not load, 2 when the
// version is simply not there.
func diffNotLoaded(stderr io.Writer, ref string, err error) int {
	var ds diag.List
	if errors.As(err, &ds) && len(ds.Errors()) > 0 && ds.Errors()[0].Pos.File != "" {
		return reportLoadError(stderr, err)
	}
	fmt.Fprintf(stderr, "painscreen diff: %s is not loaded (%s); add its folder with --instruments or --rules\n", safe(ref), safe(err.Error()))
	return exitUsage
}

// diffVectors loads the suites of every source and keeps the cases of suites for id (any version).
func diffVectors(srcs []defSource, id string, stderr io.Writer) ([]diff.Vector, int) {
	var all []*suite.Suite
	var diags diag.List
	for _, s := range srcs {
		ss, err := suite.Load(s.fsys, s.label)
		var ds diag.List
		switch {
		case errors.As(err, &ds):
			diags = append(diags, ds...)
		case err != nil:
			fmt.Fprintf(stderr, "painscreen diff: %s\n", safe(err.Error()))
			return nil, exitDefinitions
		}
		all = append(all, ss...)
	}
	if len(diags.Errors()) > 0 {
		return nil, reportLoadError(stderr, diags)
	}
	return diff.VectorsOf(all, id), exitOK
}

// writeDiffText prints the comparison: per kind of input, how many change, then each change with its
// count and examples.
func writeDiffText(w io.Writer, res *diff.Result) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s → %s\n", res.Kind, safe(res.From), safe(res.To))
	section := func(title, unit string, s *diff.Section) {
		fmt.Fprintf(&b, "\n%s: ", title)
		switch s.Mode {
		case "skipped":
			fmt.Fprintf(&b, "skipped (%s)\n", s.Note)
			return
		case "cases":
			fmt.Fprintf(&b, "%s cases of both versions' suites\n", diff.Thousands(s.Checked))
		default:
			fmt.Fprintf(&b, "%s\n", s.Note)
		}
		if len(s.Changes) == 0 {
			fmt.Fprintf(&b, "  no outcome changes\n")
			return
		}
		fmt.Fprintf(&b, "  %s of %s %s change an outcome\n", diff.Thousands(s.Changed), diff.Thousands(s.Checked), unit)
		changes := slices.Clone(s.Changes)
		sort.SliceStable(changes, func(i, j int) bool { return changes[i].Count > changes[j].Count })
		for _, c := range changes {
			fmt.Fprintf(&b, "  %s of %s %s change %s: %s → %s\n", diff.Thousands(c.Count), diff.Thousands(s.Checked), unit, safe(c.Outcome), safe(c.From), safe(c.To))
			for _, ex := range c.Examples {
				fmt.Fprintf(&b, "      e.g. %s\n", exampleText(ex))
			}
		}
	}
	section("test vectors", "cases", &res.Vectors)
	section("answer patterns", "patterns", &res.Patterns)
	_, _ = io.WriteString(w, b.String())
}

// exampleText writes a test case as `"name" (file:line)` and a pattern as item=value pairs.
func exampleText(ex diff.Example) string {
	if ex.Case != "" {
		return fmt.Sprintf("%q (%s:%d)", safe(ex.Case), safe(ex.File), ex.Line)
	}
	var parts []string
	for _, k := range sortedAnyKeys(ex.Context) {
		parts = append(parts, fmt.Sprintf("context.%s=%v", k, ex.Context[k]))
	}
	for _, k := range sortedAnyKeys(ex.Answers) {
		switch v := ex.Answers[k].(type) {
		case map[string]any:
			var sub []string
			for _, i := range sortedAnyKeys(v) {
				sub = append(sub, fmt.Sprintf("%s=%v", i, v[i]))
			}
			parts = append(parts, fmt.Sprintf("%s{%s}", k, strings.Join(sub, " ")))
		default:
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return safe(strings.Join(parts, " "))
}

func sortedAnyKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
