package instruments_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/painscreen/painscreen/screen/suite"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screentest"
)

// TestSuites runs every bundled test suite (*_test.yaml) against the bundled definitions.
func TestSuites(t *testing.T) {
	screentest.Run(t, instruments.FS, "instruments")
}

// The exhaustive tests below score every answer pattern (or, under -short, a deterministic sample) through
// the engine and compare with an independent computation written here in Go from the published rules
// (composite.md §1, instruments.md). They share one engine: it is immutable and safe for concurrent use.

var (
	engOnce sync.Once
	eng     *screen.Engine
	engErr  error
)

func engine(t testing.TB) *screen.Engine {
	t.Helper()
	engOnce.Do(func() {
		eng, engErr = screen.New(screen.WithDefinitions(instruments.FS, "instruments"), screen.WithoutRuleSet())
	})
	require.NoError(t, engErr)
	return eng
}

// score scores one instrument's answers and returns its result.
func score(eng *screen.Engine, id string, answers map[string]any, ctx map[string]any) (*screen.InstrumentResult, error) {
	rep, err := eng.Score(context.Background(), &screen.Response{Context: ctx, Answers: map[string]map[string]any{id: answers}})
	if err != nil {
		return nil, err
	}
	if err := rep.Err(); err != nil {
		return nil, err
	}
	res := rep.Instrument(id)
	if res == nil {
		return nil, fmt.Errorf("no result for %s", id)
	}
	return res, nil
}

// failures collects at most a few messages from many goroutines, so a broken rule does not print 262,144 lines.
type failures struct {
	t *testing.T
	n atomic.Int64
}

const maxFailures = 20

func (f *failures) errorf(format string, args ...any) {
	f.t.Helper()
	if n := f.n.Add(1); n <= maxFailures {
		f.t.Errorf(format, args...)
	} else if n == maxFailures+1 {
		f.t.Errorf("... more failures suppressed")
	}
}

// parallel calls fn for every element of work, spread over GOMAXPROCS goroutines.
func parallel(work []int, fn func(p int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(work) {
					return
				}
				fn(work[i])
			}
		}()
	}
	wg.Wait()
}

// reduced reports whether the exhaustive sweeps run on deterministic samples (-short, or the race detector).
func reduced() bool { return testing.Short() || raceEnabled }

// patterns returns every pattern 0..n-1, or in reduced mode a deterministic sample of `sample` of them.
func patterns(n, sample int) []int {
	if !reduced() || n <= sample {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[int]bool{}
	var out []int
	for len(out) < sample {
		p := r.IntN(n)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// digits decodes pattern p into n base-b digits, least significant first.
func digits(p, n, b int) []int {
	d := make([]int, n)
	for i := range d {
		d[i] = p % b
		p /= b
	}
	return d
}

func pow(b, e int) int {
	r := 1
	for range e {
		r *= b
	}
	return r
}

func itemIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return ids
}

func flagIDs(res *screen.InstrumentResult) []string {
	var out []string
	for _, f := range res.Flags {
		out = append(out, f.ID)
	}
	return out
}

func hasNote(res *screen.InstrumentResult, code, about string) bool {
	for _, n := range res.Notes {
		if n.Code == code && (about == "" || n.About == about) {
			return true
		}
	}
	return false
}

func num(res *screen.InstrumentResult, id string) (float64, bool) {
	vScore, ok := res.Score(id)
	v := vScore.Value
	if !ok {
		return 0, false
	}
	return v.Float()
}

func str(res *screen.InstrumentResult, id string) (string, bool) {
	vScore, ok := res.Score(id)
	v := vScore.Value
	if !ok {
		return "", false
	}
	return v.Str()
}

func boolean(res *screen.InstrumentResult, id string) (bool, bool) {
	vScore, ok := res.Score(id)
	v := vScore.Value
	if !ok {
		return false, false
	}
	return v.Bool()
}

// ---- Determinacy by brute force (composite.md §1a rule 3) ----
//
// A result the definition leaves not computed because answers are missing or invalid is still reported when
// every completion — each missing or invalid answer replaced by each value its item allows — gives it the
// same value, with a note "determined". The checks below enumerate the completions here, in Go, with the
// reference rules, independently of the engine's own (lazy) enumeration.

// Answer states in the pattern slices below, besides the item values themselves.
const (
	missing = -1 // not answered
	invalid = -2 // answered with a value the item does not allow: an error of the record, unknown for scoring
)

// completions calls fn with every completion of vals: each open index (missing or invalid) takes each of
// the values its item allows. Skip logic needs no special care here: the reference rules read only the items
// a completion asks, so filling an item that is not asked changes nothing.
func completions(vals []int, values func(i int) []int, fn func(c []int)) {
	c := slices.Clone(vals)
	var open []int
	for i, v := range vals {
		if v == missing || v == invalid {
			open = append(open, i)
		}
	}
	var rec func(k int)
	rec = func(k int) {
		if k == len(open) {
			fn(c)
			return
		}
		for _, x := range values(open[k]) {
			c[open[k]] = x
			rec(k + 1)
		}
	}
	rec(0)
}

func valueRange(lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

// expected is what composite.md says of one score: reported or not, its value, and whether it is reported
// only because every completion gives it (note "determined").
type expected struct {
	id         string
	ok         bool
	v          screen.Value
	determined bool
}

// decideScore combines the definition's own result on the actual answers (ownOK: it computed one) with the
// set of results the completions give.
func decideScore(id string, own screen.Value, ownOK bool, set map[screen.Value]bool) expected {
	if ownOK {
		return expected{id: id, ok: true, v: own}
	}
	if len(set) == 1 {
		for v := range set {
			return expected{id: id, ok: true, v: v, determined: true}
		}
	}
	return expected{id: id}
}

// checkExpected compares a result's scores and determined notes with the expectations.
func checkExpected(f *failures, what string, res *screen.InstrumentResult, ws ...expected) {
	for _, w := range ws {
		gotScore, ok := res.Score(w.id)
		got := gotScore.Value
		switch {
		case ok != w.ok:
			f.errorf("%s: %s reported %v (%v), want reported %v (%v); notes %v", what, w.id, ok, got, w.ok, w.v, res.Notes)
		case ok && !got.Equal(w.v):
			f.errorf("%s: %s = %v, want %v", what, w.id, got, w.v)
		}
		if hasNote(res, "determined", w.id) != (w.ok && w.determined) {
			f.errorf("%s: determined note about %s: %v, want %v", what, w.id, hasNote(res, "determined", w.id), w.ok && w.determined)
		}
	}
}

// answersOf turns a pattern into answers: missing items are left out, invalid ones get bad(i).
func answersOf(ids []string, d []int, bad func(i int) any) map[string]any {
	a := map[string]any{}
	for i, v := range d {
		switch v {
		case missing:
		case invalid:
			a[ids[i]] = bad(i)
		default:
			a[ids[i]] = v
		}
	}
	return a
}

// checkErrors checks that the record's errors are exactly the invalid items of the pattern, in item order,
// and that the instrument's status is error when there are any.
func checkErrors(f *failures, what string, rep *screen.Report, err error, ids []string, d []int) bool {
	var want []string
	for i, v := range d {
		if v == invalid {
			want = append(want, ids[i])
		}
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, e.Item)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		f.errorf("%s: errors about %v, want %v", what, got, want)
		return false
	}
	var re *screen.ResponseErrors
	if (len(want) > 0) != errors.As(err, &re) {
		f.errorf("%s: error %v with %d invalid answers", what, err, len(want))
		return false
	}
	return true
}

// scoreReport scores one instrument's answers and returns the report (also when it carries errors).
func scoreReport(eng *screen.Engine, id string, answers map[string]any, ctx map[string]any) (*screen.Report, *screen.InstrumentResult, error) {
	rep, err := eng.Score(context.Background(), &screen.Response{Context: ctx, Answers: map[string]map[string]any{id: answers}})
	if err != nil {
		return nil, nil, err
	}
	res := rep.Instrument(id)
	if res == nil {
		return rep, nil, fmt.Errorf("no result for %s", id)
	}
	return rep, res, rep.Err()
}

// ---- Independent reference rules (composite.md §1) ----

func phq9Severity(total float64) string {
	switch {
	case total < 5:
		return "minimal"
	case total < 10:
		return "mild"
	case total < 15:
		return "moderate"
	case total < 20:
		return "moderately_severe"
	}
	return "severe"
}

func gad7Severity(total float64) string {
	switch {
	case total < 5:
		return "minimal"
	case total < 10:
		return "mild"
	case total < 15:
		return "moderate"
	}
	return "severe"
}

// proratedTenths is sum × listed ÷ answered in tenths, rounded half-up, in exact integer arithmetic.
func proratedTenths(sum, listed, answered int) int {
	return (2*10*sum*listed + answered) / (2 * answered)
}

// meanTenths is the mean of three integers in tenths, rounded half-up.
func meanTenths(sum int) int { return (2*10*sum + 3) / 6 }

// ---- PHQ-9 ----

// TestPHQ9Exhaustive scores all 4^9 = 262,144 complete PHQ-9 answer patterns.
func TestPHQ9Exhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	const n = 9
	ids := itemIDs("q", n)
	total := pow(4, n)
	sample := patterns(total, 6000)
	// In reduced mode, also score each sampled pattern's up-neighbours so monotonicity is still checked.
	work := sample
	if reduced() {
		set := map[int]bool{}
		for _, p := range sample {
			set[p] = true
			d := digits(p, n, 4)
			for i := range n {
				if d[i] < 3 {
					set[p+pow(4, i)] = true
				}
			}
		}
		work = work[:0:0]
		for p := range set {
			work = append(work, p)
		}
		slices.Sort(work)
	}
	totals := make([]float64, total)
	for i := range totals {
		totals[i] = math.NaN()
	}
	f := &failures{t: t}
	parallel(work, func(p int) {
		d := digits(p, n, 4)
		answers := make(map[string]any, n)
		sum := 0
		for i, v := range d {
			answers[ids[i]] = v
			sum += v
		}
		res, err := score(e, "phq9", answers, nil)
		if err != nil {
			f.errorf("phq9 %v: %v", d, err)
			return
		}
		got, ok := num(res, "total")
		switch {
		case !ok:
			f.errorf("phq9 %v: total not computed", d)
			return
		case got != float64(sum):
			f.errorf("phq9 %v: total %v, want %d", d, got, sum)
		case got < 0 || got > 27:
			f.errorf("phq9 %v: total %v outside 0..27", d, got)
		}
		totals[p] = got
		if sev, _ := str(res, "severity"); sev != phq9Severity(float64(sum)) {
			f.errorf("phq9 %v: severity %q, want %q", d, sev, phq9Severity(float64(sum)))
		}
		wantFlags := []string(nil)
		if d[8] >= 1 {
			wantFlags = []string{"suicidal_ideation"}
		}
		if got := flagIDs(res); !slices.Equal(got, wantFlags) {
			f.errorf("phq9 %v: flags %v, want %v", d, got, wantFlags)
		}
		if res.Status != screen.StatusComplete || len(res.Missing) != 0 || hasNote(res, "prorated", "") {
			f.errorf("phq9 %v: status %s, missing %v, notes %v", d, res.Status, res.Missing, res.Notes)
		}
	})
	// Monotonicity: raising any one answer by one never lowers the total.
	checked := 0
	for _, p := range sample {
		d := digits(p, n, 4)
		for i := range n {
			if d[i] == 3 {
				continue
			}
			up := totals[p+pow(4, i)]
			if math.IsNaN(up) || math.IsNaN(totals[p]) {
				continue
			}
			checked++
			if up < totals[p] {
				f.errorf("phq9 %v: raising q%d lowers the total from %v to %v", d, i+1, totals[p], up)
			}
		}
	}
	assert.Positive(t, checked)
	t.Logf("scored %d patterns, checked %d monotonicity pairs", len(work), checked)
}

// TestPHQ9MissingData checks the prorating rule, the severity every completion agrees on and the item-9
// flag on random patterns with 0 to 5 items missing, against an independent computation.
func TestPHQ9MissingData(t *testing.T) {
	t.Parallel()
	checkProrating(t, "phq9", 9, 20000, 5)
}

// TestPHQ9InvalidAnswers adds invalid answers (composite.md §1a rule 1): each is an error of the record, the
// form's status is error, nothing is prorated, and the severity is still reported when every value the
// invalid and missing items could have gives the same band; the item-9 flag needs a valid item 9.
func TestPHQ9InvalidAnswers(t *testing.T) {
	t.Parallel()
	checkProratingInvalid(t, "phq9", 9, 12000, 3, 2)
}

// TestGAD7InvalidAnswers is TestPHQ9InvalidAnswers for the GAD-7.
func TestGAD7InvalidAnswers(t *testing.T) {
	t.Parallel()
	checkProratingInvalid(t, "gad7", 7, 8000, 3, 2)
}

// TestGAD7MissingDataExhaustive covers every GAD-7 pattern where each item is missing or 0-3 (5^7 = 78,125).
func TestGAD7MissingDataExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	const n = 7
	ids := itemIDs("q", n)
	f := &failures{t: t}
	parallel(patterns(pow(5, n), 15000), func(p int) {
		d := digits(p, n, 5) // 4 = missing
		checkProratedPattern(t, f, e, "gad7", ids, d)
	})
}

func checkProrating(t *testing.T, id string, n, count, maxMissing int) {
	checkProratingInvalid(t, id, n, count, maxMissing, 0)
}

// checkProratingInvalid is checkProrating with up to maxInvalid items answered with invalid values.
func checkProratingInvalid(t *testing.T, id string, n, count, maxMissing, maxInvalid int) {
	e := engine(t)
	ids := itemIDs("q", n)
	if reduced() {
		count /= 4
	}
	r := rand.New(rand.NewPCG(3, uint64(4+maxInvalid)))
	cases := make([][]int, count)
	for c := range cases {
		d := make([]int, n)
		for i := range d {
			d[i] = r.IntN(4)
		}
		perm := r.Perm(n)
		nm := r.IntN(maxMissing + 1)
		for _, i := range perm[:nm] {
			d[i] = 4 // missing
		}
		for _, i := range perm[nm : nm+r.IntN(maxInvalid+1)] {
			d[i] = 5 // invalid
		}
		cases[c] = d
	}
	idx := make([]int, count)
	for i := range idx {
		idx[i] = i
	}
	f := &failures{t: t}
	parallel(idx, func(c int) { checkProratedPattern(t, f, e, id, ids, cases[c]) })
}

// checkProratedPattern scores one pattern (digit 4 = missing, 5 = invalid) and checks total, severity, status,
// the missing list, the prorating note, the record's errors and (PHQ-9) the item-9 flag. With 1-2 items
// missing the total is prorated; with more, or with any invalid answer (nothing of the form is prorated),
// the total is not computed and the severity is reported only when every completion gives the same band.
func checkProratedPattern(t *testing.T, f *failures, e *screen.Engine, id string, ids []string, d []int) {
	pat := make([]int, len(d))
	var missingIDs []string
	sum, answered, bad := 0, 0, 0
	for i, v := range d {
		switch v {
		case 4:
			pat[i] = missing
			missingIDs = append(missingIDs, ids[i])
		case 5:
			pat[i] = invalid
			bad++
		default:
			pat[i] = v
			sum += v
			answered++
		}
	}
	answers := answersOf(ids, pat, func(int) any { return 7 })
	if answered == 0 && bad == 0 {
		_, err := score(e, id, answers, nil)
		var se *screen.ScoreError
		if !errors.As(err, &se) || se.Code != "no_answers" {
			f.errorf("%s %v: want no_answers, got %v", id, d, err)
		}
		return
	}
	what := fmt.Sprintf("%s %v", id, d)
	rep, res, err := scoreReport(e, id, answers, nil)
	if res == nil {
		f.errorf("%s: %v", what, err)
		return
	}
	if !checkErrors(f, what, rep, err, ids, pat) {
		return
	}
	if !slices.Equal(res.Missing, missingIDs) {
		f.errorf("%s: missing %v, want %v", what, res.Missing, missingIDs)
	}
	severity := phq9Severity
	if id == "gad7" {
		severity = gad7Severity
	}
	// The definition's own rule: prorate 1-2 missing, never with invalid answers.
	var ownTotal float64
	ownOK := bad == 0 && len(missingIDs) <= 2
	if ownOK {
		ownTotal = float64(proratedTenths(sum, len(d), answered)) / 10
	}
	totals, bands := map[screen.Value]bool{}, map[screen.Value]bool{}
	if !ownOK {
		completions(pat, func(int) []int { return valueRange(0, 3) }, func(c []int) {
			full := 0
			for _, v := range c {
				full += v
			}
			totals[screen.DoubleValue(float64(full))] = true
			bands[screen.StringValue(severity(float64(full)))] = true
		})
	}
	wantTotal := decideScore("total", screen.DoubleValue(ownTotal), ownOK, totals)
	wantSeverity := decideScore("severity", screen.StringValue(severity(ownTotal)), ownOK, bands)
	checkExpected(f, what, res, wantTotal, wantSeverity)
	wantStatus := screen.StatusComplete
	switch {
	case bad > 0:
		wantStatus = screen.StatusError
	case !wantTotal.ok:
		wantStatus = screen.StatusIncomplete
	}
	if res.Status != wantStatus {
		f.errorf("%s: status %s, want %s", what, res.Status, wantStatus)
	}
	if hasNote(res, "prorated", "") != (ownOK && len(missingIDs) > 0) {
		f.errorf("%s: prorated note %v", what, hasNote(res, "prorated", ""))
	}
	if hasNote(res, "unknown_answers", "") != (bad > 0) {
		f.errorf("%s: unknown_answers note %v with %d invalid answers", what, hasNote(res, "unknown_answers", ""), bad)
	}
	if id != "phq9" {
		return
	}
	// The item-9 flag depends on item 9 alone, whatever happened to the total.
	fired := slices.Contains(flagIDs(res), "suicidal_ideation")
	notEvaluated := hasNote(res, "flag_not_evaluated", "suicidal_ideation")
	switch q9 := d[8]; {
	case q9 >= 4 && (fired || !notEvaluated):
		f.errorf("%s: item 9 missing or invalid: fired %v, not-evaluated note %v", what, fired, notEvaluated)
	case q9 < 4 && (fired != (q9 >= 1) || notEvaluated):
		f.errorf("%s: item 9 = %d: fired %v, not-evaluated note %v", what, q9, fired, notEvaluated)
	}
}

// TestPHQ9FlagIndependentOfTotal spells out the contract: the suicidal-ideation flag is evaluated from item
// 9 even when the total cannot be computed, and is not evaluated (with a note) when item 9 is missing.
func TestPHQ9FlagIndependentOfTotal(t *testing.T) {
	t.Parallel()
	e := engine(t)
	res, err := score(e, "phq9", map[string]any{"q9": 1}, nil)
	require.NoError(t, err)
	assert.Equal(t, screen.StatusIncomplete, res.Status)
	_, ok := res.Score("total")
	assert.False(t, ok, "total must not be computed with 8 items missing")
	assert.True(t, hasNote(res, "not_computed", "total"), "notes: %v", res.Notes)
	require.Len(t, res.Flags, 1)
	assert.Equal(t, "suicidal_ideation", res.Flags[0].ID)
	assert.Equal(t, screen.LevelUrgent, res.Flags[0].Level)

	res, err = score(e, "phq9", map[string]any{"q1": 3, "q2": 3, "q3": 3, "q4": 3, "q5": 3, "q6": 3, "q7": 3, "q8": 3}, nil)
	require.NoError(t, err)
	assert.Equal(t, screen.StatusComplete, res.Status)
	assert.Empty(t, res.Flags)
	assert.True(t, hasNote(res, "flag_not_evaluated", "suicidal_ideation"), "notes: %v", res.Notes)
	assert.True(t, hasNote(res, "prorated", "total"), "notes: %v", res.Notes)
	assert.Equal(t, []string{"q9"}, res.Missing)
}

// ---- GAD-7, PHQ-2, GAD-2 ----

// TestGAD7Exhaustive scores all 4^7 = 16,384 complete GAD-7 patterns.
func TestGAD7Exhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	const n = 7
	ids := itemIDs("q", n)
	totals := make([]float64, pow(4, n))
	f := &failures{t: t}
	all := patterns(pow(4, n), pow(4, n))
	parallel(all, func(p int) {
		d := digits(p, n, 4)
		answers := map[string]any{}
		sum := 0
		for i, v := range d {
			answers[ids[i]] = v
			sum += v
		}
		res, err := score(e, "gad7", answers, nil)
		if err != nil {
			f.errorf("gad7 %v: %v", d, err)
			return
		}
		got, _ := num(res, "total")
		sev, _ := str(res, "severity")
		if got != float64(sum) || got < 0 || got > 21 || sev != gad7Severity(float64(sum)) ||
			res.Status != screen.StatusComplete || len(res.Missing) != 0 || len(res.Flags) != 0 {
			f.errorf("gad7 %v: total %v severity %q status %s; want %d %q complete", d, got, sev, res.Status, sum, gad7Severity(float64(sum)))
		}
		totals[p] = got
	})
	for _, p := range all {
		d := digits(p, n, 4)
		for i := range n {
			if d[i] < 3 && totals[p+pow(4, i)] < totals[p] {
				f.errorf("gad7 %v: raising q%d lowers the total", d, i+1)
			}
		}
	}
}

// TestTwoItemScreensExhaustive covers every PHQ-2 and GAD-2 pattern.
func TestTwoItemScreensExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	for _, id := range []string{"phq2", "gad2"} {
		for q1 := range 4 {
			for q2 := range 4 {
				res, err := score(e, id, map[string]any{"q1": q1, "q2": q2}, nil)
				require.NoError(t, err)
				totScore, _ := res.Score("total")
				tot := totScore.Value
				n, isInt := tot.Int()
				require.True(t, isInt, "%s total should be an int", id)
				assert.Equal(t, int64(q1+q2), n, "%s %d,%d", id, q1, q2)
				pos, ok := boolean(res, "positive")
				require.True(t, ok)
				assert.Equal(t, q1+q2 >= 3, pos, "%s %d,%d positive", id, q1, q2)
				assert.Equal(t, screen.StatusComplete, res.Status)
			}
		}
	}
}

// TestTwoItemScreensMissingAndInvalid covers every PHQ-2 and GAD-2 pattern with items missing or invalid:
// no prorating, so the total needs both; the screen result is reported when every completion agrees (the
// answered item alone reaches 3).
func TestTwoItemScreensMissingAndInvalid(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	ids := []string{"q1", "q2"}
	states := []int{0, 1, 2, 3, missing, invalid}
	for _, id := range []string{"phq2", "gad2"} {
		for _, a := range states {
			for _, b := range states {
				d := []int{a, b}
				if a == missing && b == missing {
					continue // nothing answered: no_answers (TestPHQ9 covers it)
				}
				what := fmt.Sprintf("%s %v", id, d)
				rep, res, err := scoreReport(e, id, answersOf(ids, d, func(int) any { return 4 }), nil)
				if res == nil {
					f.errorf("%s: %v", what, err)
					continue
				}
				if !checkErrors(f, what, rep, err, ids, d) {
					continue
				}
				ownOK := a >= 0 && b >= 0
				totals, positives := map[screen.Value]bool{}, map[screen.Value]bool{}
				if !ownOK {
					completions(d, func(int) []int { return valueRange(0, 3) }, func(c []int) {
						totals[screen.IntValue(int64(c[0]+c[1]))] = true
						positives[screen.BoolValue(c[0]+c[1] >= 3)] = true
					})
				}
				checkExpected(f, what, res,
					decideScore("total", screen.IntValue(int64(a+b)), ownOK, totals),
					decideScore("positive", screen.BoolValue(a+b >= 3), ownOK, positives))
			}
		}
	}
}

// ---- PEG and GCPS-R ----

// TestPEGExhaustive covers all 11^3 PEG patterns: mean = sum/3 rounded half-up to one decimal.
func TestPEGExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	parallel(patterns(11*11*11, 11*11*11), func(p int) {
		d := digits(p, 3, 11)
		res, err := score(e, "peg", map[string]any{"pain": d[0], "enjoyment": d[1], "activity": d[2]}, nil)
		if err != nil {
			f.errorf("peg %v: %v", d, err)
			return
		}
		want := float64(meanTenths(d[0]+d[1]+d[2])) / 10
		if got, ok := num(res, "mean"); !ok || got != want || got < 0 || got > 10 {
			f.errorf("peg %v: mean %v, want %v", d, got, want)
		}
	})
}

func gcpsGrade(pf, lf, sum int) int {
	switch {
	case pf < 2:
		return 0
	case lf >= 2:
		return 3
	case sum >= 12:
		return 2
	}
	return 1
}

var gcpsLabels = []string{"none", "mild", "bothersome", "high_impact"}

// TestGCPSRExhaustive covers every frequency pair with every 0-10 rating triple (when they are asked), and
// checks that an answer to a skipped item is kept with a note and not scored (composite.md §1a rule 2), and
// is the error disabled_item only in strict mode.
func TestGCPSRExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	strict, err := screen.New(screen.WithDefinitions(instruments.FS, "instruments"), screen.WithoutRuleSet(), screen.WithStrictAnswers())
	require.NoError(t, err)
	f := &failures{t: t}

	// Pain on fewer than most days: grade 0, nothing else asked; an answer to a skipped item changes nothing.
	for pf := range 2 {
		res, err := score(e, "gcps_r", map[string]any{"pain_frequency": pf}, nil)
		require.NoError(t, err)
		gScore, _ := res.Score("grade")
		g := gScore.Value
		gi, _ := g.Int()
		assert.Equal(t, int64(0), gi)
		lbl, _ := str(res, "label")
		assert.Equal(t, "none", lbl)
		cp, _ := boolean(res, "chronic_pain")
		hi, _ := boolean(res, "high_impact")
		assert.False(t, cp)
		assert.False(t, hi)
		_, ok := res.Score("peg_mean")
		assert.False(t, ok, "peg_mean must be absent when the ratings are not asked")
		assert.True(t, hasNote(res, "not_applicable", "peg_mean"), "notes: %v", res.Notes)
		assert.Equal(t, screen.StatusComplete, res.Status)
		assert.Empty(t, res.Missing)
		for item, max := range map[string]int{"limit_frequency": 3, "pain_avg": 10, "enjoyment": 10, "activity": 10} {
			for v := 0; v <= max; v++ {
				answers := map[string]any{"pain_frequency": pf, item: v}
				res, err := score(e, "gcps_r", answers, nil)
				if assert.NoError(t, err, "pf %d %s %d", pf, item, v) {
					gScore, _ := res.Score("grade")
					g := gScore.Value
					assert.Equal(t, "0", g.String(), "pf %d %s %d", pf, item, v)
					assert.Equal(t, screen.StatusComplete, res.Status)
					assert.Empty(t, res.Missing)
					assert.True(t, hasNote(res, "answered_when_skipped", item), "pf %d %s %d: notes %v", pf, item, v, res.Notes)
					_, ok := res.Score("peg_mean")
					assert.False(t, ok)
				}
				_, err = score(strict, "gcps_r", answers, nil)
				var se *screen.ScoreError
				if assert.ErrorAs(t, err, &se, "strict: pf %d %s %d", pf, item, v) {
					assert.Equal(t, "disabled_item", se.Code)
					assert.Equal(t, item, se.Item)
					assert.ErrorIs(t, err, screen.ErrDisabledItem)
				}
			}
		}
	}

	// Chronic pain: pain_frequency 2-3 × limit_frequency 0-3 × 11^3 ratings.
	parallel(patterns(2*4*11*11*11, 4000), func(p int) {
		pain, enj, act := p%11, (p/11)%11, (p/121)%11
		lf := (p / 1331) % 4
		pf := 2 + p/(1331*4)
		res, err := score(e, "gcps_r", map[string]any{"pain_frequency": pf, "limit_frequency": lf,
			"pain_avg": pain, "enjoyment": enj, "activity": act}, nil)
		if err != nil {
			f.errorf("gcps_r %d,%d,%d,%d,%d: %v", pf, lf, pain, enj, act, err)
			return
		}
		want := gcpsGrade(pf, lf, pain+enj+act)
		gScore, _ := res.Score("grade")
		g := gScore.Value
		gi, _ := g.Int()
		lbl, _ := str(res, "label")
		cp, _ := boolean(res, "chronic_pain")
		hi, _ := boolean(res, "high_impact")
		mean, ok := num(res, "peg_mean")
		wantMean := float64(meanTenths(pain+enj+act)) / 10
		if int(gi) != want || lbl != gcpsLabels[want] || cp != (want >= 1) || hi != (want == 3) ||
			!ok || mean != wantMean || res.Status != screen.StatusComplete || len(res.Missing) != 0 {
			f.errorf("gcps_r pf=%d lf=%d ratings=%d,%d,%d: grade %d %q chronic %v high %v peg %v status %s; want grade %d, peg %v",
				pf, lf, pain, enj, act, gi, lbl, cp, hi, mean, res.Status, want, wantMean)
		}
	})
}

// TestGCPSRMissingAndInvalid covers GCPS-R patterns where each item is answered, missing or invalid (every
// pattern, or a sample in reduced mode), against the grade rule applied to every completion: a completion
// fills only the items its own answers ask (pain frequency < 2 asks nothing more), answers to items the
// actual answers do not ask are kept with a note and not scored, and the grade and what follows from it are
// reported when every completion agrees.
func TestGCPSRMissingAndInvalid(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	ids := []string{"pain_frequency", "limit_frequency", "pain_avg", "enjoyment", "activity"}
	freq := append(valueRange(0, 3), missing, invalid)
	rating := append(valueRange(0, 10), missing, invalid)
	sizes := []int{len(freq), len(freq), len(rating), len(rating), len(rating)}
	total := 1
	for _, n := range sizes {
		total *= n
	}
	values := func(i int) []int {
		if i < 2 {
			return valueRange(0, 3)
		}
		return valueRange(0, 10)
	}
	parallel(patterns(total, 6000), func(p int) {
		d := make([]int, 5)
		for i, n := range sizes {
			if i < 2 {
				d[i] = freq[p%n]
			} else {
				d[i] = rating[p%n]
			}
			p /= n
		}
		if d[0] == missing && d[1] == missing && d[2] == missing && d[3] == missing && d[4] == missing {
			return
		}
		what := fmt.Sprintf("gcps_r %v", d)
		rep, res, err := scoreReport(e, "gcps_r", answersOf(ids, d, func(i int) any {
			if i < 2 {
				return 4
			}
			return 11
		}), nil)
		if res == nil {
			f.errorf("%s: %v", what, err)
			return
		}
		if !checkErrors(f, what, rep, err, ids, d) {
			return
		}
		known := func(i int) bool { return d[i] >= 0 }
		// The definition's own rule on the actual answers: it reads pain frequency, then limitation, then
		// the three ratings, each only when needed.
		ownGrade, ownOK := 0, false
		switch {
		case !known(0):
		case d[0] < 2:
			ownGrade, ownOK = 0, true
		case !known(1):
		case d[1] >= 2:
			ownGrade, ownOK = 3, true
		case known(2) && known(3) && known(4):
			ownGrade, ownOK = gcpsGrade(d[0], d[1], d[2]+d[3]+d[4]), true
		}
		grades := map[int]bool{}
		if !ownOK {
			completions(d, values, func(c []int) { grades[gcpsGrade(c[0], c[1], c[2]+c[3]+c[4])] = true })
		}
		derived := func(id string, fn func(g int) screen.Value) expected {
			set := map[screen.Value]bool{}
			for g := range grades {
				set[fn(g)] = true
			}
			return decideScore(id, fn(ownGrade), ownOK, set)
		}
		ws := []expected{
			derived("grade", func(g int) screen.Value { return screen.IntValue(int64(g)) }),
			derived("label", func(g int) screen.Value { return screen.StringValue(gcpsLabels[g]) }),
			derived("chronic_pain", func(g int) screen.Value { return screen.BoolValue(g >= 1) }),
			derived("high_impact", func(g int) screen.Value { return screen.BoolValue(g == 3) }),
		}
		// peg_mean applies when the three ratings are answered (validly) and asked.
		asked := !known(0) || d[0] >= 2
		if asked && known(2) && known(3) && known(4) {
			ws = append(ws, expected{id: "peg_mean", ok: true, v: screen.DoubleValue(float64(meanTenths(d[2]+d[3]+d[4])) / 10)})
		} else {
			ws = append(ws, expected{id: "peg_mean"})
		}
		checkExpected(f, what, res, ws...)

		bad := slices.Contains(d, invalid)
		wantStatus := screen.StatusComplete
		switch {
		case bad:
			wantStatus = screen.StatusError
		case !ws[0].ok || !ws[1].ok || !ws[2].ok || !ws[3].ok:
			wantStatus = screen.StatusIncomplete
		}
		if res.Status != wantStatus {
			f.errorf("%s: status %s, want %s", what, res.Status, wantStatus)
		}
		var wantMissing []string
		for i, v := range d {
			if v == missing && (i == 0 || asked) {
				wantMissing = append(wantMissing, ids[i])
			}
		}
		if !slices.Equal(res.Missing, wantMissing) {
			f.errorf("%s: missing %v, want %v", what, res.Missing, wantMissing)
		}
		for i := 1; i < 5; i++ {
			skipped := !asked && known(i)
			if hasNote(res, "answered_when_skipped", ids[i]) != skipped {
				f.errorf("%s: answered_when_skipped note about %s: %v, want %v", what, ids[i], !skipped, skipped)
			}
		}
	})
}

// ---- DSM-5 OUD ----

var dsm5Behavioural = []string{"larger_or_longer", "cut_down", "time_spent", "craving", "role_failure",
	"social_problems", "activities_given_up", "hazardous_use", "physical_psych_problems"}

func dsm5Severity(count int) string {
	switch {
	case count >= 6:
		return "severe"
	case count >= 4:
		return "moderate"
	case count >= 2:
		return "mild"
	}
	return "none"
}

// TestDSM5OUDExhaustive covers all 2^12 answer patterns (11 criteria × supervised).
func TestDSM5OUDExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	parallel(patterns(1<<12, 1<<12), func(p int) {
		d := digits(p, 12, 2)
		answers := map[string]any{}
		count := 0
		for i, id := range dsm5Behavioural {
			answers[id] = d[i]
			count += d[i]
		}
		tol, wd, sup := d[9], d[10], d[11]
		answers["tolerance"], answers["withdrawal"], answers["supervised"] = tol, wd, sup
		if sup == 0 { // tolerance and withdrawal count only without medical supervision
			count += tol + wd
		}
		res, err := score(e, "dsm5_oud", answers, nil)
		if err != nil {
			f.errorf("dsm5_oud %v: %v", d, err)
			return
		}
		cScore, _ := res.Score("count")
		c := cScore.Value
		ci, isInt := c.Int()
		sev, _ := str(res, "severity")
		if !isInt || int(ci) != count || sev != dsm5Severity(count) || res.Status != screen.StatusComplete {
			f.errorf("dsm5_oud %v: count %v severity %q status %s; want %d %q", d, c, sev, res.Status, count, dsm5Severity(count))
		}
	})
}

// dsm5Count is the criteria count of composite.md §1: tolerance and withdrawal are not counted when the
// opioids are taken only as prescribed under medical supervision. d holds the 11 criteria then supervised.
func dsm5Count(d []int) int {
	count := 0
	for i := range 9 {
		count += d[i]
	}
	if d[11] != 1 {
		count += d[9] + d[10]
	}
	return count
}

var dsm5Items = append(slices.Clone(dsm5Behavioural), "tolerance", "withdrawal", "supervised")

// checkDSM5Pattern scores one DSM-5 pattern (answers, missing or invalid) against the reference: all 12
// answers are needed for the count; the count and the severity are reported when every completion agrees.
func checkDSM5Pattern(f *failures, e *screen.Engine, d []int) {
	what := fmt.Sprintf("dsm5_oud %v", d)
	rep, res, err := scoreReport(e, "dsm5_oud", answersOf(dsm5Items, d, func(int) any { return 2 }), nil)
	if res == nil {
		f.errorf("%s: %v", what, err)
		return
	}
	if !checkErrors(f, what, rep, err, dsm5Items, d) {
		return
	}
	ownOK := !slices.Contains(d, missing) && !slices.Contains(d, invalid)
	own := 0
	if ownOK {
		own = dsm5Count(d)
	}
	counts, severities := map[screen.Value]bool{}, map[screen.Value]bool{}
	if !ownOK {
		completions(d, func(int) []int { return []int{0, 1} }, func(c []int) {
			counts[screen.IntValue(int64(dsm5Count(c)))] = true
			severities[screen.StringValue(dsm5Severity(dsm5Count(c)))] = true
		})
	}
	wc := decideScore("count", screen.IntValue(int64(own)), ownOK, counts)
	ws := decideScore("severity", screen.StringValue(dsm5Severity(own)), ownOK, severities)
	checkExpected(f, what, res, wc, ws)
	wantStatus := screen.StatusComplete
	switch {
	case slices.Contains(d, invalid):
		wantStatus = screen.StatusError
	case !wc.ok || !ws.ok:
		wantStatus = screen.StatusIncomplete
	}
	if res.Status != wantStatus {
		f.errorf("%s: status %s, want %s", what, res.Status, wantStatus)
	}
	var wantMissing []string
	for i, v := range d {
		if v == missing {
			wantMissing = append(wantMissing, dsm5Items[i])
		}
	}
	if !slices.Equal(res.Missing, wantMissing) {
		f.errorf("%s: missing %v, want %v", what, res.Missing, wantMissing)
	}
}

// TestDSM5OUDRequiresAllAnswers removes each of the 12 answers in turn from forms with every criterion met and
// with none met, supervised or not: the count is never computed from 11 answers unless the missing one cannot
// change it (tolerance or withdrawal under supervision); the severity is reported when it cannot change.
func TestDSM5OUDRequiresAllAnswers(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	for _, met := range []int{0, 1} {
		for _, sup := range []int{0, 1} {
			for drop := range 12 {
				d := make([]int, 12)
				for i := range 11 {
					d[i] = met
				}
				d[11] = sup
				d[drop] = missing
				checkDSM5Pattern(f, e, d)
			}
		}
	}
	// Spelled out: 6 criteria met and one unanswered is severe (count 6 or 7, not computed).
	res, err := score(e, "dsm5_oud", map[string]any{"larger_or_longer": 1, "cut_down": 1, "time_spent": 1, "craving": 1,
		"role_failure": 1, "social_problems": 1, "activities_given_up": 0, "hazardous_use": 0, "tolerance": 0, "withdrawal": 0, "supervised": 0}, nil)
	require.NoError(t, err)
	_, ok := res.Score("count")
	assert.False(t, ok)
	sev, ok := str(res, "severity")
	assert.True(t, ok)
	assert.Equal(t, "severe", sev)
	assert.True(t, hasNote(res, "determined", "severity"))
}

// TestDSM5OUDMissingAndInvalid samples DSM-5 patterns where each answer is 0, 1, missing or invalid (4^12
// patterns; a deterministic sample, weighted towards few open answers), against the reference count over
// every completion.
func TestDSM5OUDMissingAndInvalid(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	n := 20000
	if reduced() {
		n = 3000
	}
	r := rand.New(rand.NewPCG(5, 6))
	cases := make([][]int, n)
	for c := range cases {
		d := make([]int, 12)
		open := r.IntN(7) // 0 to 6 open answers
		for i := range d {
			d[i] = r.IntN(2)
		}
		for _, i := range r.Perm(12)[:open] {
			d[i] = missing
			if r.IntN(4) == 0 {
				d[i] = invalid
			}
		}
		if open == 6 && r.IntN(2) == 0 { // now and then, almost nothing answered
			for i := range d {
				if r.IntN(3) > 0 {
					d[i] = missing
				}
			}
		}
		cases[c] = d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	parallel(idx, func(c int) {
		d := cases[c]
		if !slices.ContainsFunc(d, func(v int) bool { return v != missing }) {
			return
		}
		checkDSM5Pattern(f, e, d)
	})
}

// ---- SISQ ----

func TestSISQDrug(t *testing.T) {
	t.Parallel()
	e := engine(t)
	for _, n := range []int{0, 1, 2, 3, 10, 52, 365, 1000, math.MaxInt32} {
		res, err := score(e, "sisq_drug", map[string]any{"times": n}, nil)
		require.NoError(t, err)
		pos, ok := boolean(res, "positive")
		require.True(t, ok)
		assert.Equal(t, n >= 1, pos, "times %d", n)
	}
	_, err := score(e, "sisq_drug", map[string]any{"times": -1}, nil)
	assert.ErrorIs(t, err, screen.ErrInvalidValue)
}

// ---- AUDIT-C ----

// auditcContexts are sex values as exports write them, with the sex composite.md §1 (rev 2) reads: trimmed,
// case-insensitive, m and f for male and female; anything else (or nothing) is unknown.
var auditcContexts = []struct {
	ctx map[string]any
	sex string // male, female or "" (unknown)
}{
	{map[string]any{"sex": "male"}, "male"}, {map[string]any{"sex": "female"}, "female"},
	{map[string]any{"sex": "Male"}, "male"}, {map[string]any{"sex": " M "}, "male"}, {map[string]any{"sex": "m"}, "male"},
	{map[string]any{"sex": "f"}, "female"}, {map[string]any{"sex": "FEMALE"}, "female"}, {map[string]any{"sex": "\tFemale "}, "female"},
	{map[string]any{"sex": "unknown"}, ""}, {map[string]any{"sex": "other"}, ""}, {map[string]any{"sex": ""}, ""},
	{map[string]any{"sex": "ma le"}, ""}, {map[string]any{"sex": "mf"}, ""}, {map[string]any{"sex": nil}, ""}, {nil, ""},
}

// auditcCut is the positive-screen cut-point: 4 for men, 3 for women and when sex is unknown (our choice).
func auditcCut(sex string) int {
	if sex == "male" {
		return 4
	}
	return 3
}

// TestAUDITCExhaustive covers all 5^3 patterns for every way of writing sex above, and the note naming the
// cut-point applied when sex is unknown.
func TestAUDITCExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	for _, tc := range auditcContexts {
		ctx := tc.ctx
		for p := range 125 {
			d := digits(p, 3, 5)
			res, err := score(e, "auditc", map[string]any{"frequency": d[0], "typical_quantity": d[1], "binge_frequency": d[2]}, ctx)
			require.NoError(t, err)
			sum := d[0] + d[1] + d[2]
			cut := auditcCut(tc.sex)
			assert.Equal(t, tc.sex == "", hasNote(res, "sex_unknown_cutpoint", ""), "%v: sex_unknown_cutpoint note", ctx)
			totScore, _ := res.Score("total")
			tot := totScore.Value
			ti, _ := tot.Int()
			pos, ok := boolean(res, "positive")
			require.True(t, ok)
			assert.Equal(t, int64(sum), ti, "%v %v", ctx, d)
			assert.Equal(t, sum >= cut, pos, "%v %v total %d", ctx, d, sum)
		}
	}
}

// TestAUDITCMissingAndInvalid covers every pattern with answers missing or invalid (7^3) for every way of
// writing sex: no prorating, so the total needs all three; the screen result is reported when every
// completion agrees (4 + 4 with the binge question unanswered is positive).
func TestAUDITCMissingAndInvalid(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	ids := []string{"frequency", "typical_quantity", "binge_frequency"}
	states := append(valueRange(0, 4), missing, invalid)
	for _, tc := range auditcContexts {
		cut := auditcCut(tc.sex)
		for p := range 7 * 7 * 7 {
			d := []int{states[p%7], states[(p/7)%7], states[p/49]}
			if d[0] == missing && d[1] == missing && d[2] == missing {
				continue
			}
			what := fmt.Sprintf("auditc %v %v", tc.ctx, d)
			rep, res, err := scoreReport(e, "auditc", answersOf(ids, d, func(int) any { return 5 }), tc.ctx)
			if res == nil {
				f.errorf("%s: %v", what, err)
				continue
			}
			if !checkErrors(f, what, rep, err, ids, d) {
				continue
			}
			ownOK := !slices.Contains(d, missing) && !slices.Contains(d, invalid)
			sum := d[0] + d[1] + d[2]
			totals, positives := map[screen.Value]bool{}, map[screen.Value]bool{}
			if !ownOK {
				completions(d, func(int) []int { return valueRange(0, 4) }, func(c []int) {
					totals[screen.IntValue(int64(c[0]+c[1]+c[2]))] = true
					positives[screen.BoolValue(c[0]+c[1]+c[2] >= cut)] = true
				})
			}
			checkExpected(f, what, res,
				decideScore("total", screen.IntValue(int64(sum)), ownOK, totals),
				decideScore("positive", screen.BoolValue(sum >= cut), ownOK, positives))
			if hasNote(res, "sex_unknown_cutpoint", "") != (tc.sex == "") {
				f.errorf("%s: sex_unknown_cutpoint note %v", what, hasNote(res, "sex_unknown_cutpoint", ""))
			}
		}
	}
}

// ---- PC-PTSD-5 ----

var ptsdSymptoms = []string{"nightmares", "avoidance", "on_guard", "numb", "guilt"}

// TestPCPTSD5Exhaustive covers the no-trauma case, all 2^5 symptom patterns after trauma, and every answer
// to a skipped symptom question (kept with a note, not scored; an error only in strict mode).
func TestPCPTSD5Exhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	res, err := score(e, "pc_ptsd5", map[string]any{"trauma": 0}, nil)
	require.NoError(t, err)
	totScore, _ := res.Score("total")
	tot := totScore.Value
	ti, _ := tot.Int()
	assert.Equal(t, int64(0), ti)
	pos, _ := boolean(res, "positive")
	assert.False(t, pos)
	assert.Equal(t, screen.StatusComplete, res.Status)
	assert.Empty(t, res.Missing)

	strict, err := screen.New(screen.WithDefinitions(instruments.FS, "instruments"), screen.WithoutRuleSet(), screen.WithStrictAnswers())
	require.NoError(t, err)
	for _, item := range ptsdSymptoms {
		for v := range 2 {
			answers := map[string]any{"trauma": 0, item: v}
			res, err := score(e, "pc_ptsd5", answers, nil)
			if assert.NoError(t, err) {
				totScore, _ := res.Score("total")
				tot := totScore.Value
				assert.Equal(t, "0", tot.String(), "%s %d", item, v)
				assert.Equal(t, screen.StatusComplete, res.Status)
				assert.True(t, hasNote(res, "answered_when_skipped", item), "notes %v", res.Notes)
			}
			_, err = score(strict, "pc_ptsd5", answers, nil)
			var se *screen.ScoreError
			if assert.ErrorAs(t, err, &se) {
				assert.Equal(t, "disabled_item", se.Code)
				assert.Equal(t, item, se.Item)
			}
		}
	}

	for p := range 32 {
		d := digits(p, 5, 2)
		answers := map[string]any{"trauma": 1}
		sum := 0
		for i, id := range ptsdSymptoms {
			answers[id] = d[i]
			sum += d[i]
		}
		res, err := score(e, "pc_ptsd5", answers, nil)
		require.NoError(t, err)
		totScore, _ := res.Score("total")
		tot := totScore.Value
		ti, _ := tot.Int()
		pos, _ := boolean(res, "positive")
		assert.Equal(t, int64(sum), ti, "%v", d)
		assert.Equal(t, sum >= 3, pos, "%v", d)
		assert.Equal(t, screen.StatusComplete, res.Status)
	}
}

// TestPCPTSD5MissingAndInvalid covers every pattern where the trauma question and each symptom question is
// 0, 1, missing or invalid (4^6): a completion fills the symptoms only when its trauma answer asks them; the
// score and the screen result are reported when every completion agrees.
func TestPCPTSD5MissingAndInvalid(t *testing.T) {
	t.Parallel()
	e := engine(t)
	f := &failures{t: t}
	ids := append([]string{"trauma"}, ptsdSymptoms...)
	states := []int{0, 1, missing, invalid}
	total := func(c []int) int {
		if c[0] == 0 {
			return 0
		}
		sum := 0
		for _, v := range c[1:] {
			sum += v
		}
		return sum
	}
	for p := range 4096 {
		d := make([]int, 6)
		for i := range d {
			d[i] = states[(p>>(2*i))&3]
		}
		if !slices.ContainsFunc(d, func(v int) bool { return v != missing }) {
			continue
		}
		what := fmt.Sprintf("pc_ptsd5 %v", d)
		rep, res, err := scoreReport(e, "pc_ptsd5", answersOf(ids, d, func(int) any { return 2 }), nil)
		if res == nil {
			f.errorf("%s: %v", what, err)
			continue
		}
		if !checkErrors(f, what, rep, err, ids, d) {
			continue
		}
		own, ownOK := 0, false
		switch {
		case d[0] == 0:
			own, ownOK = 0, true
		case d[0] == 1 && !slices.Contains(d[1:], missing) && !slices.Contains(d[1:], invalid):
			own, ownOK = total(d), true
		}
		totals, positives := map[screen.Value]bool{}, map[screen.Value]bool{}
		if !ownOK {
			completions(d, func(int) []int { return []int{0, 1} }, func(c []int) {
				totals[screen.IntValue(int64(total(c)))] = true
				positives[screen.BoolValue(total(c) >= 3)] = true
			})
		}
		wt := decideScore("total", screen.IntValue(int64(own)), ownOK, totals)
		wp := decideScore("positive", screen.BoolValue(own >= 3), ownOK, positives)
		checkExpected(f, what, res, wt, wp)
		wantStatus := screen.StatusComplete
		switch {
		case slices.Contains(d, invalid):
			wantStatus = screen.StatusError
		case !wt.ok || !wp.ok:
			wantStatus = screen.StatusIncomplete
		}
		if res.Status != wantStatus {
			f.errorf("%s: status %s, want %s", what, res.Status, wantStatus)
		}
		asked := d[0] != 0
		var wantMissing []string
		for i, v := range d {
			if v == missing && (i == 0 || asked) {
				wantMissing = append(wantMissing, ids[i])
			}
		}
		if !slices.Equal(res.Missing, wantMissing) {
			f.errorf("%s: missing %v, want %v", what, res.Missing, wantMissing)
		}
		for i := 1; i < 6; i++ {
			skipped := d[0] == 0 && d[i] >= 0
			if hasNote(res, "answered_when_skipped", ids[i]) != skipped {
				f.errorf("%s: answered_when_skipped note about %s, want %v", what, ids[i], skipped)
			}
		}
	}
}

// ---- PROMIS Pain Interference 4a ----

// promisPI4a is the PROMIS 4a raw → T-score table, typed in again here (raw 20 = 75.6); summed-score EAP from
// the published item parameters reproduces every row to 0.1.
var promisPI4a = map[int]float64{4: 41.6, 5: 49.6, 6: 52.0, 7: 53.9, 8: 55.6, 9: 57.1, 10: 58.5, 11: 59.9, 12: 61.2,
	13: 62.5, 14: 63.8, 15: 65.2, 16: 66.6, 17: 68.0, 18: 69.7, 19: 71.6, 20: 75.6}

func promisSeverity(t float64) string {
	switch {
	case t <= 55:
		return "within_normal"
	case t <= 60:
		return "mild"
	case t <= 70:
		return "moderate"
	}
	return "severe"
}

// TestPROMISPI4aExhaustive covers all 5^4 answer patterns and checks that the definition is active (its table
// is confirmed), so no report carries a draft note.
func TestPROMISPI4aExhaustive(t *testing.T) {
	t.Parallel()
	e := engine(t)
	for p := range 625 {
		d := digits(p, 4, 5)
		answers := map[string]any{}
		raw := 0
		for i, v := range d {
			answers[fmt.Sprintf("pi%d", i+1)] = v + 1
			raw += v + 1
		}
		res, err := score(e, "promis_pi_4a", answers, nil)
		require.NoError(t, err)
		rScore, _ := res.Score("raw")
		r := rScore.Value
		ri, _ := r.Int()
		tv, ok := num(res, "tscore")
		require.True(t, ok)
		sev, _ := str(res, "severity")
		assert.Equal(t, int64(raw), ri)
		assert.Equal(t, promisPI4a[raw], tv, "raw %d", raw)
		assert.Equal(t, promisSeverity(promisPI4a[raw]), sev, "raw %d", raw)
		assert.Equal(t, "active", res.Definition)
		assert.False(t, hasNote(res, "draft_definition", ""), "an active definition carries no draft note")
	}
}

// TestPROMISPI4aCodes checks the LOINC codes of the four items (PAININ9, PAININ22, PAININ31, PAININ34) and of
// the T-score.
func TestPROMISPI4aCodes(t *testing.T) {
	t.Parallel()
	doc, err := engine(t).Describe("promis_pi_4a@1.0.0")
	require.NoError(t, err)
	want := map[string]string{"pi1": "61758-9", "pi2": "61769-6", "pi3": "61773-8", "pi4": "61775-3"}
	require.Len(t, doc.Items, len(want))
	for _, it := range doc.Items {
		require.Len(t, it.Codes, 1, it.ID)
		assert.Equal(t, "http://loinc.org", it.Codes[0].System, it.ID)
		assert.Equal(t, want[it.ID], it.Codes[0].Code, it.ID)
	}
	for _, s := range doc.Scores {
		if s.ID == "tscore" {
			require.Len(t, s.Codes, 1)
			assert.Equal(t, "77865-4", s.Codes[0].Code)
		}
	}
}

// ---- LOINC answer codes ----

// TestAnswerCodes checks that every LOINC answer code listed here (typed in from instruments.md and the
// LOINC Questionnaires it cites) is accepted and scores exactly like its integer value.
func TestAnswerCodes(t *testing.T) {
	t.Parallel()
	e := engine(t)
	phqScale := []string{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}
	pegScale := []string{"LA6111-4", "LA6112-2", "LA6113-0", "LA6114-8", "LA6115-5", "LA10137-0", "LA10138-8",
		"LA10139-6", "LA10140-4", "LA10141-2", "LA13942-0"}
	cases := []struct {
		inst, item string
		codes      []string
		first      int
		rest       map[string]any
	}{
		{"phq9", "q1", phqScale, 0, nil},
		{"phq9", "q9", phqScale, 0, nil},
		{"phq9", "difficulty", []string{"LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"}, 0, map[string]any{"q1": 0}},
		{"phq2", "q2", phqScale, 0, nil},
		{"gad7", "q7", phqScale, 0, nil},
		{"gad2", "q1", phqScale, 0, nil},
		{"peg", "enjoyment", pegScale, 0, nil},
		{"peg", "activity", pegScale, 0, nil},
		{"auditc", "frequency", []string{"LA6270-8", "LA18926-8", "LA18927-6", "LA18928-4", "LA18929-2"}, 0, nil},
		{"auditc", "typical_quantity", []string{"LA15694-5", "LA15695-2", "LA18930-0", "LA18931-8", "LA18932-6"}, 0, nil},
		{"auditc", "binge_frequency", []string{"LA6270-8", "LA18933-4", "LA18876-5", "LA18891-4", "LA18934-2"}, 0, nil},
		{"promis_pi_4a", "pi3", []string{"LA6568-5", "LA13863-8", "LA13909-9", "LA13902-4", "LA13914-9"}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.inst+"."+c.item, func(t *testing.T) {
			for i, code := range c.codes {
				byCode, byValue := map[string]any{c.item: code}, map[string]any{c.item: c.first + i}
				for k, v := range c.rest {
					byCode[k], byValue[k] = v, v
				}
				a, err := score(e, c.inst, byCode, nil)
				require.NoError(t, err, "code %s", code)
				b, err := score(e, c.inst, byValue, nil)
				require.NoError(t, err)
				assert.Equal(t, b.Status, a.Status, "code %s", code)
				assert.Equal(t, b.Missing, a.Missing, "code %s", code)
				assert.Equal(t, flagIDs(b), flagIDs(a), "code %s", code)
				require.Len(t, a.Scores, len(b.Scores))
				for j := range a.Scores {
					assert.True(t, a.Scores[j].Value.Equal(b.Scores[j].Value), "code %s: %s %v vs %v", code, a.Scores[j].ID, a.Scores[j].Value, b.Scores[j].Value)
				}
			}
		})
	}
}

// ---- The catalogue ----

// TestCatalogue checks the bundled ids, versions, statuses and domains (composite.md §1).
func TestCatalogue(t *testing.T) {
	t.Parallel()
	e := engine(t)
	want := map[string]struct{ status, domain string }{
		"phq9": {"active", "depression"}, "phq2": {"active", "depression"},
		"gad7": {"active", "anxiety"}, "gad2": {"active", "anxiety"},
		"peg": {"active", "pain"}, "gcps_r": {"active", "pain"}, "promis_pi_4a": {"active", "pain"},
		"dsm5_oud": {"active", "oud"}, "sisq_drug": {"active", "substance_use"},
		"auditc": {"active", "alcohol"}, "pc_ptsd5": {"active", "trauma"},
	}
	got := map[string]bool{}
	for _, in := range e.Instruments() {
		got[in.ID] = true
		w, ok := want[in.ID]
		if !assert.True(t, ok, "unexpected instrument %s", in.ID) {
			continue
		}
		assert.Equal(t, "1.0.0", in.Version, in.ID)
		assert.Equal(t, w.status, in.Status, in.ID)
		assert.Equal(t, w.domain, in.Domain, in.ID)
		assert.Equal(t, fmt.Sprintf("instruments/%s/%s.v1.yaml", in.ID, in.ID), in.File, in.ID)
		assert.True(t, in.Default, in.ID)
	}
	for id := range want {
		assert.True(t, got[id], "instrument %s is not bundled", id)
	}
	suites, err := suite.Load(instruments.FS, "instruments")
	require.NoError(t, err)
	tested := map[string]int{}
	for _, s := range suites {
		tested[s.Target()] += s.Len()
	}
	for id := range want {
		assert.GreaterOrEqual(t, tested[id+"@1.0.0"], 10, "%s needs a test suite", id)
	}
	// Every bundled instrument is active: loading them gives no warning.
	assert.Empty(t, e.Warnings())
}
