//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "io"

// termCols is 0 where the terminal's size is not asked for: the text format then uses 80 columns.
func termCols(io.Writer) int { return 0 }
