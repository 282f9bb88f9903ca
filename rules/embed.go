// Package rules holds the bundled composite rule sets, one folder each, with their test suites. The
// default, pain_oud, follows the project's clinical contract; its citation, licence and notes are in the
// definition (painscreen show pain_oud). Three versions of pain_oud are bundled: 1.2.0 (the newest, applied
// by default), and 1.1.0 and 1.0.0 for deployments pinned to them (screen.WithRuleSet("pain_oud@1.1.0"),
// painscreen --rules pain_oud@1.1.0); docs/pain_oud.md says what changed between them.
package rules

import "embed"

// FS holds every bundled rule set and test suite.
//
//go:embed */*.yaml
var FS embed.FS
