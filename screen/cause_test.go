package screen

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReasonsAreCauses checks that a result cites only what caused it — every term of an || that holds,
// none that does not — and that CEL's interpreter cites exactly what the fast path cites.
func TestReasonsAreCauses(t *testing.T) {
	names := func(rs []Reason) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	type want struct {
		overdose, naloxone, tier []string
	}
	for _, tc := range []struct {
		name string
		ctx  map[string]any
		want want
	}{
		{
			name: "every factor that holds",
			ctx:  map[string]any{"prior_overdose": true, "opioid_mme": 240, "benzodiazepine": true, "moud_current": false},
			want: want{
				overdose: []string{"context.prior_overdose", "context.opioid_mme", "context.benzodiazepine"},
				naloxone: []string{"domains.overdose_risk", "has(context.naloxone_current)"},
				tier:     []string{"domains.overdose_risk"},
			},
		},
		{
			name: "one factor",
			ctx:  map[string]any{"prior_overdose": false, "opioid_mme": 60, "benzodiazepine": false, "moud_current": false, "naloxone_current": false},
			want: want{
				// present: not high (no prior overdose, under 90 MME/day, one factor) and 50 MME/day or more
				overdose: []string{"context.prior_overdose", "context.opioid_mme"},
				naloxone: []string{"domains.overdose_risk", "context.naloxone_current"},
			},
		},
	} {
		for _, noFast := range []bool{false, true} {
			opts := withBundled()
			if noFast {
				opts = append(opts, withInterpreterOnly())
			}
			e, err := New(opts...)
			require.NoError(t, err)
			resp := &Response{Subject: "s", Context: tc.ctx, Answers: map[string]map[string]any{
				"sisq_drug": {"times": 0},
				"phq9":      {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0},
			}}
			rep, err := e.Score(context.Background(), resp)
			require.NoError(t, err, tc.name)
			c := rep.Composite
			require.NotNil(t, c)
			for _, d := range c.Domains {
				if d.ID == "overdose_risk" {
					assert.Equal(t, tc.want.overdose, names(d.Reasons()), "%s: overdose_risk (interpreter only: %v)", tc.name, noFast)
				}
			}
			nal, ok := c.Referral("naloxone")
			require.True(t, ok, tc.name)
			assert.Equal(t, tc.want.naloxone, names(nal.Reasons()), "%s: naloxone (interpreter only: %v)", tc.name, noFast)
			assert.NotContains(t, names(nal.Reasons()), "domains.oud", "naloxone cites a domain that did not trigger it")
			if tc.want.tier != nil {
				assert.Equal(t, tc.want.tier, names(c.TierReasons()), "%s: tier (interpreter only: %v)", tc.name, noFast)
			}
		}
	}
}
