package suite

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// instrumentElements derives an instrument's elements: bands and the sides of their cut-points, lookup rows, yes/no
// values, missing-data rules at and past their limit, scores decided despite missing answers, flags firing and
// not, skip-logic branches, and the cut-points its expressions write.
func instrumentElements(doc *catalog.InstrumentDoc) []Element {
	var els []Element
	scores := map[string]*catalog.ScoreDoc{}
	for i := range doc.Scores {
		scores[doc.Scores[i].ID] = &doc.Scores[i]
	}
	deps := newDepFinder(doc)
	for i := range doc.Scores {
		s := &doc.Scores[i]
		id := s.ID
		switch {
		case s.Bands != nil:
			els = append(els, bandElements(s, scores[s.Of])...)
		case s.Lookup != nil:
			keys := make([]int64, 0, len(s.Lookup))
			for k := range s.Lookup {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				els = append(els, Element{Kind: KindLookupRow, ID: id, Name: fmt.Sprintf("%s %d", s.Of, k),
					reached: scoreIs(s.Of, func(v float64) bool { return v == float64(k) })})
			}
		case s.Type == "bool":
			for _, b := range []bool{true, false} {
				els = append(els, Element{Kind: KindValue, ID: id, Name: strconv.FormatBool(b),
					reached: func(o *caseOutcome) bool {
						v, ok := o.res.Score(id)
						return ok && v.Value.Equal(screen.BoolValue(b))
					}})
			}
		}
		for _, p := range reads(s.ExprReads).Missing {
			limit := fmt.Sprintf("%d of %d items missing, prorated", p.Max, len(p.Items))
			if p.Max == 0 {
				limit = fmt.Sprintf("all %d items answered, computed", len(p.Items))
			}
			els = append(els,
				Element{Kind: KindMissingLimit, ID: id, Name: limit,
					reached: func(o *caseOutcome) bool {
						_, ok := o.res.Score(id)
						return ok && countIn(p.Items, o.res.Missing) == p.Max
					}},
				Element{Kind: KindMissingPast, ID: id, Name: fmt.Sprintf("%d of %d items missing, not computed", p.Max+1, len(p.Items)),
					reached: func(o *caseOutcome) bool {
						_, ok := o.res.Score(id)
						return !ok && countIn(p.Items, o.res.Missing) == p.Max+1
					}})
		}
		if (s.Bands != nil || s.Type == "bool") && len(deps.ofScore(id)) >= 2 {
			els = append(els, Element{Kind: KindDecided, ID: id, Name: "decided despite missing answers",
				reached: hasNote("determined", id)})
		}
	}
	for _, f := range doc.Flags {
		id := f.ID
		els = append(els,
			Element{Kind: KindFlagFires, ID: id, Name: "fires", reached: func(o *caseOutcome) bool {
				_, ok := o.res.Flag(id)
				return ok
			}},
			Element{Kind: KindFlagSilent, ID: id, Name: "evaluated, does not fire", reached: func(o *caseOutcome) bool {
				_, ok := o.res.Flag(id)
				return !ok && !hasNote("flag_not_evaluated", id)(o)
			}})
	}
	els = append(els, skipElements(doc)...)
	var exprs []ownedExpr
	for _, s := range doc.Scores {
		exprs = append(exprs, ownedExpr{"score " + s.ID, s.WhenReads}, ownedExpr{"score " + s.ID, s.ExprReads})
	}
	for _, f := range doc.Flags {
		exprs = append(exprs, ownedExpr{"flag " + f.ID, f.WhenReads})
	}
	for _, it := range doc.Items {
		exprs = append(exprs, ownedExpr{"item " + it.ID, it.EnableWhenReads})
	}
	els = append(els, comparisonElements(exprs, &resolver{inst: doc})...)
	return els
}

// skipElements makes two elements (asked, skipped) per distinct skip-logic condition.
func skipElements(doc *catalog.InstrumentDoc) []Element {
	var conds []string
	items := map[string][]catalog.ItemDoc{}
	for _, it := range doc.Items {
		if it.EnableWhen == "" {
			continue
		}
		if _, ok := items[it.EnableWhen]; !ok {
			conds = append(conds, it.EnableWhen)
		}
		items[it.EnableWhen] = append(items[it.EnableWhen], it)
	}
	var els []Element
	for _, cond := range conds {
		its := items[cond]
		var ids []string
		for _, it := range its {
			ids = append(ids, it.ID)
		}
		id := strings.Join(ids, ", ")
		els = append(els,
			Element{Kind: KindSkipAsked, ID: id, Name: "asked (" + cond + ")", reached: func(o *caseOutcome) bool {
				for _, it := range its {
					if itemAsked(o, it) == 1 {
						return true
					}
				}
				return false
			}},
			Element{Kind: KindSkipSkipped, ID: id, Name: "skipped (not " + cond + ")", reached: func(o *caseOutcome) bool {
				for _, it := range its {
					if itemAsked(o, it) == -1 {
						return true
					}
				}
				return false
			}})
	}
	return els
}

// itemAsked tells from a result whether skip logic asked an item: 1 asked, -1 skipped, 0 cannot tell (an
// optional item left blank). An answered item is asked unless the report notes it was answered when
// skipped; a blank required item is asked when it is listed missing, skipped otherwise.
func itemAsked(o *caseOutcome, it catalog.ItemDoc) int {
	if hasNote("answered_when_skipped", it.ID)(o) {
		return -1
	}
	if v, ok := o.answers[it.ID]; ok && v != nil {
		if o.res.Status == screen.StatusError {
			return 0 // the answer may be the invalid one
		}
		return 1
	}
	if slices.Contains(o.res.Missing, it.ID) {
		return 1
	}
	if it.Required {
		return -1
	}
	return 0
}

// bandElements makes an element per band and per side of each cut-point.
func bandElements(s, of *catalog.ScoreDoc) []Element {
	bands := intervals(s.Bands)
	var els []Element
	for _, b := range bands {
		label := b.label
		els = append(els, Element{Kind: KindBand, ID: s.ID, Name: label, reached: func(o *caseOutcome) bool {
			v, ok := o.res.Score(s.ID)
			return ok && v.Value.String() == label
		}})
	}
	// What values the read score takes near a cut: the table values of a lookup, whole numbers for an int,
	// otherwise unknown (the cut itself on its closed side, within 1 on the other).
	var table []float64
	whole := false
	if of != nil {
		for _, v := range of.Lookup {
			table = append(table, v)
		}
		slices.Sort(table)
		whole = of.Type == "int"
	}
	for i := 0; i+1 < len(bands); i++ {
		lo, hi := bands[i], bands[i+1]
		below, above := sideTargets(lo, hi, table, whole)
		cut := lo.label + "|" + hi.label
		els = append(els,
			Element{Kind: KindCut, ID: s.ID, Name: fmt.Sprintf("%s, lower side: %s %s (%s)", cut, s.Of, below.text, lo.label),
				reached: scoreIs(s.Of, below.match)},
			Element{Kind: KindCut, ID: s.ID, Name: fmt.Sprintf("%s, upper side: %s %s (%s)", cut, s.Of, above.text, hi.label),
				reached: scoreIs(s.Of, above.match)})
	}
	return els
}

type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
	label          string
}

// intervals resolves bands as the compiler does: a missing bound is shared with the neighbour (exclusive on
// this side), and unbounded at the ends.
func intervals(cuts []catalog.BandDoc) []interval {
	out := make([]interval, len(cuts))
	for i, c := range cuts {
		b := interval{lo: math.Inf(-1), hi: math.Inf(1), label: c.Label}
		switch {
		case c.Min != nil:
			b.lo = *c.Min
		case i > 0 && cuts[i-1].Max != nil:
			b.lo, b.loOpen = *cuts[i-1].Max, true
		}
		switch {
		case c.Max != nil:
			b.hi = *c.Max
		case i+1 < len(cuts) && cuts[i+1].Min != nil:
			b.hi, b.hiOpen = *cuts[i+1].Min, true
		}
		out[i] = b
	}
	return out
}

func (b interval) contains(v float64) bool {
	return !(v < b.lo || b.loOpen && v == b.lo || v > b.hi || b.hiOpen && v == b.hi)
}

type target struct {
	text  string
	match func(float64) bool
}

// sideTargets returns what reaches each side of the cut between bands lo and hi.
func sideTargets(lo, hi interval, table []float64, whole bool) (below, above target) {
	exact := func(v float64) target {
		return target{text: num(v), match: func(x float64) bool { return x == v }}
	}
	none := target{text: "(no value)", match: func(float64) bool { return false }}
	switch {
	case table != nil:
		below, above = none, none
		for _, v := range table {
			if lo.contains(v) {
				below = exact(v)
			}
		}
		for i := len(table) - 1; i >= 0; i-- {
			if hi.contains(table[i]) {
				above = exact(table[i])
			}
		}
		return below, above
	case whole:
		top := math.Floor(lo.hi)
		if lo.hiOpen && top == lo.hi {
			top--
		}
		bottom := math.Ceil(hi.lo)
		if hi.loOpen && bottom == hi.lo {
			bottom++
		}
		return exact(top), exact(bottom)
	}
	if lo.hiOpen {
		h := lo.hi
		below = target{text: fmt.Sprintf("in [%s, %s)", num(h-1), num(h)), match: func(x float64) bool { return x >= h-1 && x < h }}
	} else {
		below = exact(lo.hi)
	}
	if hi.loOpen {
		l := hi.lo
		above = target{text: fmt.Sprintf("in (%s, %s]", num(l), num(l+1)), match: func(x float64) bool { return x > l && x <= l+1 }}
	} else {
		above = exact(hi.lo)
	}
	return below, above
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// scoreIs matches a case whose score id has a numeric value satisfying ok.
func scoreIs(id string, ok func(float64) bool) func(*caseOutcome) bool {
	return func(o *caseOutcome) bool {
		v, found := o.res.Score(id)
		if !found {
			return false
		}
		f, isNum := v.Value.Float()
		return isNum && ok(f)
	}
}

// hasNote matches a case whose instrument result has a note of the code about id.
func hasNote(code, about string) func(*caseOutcome) bool {
	return func(o *caseOutcome) bool {
		for _, n := range o.res.Notes {
			if n.Code == code && n.About == about {
				return true
			}
		}
		return false
	}
}

func countIn(items, missing []string) int {
	n := 0
	for _, m := range missing {
		if slices.Contains(items, m) {
			n++
		}
	}
	return n
}

// depFinder computes the items a score depends on: those its condition and expression read, and those of
// the scores it reads (bands and lookups read their `of` score).
type depFinder struct {
	scores map[string]*catalog.ScoreDoc
	memo   map[string][]string
}

func newDepFinder(doc *catalog.InstrumentDoc) *depFinder {
	d := &depFinder{scores: map[string]*catalog.ScoreDoc{}, memo: map[string][]string{}}
	for i := range doc.Scores {
		d.scores[doc.Scores[i].ID] = &doc.Scores[i]
	}
	return d
}

func (d *depFinder) ofScore(id string) []string {
	if deps, ok := d.memo[id]; ok {
		return deps
	}
	d.memo[id] = nil // a cycle cannot compile; this only guards the recursion
	s := d.scores[id]
	if s == nil {
		return nil
	}
	set := map[string]bool{}
	var out []string
	add := func(items []string) {
		for _, it := range items {
			if !set[it] {
				set[it] = true
				out = append(out, it)
			}
		}
	}
	for _, r := range []*catalog.Reads{reads(s.WhenReads), reads(s.ExprReads)} {
		add(r.Items)
		for _, sc := range r.Scores {
			add(d.ofScore(sc))
		}
	}
	if s.Of != "" {
		add(d.ofScore(s.Of))
	}
	d.memo[id] = out
	return out
}
