package suite_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/suite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCoverage runs the suites under dir against its definitions and returns the coverage.
func runCoverage(t *testing.T, opt screen.Option, fsys func() ([]*suite.Suite, error)) (*suite.Coverage, []suite.Result) {
	t.Helper()
	suites, err := fsys()
	require.NoError(t, err)
	var cov suite.Coverage
	results, err := suite.Run(context.Background(), suites, suite.Options{Coverage: &cov}, opt)
	require.NoError(t, err)
	return &cov, results
}

// TestCoverageElements pins the elements derived from a small instrument and rule set with one of each
// kind, and which of them the suites reach (a failing case reaches nothing).
func TestCoverageElements(t *testing.T) {
	dir := filepath.Join("testdata", "coverage")
	cov, results := runCoverage(t, screen.WithDefinitions(os.DirFS(dir), "coverage"), func() ([]*suite.Suite, error) {
		return suite.Load(os.DirFS(dir), "coverage")
	})
	failed := 0
	for _, r := range results {
		if !r.Passed() {
			failed++
		}
	}
	require.Equal(t, 1, failed, "the fixture has exactly one failing case")

	var b strings.Builder
	for _, d := range cov.Definitions {
		fmt.Fprintf(&b, "%s (%s, %s): %d of %d, %.1f%%\n", d.Definition, d.Kind, d.File, d.Covered(), d.Total(), d.Percent())
		for _, e := range d.Elements {
			mark := " "
			if e.Covered {
				mark = "x"
			}
			fmt.Fprintf(&b, "  [%s] %s\n", mark, e)
		}
	}
	fmt.Fprintf(&b, "total: %d of %d, %.1f%%\n", cov.Covered(), cov.Total(), cov.Percent())
	golden := filepath.Join(dir, "want.txt")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())

	mini := cov.Definition("mini@1.0.0")
	require.NotNil(t, mini)
	for _, e := range mini.Elements {
		if e.Covered {
			assert.NotContains(t, e.By, "failing case", "%s: a failing case reaches nothing", e)
			assert.NotEmpty(t, e.By, "%s names the case that reached it", e)
		} else {
			assert.Empty(t, e.By)
		}
	}
	assert.Nil(t, cov.Definition("nope@1.0.0"))
}

// TestBundledCoverage keeps the bundled catalogue at 100 % clinical coverage: every band and each side of
// every cut-point, lookup row, flag, missing-data rule, skip-logic branch, determinacy outcome, domain
// value, tier and referral of every bundled definition is reached by a passing case of its suite. When this
// fails, add the case the message names to the definition's *_test.yaml, with the values computed from the
// instrument's published scoring rules.
func TestBundledCoverage(t *testing.T) {
	cov, results := runCoverage(t, bundled.Definitions(), func() ([]*suite.Suite, error) {
		return suite.Load(bundled.FS, "")
	})
	for _, r := range results {
		require.True(t, r.Passed(), "%s: %s: %v", r.Suite, r.Name, r.Failures)
	}
	require.NotEmpty(t, cov.Definitions)
	for i := range cov.Definitions {
		d := &cov.Definitions[i]
		assert.Positive(t, d.Total(), "%s has coverage elements", d.Definition)
		for _, e := range d.Uncovered() {
			t.Errorf("%s (%s): no passing case reaches %s", d.Definition, d.File, e)
		}
	}
	assert.Equal(t, 100.0, cov.Percent())
}
