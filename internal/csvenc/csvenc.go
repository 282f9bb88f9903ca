// Package csvenc writes CSV fields byte for byte as painscreen's CSV outputs do.
package csvenc

import "strings"

// needsQuotes reports whether a field must be quoted: it holds a comma, a quote or a line end, or starts
// with a space or tab (as encoding/csv does).
func needsQuotes[T string | []byte](s T) bool {
	if len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

// AppendField writes one field, quoted when it must be (needsQuotes). Values are never altered otherwise.
func AppendField(b []byte, s string) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// AppendFieldBytes is AppendField for a field in bytes (it allocates only for a field that is quoted).
func AppendFieldBytes(b, s []byte) []byte {
	if !needsQuotes(s) {
		return append(b, s...)
	}
	return AppendField(b, string(s))
}
