// Package catalog describes loaded definitions for people and tools: an instrument's items, options,
// scores, bands, flags, codes and provenance, and a rule set's inputs, domains, tiers and referrals. It is
// what `painscreen show` prints; screen.Engine.Describe and DescribeRuleSet return these types.
package catalog

// Code is a terminology code (for example a LOINC code) attached to an instrument, item, option or score.
type Code struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Info identifies a loaded definition.
type Info struct {
	ID, Version, Status, Title, Digest string
	// File is the definition's file, as diagnostics name it.
	File string
}

// InstrumentDoc describes a loaded instrument for people: its items, options, scores, bands, flags and
// provenance. It is what `painscreen show` prints.
type InstrumentDoc struct {
	Info
	Domain string
	// Default is true for the version an unpinned answers key selects.
	Default  bool
	Recall   string
	Citation string
	License  string
	// ItemText is "verbatim" when item texts reproduce the instrument, "paraphrased" when they are labels.
	ItemText string
	Notes    string
	Codes    []Code
	Context  []ContextDoc
	Items    []ItemDoc
	Scores   []ScoreDoc
	// FollowUps are the follow-up measures: a current visit's scores against a baseline visit's.
	FollowUps []FollowUpDoc
	Flags     []FlagDoc
}

// ContextDoc is a declared context field: its type (int, number, bool or string), its bounds when
// declared, and what it means.
type ContextDoc struct {
	ID, Type    string
	Min, Max    *float64
	Description string
}

// ItemDoc describes an item.
type ItemDoc struct {
	ID       string
	Text     string
	Required bool
	Options  []OptionDoc // nil for a range item
	Min, Max *int64      // range items
	// EnableWhen is the skip-logic condition, "" when always asked.
	EnableWhen string
	Codes      []Code
}

// OptionDoc is a response option.
type OptionDoc struct {
	Value int64
	Code  string
	Label string
}

// ScoreDoc describes a score. Exactly one of Expr, Bands, Lookup is set.
type ScoreDoc struct {
	ID, Label, Description string
	Type                   string // int, double, bool or string
	When                   string
	Expr                   string
	Of                     string // bands and lookups: the score they read
	Bands                  []BandDoc
	Lookup                 map[int64]float64
	Codes                  []Code
}

// BandDoc is one band; nil bounds are open (shared with the neighbour, or unbounded).
type BandDoc struct {
	Label    string
	Min, Max *float64
}

// FollowUpDoc describes a follow-up measure: CEL over baseline.<score>, current.<score> and days.
type FollowUpDoc struct {
	ID, Label, Description, Type, Expr string
	// MinDays is the fewest days from baseline at which the measure is computed (0: any interval).
	MinDays int64
}

// FlagDoc describes a flag.
type FlagDoc struct{ ID, Level, Message, When string }

// RuleSetDoc describes a rule set.
type RuleSetDoc struct {
	Info
	Description, Citation, License, Notes string
	// Inputs maps each input instrument id to the version it is bound to.
	Inputs map[string]string
	// Required lists required inputs; AnyOf the groups of which at least one input is required.
	Required []string
	AnyOf    [][]string
	// Context lists the context fields the rule set reads; MinAge, when set, is the youngest age it applies
	// to (younger respondents: not applied, reason outside_population), PopulationDescription whom it is for.
	Context               []ContextDoc
	MinAge                *int64
	PopulationDescription string
	Domains               []DomainDoc
	Tiers                 []TierDoc
	Referrals             []ReferralDoc
}

// DomainDoc describes a domain: one expression (Expr), or sources read in order (Sources).
type DomainDoc struct {
	ID, Description, Expr string
	Values                []string
	Sources               []SourceDoc
}

// SourceDoc is one source of a domain: an input, the condition on its actual answers ("" = always) and the
// expression that gives the domain's value.
type SourceDoc struct{ Input, When, Expr string }

// TierDoc describes a tier; When is "" for the fallback.
type TierDoc struct{ ID, Description, When string }

// ReferralDoc describes a referral.
type ReferralDoc struct {
	ID, Priority, When, Text, Rationale, Source string
	Addenda                                     []AddendumDoc
}

// AddendumDoc is conditional referral text.
type AddendumDoc struct{ When, Text string }
