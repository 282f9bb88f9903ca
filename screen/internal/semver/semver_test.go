package semver

import (
	"strings"
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

// Where Masterminds, underneath, is more lenient than the strict syntax: each is rejected with a precise
// message.
func TestParseStrict(t *testing.T) {
	long := "1.0.0-" + strings.Repeat("a", 250) // 256 bytes: the longest version
	for _, tc := range []struct {
		in, err string
	}{
		{in: "v1.0.0", err: `version "v1.0.0": "v1" is not a number`},
		{in: "V1.0.0", err: `version "V1.0.0": "V1" is not a number`},
		{in: "1.0.0+build.1", err: `version "1.0.0+build.1": build metadata (+...) is not allowed`},
		{in: "1.0.0-rc.1+b", err: `version "1.0.0-rc.1+b": build metadata (+...) is not allowed`},
		{in: "1.02.0", err: `version "1.02.0": "02" has a leading zero`},
		{in: "1.0.00", err: `version "1.0.00": "00" has a leading zero`},
		{in: "1.0.0-rc.01", err: `version "1.0.0-rc.01": numeric pre-release identifier "01" has a leading zero`},
		{in: "1.0.0-rc_1", err: `version "1.0.0-rc_1": invalid pre-release identifier "rc_1"`},
		{in: "1.0", err: `version "1.0" must have three parts, MAJOR.MINOR.PATCH`},
		{in: "1.0-rc.1", err: `version "1.0-rc.1": a pre-release needs MAJOR.MINOR.PATCH`},
		{in: "1.x.0", err: `version "1.x.0": "x" is not a number`},
		{in: " 1.0.0", err: `version " 1.0.0": " 1" is not a number`},
		{in: "1.0.0 ", err: `version "1.0.0 ": "0 " is not a number`},
		{in: "1.0.0.0", err: `version "1.0.0.0" has more than three parts`},
		{in: "18446744073709551616.0.0", err: `version "18446744073709551616.0.0": "18446744073709551616" is too large`},
		{in: long + "a", err: "version is 257 bytes; the limit is 256"},
		{in: long},
		{in: "18446744073709551615.0.0-0.a-b.1"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, err := Parse(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.in, v.String())
		})
	}
}

func TestZeroVersion(t *testing.T) {
	var v Version
	assert.Equal(t, "0.0.0", v.String())
	assert.Equal(t, 0, v.Compare(mustParse(t, "0.0.0")))
	assert.Equal(t, -1, v.Compare(mustParse(t, "0.0.1")))
	assert.Equal(t, 1, v.Compare(mustParse(t, "0.0.0-rc.1")))
	var c Constraint
	assert.False(t, c.Check(v))
}

// Where Masterminds' syntax or meaning differs from the package's: its extras are rejected, ranges keep
// their bounds for pre-releases, and pre-releases follow npm's rule.
func TestConstraintStrict(t *testing.T) {
	longest := "1.0.0-" + strings.Repeat("a", 250) // 256 bytes
	for _, tc := range []struct {
		c        string
		err      string
		yes, not []string
	}{
		{c: "v1", err: `constraint "v1": version "v1": "v1" is not a number`},
		{c: "^v1.2", err: `constraint "^v1.2": version "v1.2": "v1" is not a number`},
		{c: "1.x", err: `constraint "1.x": version "1.x": "x" is not a number`},
		{c: "1.2.*", err: `constraint "1.2.*": version "1.2.*": "*" is not a number`},
		{c: "X", err: `constraint "X": version "X": "X" is not a number`},
		{c: "^*", err: `constraint "^*": version "*": "*" is not a number`},
		{c: "~>1.2", err: `constraint "~>1.2": version ">1.2": ">1" is not a number`},
		{c: "=>1.0.0", err: `constraint "=>1.0.0": version ">1.0.0": ">1" is not a number`},
		{c: "!=1.0.0", err: `constraint "!=1.0.0": version "!=1.0.0": "!=1" is not a number`},
		{c: "1.0.0 - 2.0.0", err: `constraint "1.0.0 - 2.0.0": version "-": "" is not a number`},
		{c: ">=1.0.0, <2", err: `constraint ">=1.0.0, <2": version "1.0.0,": "0," is not a number`},
		{c: ">= 1.0.0", err: `constraint ">= 1.0.0": empty version`},
		{c: "^1.0.0+b", err: `constraint "^1.0.0+b": version "1.0.0+b": build metadata (+...) is not allowed`},
		{c: "^01", err: `constraint "^01": version "01": "01" has a leading zero`},
		{c: "~1.2-rc.1", err: `constraint "~1.2-rc.1": version "1.2-rc.1": a pre-release needs MAJOR.MINOR.PATCH`},
		{c: "^1 | ^2", err: `constraint "^1 | ^2": version "|": "|" is not a number`},
		{c: "^1 ||", err: `constraint "^1 ||": empty alternative`},
		{c: " \t ", err: "empty version constraint"},
		{c: "^" + longest + "a", err: `constraint "^` + longest + `a": version is 257 bytes; the limit is 256`},
		{c: "^" + longest, yes: []string{longest, "1.0.0", "1.9.0"}, not: []string{"1.0.0-a", "2.0.0"}},

		// Masterminds would take any pre-release once the group names one.
		{c: ">=1.0.0-rc.1 <2", yes: []string{"1.0.0-rc.2", "1.0.0", "1.5.0"}, not: []string{"1.1.0-rc.1", "1.0.0-beta", "2.0.0-rc.1"}},
		{c: "^1.2.3-rc.1", yes: []string{"1.2.3-rc.1", "1.2.3-rc.2", "1.2.3", "1.9.0"}, not: []string{"1.2.3-beta", "1.2.4-rc.1", "2.0.0-rc.1"}},
		// Masterminds' ^, ~ and partial versions compare numbers: the bounds here are plain comparisons.
		{c: "^1 <2.0.0-rc.5", yes: []string{"1.5.0", "2.0.0-rc.1"}, not: []string{"2.0.0-rc.5", "2.0.0"}},
		{c: "1.2 <=1.3.0-rc.1", yes: []string{"1.2.5", "1.3.0-rc.1"}, not: []string{"1.3.0-rc.2", "1.3.0"}},
		{c: "~1.2.3 <=1.3.0-rc.1", yes: []string{"1.2.3", "1.3.0-rc.1"}, not: []string{"1.3.0"}},
		{c: ">1.2 <=1.3.0-rc.5", not: []string{"1.3.0-rc.2", "1.3.0", "1.2.9"}},
		// Masterminds' ~0.0.0 is any version.
		{c: "~0.0.0", yes: []string{"0.0.0", "0.0.9"}, not: []string{"0.1.0", "1.0.0"}},
		{c: "~0.0.0-rc.1", yes: []string{"0.0.0-rc.1", "0.0.5"}, not: []string{"0.1.0", "0.0.1-rc.1"}},
		// Pre-releases per alternative.
		{c: "^1 || 2.0.0-rc.1", yes: []string{"1.0.0", "2.0.0-rc.1"}, not: []string{"2.0.0-rc.2", "1.5.0-rc.1", "2.0.0"}},
		{c: "1.0.0-rc.1 || ^1", yes: []string{"1.0.0-rc.1", "1.2.0"}, not: []string{"1.0.0-rc.2"}},
		{c: "x", yes: []string{"0.0.0", "9.9.9"}, not: []string{"1.0.0-rc.1"}},
		// Whitespace: any run of spaces or tabs separates terms and alternatives.
		{c: "^1||^3", yes: []string{"1.0.0", "3.0.0"}, not: []string{"2.0.0"}},
		{c: ">=1.0.0\t<2", yes: []string{"1.0.0"}, not: []string{"2.0.0"}},
	} {
		t.Run(tc.c, func(t *testing.T) {
			c, err := ParseConstraint(tc.c)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			for _, v := range tc.yes {
				assert.True(t, c.Check(mustParse(t, v)), "%s should satisfy %s", v, tc.c)
			}
			for _, v := range tc.not {
				assert.False(t, c.Check(mustParse(t, v)), "%s should not satisfy %s", v, tc.c)
			}
		})
	}
	c, err := ParseConstraint("  ^1  ||\t^3  ")
	require.NoError(t, err)
	assert.Equal(t, "^1  ||\t^3", c.String(), "the constraint as written, trimmed")
}
