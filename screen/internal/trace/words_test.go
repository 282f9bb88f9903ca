package trace_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// TestWords pins a reason's words for each kind of field: labels from the plan, values by their labels,
// and a failed presence test as absence, never as false.
func TestWords(t *testing.T) {
	p := &plan.Plan{
		Insts: []*plan.Instrument{{ID: "phq9", Label: "PHQ-9",
			Items: []*plan.Item{{ID: "q9", Number: 9, Label: "thoughts that you would be better off dead…",
				Options: []def.Option{{Value: 0, Label: "Not at all"}, {Value: 1, Label: "Several days"}}}},
			Scores: []*plan.Score{{ID: "total", Label: "PHQ-9 total score"}, {ID: "severity"},
				{ID: "positive", Label: "Positive screen (total >= 10)", Short: "screen positive"}},
			Flags: []*plan.Flag{{ID: "suicidal_ideation"}}},
			{ID: "sisq_drug", Label: "single-item drug screen", Items: []*plan.Item{{ID: "times", Number: 1, Label: "how many times…"}}}},
		Ctx: []*plan.CtxField{{ID: "opioid_mme", Label: "opioid dose", Unit: "MME/day"}, {ID: "moud_current", Label: "on MOUD"},
			{ID: "prior_overdose"}},
		Rules: &plan.RuleSet{Domains: []*plan.Domain{{ID: "oud", Label: "Opioid use disorder"}}},
	}
	for _, tc := range []struct {
		f                    trace.Field
		v                    value.Value
		ref, id, label, text string
	}{
		{trace.Field{Kind: plan.ReadItem, Inst: 0, Idx: 0, Rules: true}, value.OfInt(1), "answer", "q9", "Several days",
			"PHQ-9 item 9 (thoughts that you would be better off dead…): Several days"},
		{trace.Field{Kind: plan.ReadItem, Inst: 0, Idx: 0, Missing: true}, value.OfBool(false), "answer", "q9", "",
			"PHQ-9 item 9 (thoughts that you would be better off dead…): not answered"},
		{trace.Field{Kind: plan.ReadContext, Inst: -1, Idx: 0}, value.OfDouble(90), "context", "opioid_mme", "", "opioid dose: 90 MME/day"},
		{trace.Field{Kind: plan.ReadContext, Inst: -1, Idx: 1, Missing: true}, value.OfBool(false), "context", "moud_current", "",
			"on MOUD: not reported"},
		{trace.Field{Kind: plan.ReadContext, Inst: -1, Idx: 1}, value.OfBool(false), "context", "moud_current", "no", "on MOUD: no"},
		{trace.Field{Kind: plan.ReadContext, Inst: -1, Idx: 2}, value.OfBool(true), "context", "prior_overdose", "yes",
			"prior overdose: yes"},
		{trace.Field{Kind: plan.ReadScore, Inst: 0, Idx: 0, Rules: true}, value.OfInt(12), "score", "total", "", "PHQ-9 total score: 12"},
		{trace.Field{Kind: plan.ReadScore, Inst: 0, Idx: 1}, value.OfString("moderately_severe"), "score", "severity",
			"moderately severe", "PHQ-9 severity: moderately severe"},
		{trace.Field{Kind: plan.ReadFlag, Inst: 0, Idx: 0}, value.OfBool(true), "flag", "suicidal_ideation", "raised",
			"PHQ-9 suicidal ideation flag: raised"},
		{trace.Field{Kind: plan.ReadDomain, Inst: -1, Idx: 0}, value.OfString("screen_positive"), "domain", "oud",
			"screen positive", "Opioid use disorder: screen positive"},
		{trace.Field{Kind: plan.ReadTier, Inst: -1}, value.OfString("low"), "tier", "tier", "low", "risk tier: low"},
		// A short name stands beside the instrument's where the label is a sentence; a boolean is yes/no.
		{trace.Field{Kind: plan.ReadScore, Inst: 0, Idx: 2}, value.OfBool(false), "score", "positive", "no",
			"PHQ-9 screen positive: no"},
		// The only item of a single-item instrument goes without its number.
		{trace.Field{Kind: plan.ReadItem, Inst: 1, Idx: 0}, value.OfInt(3), "answer", "times", "",
			"single-item drug screen (how many times…): 3"},
	} {
		assert.Equal(t, tc.ref, tc.f.Ref(), tc.text)
		assert.Equal(t, tc.id, tc.f.ID(p), tc.text)
		assert.Equal(t, tc.label, tc.f.Label(p, tc.v), tc.text)
		assert.Equal(t, tc.text, tc.f.Text(p, tc.v))
	}
}
