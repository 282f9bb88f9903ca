// Package eval scores response sets with a compiled plan: it validates and loads answers, applies skip
// logic, evaluates scores, flags, domains, tiers and referrals — through the compiled fast path (fast.go)
// where an expression allows it, else CEL's interpreter — and records every field each expression reads,
// so the trace package can explain every result. A State is the scratch space of one response set; it is
// reused (Reset) and never shared between goroutines.
package eval

import (
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Item states.
const (
	ItemUnanswered uint8 = iota
	ItemAnswered
	ItemDisabled
	ItemUnknown // answered with a value that is not valid for the item: unknown, like a missing answer
	ItemPending // while completing: not yet filled; reading it asks for it (State.needItem)
)

// Score states.
const (
	ScorePending uint8 = iota
	ScoreComputed
	ScoreNotComputed
	ScoreNotApplicable
	ScoreFailed // its expression failed: a definition bug (the record's errors say which)
)

// Flag states.
const (
	FlagNotEvaluated uint8 = iota
	FlagNotFired
	FlagFired
)

// Instrument status values as rule sets read them.
var (
	StatusComplete   = value.OfString("complete")
	StatusIncomplete = value.OfString("incomplete")
	StatusError      = value.OfString("error")
	StatusAbsent     = value.OfString("absent")
)

// MaxSubjectBytes bounds the subject id.
const MaxSubjectBytes = 1024

// Read is one field an expression read; spans of reads become a result's reasons.
type Read struct {
	IE      *InstEval // the instrument read from; nil for domains and the tier
	Kind    plan.ReadKind
	Missing bool // a presence test (has) that found the field not set
	Idx     int32
}

// Span is a range of State.Reads: what one rule read.
type Span struct{ From, To int32 }

// State is the scratch space of one Score call.
type State struct {
	Plan  *plan.Plan
	Insts []InstEval // one per loaded instrument, indexed like Plan.Insts
	Used  []int      // the instruments this response answered, in Plan.Insts order
	Ctx   CtxEval
	Reads []Read
	Comp  CompEval
	// Errors are the record's problems that did not stop it from being scored (invalid answers, unknown
	// items and instruments, definition bugs met while scoring), in a stable order.
	Errors []*Error
	// Strict makes the first problem end the record, as a fatal error.
	Strict bool
	act    activation
	keys   keyCache // answers and item keys seen before (keycache.go)
	fx     frame
	// budget is what is left of the completions the record may enumerate (§1a rule 3).
	budget int
	// scratch holds, per instrument (lazily), the state completions are evaluated in.
	scratch []*InstEval
	// needItem is, while completing, the first pending item an evaluation read (-1: none).
	needItem int
	// completers are reused by complete, one per nesting depth (completing of them in use).
	completers []*completer
	completing int
	// dec is what decide's targets (decScore, decFlag: made once, so deciding allocates nothing) have seen
	// of the completions of one score or flag.
	dec               decideRun
	decScore, decFlag func(x *InstEval) bool
	// src is the source sourceValues completes, srcTarget its target (made once), and srcVals the values
	// the record's sources gave, each source's set a run of it.
	src       sourceRun
	srcTarget func(x *InstEval) bool
	srcVals   []value.Value
	// fuMem holds, per instrument (lazily), the two states follow-up measures are evaluated in over the
	// visits' possible score values (followup_decide.go).
	fuMem [][2]*InstEval
	// tupleMemo caches the visits' score values over completions for this Score call.
	tupleMemo []tupleMemo
	// bdims are the baseline scores the rule set's evaluation branches on, bneed the first one an
	// evaluation read (-1: none), branching whether they are pending (followup_base.go).
	bdims     []baseDim
	bneed     int
	branching bool
	// settleMem is the memory settle reuses.
	settleMem *settleRun
	// Base, when set (SetFollowUp), is the baseline this response set is scored against, Days the days from
	// it to this one.
	Base *State
	Days int64
}

// need records that an evaluation read pending item idx.
func (st *State) need(idx int) {
	if st.needItem < 0 {
		st.needItem = idx
	}
}

// CtxEval holds the response's context values by slot.
type CtxEval struct {
	Vals []value.Value
	Set  []bool
}

// Note kinds recorded during evaluation; InstEval.Note renders them.
const (
	NoteProrated uint8 = iota
	NoteNotComputed
	NoteTooFew
	NoteDependency
	NoteNotApplicable
	NoteFlagNotEvaluated
	NoteAnsweredWhenSkipped // About: the item
	NoteDetermined          // About: the score (A = 0) or flag (A = 1)
	NoteDeterminacyLimit    // About: the score (A = 0) or flag (A = 1)
	NoteFailed              // About: the score whose expression failed
	NoteUnknownAnswers      // the instrument has invalid answers: no score that reads them is prorated
	NoteConditional         // About: the conditional note
	NoteUnreadAnswers       // a domain: a later source was not read, it cannot see answers the one before has
	NoteConflictFired       // About: the flag, fired for one of the conflicting answers of its items (conflict.go)
)

// NoteRec is a note in compact form.
type NoteRec struct {
	Kind  uint8
	About int // score or flag index
	Field *plan.FieldError
	A, B  int
	// Unknown marks a NoteTooFew of a sum that reads an item with an answer that is not valid.
	Unknown bool
}

// InstEval is the evaluation state of one instrument.
type InstEval struct {
	Inst       *plan.Instrument
	st         *State
	Present    bool
	Incomplete bool
	Key        string // the answers key as given
	Vals       []int64
	St         []uint8 // item states
	SV         []value.Value
	SS         []uint8 // score states
	SR         []Span
	FS         []uint8 // flag states
	FR         []Span
	Notes      []NoteRec
	// Error is set when an answer was invalid or an expression failed: the status is "error".
	Error bool
	// given marks the items with a valid answer, whether or not skip logic asks them.
	given []bool
	// Cand holds, per item answered more than once (conflicting answers: an unknown item), the valid answers
	// given, once each (nil until the first such item); FC marks the flags fired for one of them (conflict.go).
	Cand    [][]int64
	FC      []bool
	hasCand bool
	cur     int
	ctxView contextView
	// Follow-up measures (scored against a baseline): values, states, reads, and the score a measure not
	// computed missed; base is the baseline's state of the instrument (nil: no follow-up).
	FUV       []value.Value
	FUS       []uint8
	FUR       []Span
	FUMissing []*plan.FieldError
	// FUNote says what completions decided of a measure whose scores were not all decided, and FUPossible
	// lists the values such a measure may have (FollowNoteOpen).
	FUNote     []uint8
	FUPossible [][]value.Value
	base       *InstEval
}

// Status is the instrument's status as rule sets read it.
func (ie *InstEval) Status() value.Value {
	switch {
	case !ie.Present:
		return StatusAbsent
	case ie.Error:
		return StatusError
	case ie.Incomplete:
		return StatusIncomplete
	}
	return StatusComplete
}

func (ie *InstEval) prorated(answered, listed int) {
	ie.Notes = append(ie.Notes, NoteRec{Kind: NoteProrated, About: ie.cur, A: answered, B: listed})
}

func (ie *InstEval) reset() {
	ie.Present, ie.Incomplete, ie.Key, ie.Error = false, false, "", false
	clear(ie.given)
	clear(ie.Vals)
	clear(ie.St)
	clear(ie.SV)
	clear(ie.SS)
	clear(ie.SR)
	clear(ie.FS)
	clear(ie.FR)
	ie.Notes = ie.Notes[:0]
	if ie.hasCand {
		for i := range ie.Cand {
			ie.Cand[i] = ie.Cand[i][:0]
		}
		clear(ie.FC)
		ie.hasCand = false
	}
	if ie.base != nil {
		clear(ie.FUV)
		clear(ie.FUS)
		clear(ie.FUR)
		clear(ie.FUMissing)
		clear(ie.FUNote)
		for i := range ie.FUPossible {
			ie.FUPossible[i] = ie.FUPossible[i][:0]
		}
		ie.base = nil
	}
}

// CompEval is the evaluation state of the rule set.
type CompEval struct {
	rs           *plan.RuleSet
	st           *State
	Inputs       []*InstEval // per input: the instrument's state, or an absent placeholder
	placeholders []InstEval
	Mismatch     []*InstEval // per input: a present instrument of another version, if any
	Applied      bool
	Reason       string
	DV           []value.Value
	DR           []Span
	Tier         int
	TierVal      value.Value
	TR           Span
	Fired        []bool
	FR           []Span
	AddFired     [][]bool
	// Possible lists, per domain whose value the answers leave open, the values it may have (§1a rule 3).
	Possible [][]value.Value
	// DomainNotes are notes about domains (determined, determinacy_limit).
	DomainNotes []DomainNote
	// PossibleTiers marks the tiers some combination of possible domain values gives, when they differ.
	PossibleTiers []bool
	// PossibleFired marks the referrals that fire for some combination of possible values but not all.
	PossibleFired []bool
	PossibleFR    []Span
	// Settle lists, when the tier is not decided, the open items of the present inputs whose answers could
	// change it (settle.go), in input order then item order; SettleLimit is set when the completions were
	// too many to check and Settle holds every open item the tier can read.
	Settle      []SettleRef
	SettleLimit bool
	// BaseLimit is set when the values of the baseline scores the referrals read were too many to check
	// within the record's budget (followup_base.go): a referral that needs them is then at most possible.
	BaseLimit bool
	// Failed is set when a rule-set expression failed (a definition bug): the rule set is not applied.
	Failed bool
	// ctxView is the rule set's context view.
	ctxView contextView
}

// DomainNote is a note about a domain: NoteDetermined (decided by every completion of Input's missing
// answers) or NoteDeterminacyLimit.
type DomainNote struct {
	Kind   uint8
	Domain int
	Input  int
	// Next is, for NoteUnreadAnswers, the input of the later source that was not read.
	Next int
}

// NewState returns a state for scoring with p.
func NewState(p *plan.Plan) *State {
	st := &State{Plan: p, Insts: make([]InstEval, len(p.Insts)), Used: make([]int, 0, len(p.Insts)), needItem: -1}
	st.act.st = st
	for i, in := range p.Insts {
		st.Insts[i] = newInstEval(in, st)
	}
	st.Ctx = CtxEval{Vals: make([]value.Value, len(p.Ctx)), Set: make([]bool, len(p.Ctx))}
	if rs := p.Rules; rs != nil {
		ce := &st.Comp
		ce.rs, ce.st = rs, st
		ce.ctxView = contextView{st: st, typ: rs.ContextType}
		ce.Inputs = make([]*InstEval, len(rs.Inputs))
		ce.Mismatch = make([]*InstEval, len(rs.Inputs))
		ce.placeholders = make([]InstEval, len(rs.Inputs))
		for i, in := range rs.Inputs {
			ce.placeholders[i] = newInstEval(in.Inst, st)
		}
		ce.DV = make([]value.Value, len(rs.Domains))
		ce.DR = make([]Span, len(rs.Domains))
		ce.Fired = make([]bool, len(rs.Referrals))
		ce.FR = make([]Span, len(rs.Referrals))
		ce.AddFired = make([][]bool, len(rs.Referrals))
		for i, r := range rs.Referrals {
			ce.AddFired[i] = make([]bool, len(r.Addenda))
		}
		ce.Possible = make([][]value.Value, len(rs.Domains))
		ce.PossibleTiers = make([]bool, len(rs.Tiers))
		ce.PossibleFired = make([]bool, len(rs.Referrals))
		ce.PossibleFR = make([]Span, len(rs.Referrals))
	}
	st.scratch = make([]*InstEval, len(p.Insts))
	st.Reads = make([]Read, 0, 256)
	return st
}

func newInstEval(in *plan.Instrument, st *State) InstEval {
	ie := InstEval{Inst: in, st: st, given: make([]bool, len(in.Items)),
		Vals: make([]int64, len(in.Items)), St: make([]uint8, len(in.Items)),
		SV: make([]value.Value, len(in.Scores)), SS: make([]uint8, len(in.Scores)), SR: make([]Span, len(in.Scores)),
		FS: make([]uint8, len(in.Flags)), FR: make([]Span, len(in.Flags)),
		Notes: make([]NoteRec, 0, 4)}
	ie.ctxView.typ, ie.ctxView.st = in.ContextType, st
	if n := len(in.FollowUps); n > 0 {
		ie.FUV, ie.FUS, ie.FUR, ie.FUMissing = make([]value.Value, n), make([]uint8, n), make([]Span, n), make([]*plan.FieldError, n)
		ie.FUNote, ie.FUPossible = make([]uint8, n), make([][]value.Value, n)
	}
	return ie
}

// Reset makes the state ready for the next response set.
func (st *State) Reset() {
	for _, i := range st.Used {
		st.Insts[i].reset()
	}
	st.Used = st.Used[:0]
	clear(st.Ctx.Vals)
	clear(st.Ctx.Set)
	st.Reads = st.Reads[:0]
	clear(st.Errors)
	st.Errors = st.Errors[:0]
	if ce := &st.Comp; ce.rs != nil {
		// Only the placeholders of absent inputs were handed out (scoreComposite); the others are as new.
		for i, ie := range ce.Inputs {
			if ie == &ce.placeholders[i] {
				ie.reset()
			}
		}
		clear(ce.Inputs)
		clear(ce.Mismatch)
		clear(ce.DV)
		clear(ce.DR)
		clear(ce.Fired)
		clear(ce.FR)
		for _, a := range ce.AddFired {
			clear(a)
		}
		for i := range ce.Possible {
			ce.Possible[i] = ce.Possible[i][:0]
		}
		ce.DomainNotes = ce.DomainNotes[:0]
		clear(ce.PossibleTiers)
		clear(ce.PossibleFired)
		clear(ce.PossibleFR)
		ce.Settle, ce.SettleLimit, ce.BaseLimit = ce.Settle[:0], false, false
		ce.Applied, ce.Reason, ce.Tier, ce.TierVal, ce.TR, ce.Failed = false, "", 0, value.Value{}, Span{}, false
	}
	st.act.ie = nil
	st.Base, st.Days = nil, 0
	clear(st.srcVals)
	st.srcVals = st.srcVals[:0]
}

func (st *State) record(ie *InstEval, k plan.ReadKind, idx int) {
	st.Reads = append(st.Reads, Read{IE: ie, Kind: k, Idx: int32(idx)})
}

func (st *State) recordMissing(ie *InstEval, k plan.ReadKind, idx int) {
	st.Reads = append(st.Reads, Read{IE: ie, Kind: k, Missing: true, Idx: int32(idx)})
}

// run evaluates one program: through its compiled fast path when it has one, else CEL's interpreter.
// Errors come back typed (see errors.go): a *plan.FieldError or *NotEnoughError for missing data, an
// *ExprError for everything else.
func (st *State) run(p *plan.Program, ie *InstEval, rules bool) (value.Value, error) {
	if f, ok := p.Fast.(Node); ok {
		st.fx.st, st.fx.ie = st, ie
		return f(&st.fx)
	}
	st.act.ie, st.act.rules = ie, rules
	out, _, err := p.CEL.Eval(&st.act)
	if err != nil {
		return value.Value{}, fromCEL(err)
	}
	return valueOf(out), nil
}

// activation resolves the variables of whichever expression is running.
type activation struct {
	st    *State
	ie    *InstEval
	rules bool
	fu    bool // a follow-up measure: baseline, current, days
}

func (a *activation) ResolveName(name string) (any, bool) {
	if name == stateVar {
		return a.st, true
	}
	if a.fu {
		switch name {
		case "baseline":
			return (*baselineView)(a.ie), true
		case "current":
			return (*currentView)(a.ie), true
		case "days":
			return types.Int(a.st.Days), true
		}
		return nil, false
	}
	if !a.rules {
		switch name {
		case "answers":
			return (*answersView)(a.ie), true
		case "scores":
			return (*scoresView)(a.ie), true
		case "context":
			return &a.ie.ctxView, true
		}
		return nil, false
	}
	switch name {
	case "domains":
		return (*domainsView)(&a.st.Comp), true
	case "context":
		return &a.st.Comp.ctxView, true
	case "followup":
		return (*fuGlobalView)(a.st), true
	case "tier":
		return refOf(tierGet(&a.st.Comp)), true
	}
	if i, ok := a.st.Comp.rs.InputIdx[name]; ok {
		return (*resultView)(a.st.Comp.Inputs[i]), true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }
