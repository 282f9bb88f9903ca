// Package catalog describes loaded definitions for people and tools: an instrument's items, options,
// scores, bands, flags, codes and provenance, and a rule set's inputs, domains, tiers and referrals. It is
// what `painscreen show` prints; screen.Engine.Describe and DescribeRuleSet return these types. Each
// encodes as JSON with snake_case keys (item_text, enable_when, min_age), as `painscreen show --format
// json` writes it; what an expression reads (the Reads fields) is left out.
package catalog

import (
	"strconv"
	"strings"
)

// Code is a terminology code (for example a LOINC code) attached to an instrument, item, option or score.
type Code struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Info identifies a loaded definition.
type Info struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Status  string `json:"status"`
	Title   string `json:"title"`
	Digest  string `json:"digest"`
	// File is the definition's file, as diagnostics name it.
	File string `json:"file"`
}

// InstrumentDoc describes a loaded instrument for people: its items, options, scores, bands, flags and
// provenance. It is what `painscreen show` prints.
type InstrumentDoc struct {
	Info
	Domain string `json:"domain"`
	// Default is true for the version an unpinned answers key selects.
	Default  bool   `json:"default"`
	Recall   string `json:"recall"`
	Citation string `json:"citation"`
	License  string `json:"license"`
	// ItemText is "verbatim" when item texts reproduce the instrument, "paraphrased" when they are labels.
	ItemText string       `json:"item_text"`
	Notes    string       `json:"notes"`
	Codes    []Code       `json:"codes"`
	Context  []ContextDoc `json:"context"`
	Items    []ItemDoc    `json:"items"`
	Scores   []ScoreDoc   `json:"scores"`
	// FollowUps are the follow-up measures: a current visit's scores against a baseline visit's.
	FollowUps []FollowUpDoc `json:"follow_ups"`
	Flags     []FlagDoc     `json:"flags"`
	// Label is the short name reasons use ("PHQ-9"): the definition's label, else the abbreviation ending
	// the title, else the title.
	Label string `json:"label"`
}

// ContextDoc is a declared context field: its type (int, number, bool or string), its bounds when
// declared, and what it means.
type ContextDoc struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Min         *float64 `json:"min"`
	Max         *float64 `json:"max"`
	Description string   `json:"description"`
	// Label and Unit are the words reasons use ("opioid dose", "MME/day"); empty when not given.
	Label string `json:"label,omitempty"`
	Unit  string `json:"unit,omitempty"`
}

// ItemDoc describes an item.
type ItemDoc struct {
	ID       string      `json:"id"`
	Text     string      `json:"text"`
	Required bool        `json:"required"`
	Options  []OptionDoc `json:"options"` // nil for a range item
	// Min and Max bound a range item.
	Min *int64 `json:"min"`
	Max *int64 `json:"max"`
	// EnableWhen is the skip-logic condition, "" when always asked.
	EnableWhen string `json:"enable_when"`
	Codes      []Code `json:"codes"`
	// EnableWhenReads is what EnableWhen reads (nil when always asked).
	EnableWhenReads *Reads `json:"-"`
	// Label is the item's short name in reasons: its label, else its text shortened, else its id.
	Label string `json:"label"`
}

// OptionDoc is a response option.
type OptionDoc struct {
	Value int64  `json:"value"`
	Code  string `json:"code"`
	Label string `json:"label"`
}

// ScoreDoc describes a score. Exactly one of Expr, Bands, Lookup is set.
type ScoreDoc struct {
	ID          string            `json:"id"`
	Label       string            `json:"label"`
	Description string            `json:"description"`
	Type        string            `json:"type"` // int, double, bool or string
	When        string            `json:"when"`
	Expr        string            `json:"expr"`
	Of          string            `json:"of"` // bands and lookups: the score they read
	Bands       []BandDoc         `json:"bands"`
	Lookup      map[int64]float64 `json:"lookup"`
	Codes       []Code            `json:"codes"`
	// Short is the score's name beside its instrument's ("screen positive"), where the label is a sentence;
	// empty when not given (Named stands in).
	Short string `json:"short,omitempty"`
	// WhenReads and ExprReads are what When and Expr read (nil when not set).
	WhenReads, ExprReads *Reads `json:"-"`
}

// BandDoc is one band; nil bounds are open (shared with the neighbour, or unbounded).
type BandDoc struct {
	Label string   `json:"label"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
}

// FollowUpDoc describes a follow-up measure: CEL over baseline.<score>, current.<score> and days.
type FollowUpDoc struct {
	ID          string `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Expr        string `json:"expr"`
	// MinDays is the fewest days from baseline at which the measure is computed (0: any interval).
	MinDays int64 `json:"min_days"`
	// ExprReads is what Expr reads (its paths: baseline.<score>, current.<score>, days).
	ExprReads *Reads `json:"-"`
	// Short is the measure's name beside its instrument's ("response"); empty when not given.
	Short string `json:"short,omitempty"`
}

// Named is the measure's name in a table beside its instrument's name: its short name, else its id in
// words.
func (m FollowUpDoc) Named() string {
	if m.Short != "" {
		return m.Short
	}
	return strings.ReplaceAll(m.ID, "_", " ")
}

// FlagDoc describes a flag.
type FlagDoc struct {
	ID      string `json:"id"`
	Level   string `json:"level"`
	Message string `json:"message"`
	When    string `json:"when"`
	// WhenReads is what When reads.
	WhenReads *Reads `json:"-"`
}

// RuleSetDoc describes a rule set.
type RuleSetDoc struct {
	Info
	Description string `json:"description"`
	Citation    string `json:"citation"`
	License     string `json:"license"`
	Notes       string `json:"notes"`
	// Inputs maps each input instrument id to the version it is bound to.
	Inputs map[string]string `json:"inputs"`
	// Required lists required inputs; AnyOf the groups of which at least one input is required.
	Required []string   `json:"required"`
	AnyOf    [][]string `json:"any_of"`
	// Context lists the context fields the rule set reads; MinAge, when set, is the youngest age it applies
	// to (younger respondents: not applied, reason outside_population), PopulationDescription whom it is for.
	Context               []ContextDoc  `json:"context"`
	MinAge                *int64        `json:"min_age"`
	PopulationDescription string        `json:"population_description"`
	Domains               []DomainDoc   `json:"domains"`
	Tiers                 []TierDoc     `json:"tiers"`
	Referrals             []ReferralDoc `json:"referrals"`
}

// DomainDoc describes a domain: one expression (Expr), or sources read in order (Sources).
type DomainDoc struct {
	ID          string      `json:"id"`
	Description string      `json:"description"`
	Expr        string      `json:"expr"`
	Values      []string    `json:"values"`
	Sources     []SourceDoc `json:"sources"`
	// ExprReads is what Expr reads (nil for a domain of sources).
	ExprReads *Reads `json:"-"`
	// Label is the domain's name in reasons: its label, else its id in words.
	Label string `json:"label"`
}

// SourceDoc is one source of a domain: an input, the condition on its actual answers ("" = always) and the
// expression that gives the domain's value.
type SourceDoc struct {
	Input string `json:"input"`
	When  string `json:"when"`
	Expr  string `json:"expr"`
	// WhenReads and ExprReads are what When and Expr read (WhenReads nil when When is "").
	WhenReads, ExprReads *Reads `json:"-"`
}

// TierDoc describes a tier; When is "" for the fallback.
type TierDoc struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	When        string `json:"when"`
	// WhenReads is what When reads (nil for the fallback).
	WhenReads *Reads `json:"-"`
}

// ReferralDoc describes a referral.
type ReferralDoc struct {
	ID        string        `json:"id"`
	Priority  string        `json:"priority"`
	When      string        `json:"when"`
	Text      string        `json:"text"`
	Rationale string        `json:"rationale"`
	Source    string        `json:"source"`
	Addenda   []AddendumDoc `json:"addenda"`
	// Label is the referral's name for people ("Naloxone"); empty when not given (Named stands in).
	Label string `json:"label,omitempty"`
	// WhenReads is what When reads.
	WhenReads *Reads `json:"-"`
}

// Named is the score's name in a table beside its instrument's name: its short name, else its id in words
// (a label may be a sentence).
func (s ScoreDoc) Named() string {
	if s.Short != "" {
		return s.Short
	}
	return strings.ReplaceAll(s.ID, "_", " ")
}

// Named is the referral's name for people: its label, else its id in words.
func (r ReferralDoc) Named() string {
	if r.Label != "" {
		return r.Label
	}
	return strings.ReplaceAll(r.ID, "_", " ")
}

// AddendumDoc is conditional referral text.
type AddendumDoc struct {
	When string `json:"when"`
	Text string `json:"text"`
	// WhenReads is what When reads.
	WhenReads *Reads `json:"-"`
}

// Reads is what one expression of a definition reads, found once by the compiler in the checked expression
// (so a tool describing definitions never parses CEL itself). The *Reads fields of the descriptions carry
// it; they are left out of JSON.
type Reads struct {
	// Items and Scores are the items and scores of the expression's own instrument it reads, by id, in the
	// order written (answers.<id>, the items an answers function lists, scores.<id>); an id may repeat.
	// Both are empty for a rule set's expressions, which Paths describe.
	Items, Scores []string
	// Paths are the field paths read, each as written from its first name, in the order written:
	// [domains oud], [phq9 total], [phq9 baseline total], [context sex], [tier], [answers q1]. has(x.y)
	// reads x.y too; a comprehension's variable is a path of one name.
	Paths [][]string
	// Cuts are the comparisons of a value with a numeric constant, in the order written.
	Cuts []Cut
	// Missing are the missing-data rules: answers.prorated_sum, answers.sum and answers.mean over listed
	// items.
	Missing []MissingRule
}

// Cut is a comparison of a value with a numeric constant (a cut-point written in an expression): the
// value, the sum of Terms, compared by Op with N, the value on the left (3 <= x is x >= 3).
type Cut struct {
	Terms []Term
	Op    string // >=, >, <= or <
	N     float64
	// Real is set when the constant is written as a double (50.0): the value need not be whole.
	Real bool
}

// Term is one term of a compared value: a field path as written (Path: [scores total], [phq9 answers q1],
// [context age]) or an answers.sum call (Sum: its items).
type Term struct {
	Path []string
	Sum  []string
}

// MissingRule is a missing-data rule: answers.prorated_sum(Items, Max) is computed with up to Max of Items
// missing; answers.sum and answers.mean need every item (Max 0).
type MissingRule struct {
	Items []string
	Max   int
}

// Operand writes the compared value as an expression: scores.total, answers.sum(["a", "b"]) + answers.c.
func (c Cut) Operand() string {
	parts := make([]string, 0, len(c.Terms))
	for _, t := range c.Terms {
		if t.Sum != nil {
			parts = append(parts, `answers.sum(["`+strings.Join(t.Sum, `", "`)+`"])`)
		} else {
			parts = append(parts, strings.Join(t.Path, "."))
		}
	}
	return strings.Join(parts, " + ")
}

// String writes the comparison with the value on the left: "scores.total >= 3".
func (c Cut) String() string {
	return c.Operand() + " " + c.Op + " " + strconv.FormatFloat(c.N, 'f', -1, 64)
}
