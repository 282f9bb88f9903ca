package def

import (
	"bytes"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlError is a YAML syntax error at the position where the parser found it.
type yamlError struct {
	Line, Col int // 1-based; Col counts bytes; Line 0 when unknown
	Msg       string
}

// locateYAMLError turns the error yaml.v3 returned for src into a message and a position.
//
// yaml.v3 reports the line of the *context* mark when it has one ("while parsing a block collection"):
// the 0-based line where the enclosing list or mapping starts, not the line of the problem. A mis-indented
// "options:" at line 25 of a list that starts at line 17 reads "yaml: line 16: did not find expected '-'
// indicator". The problem mark, which is right, is not exported. So the position is measured instead: the
// parser stops at the offending token, and a prefix of the file that ends inside that token fails with the
// very same error (same message, same context line), while any shorter prefix either parses or fails with
// a different error (an unterminated quote or flow collection, the end of the stream). The shortest
// reproducing prefix is found by binary search over byte offsets (about log2(size) parses, on the error
// path only); its last byte is the start of the offending token.
func locateYAMLError(src []byte, err error) yamlError {
	full := err.Error()
	line, msg := splitYAMLError(full)
	if msg == "EOF" {
		return yamlError{Msg: "file is empty"}
	}
	fails := func(n int) bool {
		var doc yaml.Node
		e := yaml.NewDecoder(bytes.NewReader(src[:n])).Decode(&doc)
		return e != nil && e.Error() == full
	}
	lo, hi := 0, len(src) // fails(hi) holds: the whole file gives err
	if !fails(hi) {
		return yamlError{Line: line, Msg: msg}
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if hi == 0 {
		return yamlError{Line: line, Msg: msg}
	}
	off := hi - 1
	switch {
	case strings.HasPrefix(msg, "did not find expected ',' or "):
		// Any prefix that ends inside an unclosed flow collection fails alike, so the search lands just
		// inside it: point at its opening bracket, the one the author has to close.
		if o := openBracket(src, off); o >= 0 {
			off = o
			if src[o] == '{' {
				msg += " in the flow mapping {…} that starts here (a missing comma or closing brace)"
			} else {
				msg += " in the flow list […] that starts here (a missing comma or closing bracket)"
			}
		}
	case strings.HasPrefix(msg, "did not find expected '-' indicator"), strings.HasPrefix(msg, "did not find expected key"):
		// An indentation mistake: the parser notices it at the key's colon; the line is what is wrong.
		start := bytes.LastIndexByte(src[:off], '\n') + 1
		for start < off && (src[start] == ' ' || src[start] == '\t') {
			start++
		}
		off = start
	}
	l := 1 + bytes.Count(src[:off], []byte{'\n'})
	c := off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
	if msg == "found unexpected end of stream" && (src[off] == '"' || src[off] == '\'') {
		msg += " (this quote is never closed)"
	}
	return yamlError{Line: l, Col: c, Msg: msg + yamlHint(msg)}
}

// splitYAMLError splits "yaml: line N: message" into N and message.
func splitYAMLError(s string) (int, string) {
	if rest, ok := strings.CutPrefix(s, "yaml: line "); ok {
		if num, after, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return n, after
			}
		}
	}
	return 0, strings.TrimPrefix(s, "yaml: ")
}

// yamlHint explains the parser's wording for the mistakes authors make most: indentation.
func yamlHint(msg string) string {
	switch {
	case strings.HasPrefix(msg, "did not find expected '-' indicator"),
		strings.HasPrefix(msg, "did not find expected key"):
		return " (check the indentation of this line against the lines above it)"
	case strings.HasPrefix(msg, "mapping values are not allowed in this context"):
		return " (a second \": \" in a value that is not quoted, or a line indented deeper than the one it continues)"
	case strings.Contains(msg, "found a tab character"):
		return " (indent with spaces, not tabs)"
	}
	return ""
}

// looksLikeDefinition reports whether a file that does not parse still reads as a definition or suite:
// one of its lines starts with a top-level key only those have (items:, inputs:, tests:). Only then may a
// diagnostic quote its lines (a stray YAML file that is not ours never is).
func looksLikeDefinition(src []byte) bool {
	for line := range bytes.SplitSeq(src, []byte{'\n'}) {
		for _, k := range []string{"items:", "inputs:", "tests:"} {
			if bytes.HasPrefix(line, []byte(k)) {
				return true
			}
		}
	}
	return false
}

// openBracket finds the unclosed '{' or '[' at or before off (brackets inside quotes are not told apart:
// this only places a caret), or -1.
func openBracket(src []byte, off int) int {
	depth := 0
	for i := min(off, len(src)-1); i >= 0; i-- {
		switch src[i] {
		case '}', ']':
			depth++
		case '{', '[':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}
