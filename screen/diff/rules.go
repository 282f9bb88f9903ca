package diff

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

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
