package suite

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

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

// openableRules is a rule set over the bundled PHQ-9 whose domains, tiers and referrals read an input's
// current result, its baseline and follow-up measures, context fields, other domains and the tier.
const openableRules = `id: t
version: 1.0.0
title: T
status: active
description: T.
citation: none
license: none
inputs:
  phq9: {version: "^1", required: true}
context:
  mme: {type: number, description: Dose.}
domains:
  - id: safety
    values: [not_assessed, "yes", "no"]
    sources:
      - {input: phq9, expr: "phq9.flags.suicidal_ideation ? 'yes' : 'no'"}
  - id: mood
    values: [low, ok]
    expr: "has(phq9.total) && phq9.total >= 10.0 ? 'low' : 'ok'"
  - id: dose
    values: [high, none]
    expr: "has(context.mme) && context.mme >= 50.0 ? 'high' : 'none'"
tiers:
  - {id: urgent, when: "domains.safety == 'yes'"}
  - {id: low}
referrals:
  - {id: assess, priority: urgent, when: "domains.safety == 'yes'", text: A., rationale: A., source: none}
  - {id: taper, priority: routine, when: "domains.dose == 'high'", text: T., rationale: T., source: none}
  - {id: rescreen, priority: routine, when: "tier == 'low'", text: R., rationale: R., source: none}
  - {id: both, priority: routine, when: "domains.dose == 'high' && domains.mood == 'low'", text: B., rationale: B., source: none}
  - id: adjust
    priority: routine
    when: "has(followup.days) && followup.days >= 70 && has(phq9.baseline.total) && phq9.followup.response == false"
    text: J.
    rationale: J.
    source: none
  - {id: item9, priority: urgent, when: "phq9.answers.q9 >= 1", text: I., rationale: I., source: none}
`

func TestOpenable(t *testing.T) {
	eng, err := screen.New(screen.WithDefinitions(bundled.FS, "bundled"),
		screen.WithDefinitions(fstest.MapFS{"t.v1.yaml": {Data: []byte(openableRules)}}, "t"), screen.WithRuleSet("t"))
	require.NoError(t, err)
	doc, err := eng.DescribeRuleSet()
	require.NoError(t, err)
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
		"phq9.answers.q9 >= 1, lower side: 0", "phq9.answers.q9 >= 1, upper side: 1",
		"followup.days >= 70, lower side: 69", "followup.days >= 70, upper side: 70",
	}, els, "a constant written 50.0 compares a value that need not be whole; referrals in report order (urgent first)")
}
