package suite

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// ownedExpr is what an expression reads and the part of the definition it belongs to.
type ownedExpr struct {
	owner string
	reads *catalog.Reads
}

var noReads catalog.Reads

// reads is r, or nothing read when the expression is not set.
func reads(r *catalog.Reads) *catalog.Reads {
	if r == nil {
		return &noReads
	}
	return r
}

// comparisonElements makes the two sides of each distinct comparison of a value with a constant (a
// cut-point written in an expression, such as scores.total >= 3) elements, like the sides of a band's
// cut-point. A comparison is reached on a side whatever the conditions around it.
func comparisonElements(exprs []ownedExpr, r *resolver) []Element {
	var els []Element
	seen := map[string]bool{}
	for _, x := range exprs {
		for _, c := range reads(x.reads).Cuts {
			key := c.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			lo := interval{lo: math.Inf(-1), hi: c.N}
			hi := interval{lo: c.N, hi: math.Inf(1)}
			switch c.Op {
			case ">=", "<":
				lo.hiOpen = true
			case ">", "<=":
				hi.loOpen = true
			}
			below, above := sideTargets(lo, hi, nil, !c.Real && r.whole(c))
			value := func(o *caseOutcome, ok func(float64) bool) bool {
				v, found := r.value(o, c.Terms)
				return found && ok(v)
			}
			els = append(els,
				Element{Kind: KindCut, ID: x.owner, Name: fmt.Sprintf("%s, lower side: %s", key, below.text),
					reached: func(o *caseOutcome) bool { return value(o, below.match) }},
				Element{Kind: KindCut, ID: x.owner, Name: fmt.Sprintf("%s, upper side: %s", key, above.text),
					reached: func(o *caseOutcome) bool { return value(o, above.match) }})
		}
	}
	return els
}

// resolver gives the value of a comparison's terms in a case: from an instrument suite's result and answers
// (inst set), or from a rules suite's report and answers (inputs: the input instruments).
type resolver struct {
	inst   *catalog.InstrumentDoc
	inputs map[string]*catalog.InstrumentDoc
}

// whole reports whether every term is a whole number (items, int scores, context fields).
func (r *resolver) whole(c catalog.Cut) bool {
	for _, t := range c.Terms {
		if t.Sum != nil || len(t.Path) < 2 || t.Path[0] == "context" || t.Path[0] == "followup" || len(t.Path) == 3 && t.Path[1] == "answers" {
			continue // items, context fields and follow-up days are whole numbers
		}
		doc, id := r.inst, t.Path[1]
		if len(t.Path) == 3 && t.Path[1] == "baseline" {
			id = t.Path[2] // a score at the baseline visit
		}
		if doc == nil {
			doc = r.inputs[t.Path[0]]
		} else if t.Path[0] == "answers" {
			continue
		}
		if doc == nil || !slices.ContainsFunc(doc.Scores, func(s catalog.ScoreDoc) bool { return s.ID == id && s.Type == "int" }) {
			return false
		}
	}
	return true
}

func (r *resolver) value(o *caseOutcome, terms []catalog.Term) (float64, bool) {
	total := 0.0
	for _, t := range terms {
		v, ok := r.term(o, t)
		if !ok {
			return 0, false
		}
		total += v
	}
	return total, true
}

func (r *resolver) term(o *caseOutcome, t catalog.Term) (float64, bool) {
	if t.Sum != nil {
		total := 0.0
		for _, id := range t.Sum {
			v, ok := answerValue(r.inst, o.answers, id)
			if !ok {
				return 0, false
			}
			total += v
		}
		return total, true
	}
	p := t.Path
	switch {
	case len(p) == 2 && p[0] == "context":
		return numberOf(o.context[p[1]])
	case r.inst == nil && len(p) == 3 && p[1] == "baseline":
		if o.base == nil {
			return 0, false
		}
		return scoreValue(o.base.Instrument(p[0]), p[2])
	case r.inst == nil && len(p) == 2 && p[0] == "followup" && p[1] == "days":
		if f := o.rep.FollowUp; f != nil && f.Computed {
			return float64(f.Days), true
		}
		return 0, false
	case r.inst != nil && len(p) == 2 && p[0] == "scores":
		return scoreValue(o.res, p[1])
	case r.inst != nil && len(p) == 2 && p[0] == "answers":
		return answerValue(r.inst, o.answers, p[1])
	case r.inst == nil && len(p) == 2:
		return scoreValue(o.rep.Instrument(p[0]), p[1])
	case r.inst == nil && len(p) == 3 && p[1] == "followup":
		if v, ok := o.rep.FollowUp.Measure(p[0], p[2]); ok {
			return v.Value.Float()
		}
		return 0, false
	case r.inst == nil && len(p) == 3 && p[1] == "answers":
		for key, v := range o.answers {
			if id, _, _ := strings.Cut(key, "@"); id == p[0] {
				m, _ := v.(map[string]any)
				return answerValue(r.inputs[p[0]], m, p[2])
			}
		}
	}
	return 0, false
}

func scoreValue(res *screen.InstrumentResult, id string) (float64, bool) {
	v, ok := res.Score(id)
	if !ok {
		return 0, false
	}
	return v.Value.Float()
}

// answerValue is the value of an item's answer as given: a number, or an option's code.
func answerValue(doc *catalog.InstrumentDoc, answers map[string]any, item string) (float64, bool) {
	v, ok := answers[item]
	if !ok {
		return 0, false
	}
	if code, isCode := v.(string); isCode && doc != nil {
		for _, it := range doc.Items {
			if it.ID != item {
				continue
			}
			for _, opt := range it.Options {
				if opt.Code == code {
					return float64(opt.Value), true
				}
			}
		}
		return 0, false
	}
	return numberOf(v)
}

func numberOf(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}
