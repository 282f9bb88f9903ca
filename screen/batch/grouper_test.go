package batch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// A subject with more than maxVisits records in a row fails alone: every one of its records is handed on
// in input order to be scored on its own (tooManyVisits), records without a subject in between are handed
// on as usual, the next subject is grouped with its baseline, and the subject coming back later is still
// not_grouped.
func TestGrouperTooManyVisits(t *testing.T) {
	type pushed struct {
		n    int
		base *screen.Response
	}
	var got []pushed
	push := func(rec respfile.Record, base *screen.Response, _ []respfile.Source) {
		got = append(got, pushed{rec.N, base})
	}
	g := newGrouper()
	n := 0
	add := func(subject, date string) error {
		n++
		return g.add(respfile.Record{N: n, Response: &screen.Response{Subject: subject, Date: date}}, push)
	}
	require.NoError(t, add("a", "2026-01-01"))
	require.NoError(t, add("a", "2026-02-01"))
	for i := range maxVisits + 5 {
		require.NoError(t, add("big", "2026-01-01"))
		if i == 10 || i == maxVisits+2 {
			require.NoError(t, add("", "")) // a record without a subject, scored on its own where it stands
		}
	}
	require.NoError(t, add("z", "2026-01-01"))
	require.NoError(t, add("z", "2026-03-01"))
	g.flush(push)

	require.Len(t, got, n)
	for i, p := range got {
		require.Equal(t, i+1, p.n, "input order")
	}
	assert.Nil(t, got[0].base, "a's baseline")
	require.NotNil(t, got[1].base)
	assert.Equal(t, "a", got[1].base.Subject)
	big, alone := 0, 0
	for _, p := range got[2 : n-2] {
		switch p.base {
		case tooManyVisits:
			big++
		case nil:
			alone++
		default:
			t.Fatalf("record %d: a baseline for a subject over the limit", p.n)
		}
	}
	assert.Equal(t, maxVisits+5, big)
	assert.Equal(t, 2, alone)
	assert.Nil(t, got[n-2].base, "z's baseline")
	require.NotNil(t, got[n-1].base)
	assert.Equal(t, "z", got[n-1].base.Subject)

	err := add("big", "2026-05-01")
	var re *respfile.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "not_grouped", re.Code)
	assert.NotContains(t, tooManyVisitsMsg, "big")
}
