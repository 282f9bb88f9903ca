package instruments_test

import (
	"testing"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/screentest"
)

// TestSuites runs every bundled test suite (*_test.yaml) against the bundled definitions.
func TestSuites(t *testing.T) {
	screentest.Run(t, instruments.FS, "instruments")
}
