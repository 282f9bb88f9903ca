package semver

import (
	"fmt"
	"testing"

	mm "github.com/Masterminds/semver/v3"
	"github.com/stretchr/testify/require"
)

// The comparisons Check evaluates agree with Masterminds' own constraint of one full version, pre-releases
// included (what they replaced), on every pair of a set of versions around each other.
func TestComparisonMatchesMasterminds(t *testing.T) {
	var vs []*mm.Version
	for _, s := range []string{"0.0.0", "0.0.1", "0.1.0", "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-alpha", "1.0.0", "1.0.1",
		"1.2.0-rc.1", "1.2.0", "1.2.3", "1.10.0", "2.0.0-0", "2.0.0", "10.0.0", "1.0.0-99999999999999999999"} {
		vs = append(vs, mm.MustParse(s))
	}
	for _, op := range []string{"=", "<", "<=", ">", ">="} {
		for _, c := range vs {
			ref, err := mm.NewConstraint(op + c.String())
			require.NoError(t, err)
			ref.IncludePrerelease = true
			for _, v := range vs {
				require.Equal(t, ref.Check(v), comparison{op, c}.holds(v), fmt.Sprintf("%s %s%s", v, op, c))
			}
		}
	}
}
