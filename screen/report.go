package screen

// Report is the result of scoring one response set. Its JSON form (MarshalJSON, AppendJSON) is the
// documented contract; see the package documentation.
type Report struct {
	// Subject is the response set's subject id, echoed unchanged.
	Subject string
	// Engine names the software that scored it.
	Engine EngineInfo
	// Instruments holds one result per instrument answered, ordered by id.
	Instruments []InstrumentResult
	// Composite is the rule set's result; nil when the engine has no rule set.
	Composite *CompositeResult
	ex        explanation
	mem       reportMem
}

// EngineInfo names the scoring engine.
type EngineInfo struct {
	Name    string
	Version string
}

// Status of an instrument result.
const (
	StatusComplete   = "complete"   // every applicable score was computed
	StatusIncomplete = "incomplete" // at least one score could not be computed (see Notes)
)

// InstrumentResult is the result for one instrument.
type InstrumentResult struct {
	ID      string
	Version string
	// Digest is "sha256:<hex>" of the definition's canonical content.
	Digest string
	// Status is StatusComplete or StatusIncomplete.
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

// Score returns the score with the given id, if it was computed.
func (r *InstrumentResult) Score(id string) (Value, bool) {
	for i := range r.Scores {
		if r.Scores[i].ID == id {
			return r.Scores[i].Value, true
		}
	}
	return Value{}, false
}

// Score is one computed score with the reasons behind it.
type Score struct {
	ID    string
	Value Value
	// Rule identifies the definition part that computed it: "phq9@1.0.0#scores.total".
	Rule string
	why  why
}

// Reasons returns the inputs the score's rule read, with their values, in the order it read them.
func (s *Score) Reasons() []Reason { return s.why.appendTo(nil) }

// AppendReasons appends the score's reasons to dst (to reuse a buffer in a loop).
func (s *Score) AppendReasons(dst []Reason) []Reason { return s.why.appendTo(dst) }

// Reason is one input a rule read: an answer (answers.q9), an earlier score (scores.total), a context
// field (context.sex), an instrument result (phq9.total), a domain (domains.oud) or the tier.
type Reason struct {
	Name  string
	Value Value
}

// Flag is a fired flag.
type Flag struct {
	ID      string
	Level   string // info, warning or urgent
	Message string
	Rule    string
	why     why
}

// Reasons returns the inputs the flag's condition read, with their values.
func (f *Flag) Reasons() []Reason { return f.why.appendTo(nil) }

// AppendReasons appends the flag's reasons to dst.
func (f *Flag) AppendReasons(dst []Reason) []Reason { return f.why.appendTo(dst) }

// Note explains something about a result that is not a value: why a score is missing, that a total was
// prorated, that a definition is a draft.
type Note struct {
	// Code is stable: prorated, not_computed, not_applicable, flag_not_evaluated, draft_definition,
	// retired_definition, input_incomplete, input_version_mismatch.
	Code string
	// About is the score, flag, or input the note concerns.
	About string
	// Message says it in words.
	Message string
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
	Tier     string
	TierRule string
	tierWhy  why
	// Referrals that apply, ordered urgent, high, routine, then as defined.
	Referrals []Referral
	// NotAssessed lists the domains whose value is not_assessed.
	NotAssessed []string
	Notes       []Note
}

// TierReasons returns every domain the tier conditions read, up to and including the tier that matched.
func (c *CompositeResult) TierReasons() []Reason { return c.tierWhy.appendTo(nil) }

// AppendTierReasons appends the tier's reasons to dst.
func (c *CompositeResult) AppendTierReasons(dst []Reason) []Reason { return c.tierWhy.appendTo(dst) }

// Domain returns the value of a domain.
func (c *CompositeResult) Domain(id string) (Value, bool) {
	for i := range c.Domains {
		if c.Domains[i].ID == id {
			return c.Domains[i].Value, true
		}
	}
	return Value{}, false
}

// Domain is one derived value with its reasons.
type Domain struct {
	ID    string
	Value Value
	Rule  string
	why   why
}

// Reasons returns the instrument results the domain's expression read, with their values.
func (d *Domain) Reasons() []Reason { return d.why.appendTo(nil) }

// AppendReasons appends the domain's reasons to dst.
func (d *Domain) AppendReasons(dst []Reason) []Reason { return d.why.appendTo(dst) }

// Referral is a recommendation that applies, with where it comes from and why it fired.
type Referral struct {
	ID        string
	Priority  string // urgent, high or routine
	Text      string
	Addenda   []string // further text whose own conditions hold
	Rationale string
	Source    string
	Rule      string
	why       why
}

// Reasons returns the domain values (and tier) the referral's conditions read.
func (r *Referral) Reasons() []Reason { return r.why.appendTo(nil) }

// AppendReasons appends the referral's reasons to dst.
func (r *Referral) AppendReasons(dst []Reason) []Reason { return r.why.appendTo(dst) }

// Instrument returns the result for an instrument id, if it was answered.
func (r *Report) Instrument(id string) *InstrumentResult {
	for i := range r.Instruments {
		if r.Instruments[i].ID == id {
			return &r.Instruments[i]
		}
	}
	return nil
}
