// Package textfmt writes text for a terminal: words wrapped at a width, escaped so that they cannot act on
// the terminal (safetext). The text format of screen/render and the CLI's help and listings share it.
package textfmt

import "github.com/painscreen/painscreen/internal/safetext"

// DefaultWidth is the width text wraps at when none is given.
const DefaultWidth = 80

// Buf appends text to B and tracks the column of the current line, so that words can be wrapped without
// building intermediate strings.
type Buf struct {
	B     []byte
	Col   int
	Width int // wrap before this column; 0: DefaultWidth
}

func (t *Buf) Raw(s string) {
	t.B = append(t.B, s...)
	t.Col += len(s)
}

func (t *Buf) RawBytes(s []byte) {
	t.B = append(t.B, s...)
	t.Col += len(s)
}

func (t *Buf) NL() {
	for len(t.B) > 0 && t.B[len(t.B)-1] == ' ' {
		t.B = t.B[:len(t.B)-1]
	}
	t.B = append(t.B, '\n')
	t.Col = 0
}

func (t *Buf) PadTo(col int) {
	for t.Col < col {
		t.B = append(t.B, ' ')
		t.Col++
	}
}

// lineWidth is the column to wrap before.
func (t *Buf) LineWidth() int {
	if t.Width == 0 {
		return DefaultWidth
	}
	return t.Width
}

// sep goes before a unit of n bytes that may not be split: a space, or a new line indented by indent when
// the unit would pass DefaultWidth.
func (t *Buf) Sep(n, indent int) {
	w := t.Width
	if w == 0 {
		w = DefaultWidth
	}
	if t.Col+1+n > w {
		for len(t.B) > 0 && t.B[len(t.B)-1] == ' ' {
			t.B = t.B[:len(t.B)-1]
		}
		t.B = append(t.B, '\n')
		t.Col = 0
		t.PadTo(indent)
		return
	}
	t.B = append(t.B, ' ')
	t.Col++
}

// words writes the words of s (any run of white space is one space), wrapping before DefaultWidth;
// continuation lines start at indent. The first word goes where the line is. Words are escaped (safe).
func (t *Buf) Words(s string, indent int) {
	first := true
	if len(s) > 0 && isSpace(s[0]) && t.Col > 0 {
		first = false // leading space: a separator before the first word (or a new line)
	}
	for len(s) > 0 {
		i := 0
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		s = s[i:]
		if s == "" {
			break
		}
		j := 0
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		w := s[:j]
		if safetext.NeedsEscape(w) {
			w = string(safetext.Append(nil, w))
		}
		if first {
			first = false
			if t.Col > indent && t.Col+len(w) > t.LineWidth() {
				t.Sep(len(w), indent) // does not fit where the line is: start a continuation line
			}
		} else {
			t.Sep(len(w), indent)
		}
		t.Raw(w)
		s = s[j:]
	}
}

// para writes prefix, then the words of s indented by indent, and ends the line.
func (t *Buf) Para(prefix, s string, indent int) {
	t.Raw(prefix)
	t.Words(s, indent)
	t.NL()
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
