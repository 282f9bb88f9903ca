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
		fmt.Fprintf(&b, "  %-*s  %5.1f%%  (%d of %d)\n", width, safe(d.Definition), floor1(d.Percent()), d.Covered(), d.Total())
		for _, e := range d.Uncovered() {
			fmt.Fprintf(&b, "      not reached: %s\n", safe(e.String()))
		}
	}
	fmt.Fprintf(&b, "coverage: %.1f%% of %d elements\n", floor1(cov.Percent()), cov.Total())
	_, _ = io.WriteString(w, b.String())
}

// floor1 rounds a percentage down to one decimal, so 99.96 % never shows as 100.0 %.
func floor1(p float64) float64 { return float64(int(p*10)) / 10 }

// belowMin reports whether coverage is under the --min-coverage threshold, and says so on stderr.
func (c *coverageFlags) belowMin(stderr io.Writer, cov *suite.Coverage) bool {
	if c.min == nil || cov.Percent() >= *c.min {
		return false
	}
	fmt.Fprintf(stderr, "painscreen test: coverage %.1f%% is below --min-coverage %g\n", floor1(cov.Percent()), *c.min)
	return true
}
