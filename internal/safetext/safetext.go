// Package safetext escapes text that comes from input or definitions before it reaches a terminal, so that
// it cannot act on the terminal: no escape sequence can clear the screen or hide a line, no newline can
// forge a log line, no bidirectional override can reorder what is shown. What is escaped:
//
//   - C0 controls (tab, CR and LF included), DEL and C1 controls (U+0080–U+009F: some terminals read
//     U+009B as CSI), written \t, \n, \r or \xNN;
//   - bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069), the marks
//     U+200E, U+200F and U+061C, and the line and paragraph separators U+2028, U+2029, written \uNNNN;
//   - bytes that are not UTF-8, written \xNN.
//
// Everything else, backslashes included, is written as it is. Machine formats (JSON, JSONL, CSV) are data
// and keep their values byte for byte (JSON escapes control characters itself).
package safetext

import (
	"strconv"
	"unicode/utf8"
)

// unsafeRune reports whether r must be escaped.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// NeedsEscape reports whether s holds anything Append would escape.
func NeedsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || unsafeRune(r) {
			return true
		}
		i += n
	}
	return false
}

// Append appends s to b with what could act on a terminal escaped.
func Append(b []byte, s string) []byte {
	if !NeedsEscape(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b = append(b, `\x`...)
			b = appendHex(b, uint64(s[i]), 2)
			n = 1
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case unsafeRune(r) && r < 0x100:
			b = append(b, `\x`...)
			b = appendHex(b, uint64(r), 2)
		case unsafeRune(r):
			b = append(b, `\u`...)
			b = appendHex(b, uint64(r), 4)
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

func appendHex(b []byte, v uint64, digits int) []byte {
	h := strconv.FormatUint(v, 16)
	for i := len(h); i < digits; i++ {
		b = append(b, '0')
	}
	return append(b, h...)
}

// String is Append for a string; it returns s itself when nothing needs escaping.
func String(s string) string {
	if !NeedsEscape(s) {
		return s
	}
	return string(Append(nil, s))
}
