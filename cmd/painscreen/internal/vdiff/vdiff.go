// Package vdiff compares two versions of an instrument or rule set by what they give: it replays both over
// test vectors (the cases of their suites) and over answer patterns — every complete pattern when there are
// few enough, otherwise a reproducible random sample — and counts which outcomes change, with examples.
// painscreen diff prints its result.
package vdiff

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// Options bound the comparison.
type Options struct {
	// MaxPatterns is the largest answer space enumerated in full (default 1<<20).
	MaxPatterns int64
	// Samples is how many random patterns to draw when the space is larger or cannot be enumerated, and
	// for rule sets (default 20,000); negative skips the patterns.
	Samples int
	// Examples is how many examples to keep per change (default 3).
	Examples int
	// Seed makes the sample reproducible (default 1).
	Seed uint64
	// UnboundedSpan is how far above its minimum values are drawn for an integer item without an upper
	// bound (default 20).
	UnboundedSpan int64
	// Missing adds "unanswered" to each item's values, so the patterns include missing answers (and what
	// prorating and determinacy make of them).
	Missing bool
}

// unanswered stands for a missing answer among an item's values.
const unanswered = math.MinInt64

func (o *Options) defaults() {
	if o.MaxPatterns == 0 {
		o.MaxPatterns = 1 << 20
	}
	if o.Samples == 0 {
		o.Samples = 20_000
	}
	if o.Examples == 0 {
		o.Examples = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.UnboundedSpan == 0 {
		o.UnboundedSpan = 20
	}
}

// Vector is one test case to replay: an instrument suite's answers (Items) or a rules suite's (Answers).
type Vector struct {
	Name    string
	File    string
	Line    int
	Context map[string]any
	Items   map[string]any
	Answers map[string]map[string]any
	// Date and Baseline make a follow-up case: scored against its baseline visit.
	Date     string
	Baseline *Vector
}

// Result is the comparison of two versions.
type Result struct {
	Kind     string  `json:"kind"` // instrument or rules
	From     string  `json:"from"`
	To       string  `json:"to"`
	Vectors  Section `json:"vectors"`
	Patterns Section `json:"patterns"`
}

// Changed reports whether any input gives a different outcome.
func (r *Result) Changed() bool { return r.Vectors.Changed > 0 || r.Patterns.Changed > 0 }

// Section is the comparison over one kind of input.
type Section struct {
	// Mode is "cases" (test vectors), "exhaustive" (every complete answer pattern), "sampled" or "skipped".
	Mode string `json:"mode"`
	// Space is the number of inputs there are (patterns: the size of the answer space, as text, since it
	// may exceed any integer; "unbounded" when an item has no upper bound); Note says how they were chosen.
	Space string `json:"space,omitempty"`
	Note  string `json:"note,omitempty"`
	// Checked inputs were scored by both versions; Changed of them give some outcome differently.
	Checked int64    `json:"checked"`
	Changed int64    `json:"changed"`
	Changes []Change `json:"changes"`
}

// Change is one outcome that changes from one value to another, with how often and examples.
type Change struct {
	// Outcome names what changes: status, scores.<id>, flags.<id>, errors, tier, domains.<id>,
	// referrals.<id>.
	Outcome  string    `json:"outcome"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Count    int64     `json:"count"`
	Examples []Example `json:"examples"`
}

// Example is an input that shows a change: a test case (Case, File, Line) or a pattern (Answers, and
// Context when it has one).
type Example struct {
	Case    string         `json:"case,omitempty"`
	File    string         `json:"file,omitempty"`
	Line    int            `json:"line,omitempty"`
	Answers map[string]any `json:"answers,omitempty"`
	Context map[string]any `json:"context,omitempty"`
}

// ---- outcomes ----

const notComputed = "not computed"

// outcomes lists what a result gives, as (name, value) pairs in a stable order.
type outcomes struct {
	names, values []string
}

func (o *outcomes) reset() { o.names, o.values = o.names[:0], o.values[:0] }

func (o *outcomes) add(name, value string) {
	o.names = append(o.names, name)
	o.values = append(o.values, value)
}

func (o *outcomes) get(name string) (string, bool) {
	if i := slices.Index(o.names, name); i >= 0 {
		return o.values[i], true
	}
	return "", false
}

// instrumentOutcomes reads an instrument's result: status, each score (of either version), each flag.
func instrumentOutcomes(o *outcomes, rep *screen.Report, err error, id string, scores, flags []string) {
	o.reset()
	if fatal(o, err) {
		return
	}
	res := rep.Instrument(id)
	if res == nil {
		o.add("status", "no result")
		return
	}
	o.add("status", res.Status)
	o.add("errors", errorCodes(rep))
	for _, s := range scores {
		if v, ok := res.Score(s); ok {
			o.add("scores."+s, v.Value.String())
		} else {
			o.add("scores."+s, notComputed)
		}
	}
	for _, f := range flags {
		v := "does not fire"
		if _, ok := res.Flag(f); ok {
			v = "fires"
		} else {
			for _, n := range res.Notes {
				if n.Code == "flag_not_evaluated" && n.About == f {
					v = "not evaluated"
				}
			}
		}
		o.add("flags."+f, v)
	}
	followupOutcomes(o, rep, id)
}

// followupOutcomes adds the follow-up measures of a report scored against a baseline: followup.<measure>
// (or followup.<instrument>.<measure> for a rule set's report, id "").
func followupOutcomes(o *outcomes, rep *screen.Report, id string) {
	f := rep.FollowUp
	if f == nil {
		return
	}
	if !f.Computed {
		o.add("followup", "not computed")
		return
	}
	for _, in := range f.Instruments {
		if id != "" && in.ID != id {
			continue
		}
		prefix := "followup."
		if id == "" {
			prefix += in.ID + "."
		}
		for _, m := range in.Measures {
			o.add(prefix+m.ID, m.Value.String())
		}
	}
}

// ruleOutcomes reads a rule set's result: tier, each domain, each referral (fires, possible or not).
func ruleOutcomes(o *outcomes, rep *screen.Report, err error, domains, referrals []string) {
	o.reset()
	if fatal(o, err) {
		return
	}
	o.add("errors", errorCodes(rep))
	c := rep.Composite
	if c == nil || !c.Applied {
		o.add("tier", "not applied")
		return
	}
	o.add("tier", string(c.Tier))
	for _, d := range domains {
		v := "no such domain"
		if got, ok := c.Domain(d); ok {
			v = got.Value.String()
		}
		o.add("domains."+d, v)
	}
	for _, r := range referrals {
		v := "does not fire"
		if _, ok := c.Referral(r); ok {
			v = "fires"
		} else if slices.ContainsFunc(c.PossibleReferrals, func(p screen.Referral) bool { return p.ID == r }) {
			v = "possible"
		}
		o.add("referrals."+r, v)
	}
	followupOutcomes(o, rep, "")
}

// fatal records a record that could not be scored at all.
func fatal(o *outcomes, err error) bool {
	var re *screen.ResponseErrors
	if err == nil || errors.As(err, &re) {
		return false
	}
	var se *screen.ScoreError
	if errors.As(err, &se) {
		o.add("error", se.Code)
	} else {
		o.add("error", "failed")
	}
	return true
}

func errorCodes(rep *screen.Report) string {
	if len(rep.Errors) == 0 {
		return "none"
	}
	var codes []string
	for _, e := range rep.Errors {
		codes = append(codes, e.Code)
	}
	return strings.Join(codes, ", ")
}

// ---- tallies ----

type tally struct {
	sec      *Section
	examples int
	index    map[[3]string]int
}

func newTally(sec *Section, examples int) *tally {
	return &tally{sec: sec, examples: examples, index: map[[3]string]int{}}
}

// compare counts the outcomes that differ between a and b; ex makes the example on demand.
func (t *tally) compare(a, b *outcomes, ex func() Example) {
	t.sec.Checked++
	changed := false
	seen := func(name string) bool { return slices.Contains(a.names, name) }
	diff := func(name, from, to string) {
		if from == to {
			return
		}
		changed = true
		key := [3]string{name, from, to}
		i, ok := t.index[key]
		if !ok {
			i = len(t.sec.Changes)
			t.index[key] = i
			t.sec.Changes = append(t.sec.Changes, Change{Outcome: name, From: from, To: to})
		}
		c := &t.sec.Changes[i]
		c.Count++
		if len(c.Examples) < t.examples {
			c.Examples = append(c.Examples, ex())
		}
	}
	for i, name := range a.names {
		to, ok := b.get(name)
		if !ok {
			to = "absent"
		}
		diff(name, a.values[i], to)
	}
	for i, name := range b.names {
		if !seen(name) {
			diff(name, "absent", b.values[i])
		}
	}
	if changed {
		t.sec.Changed++
	}
}

// ---- instruments ----

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

// unread lists the items no expression of either version names (scores, flags, skip logic): such an item
// cannot change an outcome, so patterns hold it at its first value rather than multiplying by its values.
// The check is textual (the id as a whole word in an expression), so it errs on the side of varying.
func unread(items []catalog.ItemDoc, docs ...*catalog.InstrumentDoc) map[string]bool {
	var src strings.Builder
	for _, d := range docs {
		for _, s := range d.Scores {
			src.WriteString(s.Expr + "\n" + s.When + "\n")
		}
		for _, f := range d.Flags {
			src.WriteString(f.When + "\n")
		}
		for _, it := range d.Items {
			src.WriteString(it.EnableWhen + "\n")
		}
	}
	text := src.String()
	held := map[string]bool{}
	for _, it := range items {
		if !wordIn(text, it.ID) {
			held[it.ID] = true
		}
	}
	return held
}

// wordIn reports whether id occurs in text as a whole identifier.
func wordIn(text, id string) bool {
	ident := func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		k := strings.Index(text[i:], id)
		if k < 0 {
			return false
		}
		k += i
		end := k + len(id)
		if (k == 0 || !ident(text[k-1])) && (end == len(text) || !ident(text[end])) {
			return true
		}
		i = k + 1
	}
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

// ---- rule sets ----

// RuleSets compares two versions of a rule set: engA applies the first, engB the second, over the same
// instruments. Answer patterns are sampled: each input instrument present or not, each of its items
// answered or not, at random.
func RuleSets(ctx context.Context, engA, engB *screen.Engine, vectors []Vector, opt Options) (*Result, error) {
	opt.defaults()
	da, err := engA.DescribeRuleSet()
	if err != nil {
		return nil, err
	}
	db, err := engB.DescribeRuleSet()
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "rules", From: da.ID + "@" + da.Version, To: db.ID + "@" + db.Version}
	domains := union(ids(da.Domains, func(d catalog.DomainDoc) string { return d.ID }), ids(db.Domains, func(d catalog.DomainDoc) string { return d.ID }))
	referrals := union(ids(da.Referrals, func(r catalog.ReferralDoc) string { return r.ID }), ids(db.Referrals, func(r catalog.ReferralDoc) string { return r.ID }))
	var oa, ob outcomes
	var ra, rb screen.Report
	score := func(r *screen.Response) error {
		errA := engA.ScoreTo(ctx, r, &ra)
		errB := engB.ScoreTo(ctx, r, &rb)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ruleOutcomes(&oa, &ra, errA, domains, referrals)
		ruleOutcomes(&ob, &rb, errB, domains, referrals)
		return nil
	}
	scoreVector := func(v Vector) error {
		cur := &screen.Response{Context: v.Context, Date: v.Date, Answers: v.Answers}
		if v.Baseline == nil {
			return score(cur)
		}
		base := &screen.Response{Context: v.Baseline.Context, Date: v.Baseline.Date, Answers: v.Baseline.Answers}
		errA := engA.FollowUpTo(ctx, base, cur, &ra)
		errB := engB.FollowUpTo(ctx, base, cur, &rb)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ruleOutcomes(&oa, &ra, errA, domains, referrals)
		ruleOutcomes(&ob, &rb, errB, domains, referrals)
		return nil
	}
	res.Vectors = Section{Mode: "cases", Space: fmt.Sprint(len(vectors)), Changes: []Change{}}
	tv := newTally(&res.Vectors, opt.Examples)
	for _, v := range vectors {
		if err := scoreVector(v); err != nil {
			return nil, err
		}
		tv.compare(&oa, &ob, func() Example { return Example{Case: v.Name, File: v.File, Line: v.Line} })
	}

	// Sampled response sets over the inputs of both versions.
	res.Patterns = Section{Mode: "sampled", Space: "too large to enumerate", Changes: []Change{}}
	if opt.Samples < 0 {
		res.Patterns.Mode, res.Patterns.Note = "skipped", "sampling is off"
		return res, nil
	}
	type input struct {
		key   string
		items []catalog.ItemDoc
	}
	var inputs []input
	for _, id := range union(sortedKeys(da.Inputs), sortedKeys(db.Inputs)) {
		ver := da.Inputs[id]
		if ver == "" {
			ver = db.Inputs[id]
		}
		doc, err := engA.Describe(id + "@" + ver)
		if err != nil {
			if doc, err = engB.Describe(id + "@" + ver); err != nil {
				continue
			}
		}
		inputs = append(inputs, input{key: id, items: doc.Items})
	}
	contexts := distinctContexts(vectors)
	res.Patterns.Note = fmt.Sprintf("%s random response sets (seed %d): each of %d input instruments present with probability 0.8, each item answered with probability 0.9 with any value it allows; single visits, so follow-up rules change only over the test vectors", Thousands(int64(opt.Samples)), opt.Seed, len(inputs))
	if len(contexts) > 1 || contexts[0] != nil {
		res.Patterns.Note += fmt.Sprintf(", with one of the %d contexts the test vectors give", len(contexts))
	}
	tp := newTally(&res.Patterns, opt.Examples)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	r := &screen.Response{}
	for range opt.Samples {
		r.Answers = map[string]map[string]any{}
		for _, in := range inputs {
			if rng.Float64() >= 0.8 {
				continue
			}
			m := map[string]any{}
			for _, it := range in.items {
				if rng.Float64() < 0.9 {
					vs := values(it, opt)
					m[it.ID] = vs[rng.IntN(len(vs))]
				}
			}
			r.Answers[in.key] = m
		}
		r.Context = contexts[rng.IntN(len(contexts))]
		if err := score(r); err != nil {
			return nil, err
		}
		answers := r.Answers
		c := r.Context
		tp.compare(&oa, &ob, func() Example {
			ex := Example{Answers: map[string]any{}, Context: c}
			for k, v := range answers {
				ex.Answers[k] = v
			}
			return ex
		})
	}
	return res, nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ---- a small big integer: the answer space can exceed int64 ----

// bigInt is a non-negative integer as float64 with an exact int64 while it fits: enough to compare with
// MaxPatterns and print.
type bigInt struct {
	exact    int64
	overflow bool
	approx   float64
}

func newBig(n int64) *bigInt { return &bigInt{exact: n, approx: float64(n)} }

func (b *bigInt) mul(n int64) {
	b.approx *= float64(n)
	if b.overflow {
		return
	}
	if n != 0 && b.exact > math.MaxInt64/n {
		b.overflow = true
		return
	}
	b.exact *= n
}

func (b *bigInt) le(n int64) bool { return !b.overflow && b.exact <= n }

func (b *bigInt) String() string {
	if b.overflow {
		return fmt.Sprintf("%.3g", b.approx)
	}
	return fmt.Sprint(b.exact)
}

// Thousands writes n with comma separators: 262,144.
func Thousands(n int64) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
