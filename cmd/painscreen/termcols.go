package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// termCols returns the number of columns of the terminal w is, or 0 when w is not a terminal (or its
// size cannot be read).
func termCols(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil || cols <= 0 {
		return 0
	}
	return cols
}

// registerWidth adds --width to a text command (list, show) and returns how to resolve it: the flag,
// else the terminal's width when stdout is one, else defaultWidth; never below minWidth.
func registerWidth(f *cmdFlags) func(stdout io.Writer) (int, error) {
	var width int
	f.IntVar(&width, "width", 0, "wrap text at `N` columns (default: the terminal's width, 80 when stdout is not a\nterminal)")
	return func(stdout io.Writer) (int, error) {
		switch {
		case width < 0 || width > 0 && width < minWidth:
			return 0, fmt.Errorf("--width must be at least %d", minWidth)
		case width > 0:
			return width, nil
		}
		if w := terminalWidth(stdout); w > 0 {
			return max(w, minWidth), nil
		}
		return defaultWidth, nil
	}
}

// appendWrappedWidth writes the words of s starting at column col of the current line, wrapping
// before width (0: textWidth) with continuation lines indented by indent, and ends the line.
func appendWrappedWidth(b []byte, s string, col, indent, width int) []byte {
	t := textBuf{b: b, col: col, width: width}
	t.words(s, indent)
	t.nl()
	return t.b
}

// appendTable writes rows as columns separated by two spaces; the last column is wrapped within width
// (its continuation lines start under it), or, when the other columns leave it fewer than 20 columns,
// continued on lines of its own indented by 4. Cells are already escaped (safe).
func appendTable(b []byte, rows [][]string, width int) []byte {
	if len(rows) == 0 {
		return b
	}
	n := len(rows[0])
	colw := make([]int, n)
	for _, r := range rows {
		for i := 0; i < n-1 && i < len(r); i++ {
			colw[i] = max(colw[i], len(r[i]))
		}
	}
	last := 0
	for i := 0; i < n-1; i++ {
		last += colw[i] + 2
	}
	indent := last
	if width-last < 20 {
		indent = 4
	}
	for _, r := range rows {
		t := textBuf{b: b, width: width}
		for i := 0; i < n-1 && i < len(r); i++ {
			t.raw(r[i])
			t.padTo(t.col + colw[i] - len(r[i]) + 2)
		}
		if n-1 < len(r) {
			if indent != last {
				t.nl()
				t.padTo(indent)
			}
			t.words(r[n-1], indent)
		}
		t.nl()
		b = t.b
	}
	return b
}

// appendWrapped writes s, which starts with its own indentation, wrapped at textWidth; continuation lines
// are indented by indent spaces. (For show, whose texts are not on the hot path.)
func appendWrapped(b []byte, s string, indent int) []byte {
	lead := len(s) - len(strings.TrimLeft(s, " "))
	return appendWrappedAt(append(b, s[:lead]...), s[lead:], lead, indent)
}

// appendWrappedAt writes the words of s starting at column col of the current line and ends the line.
func appendWrappedAt(b []byte, s string, col, indent int) []byte {
	t := textBuf{b: b, col: col}
	t.words(s, indent)
	t.nl()
	return t.b
}
