package def

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestLocator(t *testing.T) {
	for _, tc := range []struct {
		name      string
		src       string
		off       int
		line, col int
	}{
		{"plain", "expr: answers.a + answers.c\n", 20, 1, 27},
		{"double quoted", "expr: \"answers.a + answers.c\"\n", 20, 1, 28},
		{"single quoted", "expr: 'answers.a + answers.c'\n", 20, 1, 28},
		{"indented quoted", "x:\n  expr: \"answers.a + answers.c\"\n", 20, 2, 30},
		{"literal block", "expr: |\n  answers.a\n    + answers.c\n", 14, 3, 7},
		{"literal block start", "expr: |\n  answers.a\n    + answers.c\n", 0, 2, 3},
		{"folded plain", "expr: answers.a +\n  answers.c\n", 12, 2, 3},
		{"folded block", "expr: >-\n  answers.a +\n  answers.c\n", 12, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tc.src), &doc))
			root := doc.Content[0]
			n := root.Content[len(root.Content)-1]
			if n.Kind == yaml.MappingNode {
				n = n.Content[1]
			}
			lines := splitLines(tc.src)
			p := locator(lines, "f", n)(tc.off)
			assert.Equal(t, tc.line, p.Line, "line")
			assert.Equal(t, tc.col, p.Col, "col")
		})
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Escapes and folding in quoted scalars: each offset of the value maps to the source character it came
// from, and never past the end of the file.
func TestLocatorQuoted(t *testing.T) {
	for _, tc := range []struct {
		name      string
		src       string
		off       int
		line, col int
	}{
		{"hex escapes", `expr: "\x61nswers.a + \u0062"` + "\n", 12, 1, 23},
		{"escape itself", `expr: "\x61nswers.a + \u0062"` + "\n", 0, 1, 8},
		{"escaped quote", `expr: "a + \"b\" + c"` + "\n", 10, 1, 20},
		{"non-ASCII escape", `expr: "\u00e9 + x"` + "\n", 5, 1, 17},
		{"folded double", "expr: \"a +\n  b\"\n", 4, 2, 3},
		{"escaped break", "expr: \"a +\\\n  b\"\n", 3, 2, 3},
		{"blank line", "expr: \"a\n\n  b\"\n", 2, 3, 3},
		{"single quoted quote", "expr: 'a + ''b'' + c'\n", 10, 1, 20},
		{"closing quote", `expr: "\x61"` + "\n", 1, 1, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal([]byte(tc.src), &doc))
			n := doc.Content[0].Content[1]
			lines := splitLines(tc.src)
			_, ok := quotedPositions(lines, n.Line, n.Column+1, n.Style == yaml.DoubleQuotedStyle, n.Value)
			require.True(t, ok, "decoding %q", n.Value)
			p := locator(lines, "f", n)(tc.off)
			assert.Equal(t, tc.line, p.Line, "line")
			assert.Equal(t, tc.col, p.Col, "col")
		})
	}
}
