package diff

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/screen/catalog"
)

func ptr(v int64) *int64 { return &v }

func TestSpaceAndOdometer(t *testing.T) {
	items := []catalog.ItemDoc{
		{ID: "a", Options: []catalog.OptionDoc{{Value: 0}, {Value: 2}}},
		{ID: "b", Min: ptr(1), Max: ptr(3)},
		{ID: "c", Options: []catalog.OptionDoc{{Value: 5}, {Value: 6}}},
	}
	held := map[string]bool{"c": true}
	n, bounded := spaceSize(items, held, 2, false)
	assert.True(t, bounded)
	assert.Equal(t, "12", n.String(), "2 values × 3 values × (c held) × 2 contexts")

	opt := Options{}
	opt.defaults()
	vs := [][]int64{values(items[0], opt), values(items[1], opt), values(items[2], opt)[:1]}
	idx, vals := []int{0, 0, 0}, []int64{0, 1, 5}
	var got [][]int64
	for {
		got = append(got, append([]int64(nil), vals...))
		if !next(vs, idx, vals) {
			break
		}
	}
	assert.Equal(t, [][]int64{{0, 1, 5}, {0, 2, 5}, {0, 3, 5}, {2, 1, 5}, {2, 2, 5}, {2, 3, 5}}, got)

	n, _ = spaceSize(items, held, 1, true)
	assert.Equal(t, "12", n.String(), "with unanswered: 3 × 4")
	_, bounded = spaceSize([]catalog.ItemDoc{{ID: "times", Min: ptr(0)}}, nil, 1, false)
	assert.False(t, bounded, "a range without an upper bound cannot be enumerated")
	assert.Len(t, values(catalog.ItemDoc{ID: "times", Min: ptr(0)}, opt), 21, "drawn from the minimum up 20")

	big := newBig(1)
	for range 30 {
		big.mul(1 << 10)
	}
	assert.False(t, big.le(1<<62))
	assert.Equal(t, "2.04e+90", big.String())
}

func TestUnread(t *testing.T) {
	a := &catalog.InstrumentDoc{
		Items: []catalog.ItemDoc{{ID: "q1"}, {ID: "q10"}, {ID: "gate"},
			{ID: "extra", EnableWhen: "answers.gate == 1", EnableWhenReads: &catalog.Reads{Items: []string{"gate"}}}},
		Scores: []catalog.ScoreDoc{{ID: "total", Expr: `answers.sum(["q10", "extra"])`, ExprReads: &catalog.Reads{Items: []string{"q10", "extra"}}}},
	}
	assert.Equal(t, map[string]bool{"q1": true}, unread(a.Items, a), "q1 is not read")
	b := &catalog.InstrumentDoc{Flags: []catalog.FlagDoc{{ID: "f", When: "answers.q1 >= 1", WhenReads: &catalog.Reads{Items: []string{"q1"}}}}}
	assert.Empty(t, unread(a.Items, a, b), "read by the other version")
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 262144: "262,144", 1048576: "1,048,576", -1234: "-1,234"} {
		assert.Equal(t, want, Thousands(n))
	}
}
