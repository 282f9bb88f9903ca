package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/screen/catalog"
)

func TestComparisons(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		{"scores.total >= 3", []string{"scores.total >= 3"}},
		{"3 <= scores.total", []string{"scores.total >= 3"}},
		{"10 > answers.q1", []string{"answers.q1 < 10"}},
		{`has(context.sex) && context.sex == "male" ? scores.total >= 4 : scores.total >= 3`, []string{"scores.total >= 4", "scores.total >= 3"}},
		{`answers.sum(["a", "b"]) >= 12.5`, []string{`answers.sum(["a", "b"]) >= 12.5`}},
		{"phq9.answers.q1 + phq9.answers.q2 >= 3 ? 'positive' : 'negative'", []string{"phq9.answers.q1 + phq9.answers.q2 >= 3"}},
		{"(domains.oud == 'mild' ? 1 : 0) + 1 >= 2", nil}, // not a value painscreen can read from a case
		{"answers.q1 == 1", nil}, // equality is not a cut-point
		{"scores.total >= scores.limit", nil},
		{"", nil},
		{"not CEL (", nil},
	} {
		var got []string
		for _, c := range comparisons(tc.src) {
			got = append(got, c.String())
		}
		assert.Equal(t, tc.want, got, tc.src)
	}
}

func TestAnswerValue(t *testing.T) {
	doc := &catalog.InstrumentDoc{Items: []catalog.ItemDoc{{ID: "q1", Options: []catalog.OptionDoc{{Value: 0, Code: "LA6568-5"}, {Value: 2, Code: "LA6570-1"}}}}}
	for _, tc := range []struct {
		answer any
		want   float64
		ok     bool
	}{
		{int64(2), 2, true},
		{"LA6570-1", 2, true},
		{"LA0000-0", 0, false},
		{nil, 0, false},
		{true, 0, false},
	} {
		v, ok := answerValue(doc, map[string]any{"q1": tc.answer}, "q1")
		assert.Equal(t, tc.ok, ok, "%v", tc.answer)
		assert.Equal(t, tc.want, v, "%v", tc.answer)
	}
	_, ok := answerValue(doc, map[string]any{}, "q1")
	assert.False(t, ok, "unanswered")
}

func TestMatchTemplate(t *testing.T) {
	tmpl := "Not assessed at this visit: {not_assessed}. Screen for these."
	assert.True(t, matchTemplate(tmpl, "Not assessed at this visit: oud, safety. Screen for these."))
	assert.False(t, matchTemplate(tmpl, "Something else entirely."))
	assert.True(t, matchTemplate("Plain text.", " Plain text.\n"))
	assert.False(t, matchTemplate("Plain text.", "Plain text, longer."))
}

func TestIntervals(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	got := intervals([]catalog.BandDoc{{Max: f(55), Label: "a"}, {Max: f(60), Label: "b"}, {Label: "c"}})
	assert.True(t, got[0].contains(55) && !got[0].contains(55.1))
	assert.True(t, !got[1].contains(55) && got[1].contains(55.1) && got[1].contains(60))
	assert.True(t, !got[2].contains(60) && got[2].contains(1e9))
	below, above := sideTargets(got[0], got[1], []float64{53.9, 55.6, 59.9}, false)
	assert.Equal(t, "53.9", below.text)
	assert.Equal(t, "55.6", above.text)
	below, above = sideTargets(got[0], got[1], nil, true)
	assert.Equal(t, "55", below.text)
	assert.Equal(t, "56", above.text)
	got = intervals([]catalog.BandDoc{{Min: f(0), Label: "a"}, {Min: f(5), Label: "b"}})
	below, above = sideTargets(got[0], got[1], nil, false)
	assert.Equal(t, "in [4, 5)", below.text)
	assert.Equal(t, "5", above.text)
	assert.True(t, below.match(4) && below.match(4.9) && !below.match(5) && !below.match(3.9))
}

func TestOpenable(t *testing.T) {
	doc := &catalog.RuleSetDoc{
		Inputs: map[string]string{"phq9": "1.0.0"},
		Domains: []catalog.DomainDoc{
			{ID: "safety", Sources: []catalog.SourceDoc{{Input: "phq9", Expr: "phq9.flags.suicidal_ideation ? 'yes' : 'no'"}}},
			{ID: "mood", Expr: "has(phq9.total) && phq9.total >= 10.0 ? 'low' : 'ok'"},
			{ID: "dose", Expr: "has(context.mme) && context.mme >= 50.0 ? 'high' : 'none'"},
		},
		Tiers: []catalog.TierDoc{{ID: "urgent", When: "domains.safety == 'yes'"}, {ID: "low"}},
		Referrals: []catalog.ReferralDoc{
			{ID: "assess", When: "domains.safety == 'yes'"},
			{ID: "taper", When: "domains.dose == 'high'"},
			{ID: "rescreen", When: "tier == 'low'"},
			{ID: "both", When: "domains.dose == 'high' && domains.mood == 'low'"},
			{ID: "adjust", When: "has(followup.days) && followup.days >= 70 && has(phq9.baseline.total) && phq9.followup.response == false"},
			{ID: "item9", When: "phq9.answers.q9 >= 1"},
		},
	}
	o := openable(doc)
	assert.Equal(t, map[string]bool{"safety": true, "mood": true}, o.domains, "a context-only domain is never open")
	assert.True(t, o.tier)
	assert.Equal(t, map[string]bool{"assess": true, "taper": false, "rescreen": true, "both": true, "adjust": false, "item9": true}, o.referrals,
		"baseline and follow-up values are never open; current answers are")

	var els []string
	for _, e := range ruleSetElements(doc, nil) {
		if e.Kind == KindCut {
			els = append(els, e.Name)
		}
	}
	assert.Equal(t, []string{
		"phq9.total >= 10, lower side: in [9, 10)", "phq9.total >= 10, upper side: 10",
		"context.mme >= 50, lower side: in [49, 50)", "context.mme >= 50, upper side: 50",
		"followup.days >= 70, lower side: 69", "followup.days >= 70, upper side: 70",
		"phq9.answers.q9 >= 1, lower side: 0", "phq9.answers.q9 >= 1, upper side: 1",
	}, els, "a constant written 50.0 compares a value that need not be whole")
}

func TestPaths(t *testing.T) {
	got := paths("has(phq9.answers.q1) && domains.oud in ['mild'] ? tier == 'low' : [1].exists(x, x > gad7.total)")
	for _, want := range [][]string{{"phq9", "answers", "q1"}, {"domains", "oud"}, {"tier"}, {"x"}, {"gad7", "total"}} {
		assert.Contains(t, got, want)
	}
}
