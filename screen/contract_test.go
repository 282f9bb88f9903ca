package screen_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// The Score contract: a report and a nil error whenever a report exists. The idiomatic
// `rep, err := eng.Score(...); if err != nil { return }` must never lose a report holding the PHQ-9
// item-9 flag because another answer could not be used (composite.md §1a rules 1 and 4). Score,
// ScoreTo, FollowUp and FollowUpTo all keep it; the problems are in Report.Errors and Report.Err.
func TestScoreContractNeverLosesItem9(t *testing.T) {
	eng := safetyEngine(t)
	bad := map[string]func(a map[string]map[string]any, c map[string]any){
		"invalid gad7 answer": func(a map[string]map[string]any, _ map[string]any) { a["gad7"]["q3"] = "often" },
		"unknown item":        func(a map[string]map[string]any, _ map[string]any) { a["phq9"]["q10"] = 1 },
		"invalid phq9 q1":     func(a map[string]map[string]any, _ map[string]any) { a["phq9"]["q1"] = 7 },
		"unknown instrument":  func(a map[string]map[string]any, _ map[string]any) { a["phq10"] = map[string]any{"q1": 1} },
		"non-integer answer":  func(a map[string]map[string]any, _ map[string]any) { a["auditc"]["frequency"] = 1.5 },
		"invalid context":     func(_ map[string]map[string]any, c map[string]any) { c["age"] = "forty" },
	}
	paths := map[string]func(*screen.Response) (*screen.Report, error){
		"Score": func(r *screen.Response) (*screen.Report, error) { return eng.Score(context.Background(), r) },
		"ScoreTo": func(r *screen.Response) (*screen.Report, error) {
			var rep screen.Report
			if err := eng.ScoreTo(context.Background(), r, &rep); err != nil {
				return nil, err
			}
			return &rep, nil
		},
		"FollowUp": func(r *screen.Response) (*screen.Report, error) {
			base := &screen.Response{Date: "2026-01-05", Answers: negativeBattery()}
			return eng.FollowUp(context.Background(), base, r)
		},
		"FollowUpTo": func(r *screen.Response) (*screen.Report, error) {
			base := &screen.Response{Date: "2026-01-05", Answers: negativeBattery()}
			var rep screen.Report
			if err := eng.FollowUpTo(context.Background(), base, r, &rep); err != nil {
				return nil, err
			}
			return &rep, nil
		},
	}
	for pname, score := range paths {
		for bname, spoil := range bad {
			t.Run(pname+"/"+bname, func(t *testing.T) {
				a := negativeBattery()
				a["phq9"]["q9"] = 2
				c := map[string]any{"age": 47}
				spoil(a, c)
				rep, err := score(&screen.Response{Subject: "pt-9", Date: "2026-03-04", Context: c, Answers: a})
				if err != nil {
					t.Fatalf("the idiomatic check discarded a report: %v", err)
				}
				f, ok := rep.Instrument("phq9").Flag("suicidal_ideation")
				require.True(t, ok, "the item-9 flag is in the report")
				assert.Equal(t, screen.LevelUrgent, f.Level)
				require.NotEmpty(t, rep.Errors, "the unusable answer is an error of the record")
				rerr := rep.Err()
				var re *screen.ResponseErrors
				require.ErrorAs(t, rerr, &re)
				assert.Equal(t, rep.Errors, re.Errors, "Err holds exactly the report's errors")
				var se *screen.ScoreError
				require.ErrorAs(t, rerr, &se)
				assert.Equal(t, rep.Errors[0].Code, se.Code)
				assert.NotContains(t, rerr.Error(), "pt-9", "never the subject in error text")
				assert.NotContains(t, rerr.Error(), "forty", "never the value in error text")
			})
		}
	}
}

// An error and no report only when nothing can be scored; Err is nil on a clean report and on nil.
func TestScoreContractErrors(t *testing.T) {
	eng := safetyEngine(t)
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{}})
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, screen.ErrNoAnswers)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err = eng.Score(ctx, &screen.Response{Answers: negativeBattery()})
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, context.Canceled)

	a := negativeBattery()
	a["gad7"]["q3"] = "often"
	rep, err = safetyEngine(t, screen.WithStrictAnswers()).Score(context.Background(), &screen.Response{Answers: a})
	assert.Nil(t, rep, "strict mode: the first problem ends the record")
	assert.ErrorIs(t, err, screen.ErrInvalidValue)

	rep, err = eng.Score(context.Background(), &screen.Response{Answers: negativeBattery()})
	require.NoError(t, err)
	assert.NoError(t, rep.Err())
	assert.NoError(t, (*screen.Report)(nil).Err())

	// Err copies: it outlives a Report that ScoreTo reuses.
	var reused screen.Report
	require.NoError(t, eng.ScoreTo(context.Background(), &screen.Response{Answers: a}, &reused))
	kept := reused.Err()
	require.NoError(t, eng.ScoreTo(context.Background(), &screen.Response{Answers: negativeBattery()}, &reused))
	assert.ErrorIs(t, kept, screen.ErrInvalidValue)
	assert.Contains(t, kept.Error(), "gad7.q3")

	// A ScoreError made by hand (as a writer that adds its own problems does) matches its code's sentinel.
	assert.True(t, errors.Is(&screen.ScoreError{Code: "invalid_subject"}, screen.ErrInvalidSubject))
	assert.False(t, errors.Is(&screen.ScoreError{Code: "no_such_code"}, screen.ErrInvalidSubject))
}

// The tier order comes from the rule set: RuleSetInfo.Tiers highest first, TierRank by that order, and a
// report's PossibleTiers in the same order.
func TestTierOrderFromRuleSet(t *testing.T) {
	eng := safetyEngine(t)
	rs, ok := eng.RuleSet()
	require.True(t, ok)
	assert.Equal(t, []screen.Tier{"urgent", "high", "elevated", "low"}, rs.Tiers)
	for i, tier := range rs.Tiers {
		rank, ok := eng.TierRank(tier)
		assert.True(t, ok)
		assert.Equal(t, i, rank)
	}
	_, ok = eng.TierRank("nonexistent")
	assert.False(t, ok)

	a := negativeBattery()
	delete(a["phq9"], "q9")
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: a})
	require.NoError(t, err)
	require.Len(t, rep.Composite.PossibleTiers, 2)
	r0, _ := eng.TierRank(rep.Composite.PossibleTiers[0])
	r1, _ := eng.TierRank(rep.Composite.PossibleTiers[1])
	assert.Less(t, r0, r1, "PossibleTiers is highest first")
	assert.Equal(t, rep.Composite.Tier, rep.Composite.PossibleTiers[1], "Tier is the lowest possible")

	none := safetyEngine(t, screen.WithoutRuleSet())
	_, ok = none.RuleSet()
	assert.False(t, ok)
	_, ok = none.TierRank("urgent")
	assert.False(t, ok)
}
