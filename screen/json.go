package screen

import (
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// MarshalJSON encodes the report in the documented JSON contract.
func (r *Report) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the report's JSON (one line, no trailing newline) to b. Field order is fixed and
// numbers are formatted canonically, so equal reports encode to equal bytes.
func (r *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"subject":`...)
	b = appendString(b, r.Subject)
	b = append(b, `,"engine":{"name":`...)
	b = appendString(b, r.Engine.Name)
	b = append(b, `,"version":`...)
	b = appendString(b, r.Engine.Version)
	b = append(b, `},"instruments":{`...)
	for i := range r.Instruments {
		if i > 0 {
			b = append(b, ',')
		}
		in := &r.Instruments[i]
		b = appendString(b, in.ID)
		b = append(b, ':')
		b = in.appendJSON(b)
	}
	b = append(b, '}')
	if r.Composite != nil {
		b = append(b, `,"composite":`...)
		b = r.Composite.appendJSON(b)
	}
	return append(b, '}')
}

func (in *InstrumentResult) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, in.ID)
	b = append(b, `,"version":`...)
	b = appendString(b, in.Version)
	b = append(b, `,"digest":`...)
	b = appendString(b, in.Digest)
	b = append(b, `,"status":`...)
	b = appendString(b, in.Status)
	b = append(b, `,"definition_status":`...)
	b = appendString(b, in.Definition)
	b = append(b, `,"scores":{`...)
	for i := range in.Scores {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, in.Scores[i].ID)
		b = append(b, ':')
		b = appendValue(b, in.Scores[i].Value)
	}
	b = append(b, `},"flags":[`...)
	for i := range in.Flags {
		if i > 0 {
			b = append(b, ',')
		}
		f := &in.Flags[i]
		b = append(b, `{"id":`...)
		b = appendString(b, f.ID)
		b = append(b, `,"level":`...)
		b = appendString(b, f.Level)
		b = append(b, `,"message":`...)
		b = appendString(b, f.Message)
		b = appendRule(b, f.Rule, f.why)
		b = append(b, '}')
	}
	b = append(b, `],"missing":`...)
	b = appendStrings(b, in.Missing)
	b = append(b, `,"notes":`...)
	b = appendNotes(b, in.Notes)
	b = append(b, `,"explain":{`...)
	for i := range in.Scores {
		if i > 0 {
			b = append(b, ',')
		}
		s := &in.Scores[i]
		b = appendString(b, s.ID)
		b = append(b, ':', '{')
		b = appendRule(b, s.Rule, s.why)
		b = append(b, '}')
	}
	return append(b, '}', '}')
}

// appendRule writes `"rule":…,"reasons":[…]`, preceded by a comma unless it opens an object.
func appendRule(b []byte, rule string, w why) []byte {
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"rule":`...)
	b = appendString(b, rule)
	b = append(b, `,"reasons":`...)
	return appendWhyJSON(b, w)
}

func appendNotes(b []byte, notes []Note) []byte {
	b = append(b, '[')
	for i := range notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendString(b, notes[i].Code)
		b = append(b, `,"about":`...)
		b = appendString(b, notes[i].About)
		b = append(b, `,"message":`...)
		b = appendString(b, notes[i].Message)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (c *CompositeResult) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"version":`...)
	b = appendString(b, c.Version)
	b = append(b, `,"digest":`...)
	b = appendString(b, c.Digest)
	b = append(b, `,"applied":`...)
	b = strconv.AppendBool(b, c.Applied)
	if !c.Applied {
		b = append(b, `,"reason":`...)
		b = appendString(b, c.Reason)
		b = append(b, `,"notes":`...)
		b = appendNotes(b, c.Notes)
		return append(b, '}')
	}
	b = append(b, `,"domains":{`...)
	for i := range c.Domains {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, c.Domains[i].ID)
		b = append(b, ':')
		b = appendValue(b, c.Domains[i].Value)
	}
	b = append(b, `},"tier":`...)
	b = appendString(b, c.Tier)
	b = appendRule(b, c.TierRule, c.tierWhy)
	b = append(b, `,"referrals":[`...)
	for i := range c.Referrals {
		if i > 0 {
			b = append(b, ',')
		}
		r := &c.Referrals[i]
		b = append(b, `{"id":`...)
		b = appendString(b, r.ID)
		b = append(b, `,"priority":`...)
		b = appendString(b, r.Priority)
		b = append(b, `,"text":`...)
		b = appendString(b, r.Text)
		if len(r.Addenda) > 0 {
			b = append(b, `,"addenda":`...)
			b = appendStrings(b, r.Addenda)
		}
		b = append(b, `,"rationale":`...)
		b = appendString(b, r.Rationale)
		b = append(b, `,"source":`...)
		b = appendString(b, r.Source)
		b = appendRule(b, r.Rule, r.why)
		b = append(b, '}')
	}
	b = append(b, `],"not_assessed":`...)
	b = appendStrings(b, c.NotAssessed)
	b = append(b, `,"notes":`...)
	b = appendNotes(b, c.Notes)
	b = append(b, `,"explain":{`...)
	for i := range c.Domains {
		if i > 0 {
			b = append(b, ',')
		}
		d := &c.Domains[i]
		b = appendString(b, d.ID)
		b = append(b, ':', '{')
		b = appendRule(b, d.Rule, d.why)
		b = append(b, '}')
	}
	return append(b, '}', '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func appendValue(b []byte, v Value) []byte {
	switch v.kind {
	case KindInt:
		return strconv.AppendInt(b, v.i(), 10)
	case KindDouble:
		return appendFloat(b, v.f())
	case KindBool:
		return strconv.AppendBool(b, v.b())
	case KindString:
		return appendString(b, v.s)
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, escaped exactly as reports are (so tools that write JSON
// beside reports, such as the CLI's error records, match them byte for byte). Invalid UTF-8 is written as
// U+FFFD; the engine rejects invalid UTF-8 input before it reaches a report, so this only guards output.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

// AppendJSON appends the value as the report's JSON writes it: numbers in their shortest exact form,
// strings quoted and escaped, null for the zero Value.
func (v Value) AppendJSON(b []byte) []byte { return appendValue(b, v) }

// AppendText appends the value as String formats it, without allocating.
func (v Value) AppendText(b []byte) []byte {
	switch v.kind {
	case KindString:
		return append(b, v.s...)
	case KindNull:
		return append(b, "null"...)
	}
	return appendValue(b, v)
}

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
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

// appendStringBody writes the escaped characters of a JSON string, without quotes. Runs of plain ASCII
// (almost all of a report) are found eight bytes at a time and copied at once.
func appendStringBody(b []byte, s string) []byte {
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
