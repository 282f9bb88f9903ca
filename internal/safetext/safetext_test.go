package safetext

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestAppendSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, with 'quotes' and \\ backslashes", "plain text, with 'quotes' and \\ backslashes"},
		{"\x1b[2J", `\x1b[2J`},
		{"a\nforged: line\r", `a\nforged: line\r`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202eoN\u202c \u2066x\u2069", `bidi \u202eoN\u202c \u2066x\u2069`},
		{"marks \u200e\u200f\u061c", `marks \u200e\u200f\u061c`},
		{"lines \u2028\u2029", `lines \u2028\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"café ✓ 日本", "café ✓ 日本"},
	} {
		assert.Equal(t, tc.want, string(Append(nil, tc.in)), "%q", tc.in)
		assert.Equal(t, tc.want, String(tc.in), "%q", tc.in)
		assert.Equal(t, tc.in != tc.want, NeedsEscape(tc.in), "%q", tc.in)
	}
}

// Whatever the input, the output is valid UTF-8 without a rune that could act on a terminal, and it is
// the input itself exactly when nothing needed escaping.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "a\nb", "\u202e", "\xff\xfe", "café"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("%q: output is not UTF-8: %q", s, out)
		}
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("%q: output holds %U", s, r)
			}
		}
		if (out != s) != NeedsEscape(s) {
			t.Fatalf("%q: NeedsEscape %v but output %q", s, NeedsEscape(s), out)
		}
	})
}
