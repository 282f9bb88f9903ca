package plan_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

func TestBandOf(t *testing.T) {
	inf := math.Inf(1)
	s := &plan.Score{Bands: []plan.Band{
		{Lo: -inf, Hi: 4, Label: value.OfString("minimal")},
		{Lo: 4, LoOpen: true, Hi: 9.5, HiOpen: true, Label: value.OfString("mild")},
		{Lo: 9.5, Hi: inf, Label: value.OfString("severe")},
	}}
	for _, tc := range []struct {
		v    value.Value
		want string // "" = no band
	}{
		{value.OfInt(-3), "minimal"},
		{value.OfInt(4), "minimal"}, // closed upper bound
		{value.OfDouble(4.0001), "mild"},
		{value.OfDouble(9.4999), "mild"},
		{value.OfDouble(9.5), "severe"}, // an open bound belongs to the neighbour
		{value.OfInt(27), "severe"},
		{value.OfDouble(math.NaN()), ""},
		{value.OfString("4"), ""}, // not a number
		{value.OfBool(true), ""},
	} {
		got, ok := s.BandOf(tc.v)
		assert.Equal(t, tc.want != "", ok, "%v", tc.v)
		if tc.want != "" {
			assert.Equal(t, tc.want, got.S(), "%v", tc.v)
		}
	}
	gap := &plan.Score{Bands: []plan.Band{{Lo: 0, Hi: 1, Label: value.OfString("a")}, {Lo: 3, Hi: 4, Label: value.OfString("b")}}}
	_, ok := gap.BandOf(value.OfInt(2))
	assert.False(t, ok, "a value between bands is in none")
}

func TestLookupOf(t *testing.T) {
	s := &plan.Score{
		Lookup:     []def.LookupRow{{Key: -2}, {Key: 0}, {Key: 1}, {Key: 4}, {Key: 9}},
		LookupVals: []value.Value{value.OfDouble(10), value.OfDouble(40), value.OfDouble(45.5), value.OfDouble(60), value.OfDouble(80)},
	}
	for k, want := range map[int64]float64{-2: 10, 0: 40, 1: 45.5, 4: 60, 9: 80} {
		got, ok := s.LookupOf(value.OfInt(k))
		require.True(t, ok, "%d", k)
		assert.Equal(t, want, got.F(), "%d", k)
	}
	for _, v := range []value.Value{value.OfInt(2), value.OfInt(-3), value.OfInt(10), value.OfDouble(1), value.OfString("1")} {
		_, ok := s.LookupOf(v)
		assert.False(t, ok, "%v: no row (a double is never a key)", v)
	}
	_, ok := (&plan.Score{}).LookupOf(value.OfInt(0))
	assert.False(t, ok, "an empty table")
}

// TestResolve: an unpinned key selects the default version, a pinned one that version (also written in a
// shorter semantic-version form); anything else is a ResolveError naming what is loaded.
func TestResolve(t *testing.T) {
	v1 := compiletest.Instrument("- {id: total, expr: 'answers.q1'}", "")
	v2 := strings.Replace(v1, "version: 1.0.0", "version: 1.1.0", 1)
	p := compiletest.Plan(t, map[string]string{"t.v1.yaml": v1, "t.v1.1.yaml": v2})
	require.Len(t, p.Insts, 2)

	in, err := p.Resolve("t")
	require.Nil(t, err)
	assert.Equal(t, "1.1.0", in.Version, "the newest version is the default")
	in, err = p.Resolve("t@1.0.0")
	require.Nil(t, err)
	assert.Equal(t, "1.0.0", in.Version)

	_, err = p.Resolve("t@2.0.0")
	require.NotNil(t, err)
	assert.Equal(t, []string{"1.1.0", "1.0.0"}, err.Loaded, "newest first")
	assert.Equal(t, "version 2.0.0 of t is not loaded (loaded: 1.1.0, 1.0.0)", err.Error())

	_, err = p.Resolve("phq9")
	require.NotNil(t, err)
	assert.Nil(t, err.Loaded)
	assert.Equal(t, `no instrument "phq9" is loaded`, err.Error())
	_, err = p.Resolve("phq9@1.0.0")
	require.NotNil(t, err)
	assert.Equal(t, "phq9", err.ID)
}

func TestNames(t *testing.T) {
	n := plan.NewNames("answers.q9", "phq9.answers.q9")
	assert.Equal(t, "answers.q9", n.Name(false, false))
	assert.Equal(t, "phq9.answers.q9", n.Name(true, false))
	assert.Equal(t, "has(answers.q9)", n.Name(false, true))
	assert.Equal(t, "has(phq9.answers.q9)", n.Name(true, true))
}

func TestIndexes(t *testing.T) {
	p := compiletest.Plan(t, map[string]string{"t.v1.yaml": compiletest.Instrument("- {id: total, expr: 'answers.q1'}\n- {id: any, expr: 'scores.total >= 1'}",
		"flags:\n  - {id: f, when: answers.q1 == 3, level: info, message: m}\n")})
	in := p.Insts[0]
	assert.Equal(t, 1, in.ScoreIndex("any"))
	assert.Equal(t, -1, in.ScoreIndex("q1"))
	assert.Equal(t, 0, in.FlagIndex("f"))
	assert.Equal(t, -1, in.FlagIndex("any"))
	assert.Equal(t, -1, in.FollowIndex("f"))
	assert.Equal(t, 3, in.ItemIdx["q4"])
	n, ok := in.Items[0].Values()
	assert.True(t, ok)
	assert.Equal(t, int64(4), n)
}

// TestIsOption: the option mask says exactly what searching the options says, for option sets inside
// 0..63, reaching past it or below zero, and for values around and far from every option.
func TestIsOption(t *testing.T) {
	sets := [][]int64{{}, {0, 1, 2, 3}, {0, 1, 3}, {63}, {0, 64}, {-1, 0, 1}, {1, 2, 4, 8, 100}, {math.MaxInt64, math.MinInt64}, {62, 63}}
	for _, vals := range sets {
		var opts []def.Option
		for _, v := range vals {
			opts = append(opts, def.Option{Value: v})
		}
		it := &plan.Item{Options: opts}
		it.OptMask, it.OptMaskAll = plan.OptionMask(opts)
		probe := []int64{math.MinInt64, math.MaxInt64, -65, 1 << 32, 1<<63 - 64}
		for n := int64(-3); n <= 130; n++ {
			probe = append(probe, n)
		}
		probe = append(probe, vals...)
		for _, n := range probe {
			want := false
			for _, o := range opts {
				want = want || o.Value == n
			}
			assert.Equal(t, want, it.IsOption(n), "options %v, value %d", vals, n)
		}
	}
}
