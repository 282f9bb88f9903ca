package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// outFlags are score's output flags beside --format.
type outFlags struct {
	width int
}

func (fl *outFlags) register(f *cmdFlags) {
	f.IntVar(&fl.width, "width", 0, "text: wrap at `N` columns (default: the terminal's width, 80 when stdout is\nnot a terminal)")
}

// minWidth is the narrowest text layout.
const minWidth = 40

// width returns the text format's width: --width, else the terminal's width when stdout is one (and no
// --output is given), else defaultWidth; never below minWidth.
func (fl *outFlags) textWidth(format render.Format, stdout io.Writer, output string) (int, error) {
	switch {
	case fl.width < 0 || fl.width > 0 && fl.width < minWidth:
		return 0, fmt.Errorf("--width must be at least %d", minWidth)
	case fl.width > 0 && format != render.Text:
		return 0, fmt.Errorf("--width applies to --format text only")
	case fl.width > 0:
		return fl.width, nil
	case output == "":
		if w := terminalWidth(stdout); w > 0 {
			return max(w, minWidth), nil
		}
	}
	return defaultWidth, nil
}

// defaultWidth is the text width when stdout is not a terminal.
const defaultWidth = 80

// terminalWidth returns the width of the terminal w is, or 0.
func terminalWidth(w io.Writer) int {
	if cw, ok := w.(*checkedWriter); ok {
		w = cw.w
	}
	return termCols(w)
}

// writeCodes adds "painscreen: errors by code: invalid_value 3, csv_columns 1" (most frequent first).
func writeCodes(b *strings.Builder, c map[string]int) {
	if len(c) == 0 {
		return
	}
	codes := make([]string, 0, len(c))
	for code := range c {
		codes = append(codes, code)
	}
	sort.Slice(codes, func(i, j int) bool {
		if c[codes[i]] != c[codes[j]] {
			return c[codes[i]] > c[codes[j]]
		}
		return codes[i] < codes[j]
	})
	b.WriteString("painscreen: errors by code:")
	for i, code := range codes {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, " %s %d", safe(code), c[code])
	}
	b.WriteByte('\n')
}

// listsProblems reports whether appendMessage lists the message's problems one per line: each then says
// where it is, and the record's own position (that of the first problem) is not repeated after the last.
func listsProblems(f *screen.RecordError) bool {
	return f.Code == respfile.CodeCSVHeader && strings.Contains(f.Message, " problems: ")
}

// appendMessage writes an error record's message for stderr. A CSV header with several problems lists
// them one per line, indented, so that each can be read (and fixed) at a glance.
func appendMessage(b []byte, f *screen.RecordError) []byte {
	const sep = " problems: "
	i := strings.Index(f.Message, sep)
	if f.Code != respfile.CodeCSVHeader || i < 0 {
		return appendSafe(b, f.Message)
	}
	b = appendSafe(b, f.Message[:i+len(sep)-1])
	for _, p := range strings.Split(f.Message[i+len(sep):], "; ") {
		b = append(b, "\n    "...)
		b = appendSafe(b, p)
	}
	return b
}
