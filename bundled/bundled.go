// Package bundled is painscreen's bundled content: the instrument catalogue (package instruments) and the
// pain_oud composite rule set (package rules), as one file system. Callers add it to an engine with
// Definitions; the screen package itself never imports it, so an engine holds only what its caller loads.
//
//	eng, err := screen.New(bundled.Definitions())
package bundled

import (
	"io/fs"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

// FS holds the bundled definitions and their test suites: the catalogue under instruments/ and the rule
// set under rules/, so diagnostics name files as instruments/phq9/phq9.v1.yaml.
var FS fs.FS = mount{"instruments": instruments.FS, "rules": rules.FS}

// Definitions loads the bundled catalogue and rule set. Combine it with screen.WithDefinitions to add
// definitions of your own.
func Definitions() screen.Option { return screen.WithDefinitions(FS, "") }
