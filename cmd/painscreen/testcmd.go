package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/suite"
)

const testAbout = `Run the test suites (*_test.yaml files) found in PATHs (directories are read recursively), against
the definitions found in the same PATHs; with no PATH, the bundled suites and definitions. --bundled
adds the bundled definitions to PATHs (for suites of your own rule set over the bundled instruments);
the suites run are still only those in PATHs.

Output (--format text) is like go test: a "--- FAIL: target/name (file:line)" block per failing case
with what was wanted and what came out, then an "ok" or "FAIL" line per suite file and a final verdict;
-v also lists the cases that pass. --format json and junit write machine-readable results.

A want that names something its definition does not have (a score, flag, item, domain, tier or
referral), or answers that name an item it does not have, fail the case with "no score \"totl\" in
phq4@1.0.0; did you mean \"total\"?"; validate reports the same at the suite's file:line:col.

--coverage adds clinical coverage: per definition, the share of its elements (bands and each side of each
cut-point, lookup rows, flags firing and not, missing-data rules at their limit and past it, skip-logic
branches, scores decided despite missing answers, domain values, tiers and referrals, open and possible
outcomes) that a passing case reaches, and each one none reaches. --min-coverage fails under a threshold.

Exit status: 0 all cases pass; 1 some fail, or the coverage is below --min-coverage; 2 usage error; 3 the
definitions or suites do not load, or the PATHs hold no test suite (nothing was tested).`

const testExamples = `  painscreen test
  painscreen test -v --run 'phq9@.*/moderate' 
  painscreen test --format junit my-instruments/ > junit.xml
  painscreen test --coverage --min-coverage 100 my-instruments/`

func runTest(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("test", "painscreen test [flags] [PATH]...", testAbout, testExamples)
	bundled := f.Bool("bundled", false, "also load the bundled definitions when PATHs are given")
	verbose := f.Bool("v", false, "list passing cases too")
	runExpr := f.String("run", "", "run only the cases whose \"target/name\" matches `REGEX` (target is the suite's phq9@1.0.0)")
	format := f.String("format", "text", "output `FORMAT`: text, json or junit")
	covf := addCoverageFlags(f)
	paths, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	var re *regexp.Regexp
	if *runExpr != "" {
		var err error
		if re, err = regexp.Compile(*runExpr); err != nil {
			return f.fail(stderr, "--run: %v", err)
		}
	}
	switch *format {
	case "text", "json", "junit":
	default:
		return f.fail(stderr, "--format: unknown format %q (want text, json or junit)", *format)
	}
	srcs, err := definitionSources(paths, *bundled)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}

	var suites []*suite.Suite
	var diags diag.List
	for _, s := range srcs {
		if s.bundled {
			continue // --bundled brings definitions; the suites run are those in PATHs
		}
		ss, err := suite.Load(s.fsys, s.label)
		var ds diag.List
		switch {
		case errors.As(err, &ds):
			diags = append(diags, ds...)
		case err != nil:
			fmt.Fprintf(stderr, "painscreen test: %s\n", safe(err.Error()))
			return exitDefinitions
		}
		suites = append(suites, ss...)
	}
	if len(diags) > 0 {
		return reportLoadError(stderr, diags)
	}
	if len(suites) == 0 {
		// Nothing to run is not a pass: a CI job pointed at the wrong folder, or whose suites were
		// deleted, must fail.
		fmt.Fprintf(stderr, "painscreen test: no test suites (*_test.yaml files) found in %s; nothing was tested\n", safe(strings.Join(paths, ", ")))
		return exitDefinitions
	}
	topts := suite.Options{Run: re}
	if covf.enabled() {
		topts.Coverage = &suite.Coverage{}
	}
	results, err := suite.Run(context.Background(), suites, topts, sourceOptions(srcs)...)
	if err != nil {
		return reportLoadError(stderr, err)
	}
	rep := suite.Summarize(suites, results)
	rep.Coverage = topts.Coverage
	switch *format {
	case "json":
		_ = rep.WriteJSON(stdout)
	case "junit":
		_ = rep.WriteJUnit(stdout)
	default:
		_ = rep.WriteText(stdout, *verbose)
	}
	if rep.Failed > 0 {
		return exitRecords
	}
	if rep.Coverage != nil && covf.belowMin(stderr, rep.Coverage) {
		return exitRecords
	}
	return exitOK
}
