package def

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// locator maps byte offsets in a scalar's value to file positions. Plain and quoted scalars start at the
// node's column (after the quote); block scalars (| and >) start on the next line at its indentation. The
// value is aligned with the source greedily, so line folding and indentation are skipped over.
func locator(lines []string, file string, n *yaml.Node) func(int) Pos {
	startLine, startCol := n.Line, n.Column // 1-based
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		startCol++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		startLine++
		for startLine <= len(lines) && strings.TrimSpace(lines[startLine-1]) == "" {
			startLine++
		}
		if startLine <= len(lines) {
			l := lines[startLine-1]
			startCol = len(l) - len(strings.TrimLeft(l, " ")) + 1
		}
	}
	val := n.Value
	if n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle {
		if at, ok := quotedPositions(lines, startLine, startCol, n.Style == yaml.DoubleQuotedStyle, val); ok {
			return func(off int) Pos {
				p := at[min(max(off, 0), len(at)-1)]
				return Pos{File: file, Line: p[0], Col: p[1]}
			}
		}
	}
	return func(off int) Pos {
		line, col := startLine, startCol
		if off > len(val) {
			off = len(val)
		}
		for i := 0; i < off; i++ {
			c := val[i]
			if c == '\n' {
				// The value's newline is a line break in the source (block scalars): next line, same indent.
				line++
				col = startCol
				if n.Style != yaml.LiteralStyle && n.Style != yaml.FoldedStyle {
					col = indentOf(lines, line)
				}
				continue
			}
			// Advance over source bytes until one matches (skips folding and escapes).
			for {
				if line > len(lines) {
					return Pos{File: file, Line: line, Col: col}
				}
				l := lines[line-1]
				if col-1 >= len(strings.TrimRight(l, "\r")) {
					line++
					col = indentOf(lines, line)
					if c == ' ' { // a folded line break stands for this space
						break
					}
					continue
				}
				if l[col-1] == c {
					col++
					break
				}
				col++
			}
		}
		for line <= len(lines) && col-1 >= len(strings.TrimRight(lines[line-1], "\r")) && off < len(val) {
			line++
			col = indentOf(lines, line)
		}
		return Pos{File: file, Line: line, Col: col}
	}
}

// quotedPositions decodes a quoted scalar from the source, which starts at line:col (just after the
// opening quote), and returns the line and column of each byte of its value, and one more for the closing
// quote. An escape (\x41, \u00e9, a doubled single quote) gives each byte it stands for the position of its backslash or
// first quote; a folded line break the position of the next line's first character. ok is false when the
// decoding does not give val (then the caller falls back to aligning the value with the source).
func quotedPositions(lines []string, line, col int, double bool, val string) (at [][2]int, ok bool) {
	quote := byte('\'')
	if double {
		quote = '"'
	}
	var got []byte
	emit := func(l, c int, bs ...byte) {
		for _, b := range bs {
			got = append(got, b)
			at = append(at, [2]int{l, c})
		}
	}
	text := func(l int) string {
		if l < 1 || l > len(lines) {
			return ""
		}
		return strings.TrimRight(lines[l-1], "\r")
	}
	isBlank := func(s string) bool { return strings.Trim(s, " \t") == "" }
	i := col - 1 // byte index in the current line
	for line <= len(lines) && len(got) <= len(val) {
		l := text(line)
		if isBlank(l[i:]) {
			// A line break inside the scalar: trailing white space is dropped; one break folds to a
			// space, each further (empty) line to a newline; the next line's indentation is dropped.
			blank := 0
			line++
			for line <= len(lines) && isBlank(text(line)) {
				blank++
				line++
			}
			nl := text(line)
			i = len(nl) - len(strings.TrimLeft(nl, " \t"))
			if blank == 0 {
				emit(line, i+1, ' ')
			}
			for ; blank > 0; blank-- {
				emit(line, i+1, '\n')
			}
			continue
		}
		c := l[i]
		switch {
		case c == quote && !double && i+1 < len(l) && l[i+1] == '\'':
			emit(line, i+1, '\'')
			i += 2
		case c == quote:
			at = append(at, [2]int{line, i + 1})
			return at, string(got) == val
		case c == '\\' && double && i+1 == len(l):
			// An escaped line break: the break and the next line's indentation are dropped.
			line++
			nl := text(line)
			i = len(nl) - len(strings.TrimLeft(nl, " \t"))
		case c == '\\' && double:
			bs, n := unescape(l[i+1:])
			if n == 0 {
				return nil, false
			}
			emit(line, i+1, bs...)
			i += 1 + n
		default:
			emit(line, i+1, c)
			i++
		}
	}
	return nil, false
}

// unescape decodes the YAML escape at the start of s (after the backslash): the bytes it stands for and
// how many bytes of s it takes (0 when it is not an escape).
func unescape(s string) ([]byte, int) {
	if s == "" {
		return nil, 0
	}
	simple := map[byte]rune{'0': 0, 'a': 7, 'b': 8, 't': 9, '\t': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, 'e': 27,
		' ': ' ', '"': '"', '/': '/', '\\': '\\', 'N': 0x85, '_': 0xa0, 'L': 0x2028, 'P': 0x2029}
	if r, ok := simple[s[0]]; ok {
		return utf8.AppendRune(nil, r), 1
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
	if digits == 0 || len(s) < 1+digits {
		return nil, 0
	}
	v, err := strconv.ParseUint(s[1:1+digits], 16, 32)
	if err != nil {
		return nil, 0
	}
	return utf8.AppendRune(nil, rune(v)), 1 + digits
}

func indentOf(lines []string, line int) int {
	if line < 1 || line > len(lines) {
		return 1
	}
	l := lines[line-1]
	return len(l) - len(strings.TrimLeft(l, " \t")) + 1
}
