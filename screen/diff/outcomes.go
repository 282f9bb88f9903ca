package diff

import (
	"errors"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

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

// fatal records a record that could not be scored at all (an error from Score means no report).
func fatal(o *outcomes, err error) bool {
	if err == nil {
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
