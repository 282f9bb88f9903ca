package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// TestFlagNeverFires pins which flag conditions the analysis proves can never hold (over items q1, q9
// scored 0-3, a yes/no item yn and an unbounded range item n), and that everything it cannot decide is
// left alone.
func TestFlagNeverFires(t *testing.T) {
	freq := &def.Scale{ID: "frequency", Options: []def.Option{{Value: 0}, {Value: 1}, {Value: 2}, {Value: 3}}}
	yn := &def.Scale{ID: "yn", Options: []def.Option{{Value: 0}, {Value: 2}}}
	i64 := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		when string
		want string // the message, "" when the flag may fire
	}{
		{`answers.q9 >= 9`, `flag "f" (urgent) can never fire: answers.q9 >= 9 cannot hold (answers.q9 is 0–3)`},
		{`answers.q9 >= 1`, ``},
		{`answers.q9 > 3`, `flag "f" (urgent) can never fire: answers.q9 > 3 cannot hold (answers.q9 is 0–3)`},
		{`answers.q9 < 0`, `flag "f" (urgent) can never fire: answers.q9 < 0 cannot hold (answers.q9 is 0–3)`},
		{`answers.yn == 1`, `flag "f" (urgent) can never fire: answers.yn == 1 cannot hold (answers.yn is one of 0 and 2)`},
		{`answers.yn != 1`, ``},
		{`answers.q1 >= 2 && answers.q9 == 4`, `flag "f" (urgent) can never fire: answers.q9 == 4 cannot hold (answers.q9 is 0–3)`},
		{`answers.q1 >= 9 || answers.q9 >= 1`, ``},
		{`answers.q1 >= 9 || answers.q9 >= 4`, `flag "f" (urgent) can never fire: answers.q1 >= 9 cannot hold (answers.q1 is 0–3); answers.q9 >= 4 cannot hold (answers.q9 is 0–3)`},
		{`scores.total >= 7`, `flag "f" (urgent) can never fire: scores.total >= 7 cannot hold (scores.total is 0–6)`},
		{`scores.total >= 6`, ``},
		{`answers.n >= 1000`, ``},
		{`false`, `flag "f" (urgent) can never fire: its condition is the constant false`},
		{`has(answers.q9) && answers.q9 >= 2`, ``},
		{`answers.q9 / 2 >= 5`, ``}, // division is not analysed
	} {
		t.Run(tc.when, func(t *testing.T) {
			in := &def.Instrument{
				Items: []*def.Item{{ID: "q1", Scale: freq}, {ID: "q9", Scale: freq}, {ID: "yn", Scale: yn}, {ID: "n", Min: i64(0)}},
				Flags: []*def.Flag{{ID: "f", Level: "urgent", When: &def.Expr{Src: tc.when}}},
			}
			a := newAnalyser(in)
			a.scores["total"] = a.expr(&def.Expr{Src: `answers.sum(["q1", "q9"])`})
			var list diag.List
			(&Checker{List: &list}).flags(in, a)
			if tc.want == "" {
				assert.Empty(t, list)
				return
			}
			require.Len(t, list, 1)
			assert.Equal(t, diag.Error, list[0].Severity)
			assert.Equal(t, "never_fires", list[0].Code)
			assert.Equal(t, tc.want, list[0].Message)
		})
	}
}
