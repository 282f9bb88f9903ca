package screen

import (
	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
)

// WithBundled loads the bundled instrument catalogue (package instruments) and the pain_oud composite rule
// set (package rules). Combine it with WithDefinitions to add definitions of your own.
func WithBundled() Option {
	return func(c *config) error {
		c.fss = append(c.fss, fsRoot{fsys: instruments.FS, label: "instruments"}, fsRoot{fsys: rules.FS, label: "rules"})
		return nil
	}
}
