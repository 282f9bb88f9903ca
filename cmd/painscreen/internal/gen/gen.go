// Package gen generates synthetic response sets for benchmarks and tests: the full battery of the
// bundled catalogue (phq9, gad7, gcps_r, dsm5_oud, sisq_drug, auditc, pc_ptsd5) with age and sex, as JSON
// Lines. Answers are random but valid, skewed towards the low end as in a primary-care population, and
// respect skip logic: gcps_r asks limit_frequency, pain_avg, enjoyment and activity only when
// pain_frequency >= 2; pc_ptsd5 asks its symptoms only when trauma = 1. The same seed gives the same
// bytes. Nothing here is real patient data.
package gen

import (
	"bufio"
	"io"
	"math/rand/v2"
	"strconv"
)

// Write writes n records to w, one JSON object per line; missingPct percent of them leave answers blank.
func Write(w io.Writer, n int, seed uint64, missingPct int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := New(seed)
	g.MissingPct = missingPct
	var b []byte
	for i := 1; i <= n; i++ {
		b = g.Append(b[:0], i)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Gen makes records from a seeded random source.
type Gen struct {
	r *rand.Rand
	// MissingPct is the percentage of records that leave some answers blank (each item of such a record is
	// null with probability 1 in 12), as paper forms and interrupted visits do; 0 writes complete records.
	MissingPct int
	blank      bool // the current record leaves answers blank
}

// New returns a generator; the same seed gives the same records.
func New(seed uint64) *Gen { return &Gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))} }

// weights for a 0-3 frequency item: mostly "not at all".
var freq4 = []int{55, 25, 12, 8}

// pick returns an index drawn with the given weights (summing to 100).
func (g *Gen) pick(w []int) int {
	x := g.r.IntN(100)
	for i, p := range w {
		if x < p {
			return i
		}
		x -= p
	}
	return len(w) - 1
}

func (g *Gen) yes(pct int) int {
	if g.r.IntN(100) < pct {
		return 1
	}
	return 0
}

func (g *Gen) item(b []byte, first bool, id string, v int) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, id...)
	b = append(b, `":`...)
	if g.blank && g.r.IntN(12) == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// Append appends record i (its subject is gen-<i>) as one line of JSON, without the line end.
func (g *Gen) Append(b []byte, i int) []byte { return g.appendRecord(b, i, "") }

// WriteCohort writes visits records for each of subjects subjects (gen-1 …), grouped by subject, as for
// score --follow-up: the visits of a subject are dated 42 days apart from a baseline in early 2026 (the
// first visit, or for every fifth subject the second record, so the earliest is not always first).
func WriteCohort(w io.Writer, subjects, visits int, seed uint64, missingPct int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	g := New(seed)
	g.MissingPct = missingPct
	var b []byte
	for s := 1; s <= subjects; s++ {
		start := g.r.IntN(60) // days after 2026-01-01
		for v := range visits {
			day := start + 42*v
			if s%5 == 0 && v < 2 {
				day = start + 42*(1-v) // the first two visits swapped in the file
			}
			b = g.appendRecord(b[:0], s, Date(day))
			b = append(b, '\n')
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// Date returns the ISO 8601 date day days after 2026-01-01 (day < 365).
func Date(day int) string {
	months := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	m := 0
	for day >= months[m] {
		day -= months[m]
		m++
	}
	return "2026-" + two(m+1) + "-" + two(day+1)
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// appendRecord appends one record of subject gen-<i>, dated when date is not "".
func (g *Gen) appendRecord(b []byte, i int, date string) []byte {
	g.blank = g.MissingPct > 0 && g.r.IntN(100) < g.MissingPct
	b = append(b, `{"subject":"gen-`...)
	b = strconv.AppendInt(b, int64(i), 10)
	if date != "" {
		b = append(b, `","date":"`...)
		b = append(b, date...)
	}
	b = append(b, `","context":{"age":`...)
	b = strconv.AppendInt(b, int64(18+g.r.IntN(73)), 10)
	if g.r.IntN(2) == 0 {
		b = append(b, `,"sex":"female"},"answers":{`...)
	} else {
		b = append(b, `,"sex":"male"},"answers":{`...)
	}

	b = append(b, `"phq9":{`...)
	for q := 1; q <= 9; q++ {
		w := freq4
		if q == 9 {
			w = []int{94, 4, 1, 1}
		}
		b = g.item(b, q == 1, "q"+strconv.Itoa(q), g.pick(w))
	}
	b = g.item(b, false, "difficulty", g.pick(freq4))

	b = append(b, `},"gad7":{`...)
	for q := 1; q <= 7; q++ {
		b = g.item(b, q == 1, "q"+strconv.Itoa(q), g.pick(freq4))
	}

	b = append(b, `},"gcps_r":{`...)
	pf := g.pick([]int{30, 30, 20, 20})
	b = g.item(b, true, "pain_frequency", pf)
	if pf >= 2 {
		b = g.item(b, false, "limit_frequency", g.pick([]int{30, 30, 20, 20}))
		b = g.item(b, false, "pain_avg", g.r.IntN(11))
		b = g.item(b, false, "enjoyment", g.r.IntN(11))
		b = g.item(b, false, "activity", g.r.IntN(11))
	}

	b = append(b, `},"dsm5_oud":{`...)
	heavy := g.r.IntN(100) < 15 // some respondents meet many criteria
	pct := 5
	if heavy {
		pct = 55
	}
	for k, id := range dsm5Items {
		b = g.item(b, k == 0, id, g.yes(pct))
	}
	b = g.item(b, false, "supervised", g.yes(30))

	b = append(b, `},"sisq_drug":{`...)
	times := 0
	if g.r.IntN(100) < 12 {
		times = 1 + g.r.IntN(50)
	}
	b = g.item(b, true, "times", times)

	b = append(b, `},"auditc":{`...)
	b = g.item(b, true, "frequency", g.pick([]int{35, 30, 20, 10, 5}))
	b = g.item(b, false, "typical_quantity", g.pick([]int{50, 25, 15, 7, 3}))
	b = g.item(b, false, "binge_frequency", g.pick([]int{55, 25, 12, 6, 2}))

	b = append(b, `},"pc_ptsd5":{`...)
	trauma := g.yes(40)
	b = g.item(b, true, "trauma", trauma)
	if trauma == 1 {
		for _, id := range ptsdItems {
			b = g.item(b, false, id, g.yes(35))
		}
	}
	return append(b, `}}}`...)
}

var dsm5Items = []string{"larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems",
	"activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal"}

var ptsdItems = []string{"nightmares", "avoidance", "on_guard", "numb", "guilt"}
