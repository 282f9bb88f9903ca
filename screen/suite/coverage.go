package suite

import (
	"encoding/json"
	"fmt"
	"sort"

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
