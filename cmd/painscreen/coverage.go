package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen/suite"
)

// coverageFlags are test's clinical-coverage flags.
type coverageFlags struct {
	on  *bool
	min *float64 // nil without --min-coverage
}

func addCoverageFlags(f *cmdFlags) *coverageFlags {
	c := &coverageFlags{on: f.Bool("coverage", false, "report clinical coverage: per definition, the bands, cut-points, lookup rows, flags, missing-data rules,\nskip logic, determinacy outcomes, domain values, tiers and referrals no passing case reaches")}
	f.Func("min-coverage", "exit 1 when the total coverage is below `PERCENT` (0-100; implies --coverage)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 || v > 100 || math.IsNaN(v) {
			return fmt.Errorf("want a percentage from 0 to 100")
		}
		c.min = &v
		return nil
	})
	return c
}

// enabled reports whether coverage is asked for.
func (c *coverageFlags) enabled() bool { return *c.on || c.min != nil }

// writeCoverageText prints each definition's coverage, the elements no case reaches, and the total.
func writeCoverageText(w io.Writer, cov *suite.Coverage) {
	var b strings.Builder
	width := 0
	for _, d := range cov.Definitions {
		width = max(width, len(d.Definition))
	}
	b.WriteString("coverage:\n")
	for i := range cov.Definitions {
		d := &cov.Definitions[i]
		fmt.Fprintf(&b, "  %-*s  %5s%%  (%d of %d)\n", width, safe(d.Definition), percent1(d.Covered(), d.Total()), d.Covered(), d.Total())
		for _, e := range d.Uncovered() {
			fmt.Fprintf(&b, "      not reached: %s\n", safe(e.String()))
		}
	}
	fmt.Fprintf(&b, "coverage: %s%% of %d elements\n", percent1(cov.Covered(), cov.Total()), cov.Total())
	_, _ = io.WriteString(w, b.String())
}

// percent1 is covered/total as a percentage with one decimal, rounded half away from zero (18 of 27 is
// 66.7), computed in integers so that no float error moves a half; but never 100.0 unless every element
// is covered, nor 0.0 unless none is (99.96 shows as 99.9). A total of 0 is 100.0.
func percent1(covered, total int) string {
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

// belowMin reports whether coverage is under the --min-coverage threshold, and says so on stderr.
func (c *coverageFlags) belowMin(stderr io.Writer, cov *suite.Coverage) bool {
	if c.min == nil || cov.Percent() >= *c.min {
		return false
	}
	fmt.Fprintf(stderr, "painscreen test: coverage %s%% (%d of %d elements) is below --min-coverage %g\n", percent1(cov.Covered(), cov.Total()), cov.Covered(), cov.Total(), *c.min)
	return true
}
