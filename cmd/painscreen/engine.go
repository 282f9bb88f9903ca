package main

import (
	"os"
	"runtime/debug"

	"github.com/painscreen/painscreen/screen"
)

// newEngine is screen.New for a command's start-up. Building the engine allocates some 8 MB, nearly all
// of it garbage by the end; at the collector's default target it collects two or three times on the way,
// about a tenth of a one-record `score` (scripts/coldstart, docs/performance.md). A looser target while
// building avoids that; the command's own target applies again afterwards. GOGC in the environment wins.
func newEngine(opts ...screen.Option) (*screen.Engine, error) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	return screen.New(opts...)
}
