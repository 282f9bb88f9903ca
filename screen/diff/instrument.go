package diff

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// Instruments compares two versions of an instrument, both loaded in eng (which applies no rule set).
func Instruments(ctx context.Context, eng *screen.Engine, from, to string, vectors []Vector, opt Options) (*Result, error) {
	opt.defaults()
	da, err := eng.Describe(from)
	if err != nil {
		return nil, err
	}
	db, err := eng.Describe(to)
	if err != nil {
		return nil, err
	}
	ka, kb := da.ID+"@"+da.Version, db.ID+"@"+db.Version
	res := &Result{Kind: "instrument", From: ka, To: kb}
	scores := union(ids(da.Scores, func(s catalog.ScoreDoc) string { return s.ID }), ids(db.Scores, func(s catalog.ScoreDoc) string { return s.ID }))
	flags := union(ids(da.Flags, func(f catalog.FlagDoc) string { return f.ID }), ids(db.Flags, func(f catalog.FlagDoc) string { return f.ID }))

	var oa, ob outcomes
	var ra, rb screen.Report
	score := func(r *screen.Response, key string, rep *screen.Report, o *outcomes, items map[string]any, id string) error {
		if r.Answers == nil {
			r.Answers = map[string]map[string]any{}
		}
		clear(r.Answers)
		r.Answers[key] = items
		err := eng.ScoreTo(ctx, r, rep)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		instrumentOutcomes(o, rep, err, id, scores, flags)
		return nil
	}
	// scoreVector scores a test case, against its baseline when it has one.
	scoreVector := func(v Vector, key string, rep *screen.Report, o *outcomes, id string) error {
		if v.Baseline == nil {
			return score(&screen.Response{Context: v.Context, Date: v.Date}, key, rep, o, v.Items, id)
		}
		base := &screen.Response{Context: v.Baseline.Context, Date: v.Baseline.Date, Answers: map[string]map[string]any{key: v.Baseline.Items}}
		cur := &screen.Response{Context: v.Context, Date: v.Date, Answers: map[string]map[string]any{key: v.Items}}
		err := eng.FollowUpTo(ctx, base, cur, rep)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		instrumentOutcomes(o, rep, err, id, scores, flags)
		return nil
	}

	// Test vectors.
	res.Vectors = Section{Mode: "cases", Space: fmt.Sprint(len(vectors)), Changes: []Change{}}
	tv := newTally(&res.Vectors, opt.Examples)
	for _, v := range vectors {
		if err := scoreVector(v, ka, &ra, &oa, da.ID); err != nil {
			return nil, err
		}
		if err := scoreVector(v, kb, &rb, &ob, db.ID); err != nil {
			return nil, err
		}
		tv.compare(&oa, &ob, func() Example { return Example{Case: v.Name, File: v.File, Line: v.Line} })
	}

	// Answer patterns: the items of both versions, each answered with every value it allows.
	items := mergeItems(da.Items, db.Items)
	held := unread(items, da, db)
	inA, inB := itemSet(da.Items), itemSet(db.Items)
	contexts := distinctContexts(vectors)
	res.Patterns = Section{Changes: []Change{}}
	tp := newTally(&res.Patterns, opt.Examples)
	space, bounded := spaceSize(items, held, len(contexts), opt.Missing)
	defer func() {
		if len(held) > 0 {
			res.Patterns.Note += "; held at their first value, since no expression of either version reads them: " + strings.Join(slices.Sorted(maps.Keys(held)), ", ")
		}
	}()
	res.Patterns.Space = space.String()
	if !bounded {
		res.Patterns.Space = "unbounded"
	}
	ansA, ansB := map[string]any{}, map[string]any{}
	rA, rB := &screen.Response{}, &screen.Response{}
	run := func(vals []int64, c map[string]any) error {
		clear(ansA)
		clear(ansB)
		for i, it := range items {
			if vals[i] == unanswered {
				continue
			}
			if inA[it.ID] {
				ansA[it.ID] = vals[i]
			}
			if inB[it.ID] {
				ansB[it.ID] = vals[i]
			}
		}
		rA.Context, rB.Context = c, c
		if err := score(rA, ka, &ra, &oa, ansA, da.ID); err != nil {
			return err
		}
		if err := score(rB, kb, &rb, &ob, ansB, db.ID); err != nil {
			return err
		}
		tp.compare(&oa, &ob, func() Example { return patternExample(items, vals, c) })
		return nil
	}
	return res, patterns(&res.Patterns, items, held, contexts, space, bounded, opt, run)
}

// patterns runs every pattern, or a sample, through run.
func patterns(sec *Section, items []catalog.ItemDoc, held map[string]bool, contexts []map[string]any, space *bigInt, bounded bool, opt Options, run func([]int64, map[string]any) error) error {
	ctxNote := ""
	if len(contexts) > 1 || contexts[0] != nil {
		ctxNote = fmt.Sprintf(", with each of the %d contexts the test vectors give", len(contexts))
	}
	vals := make([]int64, len(items))
	vs := make([][]int64, len(items))
	for i, it := range items {
		vs[i] = values(it, opt)
		switch {
		case held[it.ID]:
			vs[i] = vs[i][:1]
		case opt.Missing:
			vs[i] = append(vs[i], unanswered)
		}
	}
	switch {
	case bounded && space.le(opt.MaxPatterns):
		sec.Mode = "exhaustive"
		sec.Note = fmt.Sprintf("every complete answer pattern: %s (each of %d items answered with each value it allows%s)", Thousands(space.exact), len(items)-len(held), ctxNote)
		if opt.Missing {
			sec.Note = fmt.Sprintf("every answer pattern: %s (each of %d items answered with each value it allows or left unanswered%s)", Thousands(space.exact), len(items)-len(held), ctxNote)
		}
		idx := make([]int, len(items))
		for _, c := range contexts {
			for i := range vals {
				idx[i], vals[i] = 0, vs[i][0]
			}
			for {
				if err := run(vals, c); err != nil {
					return err
				}
				if !next(vs, idx, vals) {
					break
				}
			}
		}
	case opt.Samples < 0:
		sec.Mode = "skipped"
		sec.Note = "the answer space is too large to enumerate and sampling is off"
	default:
		sec.Mode = "sampled"
		why := fmt.Sprintf("%s, more than %s", space, Thousands(opt.MaxPatterns))
		if !bounded {
			why = "unbounded: an item has no upper bound, drawn from its minimum to minimum+" + fmt.Sprint(opt.UnboundedSpan)
		}
		kind := "complete answer patterns"
		if opt.Missing {
			kind = "answer patterns, each item possibly unanswered"
		}
		sec.Note = fmt.Sprintf("%s random %s (seed %d; the answer space is %s%s)", Thousands(int64(opt.Samples)), kind, opt.Seed, why, ctxNote)
		rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
		for range opt.Samples {
			for i := range items {
				vals[i] = vs[i][rng.IntN(len(vs[i]))]
			}
			if err := run(vals, contexts[rng.IntN(len(contexts))]); err != nil {
				return err
			}
		}
	}
	return nil
}

// values lists the values an item allows (an unbounded range: from its minimum over UnboundedSpan).
func values(it catalog.ItemDoc, opt Options) []int64 {
	if it.Options != nil {
		out := make([]int64, len(it.Options))
		for i, o := range it.Options {
			out[i] = o.Value
		}
		return out
	}
	lo, hi := int64(0), int64(0)
	if it.Min != nil {
		lo = *it.Min
	}
	if it.Max != nil {
		hi = *it.Max
	} else {
		hi = lo + opt.UnboundedSpan
	}
	if hi < lo || hi-lo > 1<<20 {
		hi = lo + opt.UnboundedSpan
	}
	out := make([]int64, 0, hi-lo+1)
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

// next advances idx (and vals) to the next pattern (odometer order, last item fastest); false after the
// last.
func next(vs [][]int64, idx []int, vals []int64) bool {
	for i := len(vs) - 1; i >= 0; i-- {
		if idx[i]+1 < len(vs[i]) {
			idx[i]++
			vals[i] = vs[i][idx[i]]
			return true
		}
		idx[i] = 0
		vals[i] = vs[i][0]
	}
	return false
}

func patternExample(items []catalog.ItemDoc, vals []int64, c map[string]any) Example {
	ex := Example{Answers: map[string]any{}, Context: c}
	for i, it := range items {
		if vals[i] != unanswered {
			ex.Answers[it.ID] = vals[i]
		}
	}
	return ex
}

// spaceSize is the number of complete patterns times contexts; bounded is false when an item has no
// upper bound.
func spaceSize(items []catalog.ItemDoc, held map[string]bool, contexts int, missing bool) (*bigInt, bool) {
	n := newBig(int64(contexts))
	bounded := true
	extra := int64(0)
	if missing {
		extra = 1
	}
	for _, it := range items {
		switch {
		case held[it.ID]:
		case it.Options != nil:
			n.mul(int64(len(it.Options)) + extra)
		case it.Min != nil && it.Max != nil && *it.Max >= *it.Min:
			n.mul(*it.Max - *it.Min + 1 + extra)
		default:
			bounded = false
		}
	}
	return n, bounded
}

// unread lists the items no expression of either version reads (scores, flags, skip logic; as the
// compiler found them, catalog.Reads): such an item cannot change an outcome, so patterns hold it at its
// first value rather than multiplying by its values.
func unread(items []catalog.ItemDoc, docs ...*catalog.InstrumentDoc) map[string]bool {
	read := map[string]bool{}
	mark := func(r *catalog.Reads) {
		if r != nil {
			for _, id := range r.Items {
				read[id] = true
			}
		}
	}
	for _, d := range docs {
		for _, s := range d.Scores {
			mark(s.WhenReads)
			mark(s.ExprReads)
		}
		for _, f := range d.Flags {
			mark(f.WhenReads)
		}
		for _, it := range d.Items {
			mark(it.EnableWhenReads)
		}
	}
	held := map[string]bool{}
	for _, it := range items {
		if !read[it.ID] {
			held[it.ID] = true
		}
	}
	return held
}

func mergeItems(a, b []catalog.ItemDoc) []catalog.ItemDoc {
	out := slices.Clone(a)
	for _, it := range b {
		if !slices.ContainsFunc(out, func(x catalog.ItemDoc) bool { return x.ID == it.ID }) {
			out = append(out, it)
		}
	}
	return out
}

func itemSet(items []catalog.ItemDoc) map[string]bool {
	m := map[string]bool{}
	for _, it := range items {
		m[it.ID] = true
	}
	return m
}

// distinctContexts lists the distinct contexts of the vectors (nil, no context, when none has one).
func distinctContexts(vectors []Vector) []map[string]any {
	var out []map[string]any
	seen := map[string]bool{}
	for _, v := range vectors {
		k := fmt.Sprint(v.Context) // fmt sorts map keys
		if len(v.Context) == 0 || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v.Context)
	}
	if len(out) == 0 {
		return []map[string]any{nil}
	}
	return out
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
