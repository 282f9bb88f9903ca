// Package instruments holds the bundled instrument definitions: one folder per instrument, each with its
// definition (<id>.v<major>.yaml) and test suite (<id>.v<major>_test.yaml). The clinical facts behind them,
// with sources, are cited in each definition.
package instruments

import "embed"

// FS holds every bundled instrument definition and test suite.
//
//go:embed */*.yaml
var FS embed.FS
