package diag

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A snippet shows one line, and of a long line only the part around the column, with the caret under it.
func TestSnippet(t *testing.T) {
	long := strings.Repeat("a", 300) + "X" + strings.Repeat("b", 300)
	for _, tc := range []struct {
		name, line string
		col        int
		want       string
	}{
		{"short", "expr: a +", 9, "    expr: a +\n            ^\n"},
		{"tabs kept", "\tx: y", 5, "    \tx: y\n    \t   ^\n"},
		{"long, middle", long, 301, "    ..." + strings.Repeat("a", 80) + "X" + strings.Repeat("b", 79) + "...\n    " + strings.Repeat(" ", 83) + "^\n"},
		{"long, start", long, 1, "    " + strings.Repeat("a", 160) + "...\n    ^\n"},
		{"long, end", long, 601, "    ..." + strings.Repeat("b", 160) + "\n    " + strings.Repeat(" ", 162) + "^\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Snippet(tc.line, tc.col)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, 2, strings.Count(got, "\n"))
		})
	}
}

// A character of several bytes before the column takes one column: the caret stays under its character.
func TestSnippetMultibyte(t *testing.T) {
	assert.Equal(t, "    label: Très élevé, x: 1\n                       ^\n", Snippet("label: Très élevé, x: 1", len("label: Très élevé, ")+1))
}
