package def

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/screen/diag"
)

// TestYAMLErrorPositions pins where YAML syntax errors are reported: at the offending token, not at the
// line yaml.v3 names (the start of the enclosing block, 0-based). "was" is what yaml.v3's message said.
func TestYAMLErrorPositions(t *testing.T) {
	head := strings.Join([]string{
		"id: mini", "version: 1.0.0", "title: Mini", "domain: test", "status: active", "recall: today",
		"citation: c", "license: l", "item_text: paraphrased", "options:",
		"  yn: [{value: 0, label: No}, {value: 1, label: Yes}]", "items:", // lines 1-12
	}, "\n") + "\n"
	cases := []struct {
		name, body string
		was        int // the line yaml.v3 reports
		line, col  int
		msg        string
	}{
		{"under-indented key in a list item", "  - id: a\n    text: A\n  - id: b\n    text: B\n   options: yn\n",
			12, 17, 4, "did not find expected '-' indicator (check the indentation"},
		{"key back at the list's indentation", "  - id: a\n    text: A\n  options: yn\n",
			12, 15, 3, "did not find expected '-' indicator"},
		{"over-indented key", "  - id: a\n    text: A\n      options: yn\n",
			15, 15, 14, "mapping values are not allowed in this context"},
		{"unquoted colon in a value", "  - id: a\n    text: A: B\n",
			14, 14, 12, "mapping values are not allowed in this context (a second"},
		{"tab indentation", "  - id: a\n\ttext: A\n",
			13, 14, 1, "found a tab character that violates indentation (indent with spaces"},
		{"unclosed flow mapping", "  - {id: a, text: A, options: yn\n  - id: b\n",
			12, 13, 5, "did not find expected ',' or '}' in the flow mapping"},
		{"unclosed flow list", "  - id: a\n    text: [A, B\n    options: yn\n",
			13, 14, 11, "did not find expected ',' or ']' in the flow list"},
		{"unclosed quote", "  - id: a\n    text: \"A\n    options: yn\n",
			14, 14, 11, "found unexpected end of stream (this quote is never closed)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := head + c.body
			var doc yaml.Node
			err := yaml.Unmarshal([]byte(src), &doc)
			require.Error(t, err)
			was, _ := splitYAMLError(err.Error())
			require.Equal(t, c.was, was, "yaml.v3 itself reports line %d: %v", was, err)
			var list diag.List
			Parse("x.v1.yaml", []byte(src), DefaultLimits(), &list)
			require.Len(t, list, 1, list.Error())
			d := list[0]
			require.Equal(t, "yaml", d.Code)
			require.Equal(t, c.line, d.Pos.Line, "line (yaml.v3 said %d): %v", c.was, d)
			require.Equal(t, c.col, d.Pos.Col, "column: %v", d)
			require.Contains(t, d.Message, c.msg)
			require.Equal(t, strings.Split(src, "\n")[c.line-1], d.Source, "a definition's line is quoted")
		})
	}
}

// TestYAMLErrorNotQuoted: a file that does not read as a definition (no items:, inputs: or tests: key)
// gets a position but its lines are never quoted.
func TestYAMLErrorNotQuoted(t *testing.T) {
	var list diag.List
	Parse("x.v1.yaml", []byte("root:x:0:0:root:/root:/bin/bash\nuser: [a\n"), DefaultLimits(), &list)
	require.Len(t, list, 1)
	require.Equal(t, "yaml", list[0].Code)
	require.Equal(t, 2, list[0].Pos.Line)
	require.Empty(t, list[0].Source)
}

// BenchmarkYAMLErrorPosition measures the cost of locating a syntax error in a bundled-size file (the
// error path only: a file that parses never pays it).
func BenchmarkYAMLErrorPosition(b *testing.B) {
	src, err := os.ReadFile("../../../instruments/phq9/phq9.v1.yaml")
	require.NoError(b, err)
	broken := strings.Replace(string(src), "    options: frequency\n", "   options: frequency\n", 1)
	b.Run("yaml.v3 decode", func(b *testing.B) {
		for b.Loop() {
			var doc yaml.Node
			_ = yaml.Unmarshal([]byte(broken), &doc)
		}
	})
	b.Run("Parse with position", func(b *testing.B) {
		for b.Loop() {
			var list diag.List
			Parse("x.v1.yaml", []byte(broken), DefaultLimits(), &list)
		}
	})
}
