package semver

import (
	"fmt"
	"testing"

	mm "github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
)

// versionsAround are full versions next to each other in every way precedence looks at: numbers,
// pre-release or not, numeric and word identifiers, longer and shorter pre-releases, a number too large
// for 64 bits.
var versionsAround = []string{"0.0.0", "0.0.1", "0.1.0", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.10", "1.0.0-alpha",
	"1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-0", "1.0.0-1",
	"1.0.0-a-b", "1.0.0--", "1.0.0-0a", "1.0.0-A", "1.0.0-Z.1", "1.0.0", "1.0.1", "1.2.0-rc.1", "1.2.0", "1.2.3",
	"1.10.0", "2.0.0-0", "2.0.0", "10.0.0", "1.0.0-99999999999999999999", "1.0.0-99999999999999999998",
	"1.0.0-18446744073709551615", "18446744073709551615.0.0", "1.18446744073709551615.0"}

// Parse, String and Compare agree with Masterminds' StrictNewVersion, String and Compare (what they
// replaced) on every pair.
func TestVersionsMatchMasterminds(t *testing.T) {
	for _, s := range versionsAround {
		v, err := Parse(s)
		require.NoError(t, err, s)
		ref, err := mm.StrictNewVersion(s)
		require.NoError(t, err, s)
		require.Equal(t, ref.String(), v.String(), s)
		for _, o := range versionsAround {
			w, _ := Parse(o)
			ro, _ := mm.StrictNewVersion(o)
			require.Equal(t, ref.Compare(ro), v.Compare(w), "%s vs %s", s, o)
		}
	}
	require.Equal(t, "0.0.0", Version{}.String())
}

// The comparisons Check evaluates agree with Masterminds' own constraint of one full version, pre-releases
// included (what they replaced), on every pair.
func TestComparisonMatchesMasterminds(t *testing.T) {
	for _, op := range []string{"=", "<", "<=", ">", ">="} {
		for _, c := range versionsAround {
			ref, err := mm.NewConstraint(op + c)
			require.NoError(t, err)
			ref.IncludePrerelease = true
			cv, _ := Parse(c)
			for _, s := range versionsAround {
				v, _ := Parse(s)
				require.Equal(t, ref.Check(mm.MustParse(s)), comparison{op, cv.v}.holds(v.v), fmt.Sprintf("%s %s%s", s, op, c))
			}
		}
	}
}
