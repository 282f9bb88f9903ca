// Package screentest runs painscreen definition test suites (*_test.yaml) under `go test`, so instrument
// and rule-set authors get one Go subtest per case, failing with the file:line of the case.
//
//	func TestDefinitions(t *testing.T) {
//		screentest.Run(t, os.DirFS("."), "", bundled.Definitions())
//	}
package screentest

import (
	"context"
	"io/fs"
	"testing"

	"github.com/painscreen/painscreen/screen/suite"

	"github.com/painscreen/painscreen/screen"
)

// Run loads every test suite under fsys and runs each case as a subtest named after the suite target and
// the case. The engine is built from the definitions under fsys plus opts (for example bundled.Definitions()
// when a rule set reads bundled instruments). It fails the test when suites or definitions do not load.
func Run(t testing.TB, fsys fs.FS, label string, opts ...screen.Option) {
	t.Helper()
	suites, err := suite.Load(fsys, label)
	if err != nil {
		t.Fatalf("loading test suites:\n%v", err)
		return
	}
	if len(suites) == 0 {
		t.Fatalf("no test suites (*_test.yaml) found")
		return
	}
	all := append([]screen.Option{screen.WithDefinitions(fsys, label)}, opts...)
	results, err := suite.Run(context.Background(), suites, suite.Options{}, all...)
	if err != nil {
		t.Fatalf("building the engine:\n%v", err)
		return
	}
	runner, canRun := t.(*testing.T)
	for _, r := range results {
		report := func(t testing.TB) {
			t.Helper()
			for _, f := range r.Failures {
				t.Errorf("%s: %s", r.Pos, f)
			}
		}
		if canRun {
			r := r
			runner.Run(r.Suite+"/"+r.Name, func(t *testing.T) { report(t) })
		} else {
			report(t)
		}
	}
}
