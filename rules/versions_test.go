package rules_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// TestVersionsSideBySide checks that the three bundled versions of pain_oud load together, that the newest
// (1.2.0) is applied by default, and that each can be pinned — and gives its own result: the same record
// (a PHQ-9 alone, item 9 denied, total 12) is not applied under 1.0.0 and 1.1.0 (GCPS-R required) and is
// applied under 1.2.0 (every input optional).
func TestVersionsSideBySide(t *testing.T) {
	resp := &screen.Response{Answers: map[string]map[string]any{"phq9": items(2, 2, 2, 2, 1, 1, 2, 0, 0)}}
	for _, tc := range []struct {
		ref, version, file string
		applied            bool
	}{
		{"", "1.2.0", "rules/pain_oud/pain_oud.v1.2.yaml", true},
		{"pain_oud", "1.2.0", "rules/pain_oud/pain_oud.v1.2.yaml", true},
		{"pain_oud@1.2.0", "1.2.0", "rules/pain_oud/pain_oud.v1.2.yaml", true},
		{"pain_oud@1.1.0", "1.1.0", "rules/pain_oud/pain_oud.v1.yaml", false},
		{"pain_oud@1.0.0", "1.0.0", "rules/pain_oud/pain_oud.v1.0.yaml", false},
	} {
		opts := []screen.Option{bundled.Definitions()}
		if tc.ref != "" {
			opts = append(opts, screen.WithRuleSet(tc.ref))
		}
		eng, err := screen.New(opts...)
		require.NoError(t, err, tc.ref)
		info, ok := eng.RuleSet()
		require.True(t, ok, tc.ref)
		assert.Equal(t, tc.version, info.Version, tc.ref)
		assert.Equal(t, tc.file, info.File, tc.ref)
		rep, err := eng.Score(context.Background(), resp)
		require.NoError(t, err, tc.ref)
		assert.Equal(t, tc.version, rep.Composite.Version, tc.ref)
		assert.Equal(t, tc.applied, rep.Composite.Applied, tc.ref)
		if tc.applied {
			assert.Equal(t, screen.Tier("elevated"), rep.Composite.Tier, tc.ref)
		}
	}
	_, err := screen.New(bundled.Definitions(), screen.WithRuleSet("pain_oud@1.3.0"))
	require.Error(t, err, "a version that is not bundled")
}
