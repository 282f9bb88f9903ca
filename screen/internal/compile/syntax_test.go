package compile

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSyntaxHints pins which non-CEL syntax gets a hint, at which offset, and that CEL's own operators,
// string literals and fields named like the words are left alone.
func TestSyntaxHints(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string // "offset bad->good"
	}{
		{`answers.q1 => 2`, []string{`11 "=>"->">="`}},
		{`answers.q1 =< 2`, []string{`11 "=<"->"<="`}},
		{`answers.q1 = 2`, []string{`11 "="->"=="`}},
		{`answers.q1 === 2`, []string{`11 "==="->"=="`}},
		{`answers.q1 <> 2`, []string{`11 "<>"->"!="`}},
		{`answers.q1 ≥ 2`, []string{`11 "≥"->">="`}},
		{`answers.q1 == 1 and answers.q2 == 1`, []string{`16 "and"->"&&"`}},
		{`answers.q1 == 1 OR not answers.q2 == 1`, []string{`16 "OR"->"||"`, `19 "not"->"!"`}},
		{`answers.q1 = 1 and answers.q2 => 1`, []string{`11 "="->"=="`, `15 "and"->"&&"`, `30 "=>"->">="`}},
		{`answers.q1 == 1 && answers.q2 != 1 || !(answers.q3 <= 1) && answers.q4 >= 2`, nil},
		{`answers.and == 1 && context.sex == "a = b and c => d"`, nil},
		{`'it''s' =`, []string{`8 "="->"=="`}},
		{`answers.q1 >`, nil}, // a syntax error with no hint: the parser's message stays
	} {
		t.Run(tc.src, func(t *testing.T) {
			var got []string
			for _, h := range syntaxHints(tc.src) {
				got = append(got, fmt.Sprintf("%d %q->%q", h.off, h.bad, h.good))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzSyntaxHints: whatever the source, hints never panic, come in order, and each points at the text it
// names, outside string literals.
func FuzzSyntaxHints(f *testing.F) {
	for _, s := range []string{`answers.q1 => 2`, `a = 1 and b <> 2 OR not c`, `"x = y" == 'a => b'`, `"""a = b""" = 1`, "≥≤≠", `'unterminated = `, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		last := -1
		for _, h := range syntaxHints(src) {
			if h.off <= last || h.off+len(h.bad) > len(src) || src[h.off:h.off+len(h.bad)] != h.bad {
				t.Fatalf("hint %+v out of place in %q", h, src)
			}
			last = h.off
		}
	})
}
