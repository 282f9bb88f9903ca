// Package rules holds the bundled composite rule sets, one folder each, with their test suites. The
// default, pain_oud, follows the project's clinical contract; its citation, licence and notes are in the
// definition (painscreen show pain_oud).
package rules

import "embed"

// FS holds every bundled rule set and test suite.
//
//go:embed */*.yaml
var FS embed.FS
