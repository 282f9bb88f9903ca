package semver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "1.0.0", want: "1.0.0"},
		{in: "10.20.30", want: "10.20.30"},
		{in: "1.0.0-rc.1", want: "1.0.0-rc.1"},
		{in: "1.0", err: "three parts"},
		{in: "1", err: "three parts"},
		{in: "01.0.0", err: "leading zero"},
		{in: "1.0.0+build", err: "build metadata"},
		{in: "1.0.0-", err: "empty pre-release"},
		{in: "1.0.0-01", err: "leading zero"},
		{in: "1.0.0-a..b", err: "invalid pre-release"},
		{in: "a.b.c", err: "not a number"},
		{in: "1.2.3.4", err: "more than three"},
		{in: "", err: "empty"},
		{in: "99999999999999999999.0.0", err: "too large"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, err := Parse(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.String())
		})
	}
}

func TestCompare(t *testing.T) {
	ordered := []string{"0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"}
	for i := range ordered {
		for j := range ordered {
			a, b := mustParse(t, ordered[i]), mustParse(t, ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			assert.Equal(t, want, a.Compare(b), "%s vs %s", ordered[i], ordered[j])
		}
	}
}

func mustParse(t *testing.T, s string) Version {
	t.Helper()
	v, err := Parse(s)
	require.NoError(t, err)
	return v
}

func TestConstraint(t *testing.T) {
	for _, tc := range []struct {
		c        string
		yes, not []string
	}{
		{c: "^1", yes: []string{"1.0.0", "1.9.9"}, not: []string{"0.9.0", "2.0.0", "1.1.0-rc.1", "2.0.0-rc.1"}},
		{c: "^1.2", yes: []string{"1.2.0", "1.9.0"}, not: []string{"1.1.9", "2.0.0"}},
		{c: "^1.2.3", yes: []string{"1.2.3", "1.3.0"}, not: []string{"1.2.2", "2.0.0"}},
		{c: "^0.2.3", yes: []string{"0.2.3", "0.2.9"}, not: []string{"0.3.0", "0.2.2"}},
		{c: "^0.0.3", yes: []string{"0.0.3"}, not: []string{"0.0.4"}},
		{c: "^0", yes: []string{"0.0.0", "0.9.0"}, not: []string{"1.0.0"}},
		{c: "~1.2", yes: []string{"1.2.0", "1.2.9"}, not: []string{"1.3.0", "1.1.0"}},
		{c: "~1.2.3", yes: []string{"1.2.3", "1.2.4"}, not: []string{"1.3.0", "1.2.2"}},
		{c: "1.0.0", yes: []string{"1.0.0"}, not: []string{"1.0.1"}},
		{c: "=1.0.0", yes: []string{"1.0.0"}, not: []string{"1.0.1"}},
		{c: "1.2", yes: []string{"1.2.0", "1.2.7"}, not: []string{"1.3.0"}},
		{c: ">=1.0.0 <2", yes: []string{"1.0.0", "1.5.0"}, not: []string{"2.0.0", "0.1.0"}},
		{c: ">1", yes: []string{"2.0.0"}, not: []string{"1.9.0"}},
		{c: "<=1.2", yes: []string{"1.2.9"}, not: []string{"1.3.0"}},
		{c: "*", yes: []string{"0.0.1", "7.0.0"}, not: []string{"1.0.0-rc.1"}},
		{c: "^1 || ^3", yes: []string{"1.0.0", "3.1.0"}, not: []string{"2.0.0"}},
		{c: ">=1.0.0-rc.1", yes: []string{"1.0.0-rc.2", "1.0.0", "1.1.0"}, not: []string{"1.1.0-rc.1", "1.0.0-beta"}},
	} {
		t.Run(tc.c, func(t *testing.T) {
			c, err := ParseConstraint(tc.c)
			require.NoError(t, err)
			assert.Equal(t, tc.c, c.String())
			for _, v := range tc.yes {
				assert.True(t, c.Check(mustParse(t, v)), "%s should satisfy %s", v, tc.c)
			}
			for _, v := range tc.not {
				assert.False(t, c.Check(mustParse(t, v)), "%s should not satisfy %s", v, tc.c)
			}
		})
	}
}

func TestConstraintErrors(t *testing.T) {
	for _, s := range []string{"", "^", "^x", ">=1.0.0 <", "1.0.0 || ", "~1.2.3.4", "^1.0.0+b"} {
		_, err := ParseConstraint(s)
		assert.Error(t, err, s)
	}
}

func FuzzConstraint(f *testing.F) {
	for _, s := range []string{"^1", "~1.2.3", ">=1.0.0 <2 || 3.0.0", "*", "1.0.0-rc.1"} {
		f.Add(s, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, c, v string) {
		cons, err := ParseConstraint(c)
		if err != nil {
			return
		}
		ver, err := Parse(v)
		if err != nil {
			return
		}
		_ = cons.Check(ver)
		again, err := Parse(ver.String())
		require.NoError(t, err)
		require.Equal(t, 0, ver.Compare(again))
	})
}
