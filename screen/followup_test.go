package screen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func phq9Total(total int) map[string]any {
	m := map[string]any{}
	for i := 1; i <= 9; i++ {
		v := min(3, total)
		if i == 9 {
			v = 0
		}
		total -= v
		m[fmt.Sprintf("q%d", i)] = v
	}
	return m
}

func visit(date string, phq int) *screen.Response {
	return &screen.Response{Subject: "pt-1", Date: date, Answers: map[string]map[string]any{
		"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}, "phq9": phq9Total(phq)}}
}

// The follow-up block of the JSON contract, its reasons, and the rule set reading the measures.
func TestFollowUpReport(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.FollowUp(context.Background(), visit("2026-01-05", 20), visit("2026-03-24", 12))
	require.NoError(t, err)
	require.NotNil(t, rep.FollowUp)
	assert.True(t, rep.FollowUp.Computed)
	assert.Equal(t, 78, rep.FollowUp.Days)
	measure, ok := rep.FollowUp.Measure("phq9", "change")
	v := measure.Value
	require.True(t, ok)
	assert.Equal(t, "-8", v.String())

	var doc struct {
		FollowUp struct {
			Baseline    struct{ Date string }     `json:"baseline"`
			Days        *int                      `json:"days"`
			Instruments map[string]map[string]any `json:"instruments"`
			Explain     map[string]map[string]struct {
				Rule    string
				Reasons []struct {
					Name  string
					Value any
				}
			} `json:"explain"`
		} `json:"followup"`
		Composite struct {
			Referrals []struct{ ID string } `json:"referrals"`
		} `json:"composite"`
	}
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "2026-01-05", doc.FollowUp.Baseline.Date)
	require.NotNil(t, doc.FollowUp.Days)
	assert.Equal(t, 78, *doc.FollowUp.Days)
	assert.Equal(t, map[string]any{"change": float64(-8), "response": false, "remission": false, "worsening": false}, doc.FollowUp.Instruments["phq9"])
	ex := doc.FollowUp.Explain["phq9"]["response"]
	assert.Equal(t, "phq9@1.0.0#followup.response", ex.Rule)
	var names []string
	for _, r := range ex.Reasons {
		names = append(names, r.Name)
	}
	assert.ElementsMatch(t, []string{"baseline.total", "current.total"}, names, "the two values compared")
	var refs []string
	for _, r := range doc.Composite.Referrals {
		refs = append(refs, r.ID)
	}
	assert.Contains(t, refs, "treatment_adjustment")
	ta, _ := rep.Composite.Referral("treatment_adjustment")
	var taNames []string
	for _, r := range ta.Reasons() {
		taNames = append(taNames, r.Name)
	}
	assert.Contains(t, taNames, "followup.days")
	assert.Contains(t, taNames, "phq9.baseline.total")
	assert.Contains(t, taNames, "phq9.followup.response")

	// Scored on its own, a response set has no follow-up block.
	rep, err = eng.Score(context.Background(), visit("2026-01-05", 20))
	require.NoError(t, err)
	assert.Nil(t, rep.FollowUp)
	b, _ = json.Marshal(rep)
	assert.NotContains(t, string(b), `"followup"`)
}

// FollowUpTo reuses a report; FollowUp is safe from many goroutines (run with -race).
func TestFollowUpConcurrent(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rep screen.Report
			for i := range 50 {
				cur := (g + i) % 28
				require.NoError(t, eng.FollowUpTo(context.Background(), visit("2026-01-05", 20), visit("2026-04-01", cur), &rep))
				measure, ok := rep.FollowUp.Measure("phq9", "response")
				v := measure.Value
				require.True(t, ok)
				want := cur*2 <= 20
				assert.Equal(t, fmt.Sprint(want), v.String())
				// The next plain Score into the same report drops the block.
				require.NoError(t, eng.ScoreTo(context.Background(), visit("2026-04-01", cur), &rep))
				assert.Nil(t, rep.FollowUp)
			}
		}()
	}
	wg.Wait()
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-01-05", true}, {"2024-02-29", true}, {"2026-02-29", false}, {"2026-13-01", false},
		{"2026-1-05", false}, {"20260105", false}, {"2026-01-05T00:00:00Z", false}, {"", false}, {" 2026-01-05", false},
	} {
		_, ok := screen.ParseDate(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
	}
	a, _ := screen.ParseDate("2025-12-31")
	b, _ := screen.ParseDate("2026-03-01")
	assert.Equal(t, int64(60), b-a)
}

// ParseDate accepts exactly the calendar dates time formats back to the same text.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-01-05", "2024-02-29", "2026-02-29", "0000-01-01", "9999-12-31", "2026-1-5", "2026-01-05 ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		day, ok := screen.ParseDate(s)
		if !ok {
			return
		}
		back := time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
		if back != s {
			t.Fatalf("%q parsed as day %d, which is %s", s, day, back)
		}
	})
}
