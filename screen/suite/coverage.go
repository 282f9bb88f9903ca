package suite

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// Kind names a kind of coverage element.
type Kind string

// The kinds of coverage element. Instrument elements are reached by the instrument's own suites, rule-set
// elements by the rule set's suites.
const (
	KindBand         Kind = "band"          // a score's band label is given
	KindCut          Kind = "cut"           // one side of a cut-point (of bands, or in an expression): the nearest value on that side
	KindLookupRow    Kind = "lookup_row"    // a lookup table row is used
	KindValue        Kind = "value"         // a yes/no score is true, or false
	KindFlagFires    Kind = "flag_fires"    // a flag fires
	KindFlagSilent   Kind = "flag_silent"   // a flag is evaluated and does not fire
	KindMissingLimit Kind = "missing_limit" // a missing-data rule at its limit: as many missing as allowed
	KindMissingPast  Kind = "missing_past"  // one missing past the limit: not computed
	KindSkipAsked    Kind = "skip_asked"    // skip logic asks its items
	KindSkipSkipped  Kind = "skip_skipped"  // skip logic skips its items
	KindDecided      Kind = "decided"       // a band or yes/no score decided despite missing answers
	KindDomainValue  Kind = "domain_value"  // a domain takes one of its values
	KindDomainOpen   Kind = "domain_open"   // missing answers leave a domain open, with its possible values
	KindTier         Kind = "tier"          // a tier is the result
	KindTierOpen     Kind = "tier_open"     // missing answers leave the tier open, with the possible tiers
	KindReferral     Kind = "referral"      // a referral fires
	KindAddendum     Kind = "addendum"      // a referral's conditional text is added
	KindPossible     Kind = "possible"      // a referral is possible: it fires for some completions of the answers
)

// Element is one named part of a definition that a test can reach: a band, one side of a cut-point, a
// lookup row, a flag firing or not, a missing-data rule at its limit or past it, a skip-logic branch, a
// domain value, a tier, a referral, a determinacy outcome.
type Element struct {
	Kind Kind `json:"kind"`
	// ID is the score, flag, items, domain, tier or referral the element belongs to.
	ID string `json:"id"`
	// Name says which part of it, in words ("mild", "4 (minimal), below the cut at 5").
	Name string `json:"name"`
	// Covered is set when a passing test case reached the element; By then names the first such case as
	// "file:line: name".
	Covered bool   `json:"covered"`
	By      string `json:"by,omitempty"`
	reached func(*caseOutcome) bool
}

// String formats the element as "kind id: name".
func (e Element) String() string {
	s := string(e.Kind) + " " + e.ID
	if e.Name != "" {
		s += ": " + e.Name
	}
	return s
}

// DefinitionCoverage is the coverage of one loaded instrument version or rule set.
type DefinitionCoverage struct {
	// Definition is "id@version"; Kind is "instrument" or "rules"; File is the definition's file.
	Definition string    `json:"definition"`
	Kind       string    `json:"kind"`
	File       string    `json:"file"`
	Elements   []Element `json:"elements"`
}

// Covered is the number of elements reached.
func (d *DefinitionCoverage) Covered() int {
	n := 0
	for _, e := range d.Elements {
		if e.Covered {
			n++
		}
	}
	return n
}

// Total is the number of elements.
func (d *DefinitionCoverage) Total() int { return len(d.Elements) }

// Percent is the share of elements reached, 0 to 100 (100 for a definition without elements).
func (d *DefinitionCoverage) Percent() float64 { return percent(d.Covered(), d.Total()) }

// Uncovered lists the elements no passing test reached.
func (d *DefinitionCoverage) Uncovered() []Element {
	var out []Element
	for _, e := range d.Elements {
		if !e.Covered {
			out = append(out, e)
		}
	}
	return out
}

// Coverage is the clinical coverage of a test run: for every loaded definition, the elements derived from
// it and whether a passing test case reached each one. Run fills it when Options.Coverage is set.
//
// Elements are derived from the definitions themselves, so a new band, flag, domain value or referral
// appears without any change here: per instrument, each band and each side of each cut-point (the nearest
// value the score can take below and above it: whole numbers for an int score, the table values for a score
// read from a lookup table, the cut itself and a value within 1 on the other side for other numbers), each
// side of each cut-point written in an expression (a score, item, context field, an answers.sum or a sum
// of them compared with a constant, such as scores.total >= 3, in a score, flag or skip condition, or in a
// rule set's domains, tiers and referrals — reached on a side whatever the conditions around it), each
// lookup-table row, each yes/no score true and false, each flag firing and evaluated without firing, each
// missing-data rule at its limit and one past it (answers.prorated_sum with as many items missing as it
// allows, prorated, and with one more, not computed; answers.sum and answers.mean, which need every item,
// complete and with one item missing), each skip-logic
// condition asking and skipping its items, and each band or yes/no score that reads two or more items
// decided despite missing answers (note determined); per rule set, each domain value, each domain left
// open (possible values), each tier, the tier left open (possible tiers), each referral and each of its
// addenda firing, and each referral possible but not certain.
//
// An element is reached by what a passing test case's result shows — the report and the answers given —
// whether or not the case's want checks that part: coverage says what the tests exercise; their wants say
// what they check. Instrument elements count only the instrument's own suites; rule-set elements the rule
// set's suites.
type Coverage struct {
	Definitions []DefinitionCoverage `json:"definitions"`
}

// Covered is the number of elements reached over every definition.
func (c *Coverage) Covered() int {
	n := 0
	for i := range c.Definitions {
		n += c.Definitions[i].Covered()
	}
	return n
}

// Total is the number of elements over every definition.
func (c *Coverage) Total() int {
	n := 0
	for i := range c.Definitions {
		n += c.Definitions[i].Total()
	}
	return n
}

// Percent is the share of all elements reached, 0 to 100.
func (c *Coverage) Percent() float64 { return percent(c.Covered(), c.Total()) }

// Definition returns the coverage of "id@version", or nil.
func (c *Coverage) Definition(key string) *DefinitionCoverage {
	for i := range c.Definitions {
		if c.Definitions[i].Definition == key {
			return &c.Definitions[i]
		}
	}
	return nil
}

func percent(n, total int) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}

// caseOutcome is what one passing case produced, as the element matchers read it.
type caseOutcome struct {
	rep     *screen.Report
	res     *screen.InstrumentResult // instrument suites: the instrument's result
	answers map[string]any           // the answers given: item → answer (instrument suites), key → item → answer (rules)
	context map[string]any
	base    *screen.Report // the case's baseline scored on its own (follow-up cases), or nil
}

// collector builds a Coverage from the engines of a run and marks it from the cases.
type collector struct {
	cov  *Coverage
	defs map[string]int // "id@version" -> index in cov.Definitions
}

func newCollector(cov *Coverage) *collector {
	cov.Definitions = nil
	return &collector{cov: cov, defs: map[string]int{}}
}

// addInstruments derives the elements of every instrument e loads.
func (c *collector) addInstruments(e *screen.Engine) {
	for _, in := range e.Instruments() {
		key := in.ID + "@" + in.Version
		if _, ok := c.defs[key]; ok {
			continue
		}
		doc, err := e.Describe(key)
		if err != nil {
			continue
		}
		c.defs[key] = len(c.cov.Definitions)
		c.cov.Definitions = append(c.cov.Definitions, DefinitionCoverage{Definition: key, Kind: "instrument", File: doc.File,
			Elements: instrumentElements(doc)})
	}
}

// addRuleSet derives the elements of the rule set e applies, if any.
func (c *collector) addRuleSet(e *screen.Engine) {
	doc, err := e.DescribeRuleSet()
	if err != nil {
		return
	}
	key := doc.ID + "@" + doc.Version
	if _, ok := c.defs[key]; ok {
		return
	}
	inputs := map[string]*catalog.InstrumentDoc{}
	for id, ver := range doc.Inputs {
		if in, err := e.Describe(id + "@" + ver); err == nil {
			inputs[id] = in
		}
	}
	c.defs[key] = len(c.cov.Definitions)
	c.cov.Definitions = append(c.cov.Definitions, DefinitionCoverage{Definition: key, Kind: "rules", File: doc.File,
		Elements: ruleSetElements(doc, inputs)})
}

// mark records what a passing case reached in the definition key.
func (c *collector) mark(key string, o *caseOutcome, by string) {
	i, ok := c.defs[key]
	if !ok {
		return
	}
	els := c.cov.Definitions[i].Elements
	for j := range els {
		if !els[j].Covered && els[j].reached(o) {
			els[j].Covered = true
			els[j].By = by
		}
	}
}

// sortDefinitions orders the coverage by definition.
func (c *collector) finish() {
	sort.SliceStable(c.cov.Definitions, func(i, j int) bool {
		a, b := c.cov.Definitions[i], c.cov.Definitions[j]
		if a.Kind != b.Kind {
			return a.Kind == "instrument"
		}
		return a.Definition < b.Definition
	})
}

// ---- instrument elements ----

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
						vScore, ok := o.res.Score(id)
						v := vScore.Value
						return ok && v.Equal(screen.BoolValue(b))
					}})
			}
		}
		for _, p := range missingRules(s.Expr) {
			limit := fmt.Sprintf("%d of %d items missing, prorated", p.max, len(p.items))
			if p.max == 0 {
				limit = fmt.Sprintf("all %d items answered, computed", len(p.items))
			}
			els = append(els,
				Element{Kind: KindMissingLimit, ID: id, Name: limit,
					reached: func(o *caseOutcome) bool {
						_, ok := o.res.Score(id)
						return ok && countIn(p.items, o.res.Missing) == p.max
					}},
				Element{Kind: KindMissingPast, ID: id, Name: fmt.Sprintf("%d of %d items missing, not computed", p.max+1, len(p.items)),
					reached: func(o *caseOutcome) bool {
						_, ok := o.res.Score(id)
						return !ok && countIn(p.items, o.res.Missing) == p.max+1
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
		exprs = append(exprs, ownedExpr{"score " + s.ID, s.When}, ownedExpr{"score " + s.ID, s.Expr})
	}
	for _, f := range doc.Flags {
		exprs = append(exprs, ownedExpr{"flag " + f.ID, f.When})
	}
	for _, it := range doc.Items {
		exprs = append(exprs, ownedExpr{"item " + it.ID, it.EnableWhen})
	}
	els = append(els, comparisonElements(exprs, &resolver{inst: doc})...)
	return els
}

// ownedExpr is an expression and the part of the definition it belongs to.
type ownedExpr struct{ owner, src string }

// comparisonElements makes the two sides of each distinct comparison of a value with a constant (a
// cut-point written in an expression, such as scores.total >= 3) elements, like the sides of a band's
// cut-point. A comparison is reached on a side whatever the conditions around it.
func comparisonElements(exprs []ownedExpr, r *resolver) []Element {
	var els []Element
	seen := map[string]bool{}
	for _, x := range exprs {
		for _, c := range comparisons(x.src) {
			key := c.String()
			if seen[key] {
				continue
			}
			seen[key] = true
			lo := interval{lo: math.Inf(-1), hi: c.n}
			hi := interval{lo: c.n, hi: math.Inf(1)}
			switch c.op {
			case ">=", "<":
				lo.hiOpen = true
			case ">", "<=":
				hi.loOpen = true
			}
			below, above := sideTargets(lo, hi, nil, !c.real && r.whole(c))
			value := func(o *caseOutcome, ok func(float64) bool) bool {
				v, found := r.value(o, c.terms)
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
func (r *resolver) whole(c comparison) bool {
	for _, t := range c.terms {
		if t.sum != nil || len(t.path) < 2 || t.path[0] == "context" || t.path[0] == "followup" || len(t.path) == 3 && t.path[1] == "answers" {
			continue // items, context fields and follow-up days are whole numbers
		}
		doc, id := r.inst, t.path[1]
		if len(t.path) == 3 && t.path[1] == "baseline" {
			id = t.path[2] // a score at the baseline visit
		}
		if doc == nil {
			doc = r.inputs[t.path[0]]
		} else if t.path[0] == "answers" {
			continue
		}
		if doc == nil || !slices.ContainsFunc(doc.Scores, func(s catalog.ScoreDoc) bool { return s.ID == id && s.Type == "int" }) {
			return false
		}
	}
	return true
}

func (r *resolver) value(o *caseOutcome, terms []term) (float64, bool) {
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

func (r *resolver) term(o *caseOutcome, t term) (float64, bool) {
	if t.sum != nil {
		total := 0.0
		for _, id := range t.sum {
			v, ok := answerValue(r.inst, o.answers, id)
			if !ok {
				return 0, false
			}
			total += v
		}
		return total, true
	}
	p := t.path
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
	vScore, ok := res.Score(id)
	v := vScore.Value
	if !ok {
		return 0, false
	}
	return v.Float()
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
			vScore, ok := o.res.Score(s.ID)
			v := vScore.Value
			return ok && v.String() == label
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
		vScore, found := o.res.Score(id)
		v := vScore.Value
		if !found {
			return false
		}
		f, isNum := v.Float()
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

// ---- rule-set elements ----

func ruleSetElements(doc *catalog.RuleSetDoc, inputs map[string]*catalog.InstrumentDoc) []Element {
	var els []Element
	var exprs []ownedExpr
	for _, d := range doc.Domains {
		exprs = append(exprs, ownedExpr{"domain " + d.ID, d.Expr})
		for _, src := range d.Sources {
			exprs = append(exprs, ownedExpr{"domain " + d.ID, src.When}, ownedExpr{"domain " + d.ID, src.Expr})
		}
	}
	for _, t := range doc.Tiers {
		exprs = append(exprs, ownedExpr{"tier " + t.ID, t.When})
	}
	for _, r := range doc.Referrals {
		exprs = append(exprs, ownedExpr{"referral " + r.ID, r.When})
		for _, a := range r.Addenda {
			exprs = append(exprs, ownedExpr{"referral " + r.ID, a.When})
		}
	}
	els = append(els, comparisonElements(exprs, &resolver{inputs: inputs})...)
	open := openable(doc)
	for _, d := range doc.Domains {
		id := d.ID
		for _, v := range d.Values {
			els = append(els, Element{Kind: KindDomainValue, ID: id, Name: v, reached: func(o *caseOutcome) bool {
				gotDomain, ok := o.rep.Composite.Domain(id)
				got := gotDomain.Value
				return ok && got.String() == v
			}})
		}
		if !open.domains[id] {
			continue
		}
		els = append(els, Element{Kind: KindDomainOpen, ID: id, Name: "left open by missing answers (possible values)",
			reached: func(o *caseOutcome) bool {
				for _, dm := range o.rep.Composite.Domains {
					if dm.ID == id && len(dm.Possible) > 0 {
						return true
					}
				}
				return false
			}})
	}
	for _, t := range doc.Tiers {
		id := t.ID
		els = append(els, Element{Kind: KindTier, ID: id, Name: "reached", reached: func(o *caseOutcome) bool {
			return string(o.rep.Composite.Tier) == id
		}})
	}
	if open.tier {
		els = append(els, Element{Kind: KindTierOpen, ID: "tier", Name: "left open by missing answers (possible tiers)",
			reached: func(o *caseOutcome) bool { return len(o.rep.Composite.PossibleTiers) > 0 }})
	}
	for _, r := range doc.Referrals {
		id := r.ID
		els = append(els, Element{Kind: KindReferral, ID: id, Name: "fires", reached: func(o *caseOutcome) bool {
			_, ok := o.rep.Composite.Referral(id)
			return ok
		}})
		for i, a := range r.Addenda {
			tmpl := a.Text
			els = append(els, Element{Kind: KindAddendum, ID: id, Name: fmt.Sprintf("addendum %d (%s)", i+1, a.When),
				reached: func(o *caseOutcome) bool {
					ref, ok := o.rep.Composite.Referral(id)
					if !ok {
						return false
					}
					for _, t := range ref.Addenda {
						if matchTemplate(tmpl, t) {
							return true
						}
					}
					return false
				}})
		}
		if !open.referrals[id] {
			continue
		}
		els = append(els, Element{Kind: KindPossible, ID: id, Name: "possible, left open by missing answers",
			reached: func(o *caseOutcome) bool {
				for _, p := range o.rep.Composite.PossibleReferrals {
					if p.ID == id {
						return true
					}
				}
				return false
			}})
	}
	return els
}

// openness says which results of a rule set missing answers can leave open.
type openness struct {
	domains, referrals map[string]bool
	tier               bool
}

// openable finds the results answers can leave open: a domain that reads an input instrument (a source,
// or an expression naming one), the tier and a referral whose conditions read such a domain, an input, or
// an open tier. A domain computed from context fields alone is never open, so it gets no "open" element.
func openable(doc *catalog.RuleSetDoc) openness {
	o := openness{domains: map[string]bool{}, referrals: map[string]bool{}}
	inputs := map[string]bool{}
	for id := range doc.Inputs {
		inputs[id] = true
	}
	// A path can be open when it reads an input's current result (phq9.total, phq9.answers.q1, phq9.flags.x;
	// not its baseline or follow-up measures, which are computed only from scores decided at both visits),
	// an open domain, or an open tier.
	reads := func(src string) bool {
		for _, p := range paths(src) {
			switch {
			case inputs[p[0]] && (len(p) < 2 || p[1] != "baseline" && p[1] != "followup"):
				return true
			case p[0] == "domains" && len(p) > 1 && o.domains[p[1]]:
				return true
			case p[0] == "tier" && o.tier:
				return true
			}
		}
		return false
	}
	for range 2 { // domains may read domains defined later
		for _, d := range doc.Domains {
			if len(d.Sources) > 0 || reads(d.Expr) {
				o.domains[d.ID] = true
			}
		}
	}
	for _, t := range doc.Tiers {
		if reads(t.When) {
			o.tier = true
		}
	}
	for _, r := range doc.Referrals {
		o.referrals[r.ID] = reads(r.When)
	}
	return o
}

// matchTemplate reports whether text is tmpl with its {placeholders} filled in.
func matchTemplate(tmpl, text string) bool {
	tmpl, text = strings.TrimSpace(tmpl), strings.TrimSpace(text)
	var parts []string
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			parts = append(parts, tmpl)
			break
		}
		parts = append(parts, tmpl[:i])
		tmpl = tmpl[i+j+1:]
	}
	if len(parts) == 1 {
		return parts[0] == text
	}
	if !strings.HasPrefix(text, parts[0]) || !strings.HasSuffix(text, parts[len(parts)-1]) {
		return false
	}
	rest := text[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		k := strings.Index(rest, p)
		if k < 0 {
			return false
		}
		rest = rest[k+len(p):]
	}
	return len(rest) >= len(parts[len(parts)-1])
}

// caseMark is called by Run for each passing case.
func (c *collector) caseMark(s *def.Suite, t *def.Test, rep, base *screen.Report) {
	if rep == nil {
		return
	}
	by := fmt.Sprintf("%s:%d: %s", s.File, t.Pos.Line, t.Name)
	if s.Kind == "rules" {
		if rep.Composite == nil || !rep.Composite.Applied {
			return
		}
		c.mark(rep.Composite.ID+"@"+rep.Composite.Version, &caseOutcome{rep: rep, answers: t.Answers, context: t.Context, base: base}, by)
		return
	}
	res := rep.Instrument(s.Target)
	if res == nil {
		return
	}
	c.mark(res.ID+"@"+res.Version, &caseOutcome{rep: rep, res: res, answers: t.Answers, context: t.Context}, by)
}

// MarshalJSON writes the definition's coverage with its totals: covered, total and percent beside the
// elements.
func (d DefinitionCoverage) MarshalJSON() ([]byte, error) {
	type plain DefinitionCoverage
	return json.Marshal(struct {
		plain
		Covered int     `json:"covered"`
		Total   int     `json:"total"`
		Percent float64 `json:"percent"`
	}{plain(d), d.Covered(), d.Total(), d.Percent()})
}

// MarshalJSON writes the coverage with its totals: covered, total and percent beside the definitions.
func (c Coverage) MarshalJSON() ([]byte, error) {
	type plain Coverage
	return json.Marshal(struct {
		plain
		Covered int     `json:"covered"`
		Total   int     `json:"total"`
		Percent float64 `json:"percent"`
	}{plain(c), c.Covered(), c.Total(), c.Percent()})
}
