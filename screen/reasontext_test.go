package screen_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func joinTexts(rs []screen.Reason, sep string) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, sep)
}

// TestAppendReasonTexts: the appended words are the Text fields of Reasons() joined, for every flag,
// referral (possible ones too), tier and follow-up measure, on scored reports, a follow-up and the same
// reports read back from JSON.
func TestAppendReasonTexts(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	ctx := context.Background()
	var reps []*screen.Report
	for _, resp := range []*screen.Response{fullBattery(0), fullBattery(2), otherBattery(),
		{Answers: map[string]map[string]any{"phq9": {"q1": 3, "q2": 3}, "dsm5_oud": {"craving": 1, "tolerance": 1}}}} {
		rep, err := eng.Score(ctx, resp)
		require.NoError(t, err)
		reps = append(reps, rep)
	}
	fu, err := eng.FollowUp(ctx, fullBattery(3), fullBattery(0))
	require.NoError(t, err)
	reps = append(reps, fu)
	for _, rep := range append([]*screen.Report(nil), reps...) {
		back, err := screen.ReadReport(bytes.NewReader(rep.AppendJSON(nil)))
		require.NoError(t, err)
		reps = append(reps, back)
	}
	n := 0
	check := func(want []screen.Reason, got []byte) {
		t.Helper()
		require.Equal(t, joinTexts(want, "; "), string(got[len("x"):]))
		n += len(want)
	}
	for _, rep := range reps {
		for _, in := range rep.Instruments {
			for _, f := range in.Flags {
				check(f.Reasons(), f.AppendReasonTexts([]byte("x"), "; "))
			}
		}
		if c := rep.Composite; c != nil {
			check(c.TierReasons(), c.AppendTierReasonTexts([]byte("x"), "; "))
			for _, r := range append(append([]screen.Referral(nil), c.Referrals...), c.PossibleReferrals...) {
				check(r.Reasons(), r.AppendReasonTexts([]byte("x"), "; "))
			}
		}
		if f := rep.FollowUp; f != nil {
			for _, fi := range f.Instruments {
				for _, m := range fi.Measures {
					check(m.Reasons(), m.AppendReasonTexts([]byte("x"), "; "))
				}
			}
		}
	}
	require.Greater(t, n, 20)
}
