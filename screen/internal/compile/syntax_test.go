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
