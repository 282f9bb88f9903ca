// Package rules holds the bundled composite rule sets, one folder each, with their test suites. The
// default, pain_oud, is specified in the project's clinical contract (composite.md §2).
package rules

import "embed"

// FS holds every bundled rule set and test suite.
//
//go:embed */*.yaml
var FS embed.FS
