// Package def parses instrument definitions, composite rule sets and their test suites from YAML into
// plain structs that remember where every part came from (file:line:col). It checks shape only (required
// fields, types, ids, bands, option scales); expressions are compiled elsewhere.
package def

import (
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/semver"
)

// Pos is a file position.
type Pos = diag.Pos

// Code is a coding from a terminology, for example LOINC.
type Code struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Expr is a CEL expression with what is needed to map a position inside it back to the YAML file.
type Expr struct {
	Src string
	Pos Pos // where the scalar's value starts in the file
	// locate maps a 0-based byte offset in Src to a file position.
	locate func(off int) Pos
}

// PosAt returns the file position of byte offset off within the expression source.
func (e *Expr) PosAt(off int) Pos {
	if e == nil {
		return Pos{}
	}
	if e.locate == nil {
		return e.Pos
	}
	return e.locate(off)
}

// Header is the metadata that instruments and rule sets share.
type Header struct {
	File       string
	ID         string
	IDPos      Pos
	Version    semver.Version
	VersionPos Pos
	Title      string
	Status     string // draft | active | retired
	StatusPos  Pos
	Citation   string
	License    string
	Notes      string
	// Digest is "sha256:<hex>" of the file's canonical content (comments and formatting do not count).
	Digest string
}

// Key returns "id@version".
func (h *Header) Key() string { return h.ID + "@" + h.Version.String() }

// Instrument is a questionnaire definition.
type Instrument struct {
	Header
	Domain   string
	Recall   string
	ItemText string // "verbatim" or "paraphrased": whether item text reproduces the instrument
	Codes    []Code
	Context  []ContextField
	Scales   []*Scale
	Items    []*Item
	Scores   []*Score
	Flags    []*Flag
	// ConditionalNotes are notes a report carries when their condition holds.
	ConditionalNotes []*ConditionalNote
	// FollowUps are the measures that compare a current response set with a baseline one.
	FollowUps []*FollowUp
	// Label is the instrument's short name in reasons ("PHQ-9"); optional.
	Label string
}

// FollowUp is a follow-up measure: CEL over baseline.<score>, current.<score> (the two response sets'
// scores of this instrument) and days (from baseline to current).
type FollowUp struct {
	ID          string
	Pos         Pos
	Label       string
	Short       string // the name beside the instrument's, where the label is a sentence (as Score.Short)
	Description string
	Expr        *Expr
	Type        string // declared result type, "" = inferred
	TypePos     Pos
	// MinDays, when HasMinDays, is the fewest days from baseline to current at which the measure is
	// computed (min_days); earlier it is not computed, with a note too_early.
	MinDays    int64
	HasMinDays bool
}

// ConditionalNote is a note with a condition: a report carries it (code ID) when When holds, for example
// to say which cut-point was applied when the respondent's sex is unknown.
type ConditionalNote struct {
	ID      string
	Pos     Pos
	When    *Expr
	Message string
}

// ContextField declares a respondent fact that expressions may read as context.<id>.
type ContextField struct {
	ID   string
	Type string // "int", "number", "bool" or "string"
	Pos  Pos
	// Min and Max bound an int or number field (inclusive); nil = unbounded.
	Min, Max    *float64
	Description string
	// Label names the field in reasons ("on MOUD"), Unit follows a number ("MME/day"); both optional.
	Label, Unit string
}

// Population says whom a rule set is for: when context age is given and below MinAge, the rule set is not
// applied (reason outside_population). An absent age does not stop it.
type Population struct {
	MinAge      int64
	Description string
	Pos         Pos
}

// Scale is a named list of response options.
type Scale struct {
	ID      string
	Options []Option
	Pos     Pos
}

// Option is one response option.
type Option struct {
	Value int64
	Code  string
	Label string
	Pos   Pos
}

// Item is one question.
type Item struct {
	ID       string
	Pos      Pos
	Text     string
	Label    string // the item's short name in reasons; optional (the text, else the id, stands in)
	Codes    []Code
	Scale    *Scale // options (named or inline); nil for a range item
	ScalePos Pos
	Min, Max *int64 // range item bounds (inclusive); Max nil = unbounded
	Required bool   // default true
	// EnableWhen is skip logic: when it evaluates to false the item is not asked and its absence is not
	// missing; an answer given anyway is kept in the report (note answered_when_skipped) but not scored.
	EnableWhen *Expr
	// SkippedNote is added to the answered_when_skipped note's message, to say what such an answer means.
	SkippedNote string
}

// Score is one computed score: exactly one of Expr, Bands, Lookup is set.
type Score struct {
	ID    string
	Pos   Pos
	Label string
	// Short names the score beside its instrument's name where the label is a sentence ("screen positive"
	// for "Positive drug-use screen (1 or more times)"): the Instruments table and reasons use it; optional.
	Short  string
	Codes  []Code
	Expr   *Expr
	Bands  *Bands
	Lookup *Lookup
	// When makes the score conditional: when it is false the score does not apply (it is absent from the
	// report without making the instrument incomplete).
	When        *Expr
	Type        string // declared result type (int, double, bool, string), "" = inferred
	TypePos     Pos
	Description string
	// Range is the declared range of a numeric score (both bounds inclusive), checked by validate against
	// what the items' options can produce; nil when not declared.
	Range *ScoreRange
}

// ScoreRange is a score's declared range.
type ScoreRange struct {
	Min, Max float64
	Pos      Pos
}

// Bands maps a numeric score onto labels.
type Bands struct {
	Of    string
	OfPos Pos
	Cuts  []Cut
}

// Cut is one band: Min and Max are inclusive bounds; a nil bound extends to the neighbouring band (or
// to infinity for the first and last band).
type Cut struct {
	Min, Max *float64
	Label    string
	Pos      Pos
}

// Lookup maps an integer score onto a number through a table (for example raw score to T-score).
type Lookup struct {
	Of    string
	OfPos Pos
	Table []LookupRow
}

// LookupRow is one table entry.
type LookupRow struct {
	Key   int64
	Value float64
	Pos   Pos
}

// Flag is a condition worth a clinician's attention (for example a safety item endorsed).
type Flag struct {
	ID      string
	Pos     Pos
	When    *Expr
	Level   string // info | warning | urgent
	Message string
}

// RuleSet is a composite rule set.
type RuleSet struct {
	Header
	Description string
	Inputs      []*Input
	AnyOf       []AnyOf
	// Context lists the respondent facts the rule set reads as context.<id>.
	Context []ContextField
	// Population, when set, limits whom the rule set applies to.
	Population *Population
	Domains    []*Domain
	Tiers      []*Tier
	Referrals  []*Referral
	// deferred, when set, is the file of a rule set not parsed yet (deferred.go).
	deferred *deferred
}

// Input is an instrument the rule set reads.
type Input struct {
	ID            string
	Pos           Pos
	Constraint    semver.Constraint
	ConstraintPos Pos
	Required      bool
}

// AnyOf requires at least one of several inputs.
type AnyOf struct {
	IDs []string
	Pos Pos
}

// Domain is a named value derived from instrument results: either one expression (Expr), or sources read
// in order, each from one input instrument (Sources), which lets the engine decide the domain from what the
// answers settle when some are missing (composite contract §1a rule 3).
type Domain struct {
	ID          string
	Pos         Pos
	Values      []string // allowed values, when declared
	Expr        *Expr
	Sources     []*Source
	Description string
	Label       string // the domain's name in reasons ("Opioid use disorder"); optional
}

// Source is one way of deciding a domain from one input instrument. When, if given, must hold on the
// actual answers for the source to be read; Expr gives the domain's value.
type Source struct {
	Input    string
	InputPos Pos
	When     *Expr
	Expr     *Expr
	Pos      Pos
}

// Tier is one risk tier; the first whose When holds wins. When is nil for the final, unconditional tier.
type Tier struct {
	ID          string
	Pos         Pos
	When        *Expr
	Description string
}

// Referral is a recommendation with its condition and provenance.
type Referral struct {
	ID       string
	Pos      Pos
	Priority string // urgent | high | routine
	// Label names the referral for people ("Naloxone"): headings, cards and FHIR notes; optional (the id in
	// words stands in).
	Label     string
	When      *Expr
	Text      string
	Rationale string
	Source    string
	Addenda   []Addendum
}

// Addendum is extra referral text that applies under a further condition.
type Addendum struct {
	When *Expr
	Text string
	Pos  Pos
}

// Suite is a test suite for one instrument or rule set.
type Suite struct {
	File string
	// Kind is "instrument" or "rules"; Target is the id, Constraint the version it pins (may be empty).
	Kind       string
	Target     string
	Version    string
	TargetPos  Pos
	Tests      []*Test
	Definition string // id@version as written
}

// Test is one test case.
type Test struct {
	Name    string
	Pos     Pos
	Subject string
	Context map[string]any
	// Answers: for an instrument suite, item -> answer; for a rules suite, instrument key -> item -> answer.
	Answers   map[string]any
	Want      *Want
	WantError *WantError
	// Date is the response set's date; Baseline, when set, is the earlier visit it is scored against
	// (follow-up), with answers shaped as Answers.
	Date     string
	Baseline *Baseline
	// AnswerRefs lists the keys of Answers and of the baseline's answers, at their positions: Kind
	// "answer" for an item (Domain: its instrument key, in a rules suite), "answers_instrument" for an
	// instrument key of a rules suite. They are checked against the definitions without running the case.
	AnswerRefs []Ref
}

// Baseline is a test case's baseline response set.
type Baseline struct {
	Date    string
	Context map[string]any
	Answers map[string]any
}

// WantFollowUp is the expected follow-up block; only what is given is compared.
type WantFollowUp struct {
	Computed *bool
	Days     *int64
	// Measures: measure id (instrument suites) or <instrument>.<measure> (rules suites) -> value; nil
	// value = not computed.
	Measures map[string]any
	Notes    []string // exact set of note codes (nil = not checked)
}

// Want is the expected part of a report; only what is given is compared.
type Want struct {
	Status            string              // instrument status
	DefStatus         string              // the definition's status (draft, active, retired)
	Notes             []string            // exact set of note codes (nil = not checked)
	Errors            []WantError         // exact list of the record's errors (nil = not checked)
	Possible          map[string][]string // rules suites: domain -> possible values (exact set)
	PossibleTiers     []string            // rules suites: exact set (nil = not checked)
	PossibleReferrals []string            // rules suites: exact ordered list (nil = not checked)
	TierDecided       *bool               // rules suites: tier_decided (nil = not checked)
	Settle            []string            // rules suites: settle, exact ordered list (nil = not checked)
	Scores            map[string]any      // score id -> value; nil value = not computed
	Flags             []string            // exact set of fired flags (nil = not checked)
	Missing           []string            // exact missing items (nil = not checked)
	Instruments       map[string]*Want    // rules suites: per-instrument expectations
	Applied           *bool               // rules suites: whether the composite was applied
	Reason            string              // rules suites: why it was not applied (outside_population), "" = not checked
	Domains           map[string]string   // rules suites
	Tier              string
	Referrals         []string // exact ordered list (nil = not checked)
	NotAssessed       []string // exact (nil = not checked)
	FollowUp          *WantFollowUp
	Pos               Pos
	// Refs lists every id the expectation names (score, flag, item, domain, tier, referral, instrument),
	// each at its position, so that a suite can be checked against its definition before it runs.
	Refs []Ref
}

// Ref is an id a test's want names: Kind is "score", "flag", "item", "domain", "tier", "referral" or
// "instrument"; for a domain value, Kind is "value" and Domain names the domain.
type Ref struct {
	Kind, ID, Domain string
	Pos              Pos
}

// WantError expects scoring to fail.
type WantError struct {
	Code       string
	Instrument string
	Item       string
	Pos        Pos
}
