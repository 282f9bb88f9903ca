package screen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Context is evidence (composite contract §1a rule 5): an invalid context value is an error of the record
// (invalid_context, naming the field, never the value) and is then unknown — exactly as if it had not been
// given — and the composite names the declared context fields that are unknown (note context_unknown).
func TestInvalidContextIsAnErrorThenUnknown(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	answers := func() map[string]map[string]any {
		return map[string]map[string]any{"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0},
			"phq9": {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0}}
	}
	tests := []struct {
		field string
		value any
	}{
		{"opioid_mme", "90 mg"},
		{"opioid_mme", -5},
		{"opioid_mme", true},
		{"opioid_mme", map[string]any{"value": 90}},
		{"opioid_mme", json.Number("1e999")},
		{"benzodiazepine", "yes"},
		{"benzodiazepine", 1},
		{"moud_current", "on buprenorphine"},
		{"prior_overdose", []any{true}},
		{"age", 17.5},
		{"age", "forty"},
		{"sex", 5},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s=%v", tc.field, tc.value), func(t *testing.T) {
			ctx := map[string]any{"moud_current": false, "opioid_mme": 0, "benzodiazepine": false, "prior_overdose": false}
			ctx[tc.field] = tc.value
			rep, err := eng.Score(context.Background(), &screen.Response{Subject: "s-1", Context: ctx, Answers: answers()})
			require.NoError(t, err)
			require.NotNil(t, rep)
			err = rep.Err()
			var re *screen.ResponseErrors
			require.ErrorAs(t, err, &re, "an invalid context value fails the record")
			require.Len(t, rep.Errors, 1)
			e := rep.Errors[0]
			assert.Equal(t, "invalid_context", e.Code)
			assert.Equal(t, "context."+tc.field, e.Item)
			assert.NotContains(t, e.Message, fmt.Sprint(tc.value), "the value is health data: never in error text")
			assert.NotContains(t, err.Error(), fmt.Sprint(tc.value))

			// Then unknown: the same report as without the field.
			delete(ctx, tc.field)
			want, err := eng.Score(context.Background(), &screen.Response{Subject: "s-1", Context: ctx, Answers: answers()})
			require.NoError(t, err)
			got := rep.Composite
			assert.Equal(t, want.Composite.Tier, got.Tier)
			assert.Equal(t, want.Composite.Domains, got.Domains)
			assert.Equal(t, want.Composite.Notes, got.Notes)
			assert.Equal(t, referralIDs(want.Composite.Referrals), referralIDs(got.Referrals))
			if tc.field != "age" && tc.field != "sex" {
				i := slices.IndexFunc(got.Notes, func(n screen.Note) bool { return n.Code == "context_unknown" })
				require.GreaterOrEqual(t, i, 0, "notes %+v", got.Notes)
				assert.Equal(t, "context", got.Notes[i].About)
				labels := map[string]string{"moud_current": "on MOUD", "opioid_mme": "opioid dose", "benzodiazepine": "benzodiazepine",
					"prior_overdose": "prior opioid overdose", "naloxone_current": "naloxone on record"}
				require.Contains(t, labels, tc.field)
				assert.Contains(t, got.Notes[i].Message, labels[tc.field], "the note names the field by its label")
			}
		})
	}
}

func TestContextUnknownNote(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	answers := map[string]map[string]any{"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}}
	tests := []struct {
		name    string
		ctx     map[string]any
		unknown []string // the unknown fields by their labels; nil: no note
	}{
		{"all known", map[string]any{"moud_current": false, "opioid_mme": 0, "benzodiazepine": false, "prior_overdose": true, "naloxone_current": false}, nil},
		{"none given", nil, []string{"on MOUD", "opioid dose", "benzodiazepine", "prior opioid overdose", "naloxone on record"}},
		{"two given", map[string]any{"opioid_mme": 30, "prior_overdose": false}, []string{"on MOUD", "benzodiazepine", "naloxone on record"}},
		{"null is not given", map[string]any{"moud_current": nil, "opioid_mme": 0, "benzodiazepine": false, "prior_overdose": false, "naloxone_current": true}, []string{"on MOUD"}},
		{"age and sex are not the rule set's context", map[string]any{"age": 40, "sex": "f", "moud_current": true, "opioid_mme": 0, "benzodiazepine": false, "prior_overdose": false, "naloxone_current": false}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := eng.Score(context.Background(), &screen.Response{Context: tc.ctx, Answers: answers})
			require.NoError(t, err)
			var notes []screen.Note
			for _, n := range rep.Composite.Notes {
				if n.Code == "context_unknown" {
					notes = append(notes, n)
				}
			}
			if tc.unknown == nil {
				assert.Empty(t, notes)
				return
			}
			require.Len(t, notes, 1)
			assert.Contains(t, notes[0].Message, "not given, or not valid): "+strings.Join(tc.unknown, ", ")+".")
		})
	}
	// Not applied (outside the population): no composite note about context.
	rep, err := eng.Score(context.Background(), &screen.Response{Context: map[string]any{"age": 15}, Answers: answers})
	require.NoError(t, err)
	require.False(t, rep.Composite.Applied)
	for _, n := range rep.Composite.Notes {
		assert.NotEqual(t, "context_unknown", n.Code)
	}
}
