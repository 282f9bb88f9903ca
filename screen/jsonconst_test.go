package screen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConstJSON: the table gives appendString's bytes for the strings it holds, and for anything else —
// a prefix sharing a string's first byte, an equal copy elsewhere in memory, a short string — falls back to
// appendString itself.
func TestConstJSON(t *testing.T) {
	ss := []string{"phq9@1.0.0#scores.total", `a "quoted" \ text, with a tab	here`, "invalid \xff UTF-8 and \u2028 too",
		"Refer for a medication-assisted treatment evaluation", "short", "sha256:0123456789abcdef0123456789abcdef"}
	for i := range 200 { // enough to fill the table's neighbourhoods
		ss = append(ss, strings.Repeat("x", 12+i%7)+string(rune('A'+i%26))+strings.Repeat("y", i))
	}
	tab := newConstJSON(constStrings2(ss))
	for _, s := range ss {
		require.Equal(t, string(appendString(nil, s)), string(tab.appendString(nil, s)), s)
		if len(s) > 1 {
			pre := s[:len(s)-1]
			require.Equal(t, string(appendString(nil, pre)), string(tab.appendString(nil, pre)))
		}
		cp := strings.Clone(s)
		require.Equal(t, string(appendString(nil, cp)), string(tab.appendString(nil, cp)))
		require.Equal(t, string(appendString([]byte("x"), s)), string(tab.appendString([]byte("x"), s)))
	}
	var none *constJSON
	require.Equal(t, `"a\"b"`, string(none.appendString(nil, `a"b`)))
}

// constStrings2 keeps the strings long enough to be looked up, as constStrings does.
func constStrings2(ss []string) []string {
	var out []string
	for _, s := range ss {
		if len(s) >= minConstLen {
			out = append(out, s)
		}
	}
	return out
}
