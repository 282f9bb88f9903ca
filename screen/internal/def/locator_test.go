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
