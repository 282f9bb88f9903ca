package textfmt

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		name          string
		width, indent int
		in            string
	}{
		{"default width", 0, 4, strings.Repeat("word ", 40)},
		{"narrow", 40, 2, strings.Repeat("a longer sentence with words ", 10)},
		{"runs of white space", 50, 0, "one \t\n two   three\r\nfour " + strings.Repeat("x ", 40)},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := Buf{Width: c.width}
			b.Words(c.in, c.indent)
			b.NL()
			w := c.width
			if w == 0 {
				w = DefaultWidth
			}
			lines := strings.Split(strings.TrimSuffix(string(b.B), "\n"), "\n")
			require.Greater(t, len(lines), 1)
			for i, l := range lines {
				assert.LessOrEqual(t, len(l), w, "line %d: %q", i, l)
				assert.False(t, strings.HasSuffix(l, " "), "line %d ends with a space", i)
				if i > 0 {
					assert.Equal(t, strings.Repeat(" ", c.indent), l[:c.indent], "line %d is indented", i)
				}
			}
			assert.Equal(t, strings.Fields(c.in), strings.Fields(string(b.B)), "every word once, in order")
		})
	}
}

// A word that cannot act on the terminal is written as it is; one that could is escaped.
func TestWordsEscape(t *testing.T) {
	var b Buf
	b.Words("plain \x1b[2Jclear", 0)
	assert.Equal(t, `plain \x1b[2Jclear`, string(b.B))
	assert.Equal(t, len(b.B), b.Col)
}

func TestPadToAndPara(t *testing.T) {
	var b Buf
	b.Raw("ab")
	b.PadTo(5)
	b.Para("x: ", "y", 3)
	assert.Equal(t, "ab   x: y\n", string(b.B))
	assert.Equal(t, 0, b.Col)
}
