package screen

// Report is the result of scoring one response set. Its JSON form (MarshalJSON, AppendJSON) is the
// documented contract; see the package documentation.
//
// A Report is plain data that owns everything it holds, the reasons of every result included: a Report
// from Score, and any result copied out of it, stays correct however the engine is used afterwards. With
// ScoreTo, the results — and reason slices taken from them — are valid until the Report is scored into
// again, as bufio.Scanner.Bytes is valid until the next Scan; copy what must outlive that.
type Report struct {
	// Subject is the response set's subject id, echoed unchanged.
	Subject string
	// Date is the response set's date (Response.Date), echoed unchanged: an ISO 8601 date ("2026-03-04")
	// as the input gave it, after the CSV reader's date formats. Empty when the response set has none.
	Date string
	// Engine names the software that scored it.
	Engine EngineInfo
	// Instruments holds one result per instrument answered, ordered by id.
	Instruments []InstrumentResult
	// Composite is the rule set's result; nil when the engine has no rule set.
	Composite *CompositeResult
	// FollowUp compares this response set with a baseline (Engine.FollowUp); nil otherwise.
	FollowUp *FollowUpResult
	// Errors lists the problems with the response set that did not stop it from being scored (invalid
	// answers, unknown items or instruments, invalid context, definition bugs met while scoring), in a
	// stable order. A report with errors describes a failed record: its results are what the usable answers
	// settle.
	Errors []ScoreError
	mem    reportMem
	fu     FollowUpResult
}

// EngineInfo names the scoring engine.
type EngineInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Status of an instrument result.
const (
	StatusComplete   = "complete"   // every applicable score was computed (or decided, see Notes)
	StatusIncomplete = "incomplete" // at least one score could not be computed (see Notes)
	StatusError      = "error"      // an answer was invalid or an expression failed (see Report.Errors)
)

// Priority of a referral.
type Priority string

// The referral priorities, most pressing first.
const (
	PriorityUrgent  Priority = "urgent"
	PriorityHigh    Priority = "high"
	PriorityRoutine Priority = "routine"
)

// Level of a flag.
type Level string

// The flag levels.
const (
	LevelInfo    Level = "info"
	LevelWarning Level = "warning"
	LevelUrgent  Level = "urgent"
)

// Tier is a risk tier: the id of the rule set's tier that matched. A rule set defines its own tiers and
// their order (the bundled pain_oud's are urgent, high, elevated, low): RuleSetInfo.Tiers lists them
// highest first and Engine.TierRank ranks one, so no program needs to know a rule set's tier ids.
type Tier string

// InstrumentResult is the result for one instrument.
type InstrumentResult struct {
	ID      string
	Version string
	// Digest is "sha256:<hex>" of the definition's canonical content.
	Digest string
	// Status is StatusComplete, StatusIncomplete or StatusError.
	Status string
	// Definition is the definition's own status: draft, active or retired.
	Definition string
	// Scores holds the computed scores in definition order. A score that could not be computed, or does not
	// apply, is absent (Notes say why).
	Scores []Score
	// Flags holds the flags that fired, in definition order.
	Flags []Flag
	// Missing lists required items that were asked but not answered, in item order.
	Missing []string
	// Notes explain prorating, scores not computed, flags not evaluated, draft definitions.
	Notes []Note
}

// Score returns the score with the given id (its value, rule and reasons), if it was computed. It is safe
// on a nil result (an instrument that was not answered), which has no scores. Like Flag, and like
// CompositeResult's Domain and Referral, it returns the result itself and whether it is there.
func (r *InstrumentResult) Score(id string) (Score, bool) {
	if r == nil {
		return Score{}, false
	}
	for i := range r.Scores {
		if r.Scores[i].ID == id {
			return r.Scores[i], true
		}
	}
	return Score{}, false
}

// Flag returns the flag with the given id, if it fired; safe on a nil result.
func (r *InstrumentResult) Flag(id string) (Flag, bool) {
	if r == nil {
		return Flag{}, false
	}
	for i := range r.Flags {
		if r.Flags[i].ID == id {
			return r.Flags[i], true
		}
	}
	return Flag{}, false
}

// Score is one computed score with the reasons behind it.
type Score struct {
	ID    string
	Value Value
	// Rule identifies the definition part that computed it: "phq9@1.0.0#scores.total".
	Rule string
	why  reasons
}

// Reasons returns the inputs the score's rule read, with their values, in the order it read them.
func (s Score) Reasons() []Reason { return s.why.appendTo(nil) }

// AppendReasons appends the score's reasons to dst (to reuse a buffer in a loop).
func (s Score) AppendReasons(dst []Reason) []Reason { return s.why.appendTo(dst) }

// Flag is a fired flag.
type Flag struct {
	ID      string
	Level   Level
	Message string
	Rule    string
	// Conflict, when not nil, lists the items whose conflicting answers fire the flag: each was answered
	// more than once (an error conflicting_answers of that item, which is unknown), and the flag fires for at
	// least one of the answers given whatever the other missing answers are. The answers do not settle it;
	// it is reported because a safety signal always surfaces (a note fired_in_conflicting_answer says so),
	// and an urgent one counts as urgent like any other. Nil for a flag the valid answers fire.
	Conflict []string
	why      reasons
}

// Reasons returns the inputs the flag's condition read, with their values.
func (f Flag) Reasons() []Reason { return f.why.appendTo(nil) }

// AppendReasons appends the flag's reasons to dst.
func (f Flag) AppendReasons(dst []Reason) []Reason { return f.why.appendTo(dst) }

// Note explains something about a result that is not a value: why a score is missing, that a total was
// prorated, that a definition is a draft.
type Note struct {
	// Code is stable: prorated, not_computed, not_applicable, flag_not_evaluated, draft_definition,
	// retired_definition, input_incomplete, input_version_mismatch.
	Code string `json:"code"`
	// About is the score, flag, or input the note concerns.
	About string `json:"about"`
	// Message says it in words.
	Message string `json:"message"`
}

// CompositeResult is the result of the rule set.
type CompositeResult struct {
	ID      string
	Version string
	Digest  string
	// Applied is false when a required input is absent; Reason then says which.
	Applied bool
	Reason  string
	// Domains are the named values derived from instrument results, in definition order.
	Domains []Domain
	// Tier is the risk tier; TierRule and TierReasons explain it.
	Tier     Tier
	TierRule string
	tierWhy  reasons
	// PossibleTiers lists, when the answers leave the tier open, every tier some possible answers give,
	// highest first as the rule set orders them (Tier is then the lowest of them: what holds whatever the
	// missing answers are); nil otherwise.
	PossibleTiers []Tier
	// TierDecided is true when the rule set was applied and every possible answer gives the same tier
	// (PossibleTiers is nil); false when the answers leave the tier open, or the rule set was not applied.
	TierDecided bool
	// Settle lists, when the tier is not decided, the unanswered or invalid items ("phq9.q9") whose answers
	// could change it, in the rule set's input order and then item order: an item is listed when two
	// completions of the record (every unanswered or invalid item of the present inputs given a value it
	// allows) that differ only in its answer give different tiers. These are exactly the items the tier
	// depends on: answering all of them decides it. When the completions are too many to check, Settle lists
	// every unanswered or invalid item the tier can read, and a note determinacy_limit about "settle" says
	// so. Nil when the tier is decided.
	Settle []string
	// Referrals that apply, ordered urgent, high, routine, then as defined.
	Referrals []Referral
	// PossibleReferrals fire for some of the possible answers but not all; never mixed into Referrals.
	PossibleReferrals []Referral
	// NotAssessed lists the domains whose value is not_assessed.
	NotAssessed []string
	Notes       []Note
}

// TierReasons returns every domain the tier conditions read, up to and including the tier that matched.
func (c *CompositeResult) TierReasons() []Reason { return c.tierWhy.appendTo(nil) }

// AppendTierReasons appends the tier's reasons to dst.
func (c *CompositeResult) AppendTierReasons(dst []Reason) []Reason { return c.tierWhy.appendTo(dst) }

// Domain returns the domain with the given id (its value, possible values, rule and reasons). It is safe
// on a nil result (no rule set), which has no domains.
func (c *CompositeResult) Domain(id string) (Domain, bool) {
	if c == nil {
		return Domain{}, false
	}
	for i := range c.Domains {
		if c.Domains[i].ID == id {
			return c.Domains[i], true
		}
	}
	return Domain{}, false
}

// Referral returns the referral with the given id, if it applies; safe on a nil result.
func (c *CompositeResult) Referral(id string) (Referral, bool) {
	if c == nil {
		return Referral{}, false
	}
	for i := range c.Referrals {
		if c.Referrals[i].ID == id {
			return c.Referrals[i], true
		}
	}
	return Referral{}, false
}

// Domain is one derived value with its reasons.
type Domain struct {
	ID    string
	Value Value
	// Possible lists the values the domain may have when the answers leave it open (Value is then
	// not_assessed); nil otherwise.
	Possible []Value
	Rule     string
	why      reasons
}

// Reasons returns the instrument results the domain's expression read, with their values.
func (d Domain) Reasons() []Reason { return d.why.appendTo(nil) }

// AppendReasons appends the domain's reasons to dst.
func (d Domain) AppendReasons(dst []Reason) []Reason { return d.why.appendTo(dst) }

// Referral is a recommendation that applies, with where it comes from and why it fired.
type Referral struct {
	ID        string
	Priority  Priority
	Text      string
	Addenda   []string // further text whose own conditions hold
	Rationale string
	Source    string
	Rule      string
	why       reasons
}

// Reasons returns the domain values (and tier) the referral's conditions read.
func (r Referral) Reasons() []Reason { return r.why.appendTo(nil) }

// AppendReasons appends the referral's reasons to dst.
func (r Referral) AppendReasons(dst []Reason) []Reason { return r.why.appendTo(dst) }

// Instrument returns the result for an instrument id, or nil if it was not answered. The accessors of a
// nil result are safe: rep.Instrument("gad2").Score("total") is simply not found.
func (r *Report) Instrument(id string) *InstrumentResult {
	if r == nil {
		return nil
	}
	for i := range r.Instruments {
		if r.Instruments[i].ID == id {
			return &r.Instruments[i]
		}
	}
	return nil
}
