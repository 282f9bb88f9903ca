// Package plan is the compiled, immutable form of loaded definitions: instruments with their items,
// scores, bands, lookup tables and flags; the rule set bound to instrument versions; the context fields;
// and every CEL program, type-checked and cost-bounded. The compile package builds a Plan; the eval package
// scores response sets with it; the trace package names what evaluation read; the facade documents it.
// Nothing here changes after compile returns, so one Plan serves any number of goroutines.
package plan

import (
	"fmt"
	"math"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/semver"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Plan is everything one engine scores with.
type Plan struct {
	Insts    []*Instrument            // sorted by id, then version (oldest first); Instrument.Index is the position
	ByID     map[string][]*Instrument // newest first
	ByKey    map[string]*Instrument   // id@version
	Defaults map[string]*Instrument   // the version an unpinned answers key selects
	Rules    *RuleSet                 // nil when scoring instruments only
	Ctx      []*CtxField              // every context field, by slot
	CtxIdx   map[string]*CtxField
}

// ReadKind says what kind of field an expression read.
type ReadKind uint8

// The kinds of field an expression can read.
const (
	ReadItem ReadKind = iota
	ReadScore
	ReadContext
	ReadStatus
	ReadFlag
	ReadDomain
	ReadTier
	ReadBaseline // a score of the baseline response set (follow-up: baseline.<score>, <inst>.baseline.<score>)
	ReadCurrent  // a score of the current response set, as a follow-up measure reads it (current.<score>)
	ReadFollowup // a follow-up measure, as a rule set reads it (<inst>.followup.<measure>)
	ReadDays     // the days from baseline to current (days; followup.days in a rule set)
	// NumReadKinds is the number of read kinds.
	NumReadKinds
)

// Program is one compiled expression.
type Program struct {
	// CEL is the interpreter's program; nil when Fast covers the whole expression.
	CEL  cel.Program
	Expr *def.Expr
	Rule string
	Type *types.Type // output type
	// Fast is the eval package's compiled evaluator (an eval.Node), nil when the expression uses a construct
	// the fast path does not model. It is typed any only because eval, which defines it, imports this package.
	Fast any
	// Reads is what the expression reads, found once in its checked form (reads.go).
	Reads Reads
}

// Names are the ways a report names one field: as an instrument's own expressions read it (answers.q9) and
// as a rule set reads it (phq9.answers.q9), and the presence tests of both (has(answers.q9)).
type Names struct {
	Local, Qualified, HasLocal, HasQualified string
}

// NewNames builds the names of a field: local is the instrument-relative path, qualified the rule-set path.
func NewNames(local, qualified string) Names {
	return Names{Local: local, Qualified: qualified, HasLocal: "has(" + local + ")", HasQualified: "has(" + qualified + ")"}
}

// Name returns the name as read from a rule set (rules) or from the instrument, as a presence test (has)
// or a value read.
func (n *Names) Name(rules, has bool) string {
	switch {
	case rules && has:
		return n.HasQualified
	case rules:
		return n.Qualified
	case has:
		return n.HasLocal
	}
	return n.Local
}

// Note is a static note that every report of a definition carries (draft, retired).
type Note struct {
	Code, About, Message string
}

// Instrument is one compiled questionnaire.
type Instrument struct {
	Def     *def.Instrument
	ID      string
	Version string
	Key     string
	Index   int // position in Plan.Insts
	Items   []*Item
	ItemIdx map[string]int
	Scores  []*Score
	Flags   []*Flag
	// CtxSlots maps the instrument's declared context fields (Def.Context order) to engine context slots.
	CtxSlots []int
	CtxUnset []*FieldError
	// CEL object types of the instrument's views.
	AnswersType, ScoresType, FlagsType, ResultType, ContextType *types.Type
	HasSkip                                                     bool
	Notes                                                       []Note // static notes (draft, retired)
	Status                                                      Names  // <id>.status (rule sets only)
	// CondNotes are notes a report carries when their condition holds.
	CondNotes []*CondNote
	// FollowUps are the follow-up measures; BaselineType, CurrentType and FollowupType the CEL types of the
	// views baseline.<score>, current.<score> and <inst>.followup.<measure>.
	FollowUps                               []*FollowUp
	BaselineType, CurrentType, FollowupType *types.Type
	// Label is the short name reasons use: the label, else the abbreviation in the title, else the title.
	Label string
}

// FollowUp is one compiled follow-up measure.
type FollowUp struct {
	ID, Label, Description string
	Short                  string // the definition's short name (may be empty)
	Rule                   string
	Prog                   *Program
	Type                   *types.Type
	Names                  Names // followup.<id>, <inst>.followup.<id>
	QUnset                 *FieldError
	// BaseScores and CurScores are the scores the measure reads at baseline and now: it is computed only
	// when every one of them was decided at its visit (or the completions of both visits agree).
	BaseScores, CurScores []int
	// MinDays is the fewest days from baseline to current at which the measure is computed (0: any).
	MinDays int64
}

// FollowIndex returns the index of follow-up measure id, or -1.
func (in *Instrument) FollowIndex(id string) int {
	for i, f := range in.FollowUps {
		if f.ID == id {
			return i
		}
	}
	return -1
}

// CondNote is a conditional note.
type CondNote struct {
	ID, Message string
	When        *Program
}

// ScoreIndex returns the index of score id, or -1.
func (in *Instrument) ScoreIndex(id string) int {
	for i, s := range in.Scores {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// FlagIndex returns the index of flag id, or -1.
func (in *Instrument) FlagIndex(id string) int {
	for i, f := range in.Flags {
		if f.ID == id {
			return i
		}
	}
	return -1
}

// Item is one question.
type Item struct {
	ID       string
	Label    string // the short name reasons use: the label, else the text shortened, else the id
	Number   int    // the item's position in the instrument, from 1
	Required bool
	Options  []def.Option // nil for a range item

	// OptMask has bit v set for each option value v in 0..63; when OptMaskAll (every option value is in
	// 0..63), it alone says whether a value is an option (IsOption). Beside Options: read with them.
	OptMask    uint64
	OptMaskAll bool

	Codes    map[string]int64
	Min, Max int64
	HasMax   bool
	Enable   *Program // skip logic; nil when always asked
	Names    Names    // answers.<id>, <inst>.answers.<id>
	// Allowed describes valid values for error messages ("0-3", "one of 0, 1, 3").
	Allowed string
	// Unset and Disabled are the errors of reading the item when it is not answered, or not asked.
	Unset, Disabled *FieldError
	// SkippedNote is added to the message of an answered_when_skipped note.
	SkippedNote string
}

// OptionMask returns the bit set of the option values in 0..63 and whether every option value is there.
func OptionMask(opts []def.Option) (mask uint64, all bool) {
	all = len(opts) > 0
	for _, o := range opts {
		if o.Value < 0 || o.Value > 63 {
			all = false
			continue
		}
		mask |= 1 << o.Value
	}
	return mask, all
}

// IsOption reports whether n is one of the item's option values.
func (it *Item) IsOption(n int64) bool {
	if it.OptMaskAll {
		return uint64(n) < 64 && it.OptMask>>uint64(n)&1 != 0
	}
	for _, o := range it.Options {
		if o.Value == n {
			return true
		}
	}
	return false
}

// Values returns how many values the item allows; ok is false for a range without an upper bound, which
// cannot be enumerated.
func (it *Item) Values() (n int64, ok bool) {
	if it.Options != nil {
		return int64(len(it.Options)), true
	}
	if !it.HasMax || it.Max < it.Min {
		return 0, false
	}
	if it.Max-it.Min < 0 || it.Max-it.Min >= 1<<40 { // overflow or absurdly wide
		return 0, false
	}
	return it.Max - it.Min + 1, true
}

// ValueAt returns the item's k-th allowed value (0 <= k < n from Values).
func (it *Item) ValueAt(k int64) int64 {
	if it.Options != nil {
		return it.Options[k].Value
	}
	return it.Min + k
}

// ScoreKind says how a score is computed.
type ScoreKind uint8

// The kinds of score.
const (
	ScoreExpr ScoreKind = iota
	ScoreBands
	ScoreLookup
)

// Score is one computed value.
type Score struct {
	ID         string
	Label      string // the definition's label (may be empty)
	Short      string // the definition's short name (may be empty): Named's choice beside the instrument
	Kind       ScoreKind
	Rule       string
	Names      Names // scores.<id>, <inst>.<id>
	When       *Program
	Expr       *Program
	Of         int // bands and lookups: the index of the score they read
	Bands      []Band
	Lookup     []def.LookupRow
	LookupVals []value.Value
	Type       *types.Type
	// Unset and QUnset are the errors of reading the score when it was not computed, from the instrument
	// and from a rule set.
	Unset, QUnset *FieldError
	// Base names the baseline's value of the score (baseline.<id>, <inst>.baseline.<id>), Cur the current
	// one as a follow-up measure reads it (current.<id>); their errors when not computed.
	Base, Cur                       Names
	BaseUnset, BaseQUnset, CurUnset *FieldError
	// Deps marks the items the score depends on, through the scores it reads and the skip logic of those
	// items: only they matter when deciding it from completions.
	Deps []bool
}

// Band is one interval of a banded score.
type Band struct {
	Lo, Hi         float64
	LoOpen, HiOpen bool // exclusive bounds
	Label          value.Value
}

// BandOf returns the label of the band v falls in.
func (s *Score) BandOf(v value.Value) (value.Value, bool) {
	f, ok := v.Float()
	if !ok || math.IsNaN(f) {
		return value.Value{}, false
	}
	for i := range s.Bands {
		b := &s.Bands[i]
		if f < b.Lo || (b.LoOpen && f == b.Lo) || f > b.Hi || (b.HiOpen && f == b.Hi) {
			continue
		}
		return b.Label, true
	}
	return value.Value{}, false
}

// LookupOf returns the table value for v.
func (s *Score) LookupOf(v value.Value) (value.Value, bool) {
	if v.Kind() != value.Int {
		return value.Value{}, false
	}
	k := v.I()
	lo, hi := 0, len(s.Lookup)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case s.Lookup[m].Key == k:
			return s.LookupVals[m], true
		case s.Lookup[m].Key < k:
			lo = m + 1
		default:
			hi = m
		}
	}
	return value.Value{}, false
}

// Flag is one alert condition.
type Flag struct {
	ID      string
	Level   string
	Message string
	Rule    string
	When    *Program
	Names   Names // <inst>.flags.<id> (rule sets only)
	Unset   *FieldError
	// Deps marks the items the flag depends on (as Score.Deps).
	Deps []bool
}

// CtxField is one engine-wide context field.
type CtxField struct {
	ID   string
	Type string // int | number | bool | string
	Slot int
	// Min and Max bound an int or number field (inclusive), when HasMin and HasMax say so.
	Min, Max       float64
	HasMin, HasMax bool
	Names          Names // context.<id>
	// Label and Unit are the words of reasons (def.ContextField): the first declaration that gives them.
	Label, Unit string
	// Sex marks the builtin field sex: matched after trimming and ignoring case, with m and f for male and
	// female; any other text is kept as given (unknown, not an error).
	Sex bool
}

// FieldError is the error of reading a field that is not set. One is made per field at compile time, so the
// failure path of evaluation does not allocate either.
type FieldError struct {
	Kind     ReadKind
	Idx      int
	Name     string // as written in expressions: answers.q9, scores.total, phq9.total, context.sex
	Disabled bool   // an item that skip logic disabled (a definition bug when read)
	// Words names the field for people in report notes ("PHQ-9 item 9 (…)"); empty: Name stands in.
	Words string
}

// Said is how report notes name the field: Words, else Name.
func (e *FieldError) Said() string {
	if e.Words != "" {
		return e.Words
	}
	return e.Name
}

func (e *FieldError) Error() string {
	if e.Disabled {
		return fmt.Sprintf("%s is not asked (skip logic) but the expression reads it", e.Name)
	}
	return e.Name + " is not set"
}

// RuleSet is the compiled composite rule set, bound to instrument versions.
type RuleSet struct {
	Def      *def.RuleSet
	Key      string
	Version  string
	Inputs   []*Input
	InputIdx map[string]int
	AnyOf    [][]int
	Domains  []*Domain
	Tiers    []*Tier
	// Referrals in report order: urgent, high, routine, then as defined.
	Referrals   []*Referral
	DomainsType *types.Type
	// Context are the slots of the context fields the rule set declares (Def.Context order), CtxUnset
	// their not-set errors, ContextType the CEL type of its context view.
	Context     []int
	CtxUnset    []*FieldError
	ContextType *types.Type
	// FollowupType is the CEL type of followup (followup.days); DaysUnset the error of reading days when
	// the response set is not scored against a baseline.
	FollowupType *types.Type
	DaysUnset    *FieldError
	// MinAge, when HasPopulation, is the youngest age (context.age) the rule set applies to; AgeSlot is the
	// slot of context.age.
	HasPopulation bool
	MinAge        int64
	AgeSlot       int
	// CtxUnknownMsgs holds, per set of unknown declared context fields (bit i: Context[i]), the message of
	// the composite note context_unknown; nil when there are too many fields to precompute.
	CtxUnknownMsgs []string
	// TierDeps marks, per input, the items of its instrument the tier can depend on (through the domains'
	// sources and their conditions, expression domains and the tier conditions): the items settle may name.
	TierDeps [][]bool
	// DomainReads marks, per input, whether a domain reads it (a source on it, or an expression that reads
	// it): only such an input's presence applies a rule set whose inputs are all optional (an input read
	// only by follow-up referrals, such as the PEG, says nothing the domains could assess).
	DomainReads []bool
	// ItemNames names, per input, its instrument's items as settle lists them: "<input>.<item>".
	ItemNames [][]string
}

// ReasonOutsidePopulation is the reason a rule set is not applied to a respondent outside its population.
const ReasonOutsidePopulation = "outside_population"

// ContextUnknownMessage is the message of the composite note context_unknown: the rule set's declared
// context fields, named by their labels (CtxField.Named), are unknown (not given, or not valid).
func ContextUnknownMessage(names []string) string {
	return "treatment context not known (not given, or not valid): " + strings.Join(names, ", ") +
		". Results that depend on it are decided without it; ask for it to complete the picture"
}

// Named is a context field's name for people: its label, else its id in words.
func (f *CtxField) Named() string {
	if f.Label != "" {
		return f.Label
	}
	return Words(f.ID)
}

// ReasonNoInputs is the reason a rule set whose inputs are all optional is not applied when none of them is
// present.
const ReasonNoInputs = "no_inputs"

// InputInst returns the instrument input id is bound to, or nil.
func (rs *RuleSet) InputInst(id string) *Instrument {
	if i, ok := rs.InputIdx[id]; ok && rs.Inputs[i].Inst != nil {
		return rs.Inputs[i].Inst
	}
	return nil
}

// InputIDs lists the input ids in definition order.
func (rs *RuleSet) InputIDs() []string {
	var out []string
	for _, in := range rs.Inputs {
		out = append(out, in.ID)
	}
	return out
}

// Input is one instrument a rule set reads.
type Input struct {
	ID       string
	Inst     *Instrument // the bound version
	Required bool
	// AbsentReason is the text used when a required input is absent.
	AbsentReason string
}

// NotAssessed is the domain value for "could not be assessed".
const NotAssessed = "not_assessed"

// Domain is one named value derived from instrument results.
type Domain struct {
	ID          string
	Label       string // the name reasons use: the label, else the id in words
	Rule        string
	Names       Names // domains.<id>
	Prog        *Program
	Values      []value.Value // declared values; nil = any
	NotAssessed value.Value   // the not_assessed value, when declared (else null)
	Type        *types.Type
	Unset       *FieldError
	// Sources, when the domain is defined by sources rather than one expression, in reading order.
	Sources []*Source
	// Questionnaire is set when the domain reads an instrument (it has sources, or its expression reads an
	// input); a domain built from context only (overdose_risk) is not named by {not_assessed}.
	Questionnaire bool
}

// Source is one way of deciding a domain from one input.
type Source struct {
	Input int      // index into RuleSet.Inputs
	When  *Program // on the actual answers; nil = always
	Expr  *Program
	// Gives lists every value the source can give, when the compiler can tell (the literals its expression
	// returns, or the labels of the banded score it reads); nil means every declared value but not_assessed.
	Gives []value.Value
	// Deps marks the items of the input the source's expression depends on.
	Deps []bool
}

// Tier is one risk tier; When is nil for the fallback.
type Tier struct {
	ID   string
	Rule string
	When *Program
	Val  value.Value
}

// Referral is one recommendation with its conditions.
type Referral struct {
	Def     *def.Referral
	Rule    string
	When    *Program
	Addenda []*Program
	// Expands is set when its text or an addendum holds the placeholder {not_assessed}.
	Expands bool
}

// PriorityRank orders referral priorities: urgent first.
var PriorityRank = map[string]int{"urgent": 0, "high": 1, "routine": 2}

// ResolveError says why an answers key selects no instrument.
type ResolveError struct {
	Key     string
	ID      string
	Version string   // the version asked for, when pinned
	Loaded  []string // the loaded versions of ID, when pinned to one that is not loaded
}

func (e *ResolveError) Error() string {
	if e.Loaded != nil {
		return fmt.Sprintf("version %s of %s is not loaded (loaded: %s)", e.Version, e.ID, strings.Join(e.Loaded, ", "))
	}
	return fmt.Sprintf("no instrument %q is loaded", e.ID)
}

// Resolve maps an answers key ("phq9", or "phq9@1.0.0" to pin a version) to an instrument.
func (p *Plan) Resolve(key string) (*Instrument, *ResolveError) {
	if in, ok := p.Defaults[key]; ok {
		return in, nil
	}
	if in, ok := p.ByKey[key]; ok {
		return in, nil
	}
	id, ver, pinned := strings.Cut(key, "@")
	if _, known := p.ByID[id]; known && pinned {
		var have []string
		for _, in := range p.ByID[id] {
			have = append(have, in.Version)
		}
		if v, err := semver.Parse(ver); err == nil {
			if in, ok := p.ByKey[id+"@"+v.String()]; ok {
				return in, nil
			}
		}
		return nil, &ResolveError{Key: key, ID: id, Version: ver, Loaded: have}
	}
	return nil, &ResolveError{Key: key, ID: id}
}
