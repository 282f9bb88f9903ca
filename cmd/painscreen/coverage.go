package main

import (
	"fmt"
	"io"
	"math"
	"strconv"

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

// belowMin reports whether coverage is under the --min-coverage threshold, and says so on stderr.
func (c *coverageFlags) belowMin(stderr io.Writer, cov *suite.Coverage) bool {
	if c.min == nil || cov.Percent() >= *c.min {
		return false
	}
	fmt.Fprintf(stderr, "painscreen test: coverage %s%% (%d of %d elements) is below --min-coverage %g\n", suite.PercentText(cov.Covered(), cov.Total()), cov.Covered(), cov.Total(), *c.min)
	return true
}
