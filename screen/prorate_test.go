package screen_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Prorating (composite contract §1a rule 1, rev 3): an invalid answer stops prorating only of the scores
// that read its item. An invalid answer to PHQ-9 difficulty (read by no score), or an answer to an item
// the instrument does not have, leaves the total prorated as before.
func TestInvalidAnswerStopsOnlyTheSumsThatReadIt(t *testing.T) {
	eng, err := screen.New(bundled.Definitions(), screen.WithoutRuleSet())
	require.NoError(t, err)
	eight := func(extra map[string]any) map[string]any { // q8 missing: 7 × 1 + q9 0, prorated 7 × 9 / 8 = 7.9
		m := map[string]any{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q9": 0}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		answers map[string]any
		total   string // "" = not computed
		errItem string
	}{
		{"no invalid answer", eight(nil), "7.9", ""},
		{"invalid difficulty", eight(map[string]any{"difficulty": 9}), "7.9", "difficulty"},
		{"difficulty as text", eight(map[string]any{"difficulty": "very"}), "7.9", "difficulty"},
		{"unknown item", eight(map[string]any{"q10": 1}), "7.9", "q10"},
		{"invalid scored item", eight(map[string]any{"q7": 5}), "", "q7"},
		{"invalid scored item code", eight(map[string]any{"q7": "LA0000-0"}), "", "q7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, _ := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"phq9": tc.answers}})
			require.NotNil(t, rep)
			res := rep.Instrument("phq9")
			vScore, ok := res.Score("total")
			v := vScore.Value
			if tc.total == "" {
				assert.False(t, ok, "total %v", v)
				assert.True(t, noteAbout(res, "not_computed", "total"))
			} else {
				require.True(t, ok, "%s", rep.AppendJSON(nil))
				assert.Equal(t, tc.total, v.String())
				assert.True(t, noteAbout(res, "prorated", "total"))
			}
			if tc.errItem == "" {
				assert.Empty(t, rep.Errors)
				assert.Equal(t, screen.StatusComplete, res.Status, "a prorated total is computed")
				return
			}
			require.Len(t, rep.Errors, 1)
			assert.Equal(t, tc.errItem, rep.Errors[0].Item)
			assert.Equal(t, screen.StatusError, res.Status)
		})
	}
}
