package naive

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The differential test against painscreen on generated records is cmd/painscreen/naive_test.go; these
// are the hand cases of composite.md §2 and the batch loop's behaviour on bad lines.

func TestScore(t *testing.T) {
	tests := []struct {
		name, in  string
		tier      string
		referrals []string
		domains   map[string]string
	}{
		{"urgent", `{"answers":{"phq9":{"q1":1,"q2":1,"q3":1,"q4":1,"q5":1,"q6":1,"q7":1,"q8":1,"q9":1}}}`,
			"urgent", []string{"suicide_safety_assessment"}, map[string]string{"safety": "suicidal_ideation", "depression": "negative", "oud": "not_assessed"}},
		{"severe OUD with pain", `{"context":{"sex":"M"},"answers":{"gcps_r":{"pain_frequency":3,"limit_frequency":2,"pain_avg":5,"enjoyment":5,"activity":5},
			"dsm5_oud":{"larger_or_longer":1,"cut_down":1,"time_spent":1,"craving":1,"role_failure":1,"social_problems":1,"activities_given_up":0,"hazardous_use":0,"physical_psych_problems":0,"tolerance":0,"withdrawal":0,"supervised":0}}}`,
			"high", []string{"moud", "naloxone", "integrated_pain_oud_therapy", "integrated_pain_care", "collaborative_care"},
			map[string]string{"pain": "high_impact", "oud": "severe"}},
		{"supervised: tolerance and withdrawal do not count", `{"answers":{"dsm5_oud":{"larger_or_longer":1,"cut_down":0,"time_spent":0,"craving":0,"role_failure":0,"social_problems":0,"activities_given_up":0,"hazardous_use":0,"physical_psych_problems":0,"tolerance":1,"withdrawal":1,"supervised":1}}}`,
			"low", []string{"rescreen"}, map[string]string{"oud": "none"}},
		{"on MOUD, naloxone on record", `{"context":{"moud_current":true,"naloxone_current":true},"answers":{"sisq_drug":{"times":0}}}`,
			"elevated", []string{"moud_continue"}, map[string]string{"oud": "none", "overdose_risk": "present"}},
		{"AUDIT-C 3 positive for unknown sex, not for male", `{"context":{"sex":"male"},"answers":{"auditc":{"frequency":1,"typical_quantity":1,"binge_frequency":1}}}`,
			"low", []string{"rescreen"}, map[string]string{"alcohol": "negative"}},
		{"incomplete instrument: domain not assessed", `{"answers":{"gad7":{"q1":3,"q2":3,"q3":3,"q4":3,"q5":3,"q6":3,"q7":null}}}`,
			"low", []string{"rescreen"}, map[string]string{"anxiety": "not_assessed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec Record
			require.NoError(t, json.Unmarshal([]byte(tt.in), &rec))
			res := Score(&rec)
			require.True(t, res.Composite.Applied)
			assert.Equal(t, tt.tier, res.Composite.Tier)
			var ids []string
			for _, r := range res.Composite.Referrals {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, tt.referrals, ids)
			for k, v := range tt.domains {
				assert.Equal(t, v, res.Composite.Domains[k], k)
			}
		})
	}
}

func TestNotApplied(t *testing.T) {
	for in, reason := range map[string]string{
		`{"context":{"age":16},"answers":{"phq9":{"q1":0}}}`: "outside_population",
		`{"answers":{"peg":{"pain":3}}}`:                     "no_inputs",
	} {
		var rec Record
		require.NoError(t, json.Unmarshal([]byte(in), &rec))
		c := Score(&rec).Composite
		assert.False(t, c.Applied)
		assert.Equal(t, reason, c.Reason)
	}
}

func TestRun(t *testing.T) {
	in := `{"subject":"a","answers":{"sisq_drug":{"times":2}}}
{"subject":"b","answers":{"sisq_drug":{"times":"two"}}}
{"subject":"c","answers":{"sisq_drug":{"times":0}}}
`
	var out bytes.Buffer
	n, err := Run(strings.NewReader(in), &out)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], `"tier":"elevated"`)
	assert.Contains(t, lines[1], `"error"`)
	assert.Contains(t, lines[2], `"tier":"low"`)

	_, err = Run(strings.NewReader(`{"subject":`), &out)
	assert.Error(t, err)
}
