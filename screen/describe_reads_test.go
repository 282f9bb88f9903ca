package screen_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// TestDescribeReads: the descriptions carry what each expression reads, as the compiler found it, and a
// caller changing them changes nothing in the engine.
func TestDescribeReads(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	doc, err := eng.Describe("phq9")
	require.NoError(t, err)
	total := doc.Scores[0]
	require.Equal(t, "total", total.ID)
	require.NotNil(t, total.ExprReads)
	assert.Nil(t, total.WhenReads, "no condition")
	assert.Equal(t, []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}, total.ExprReads.Items)
	assert.Equal(t, []catalog.MissingRule{{Items: total.ExprReads.Items, Max: 2}}, total.ExprReads.Missing)
	var item9 *catalog.FlagDoc
	for i := range doc.Flags {
		if doc.Flags[i].ID == "suicidal_ideation" {
			item9 = &doc.Flags[i]
		}
	}
	require.NotNil(t, item9)
	assert.Equal(t, []string{"q9"}, item9.WhenReads.Items, "the item 9 flag reads item 9 alone")
	require.Len(t, item9.WhenReads.Cuts, 1)
	assert.Equal(t, "answers.q9 >= 1", item9.WhenReads.Cuts[0].String())

	total.ExprReads.Items[0] = "changed"
	item9.WhenReads.Cuts[0].Terms[0].Path[1] = "changed"
	again, err := eng.Describe("phq9")
	require.NoError(t, err)
	assert.Equal(t, "q1", again.Scores[0].ExprReads.Items[0], "a description is the caller's own copy")

	require.NotEmpty(t, doc.FollowUps)
	for _, m := range doc.FollowUps {
		require.NotNil(t, m.ExprReads, "follow-up %s", m.ID)
		assert.Contains(t, m.ExprReads.Paths, []string{"current", "total"}, "follow-up %s", m.ID)
	}

	rs, err := eng.DescribeRuleSet()
	require.NoError(t, err)
	for _, d := range rs.Domains {
		assert.Equal(t, d.Expr != "", d.ExprReads != nil, "domain %s", d.ID)
		for _, s := range d.Sources {
			assert.NotNil(t, s.ExprReads, "domain %s, source %s", d.ID, s.Input)
			assert.Equal(t, s.When != "", s.WhenReads != nil, "domain %s, source %s", d.ID, s.Input)
		}
	}
	for _, tier := range rs.Tiers {
		assert.Equal(t, tier.When != "", tier.WhenReads != nil, "tier %s", tier.ID)
	}
	for _, r := range rs.Referrals {
		require.NotNil(t, r.WhenReads, "referral %s", r.ID)
		assert.NotEmpty(t, r.WhenReads.Paths, "referral %s", r.ID)
		assert.Empty(t, r.WhenReads.Items, "a rule set's reads are paths")
		for _, a := range r.Addenda {
			assert.NotNil(t, a.WhenReads, "referral %s addendum", r.ID)
		}
	}
}
