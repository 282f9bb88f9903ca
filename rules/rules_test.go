package rules_test

import (
	"testing"

	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screentest"
)

// TestSuites runs every rule-set test suite (*_test.yaml) under rules/ against the bundled instruments.
func TestSuites(t *testing.T) {
	screentest.Run(t, rules.FS, "rules", screen.WithBundled())
}
