// Package jsonenc appends JSON strings exactly as painscreen's reports escape them, so every tool that writes
// JSON beside a report (the CLI's error records, the engine's report encoder) matches it byte for byte.
//
// Invalid UTF-8 is written as U+FFFD; U+2028 and U+2029 are escaped so the output is also valid JavaScript.
package jsonenc

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a quoted JSON string.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = AppendStringBody(b, s)
	return append(b, '"')
}

// load8 reads the eight bytes of s at i as one word (i+8 <= len(s)); the byte order does not matter to
// needsEscape8.
func load8(s string, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.StringData(s)), i))
}

// needsEscape8 reports whether any of the eight bytes in x is not carried as is in a JSON string: a control
// character (< 0x20), '"', '\\', or a byte of a multi-byte UTF-8 sequence (>= 0x80, checked one by one).
// These are the classic exact "has a byte less than n" and "has a zero byte" word tests.
func needsEscape8(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	t := (x - lo*0x20) &^ x
	q := x ^ (lo * '"')
	t |= (q - lo) &^ q
	bs := x ^ (lo * '\\')
	t |= (bs - lo) &^ bs
	return (t|x)&hi != 0
}

// plainASCII marks the bytes a JSON string carries as they are.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendStringBody writes the escaped characters of a JSON string, without quotes. Runs of plain ASCII
// (almost all of a report) are found eight bytes at a time and copied at once.
func AppendStringBody(b []byte, s string) []byte { return appendBody(b, s, false) }

// AppendStringStd appends s quoted exactly as encoding/json does with HTML escaping off: as AppendString,
// but \b and \f in their short forms (AppendString writes \u0008 and \u000c, which the report's bytes
// keep). The FHIR writer, checked byte for byte against encoding/json, uses it.
func AppendStringStd(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendBody(b, s, true)
	return append(b, '"')
}

// appendBody escapes s; std selects encoding/json's short forms of \b and \f.
func appendBody(b []byte, s string, std bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && !needsEscape8(load8(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b', '\f':
				if std {
					e := byte('b')
					if c == '\f' {
						e = 'f'
					}
					b = append(b, '\\', e)
					break
				}
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// Plain reports whether AppendStringBody would write b unchanged: no control character, quote or
// backslash, valid UTF-8, no U+2028 or U+2029. Runs of plain ASCII are checked eight bytes at a time.
func Plain(b []byte) bool {
	for i := 0; i < len(b); {
		for i+8 <= len(b) && !needsEscape8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		if i >= len(b) {
			return true
		}
		c := b[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
