package suite

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/internal/safetext"
)

// Summary is a test run's results grouped by suite file, with the totals: what `painscreen test` prints as
// text, JSON or JUnit XML. Its JSON is {"suites": [{"file", "target", "cases": [{"name", "line",
// "status", "failures"}], "passed", "failed", "skipped"}], "passed", "failed", "skipped", "coverage"}.
type Summary struct {
	Suites  []*SuiteSummary `json:"suites"`
	Passed  int             `json:"passed"`
	Failed  int             `json:"failed"`
	Skipped int             `json:"skipped"`
	// Coverage is the run's coverage, when it was measured (Options.Coverage); Summarize leaves it nil.
	Coverage *Coverage `json:"coverage,omitempty"`
}

// SuiteSummary is the results of one suite file.
type SuiteSummary struct {
	File    string         `json:"file"`
	Target  string         `json:"target"`
	Cases   []*CaseSummary `json:"cases"`
	Passed  int            `json:"passed"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
}

// CaseSummary is one test case's outcome: Status is "pass", "fail" or "skip".
type CaseSummary struct {
	Name     string    `json:"name"`
	Line     int       `json:"line"`
	Status   string    `json:"status"`
	Failures []Failure `json:"failures,omitempty"`
}

// Summarize groups results by suite file, in the order of suites (a file that holds no result still
// appears, with no case).
func Summarize(suites []*Suite, results []Result) *Summary {
	sum := &Summary{}
	byFile := map[string]*SuiteSummary{}
	for _, s := range suites {
		if ss := byFile[s.File()]; ss != nil {
			ss.Target = s.Target()
			continue
		}
		ss := &SuiteSummary{File: s.File(), Target: s.Target()}
		byFile[s.File()] = ss
		sum.Suites = append(sum.Suites, ss)
	}
	for _, r := range results {
		ss := byFile[r.Suite]
		if ss == nil {
			ss = &SuiteSummary{File: r.Suite}
			byFile[r.Suite] = ss
			sum.Suites = append(sum.Suites, ss)
		}
		c := &CaseSummary{Name: r.Name, Line: r.Pos.Line, Failures: slices.Clone(r.Failures)}
		switch {
		case r.Skipped:
			c.Status = "skip"
			ss.Skipped++
			sum.Skipped++
		case r.Passed():
			c.Status = "pass"
			ss.Passed++
			sum.Passed++
		default:
			c.Status = "fail"
			ss.Failed++
			sum.Failed++
		}
		ss.Cases = append(ss.Cases, c)
	}
	return sum
}

// WriteText writes the summary like go test: a "--- FAIL: target/name (file:line)" block per failing case
// with what was wanted and what came out (lists also say what is missing and what is unexpected), then an
// "ok" or "FAIL" line per suite file and a final verdict; verbose also lists the cases that pass. Every
// string from a suite or a definition is escaped for the terminal. The coverage, when set, follows
// (Coverage.WriteText).
func (s *Summary) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	safe := safetext.String
	for _, ss := range s.Suites {
		for _, c := range ss.Cases {
			switch c.Status {
			case "fail":
				fmt.Fprintf(&b, "--- FAIL: %s/%s (%s:%d)\n", safe(ss.Target), safe(c.Name), safe(ss.File), c.Line)
				for _, f := range c.Failures {
					b.WriteString(failureDiff(f))
				}
			case "pass":
				if verbose {
					fmt.Fprintf(&b, "--- PASS: %s/%s (%s:%d)\n", safe(ss.Target), safe(c.Name), safe(ss.File), c.Line)
				}
			}
		}
		ran := ss.Passed + ss.Failed
		skipped := ""
		if ss.Skipped > 0 {
			skipped = fmt.Sprintf(", %d skipped", ss.Skipped)
		}
		if ss.Failed > 0 {
			fmt.Fprintf(&b, "FAIL\t%s\t%s\t%d of %d failed%s\n", safe(ss.Target), safe(ss.File), ss.Failed, ran, skipped)
		} else {
			fmt.Fprintf(&b, "ok  \t%s\t%s\t%d passed%s\n", safe(ss.Target), safe(ss.File), ss.Passed, skipped)
		}
	}
	if s.Failed > 0 {
		fmt.Fprintf(&b, "FAIL: %d of %d cases failed\n", s.Failed, s.Passed+s.Failed)
	} else {
		fmt.Fprintf(&b, "PASS: %d cases\n", s.Passed)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if s.Coverage != nil {
		return s.Coverage.WriteText(w)
	}
	return nil
}

// failureDiff renders one failure as a want/got block; lists ([a, b]) also say what is missing and what
// is unexpected.
func failureDiff(f Failure) string {
	safe := safetext.String
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
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// WriteJSON writes the summary as indented JSON (see Summary).
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteJUnit writes the summary as JUnit XML (what CI systems show as test results): a testsuite per
// suite file, a testcase per case with its failures as one failure element, skipped cases marked.
func (s *Summary) WriteJUnit(w io.Writer) error {
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
	out := testsuites{Name: "painscreen", Tests: s.Passed + s.Failed + s.Skipped, Failures: s.Failed, Skipped: s.Skipped}
	for _, ss := range s.Suites {
		ts := testsuite{Name: ss.Target, File: ss.File, Tests: len(ss.Cases), Failures: ss.Failed, Skipped: ss.Skipped}
		for _, c := range ss.Cases {
			tc := testcase{Name: c.Name, Classname: ss.Target, File: ss.File, Line: c.Line}
			switch c.Status {
			case "fail":
				var lines []string
				for _, f := range c.Failures {
					lines = append(lines, f.String())
				}
				tc.Failure = &failure{Message: fmt.Sprintf("%d of the expectations failed", len(c.Failures)), Text: strings.Join(lines, "\n")}
			case "skip":
				tc.Skipped = &struct{}{}
			}
			ts.Cases = append(ts.Cases, tc)
		}
		out.Suites = append(out.Suites, ts)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteText writes each definition's coverage — its percentage, elements reached of all, and every
// element no passing case reaches — and the total, as `painscreen test --coverage` prints it.
func (c *Coverage) WriteText(w io.Writer) error {
	var b strings.Builder
	width := 0
	for _, d := range c.Definitions {
		width = max(width, len(d.Definition))
	}
	b.WriteString("coverage:\n")
	for i := range c.Definitions {
		d := &c.Definitions[i]
		fmt.Fprintf(&b, "  %-*s  %5s%%  (%d of %d)\n", width, safetext.String(d.Definition), PercentText(d.Covered(), d.Total()), d.Covered(), d.Total())
		for _, e := range d.Uncovered() {
			fmt.Fprintf(&b, "      not reached: %s\n", safetext.String(e.String()))
		}
	}
	fmt.Fprintf(&b, "coverage: %s%% of %d elements\n", PercentText(c.Covered(), c.Total()), c.Total())
	_, err := io.WriteString(w, b.String())
	return err
}

// PercentText is covered of total as a percentage with one decimal, rounded half away from zero (18 of
// 27 is "66.7"), computed in integers so that no float error moves a half; but never "100.0" unless every
// element is covered, nor "0.0" unless none is (99.96 % is "99.9"). A total of 0 is "100.0".
func PercentText(covered, total int) string {
	if total <= 0 {
		return "100.0"
	}
	tenths := (2000*covered + total) / (2 * total)
	switch {
	case covered < total && tenths >= 1000:
		tenths = 999
	case covered > 0 && tenths == 0:
		tenths = 1
	}
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}
