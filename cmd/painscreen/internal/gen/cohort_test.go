package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDate(t *testing.T) {
	for day, want := range map[int]string{0: "2026-01-01", 30: "2026-01-31", 31: "2026-02-01", 58: "2026-02-28", 59: "2026-03-01", 364: "2026-12-31"} {
		assert.Equal(t, want, Date(day))
	}
}

// WriteCohort writes visits per subject, grouped by subject, dated 42 days apart, the same for a seed.
func TestWriteCohort(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, WriteCohort(&a, 50, 3, 7, 0))
	require.NoError(t, WriteCohort(&b, 50, 3, 7, 0))
	require.Equal(t, a.Bytes(), b.Bytes())
	sc := bufio.NewScanner(&a)
	var subjects []string
	n := 0
	for sc.Scan() {
		var rec struct{ Subject, Date string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
		require.Len(t, rec.Date, 10)
		if n%3 == 0 {
			subjects = append(subjects, rec.Subject)
		} else {
			require.Equal(t, subjects[len(subjects)-1], rec.Subject, "grouped by subject")
		}
		n++
	}
	assert.Equal(t, 150, n)
	assert.Len(t, subjects, 50)
}
