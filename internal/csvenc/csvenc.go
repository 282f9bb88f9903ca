// Package csvenc writes CSV fields byte for byte as painscreen's CSV outputs do.
package csvenc

import "strings"

// AppendField writes one field, quoted when it holds a comma, a quote, a line end, or starts with a
// space or tab (as encoding/csv does). Values are never altered otherwise.
func AppendField(b []byte, s string) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[0] == '\t')
	for i := 0; !quote && i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			quote = true
		}
	}
	if !quote {
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
