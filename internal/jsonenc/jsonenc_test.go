package jsonenc

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// The word-at-a-time JSON string scan must agree with a byte-by-byte definition on every byte in every
// position.
func TestNeedsEscape8(t *testing.T) {
	var buf [8]byte
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			for i := range buf {
				buf[i] = 'a'
			}
			buf[pos] = byte(c)
			want := c < 0x20 || c == '"' || c == '\\' || c >= 0x80
			got := needsEscape8(load8(string(buf[:]), 0))
			require.Equal(t, want, got, "byte %#x at %d", c, pos)
		}
	}
	// Neighbouring bytes must not trigger or mask each other (borrows across bytes).
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 200000; n++ {
		for i := range buf {
			buf[i] = byte(rng.IntN(256))
		}
		want := false
		for _, c := range buf {
			want = want || c < 0x20 || c == '"' || c == '\\' || c >= 0x80
		}
		require.Equal(t, want, needsEscape8(load8(string(buf[:]), 0)), "%x", buf)
	}
}

// AppendString must produce JSON that encoding/json decodes back to the input (for valid UTF-8), whatever
// the bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x1f\x7f", "é\u2028\u2029", "\xff\xfe", "12345678\n12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := AppendString(nil, s)
		var got string
		require.NoError(t, json.Unmarshal(b, &got), "%q -> %s", s, b)
		if utf8.ValidString(s) {
			require.Equal(t, s, got)
		}
	})
}

// Plain agrees with AppendStringBody: a string is plain exactly when its body is written unchanged.
func TestPlainMatchesAppendStringBody(t *testing.T) {
	for _, s := range []string{"", "plain ascii text longer than eight", "PHQ-9 item 9 (thoughts…): Several days", "≥ 3",
		"quote \" inside", "back\\slash", "tab\there", "\x7f del", "line\u2028sep", "bad \xff utf8", "12345678\n"} {
		want := string(AppendStringBody(nil, s)) == s
		if got := Plain([]byte(s)); got != want {
			t.Errorf("Plain(%q) = %v, want %v", s, got, want)
		}
	}
}
