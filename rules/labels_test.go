package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Every bundled version names what a clinician reads in words (issue 22): each domain, referral and
// context field of pain_oud has a label, and each score and follow-up measure of the instruments its
// reports show has a short name (their labels may be sentences), so that no text view falls back to an id.
func TestBundledWordsHaveLabels(t *testing.T) {
	for _, ref := range []string{"pain_oud@1.0.0", "pain_oud@1.1.0", "pain_oud@1.2.0"} {
		eng, err := screen.New(bundled.Definitions(), screen.WithRuleSet(ref))
		require.NoError(t, err, ref)
		doc, err := eng.DescribeRuleSet()
		require.NoError(t, err, ref)
		for _, d := range doc.Domains {
			assert.NotEmpty(t, d.Label, "%s domain %s", ref, d.ID)
		}
		for _, r := range doc.Referrals {
			assert.NotEmpty(t, r.Label, "%s referral %s", ref, r.ID)
		}
		for _, c := range doc.Context {
			assert.NotEmpty(t, c.Label, "%s context %s", ref, c.ID)
		}
	}
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		require.NoError(t, err)
		for _, s := range doc.Scores {
			assert.NotEmpty(t, s.Short, "%s score %s", in.ID, s.ID)
		}
		for _, m := range doc.FollowUps {
			assert.NotEmpty(t, m.Short, "%s follow-up %s", in.ID, m.ID)
		}
	}
}
