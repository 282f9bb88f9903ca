package respfile

// JSON scalars, keys and strings: numbers to exact integers, strings validated and unescaped.

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scalar parses an answer or context value: an integer (int64), a string, null (nil), or a value that
// scalar.go's rule passes on for the engine to reject (another number, a boolean, an object, an array).
// The path of a string value for messages is section.a (context) or section.a.b (answers).
func (p *jparser) scalar(section, a, b string) (any, bool) {
	if p.i >= len(p.b) {
		return nil, p.syntax(p.i, "unexpected end of input, expected a value")
	}
	off := p.i
	switch c := p.b[p.i]; {
	case c == '"':
		raw, ok := p.stringBytes(section, a, b)
		if !ok {
			return nil, !p.abort
		}
		return p.in.boxed(raw), true
	case c == '-' || ('0' <= c && c <= '9'):
		v, isInt, fits, ok := p.number()
		if !ok {
			return nil, false
		}
		if !isInt || !fits {
			// Not a whole number within int64: an error of its item (or context field), not of the record
			// (see scalar.go).
			return otherNumber(p.b[off:p.i], p.lim), true
		}
		return v, true
	case c == 'n':
		return nil, p.literal("null")
	case c == 't' || c == 'f':
		if !p.literal("true") && !p.literal("false") {
			return nil, false
		}
		return c == 't', true
	case c == '{' || c == '[':
		if !p.skipValue() {
			return nil, false
		}
		if c == '{' {
			return objectValue(), true
		}
		return arrayValue(), true
	default:
		return nil, p.syntax(p.i, "unexpected character, expected a value")
	}
}

// literal consumes the literal word w (true, false or null); it does not report an error when the input
// holds another literal, so that literal("true") || literal("false") works.
func (p *jparser) literal(w string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(w)) {
		p.i += len(w)
		return true
	}
	if w == "true" && p.i < len(p.b) && p.b[p.i] == 'f' {
		return false
	}
	return p.syntax(p.i, "invalid literal, expected true, false or null")
}

// number parses a JSON number at p.i. isInt reports that it is written as a whole number: no exponent,
// and no fraction or one of zeros only (2.0, as float columns from pandas write it); fits that it is an
// integer within the int64 range (then v is its value).
func (p *jparser) number() (v int64, isInt, fits, ok bool) {
	b := p.b
	i := p.i
	neg := false
	if b[i] == '-' {
		neg = true
		i++
	}
	if i >= len(b) {
		return 0, false, false, p.syntax(i, "unexpected end of input in a number")
	}
	ds := i
	switch {
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, false, false, p.syntax(i, "invalid number")
	}
	de := i
	isInt = true
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, false, p.syntax(i, "invalid number: expected a digit after the decimal point")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			if b[i] != '0' {
				isInt = false // 2.0 and 2.00 are whole; 2.5 is not
			}
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return 0, false, false, p.syntax(i, "invalid number: expected a digit in the exponent")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		isInt = false
	}
	p.i = i
	if !isInt {
		return 0, false, false, true
	}
	v, fits = parseInt64Digits(b[ds:de], neg)
	return v, true, fits, true
}

// parseInt64Digits converts a run of ASCII digits (no sign) to an int64, negated when neg. fits is false
// when the value is outside the int64 range.
func parseInt64Digits(d []byte, neg bool) (int64, bool) {
	if len(d) == 0 || len(d) > 19 {
		// 19 digits hold every int64; 20 or more never fit (leading zeros are not valid JSON and are
		// rejected by the callers that allow them before this point).
		return 0, false
	}
	var u uint64
	for _, c := range d {
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true // for u == 1<<63, int64(u) wraps to MinInt64, whose negation is itself
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// key parses an object key (a string) at p.i and returns its unescaped bytes, which are valid only until
// the next string is parsed. The object's path, for messages, is section (empty for the record) or
// section.inst.
func (p *jparser) key(section, inst string) ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, p.syntax(p.i, p.unexpected("expected a string key"))
	}
	off := p.i
	raw, esc, ok := p.str()
	if !ok {
		return nil, false
	}
	if esc {
		var good bool
		raw, good = p.unescape(raw)
		if !good {
			p.fail(off, CodeInvalidUTF8, keyWhere(section, inst)+": key holds an escaped lone surrogate (not valid UTF-8)", inst, "")
		}
	}
	if len(raw) > p.lim.MaxStringBytes {
		p.fail(off, CodeTooLarge, keyWhere(section, inst)+": key is longer than "+strconv.Itoa(p.lim.MaxStringBytes)+" bytes", inst, "")
		raw = raw[:0]
	}
	return raw, true
}

func keyWhere(section, inst string) string {
	switch {
	case section == "":
		return "record"
	case inst == "":
		return section
	}
	return path(section, inst)
}

// stringBytes parses a string value at p.i and returns its unescaped bytes, valid until the next string is
// parsed. The path for messages is section.a.b (a and b may be empty). ok is false when the string is not
// usable (a problem was recorded) or the parse was aborted.
func (p *jparser) stringBytes(section, a, b string) ([]byte, bool) {
	off := p.i
	raw, esc, ok := p.str()
	if !ok {
		return nil, false
	}
	where := func() string {
		if a == "" {
			return section
		}
		if b == "" {
			return path(section, a)
		}
		return path(section, a, b)
	}
	inst, item := "", ""
	if section == "answers" {
		inst, item = a, b
	}
	if esc {
		var good bool
		raw, good = p.unescape(raw)
		if !good {
			p.fail(off, CodeInvalidUTF8, where()+": string holds an escaped lone surrogate (not valid UTF-8)", inst, item)
			return nil, false
		}
	}
	if len(raw) > p.lim.MaxStringBytes {
		p.fail(off, CodeTooLarge, where()+": string is longer than "+strconv.Itoa(p.lim.MaxStringBytes)+" bytes", inst, item)
		return nil, false
	}
	return raw, true
}

// strSafe marks the bytes that need no attention inside a JSON string.
var strSafe = func() (t [256]bool) {
	for i := range t {
		t[i] = i >= 0x20 && i != '"' && i != '\\'
	}
	return t
}()

// str scans the string at p.i (an opening quote) and returns its raw content (between the quotes) and
// whether it holds escapes. It checks escapes and control characters but not UTF-8 (the caller checks
// the whole record once).
func (p *jparser) str() (raw []byte, esc bool, ok bool) {
	b := p.b
	i := p.i + 1
	for {
		for i < len(b) && strSafe[b[i]] {
			i++
		}
		if i >= len(b) {
			return nil, false, p.syntax(i, "unexpected end of input in a string")
		}
		switch c := b[i]; {
		case c == '"':
			raw = b[p.i+1 : i]
			p.i = i + 1
			return raw, esc, true
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return nil, false, p.syntax(i+1, "unexpected end of input in a string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) || !isHex(b[k]) {
						return nil, false, p.syntax(k, "invalid \\u escape in a string")
					}
				}
				i += 6
			default:
				return nil, false, p.syntax(i, "invalid escape in a string")
			}
		default:
			return nil, false, p.syntax(i, "control character in a string (must be escaped)")
		}
	}
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// unescape decodes the escapes of raw (already checked by str) into p.scratch. good is false when a \u
// escape is a lone surrogate, which cannot be represented in UTF-8.
func (p *jparser) unescape(raw []byte) (out []byte, good bool) {
	out = p.scratch[:0]
	good = true
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := bytes.IndexByte(raw[i:], '\\')
			if j < 0 {
				j = len(raw) - i
			}
			out = append(out, raw[i:i+j]...)
			i += j
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hexVal(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 := hexVal(raw[i+2:])
					if 0xDC00 <= r2 && r2 <= 0xDFFF {
						out = utf8.AppendRune(out, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				good = false
				continue
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, raw[i+1])
		}
		i += 2
	}
	p.scratch = out
	return out, good
}

// skipValue parses any JSON value at p.i without keeping it, checking its syntax and depth.
func (p *jparser) skipValue() bool {
	if p.i >= len(p.b) {
		return p.syntax(p.i, "unexpected end of input, expected a value")
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		p.depth++
		if p.depth > p.lim.MaxDepth {
			p.prob = problem{off: p.i, code: CodeTooDeep, msg: "record: nested deeper than " + strconv.Itoa(p.lim.MaxDepth) + " levels"}
			p.hasProb = true
			p.abort = true
			return false
		}
		p.i++
		p.ws()
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		if p.i < len(p.b) && p.b[p.i] == closer {
			p.i++
			p.depth--
			return true
		}
		for {
			p.ws()
			if c == '{' {
				if p.i >= len(p.b) || p.b[p.i] != '"' {
					return p.syntax(p.i, p.unexpected("expected a string key"))
				}
				if _, _, ok := p.str(); !ok {
					return false
				}
				if !p.expect(':', "expected ':' after an object key") {
					return false
				}
				p.ws()
			}
			if !p.skipValue() {
				return false
			}
			p.ws()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == closer {
				p.i++
				p.depth--
				return true
			}
			if c == '{' {
				return p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
			}
			return p.syntax(p.i, p.unexpected("expected ',' or ']' after an array element"))
		}
	case c == '"':
		_, _, ok := p.str()
		return ok
	case c == '-' || ('0' <= c && c <= '9'):
		_, _, _, ok := p.number()
		return ok
	case c == 't' || c == 'f':
		return p.literal("true") || p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.syntax(p.i, "unexpected character, expected a value")
	}
}
