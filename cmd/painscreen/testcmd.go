package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
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
referral) fails its case with "no score \"totl\" in phq4@1.0.0; did you mean \"total\"?"; validate
reports the same at the suite's file:line:col.

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
	target := map[string]string{}
	var order []string
	for _, s := range suites {
		if _, dup := target[s.File()]; !dup {
			order = append(order, s.File())
		}
		target[s.File()] = s.Target()
	}
	rep := summarizeTests(order, target, results)
	rep.Coverage = topts.Coverage
	switch *format {
	case "json":
		writeTestJSON(stdout, rep)
	case "junit":
		writeTestJUnit(stdout, rep)
	default:
		writeTestText(stdout, rep, *verbose)
		if rep.Coverage != nil {
			writeCoverageText(stdout, rep.Coverage)
		}
	}
	if rep.Failed > 0 {
		return exitRecords
	}
	if rep.Coverage != nil && covf.belowMin(stderr, rep.Coverage) {
		return exitRecords
	}
	return exitOK
}

// testReport groups results by suite file.
type testReport struct {
	Suites  []*suiteReport `json:"suites"`
	Passed  int            `json:"passed"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
	// Coverage is set with --coverage.
	Coverage *suite.Coverage `json:"coverage,omitempty"`
}

type suiteReport struct {
	File    string        `json:"file"`
	Target  string        `json:"target"`
	Cases   []*caseReport `json:"cases"`
	Passed  int           `json:"passed"`
	Failed  int           `json:"failed"`
	Skipped int           `json:"skipped"`
}

type caseReport struct {
	Name     string          `json:"name"`
	Line     int             `json:"line"`
	Status   string          `json:"status"` // pass, fail, skip
	Failures []failureReport `json:"failures,omitempty"`
}

// failureReport is one unmet expectation in the JSON output.
type failureReport struct {
	What   string `json:"what"`
	Want   string `json:"want,omitempty"`
	Got    string `json:"got,omitempty"`
	Detail string `json:"detail,omitempty"`
	f      suite.Failure
}

func summarizeTests(order []string, target map[string]string, results []suite.Result) *testReport {
	rep := &testReport{}
	byFile := map[string]*suiteReport{}
	for _, f := range order {
		s := &suiteReport{File: f, Target: target[f]}
		byFile[f] = s
		rep.Suites = append(rep.Suites, s)
	}
	for _, r := range results {
		s := byFile[r.Suite]
		if s == nil {
			s = &suiteReport{File: r.Suite}
			byFile[r.Suite] = s
			rep.Suites = append(rep.Suites, s)
		}
		c := &caseReport{Name: r.Name, Line: r.Pos.Line}
		for _, f := range r.Failures {
			c.Failures = append(c.Failures, failureReport{What: f.What, Want: f.Want, Got: f.Got, Detail: f.Detail, f: f})
		}
		switch {
		case r.Skipped:
			c.Status = "skip"
			s.Skipped++
			rep.Skipped++
		case r.Passed():
			c.Status = "pass"
			s.Passed++
			rep.Passed++
		default:
			c.Status = "fail"
			s.Failed++
			rep.Failed++
		}
		s.Cases = append(s.Cases, c)
	}
	return rep
}

func writeTestText(w io.Writer, rep *testReport, verbose bool) {
	var b strings.Builder
	for _, s := range rep.Suites {
		for _, c := range s.Cases {
			switch c.Status {
			case "fail":
				fmt.Fprintf(&b, "--- FAIL: %s/%s (%s:%d)\n", safe(s.Target), safe(c.Name), safe(s.File), c.Line)
				for _, f := range c.Failures {
					b.WriteString(failureDiff(f.f))
				}
			case "pass":
				if verbose {
					fmt.Fprintf(&b, "--- PASS: %s/%s (%s:%d)\n", safe(s.Target), safe(c.Name), safe(s.File), c.Line)
				}
			}
		}
		ran := s.Passed + s.Failed
		skipped := ""
		if s.Skipped > 0 {
			skipped = fmt.Sprintf(", %d skipped", s.Skipped)
		}
		if s.Failed > 0 {
			fmt.Fprintf(&b, "FAIL\t%s\t%s\t%d of %d failed%s\n", safe(s.Target), safe(s.File), s.Failed, ran, skipped)
		} else {
			fmt.Fprintf(&b, "ok  \t%s\t%s\t%d passed%s\n", safe(s.Target), safe(s.File), s.Passed, skipped)
		}
	}
	if rep.Failed > 0 {
		fmt.Fprintf(&b, "FAIL: %d of %d cases failed\n", rep.Failed, rep.Passed+rep.Failed)
	} else {
		fmt.Fprintf(&b, "PASS: %d cases\n", rep.Passed)
	}
	_, _ = io.WriteString(w, b.String())
}

// failureDiff renders one failure as a want/got block; lists ([a, b]) also say what is missing and what
// is unexpected.
func failureDiff(f suite.Failure) string {
	if f.Want == "" && f.Got == "" {
		return "    " + safe(f.String()) + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "    %s:\n        want: %s\n        got:  %s\n", safe(f.What), safe(f.Want), safe(f.Got))
	if f.Detail != "" {
		fmt.Fprintf(&b, "        (%s)\n", safe(f.Detail))
	}
	wl, okw := listItems(f.Want)
	gl, okg := listItems(f.Got)
	if okw && okg {
		if miss := minus(wl, gl); len(miss) > 0 {
			fmt.Fprintf(&b, "        missing:    %s\n", safe(strings.Join(miss, ", ")))
		}
		if extra := minus(gl, wl); len(extra) > 0 {
			fmt.Fprintf(&b, "        unexpected: %s\n", safe(strings.Join(extra, ", ")))
		}
	}
	return b.String()
}

func listItems(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return nil, false
	}
	s = strings.TrimSpace(s[1 : len(s)-1])
	if s == "" {
		return nil, true
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, true
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

func writeTestJSON(w io.Writer, rep *testReport) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

func writeTestJUnit(w io.Writer, rep *testReport) {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string    `xml:"name,attr"`
		Classname string    `xml:"classname,attr"`
		File      string    `xml:"file,attr"`
		Line      int       `xml:"line,attr"`
		Failure   *failure  `xml:"failure,omitempty"`
		Skipped   *struct{} `xml:"skipped,omitempty"`
	}
	type testsuite struct {
		Name     string     `xml:"name,attr"`
		File     string     `xml:"file,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	out := testsuites{Name: "painscreen", Tests: rep.Passed + rep.Failed + rep.Skipped, Failures: rep.Failed, Skipped: rep.Skipped}
	for _, s := range rep.Suites {
		ts := testsuite{Name: s.Target, File: s.File, Tests: len(s.Cases), Failures: s.Failed, Skipped: s.Skipped}
		for _, c := range s.Cases {
			tc := testcase{Name: c.Name, Classname: s.Target, File: s.File, Line: c.Line}
			switch c.Status {
			case "fail":
				var lines []string
				for _, f := range c.Failures {
					lines = append(lines, f.f.String())
				}
				tc.Failure = &failure{Message: fmt.Sprintf("%d of the expectations failed", len(c.Failures)), Text: strings.Join(lines, "\n")}
			case "skip":
				tc.Skipped = &struct{}{}
			}
			ts.Cases = append(ts.Cases, tc)
		}
		out.Suites = append(out.Suites, ts)
	}
	_, _ = io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	_ = enc.Encode(out)
	_, _ = io.WriteString(w, "\n")
}
