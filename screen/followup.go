package screen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Follow-up: measurement-based care across visits (composite contract §3). A current response set is
// scored against a baseline one of the same subject: the report is the current one's, explained as usual,
// with a FollowUp block holding each instrument's follow-up measures (declared in its definition: PHQ-9
// change, response and remission, PEG meaningful improvement, …) and their reasons; the rule set can read
// them (<inst>.followup.<measure>, <inst>.baseline.<score>, followup.days).

// FollowUpResult compares a response set with its baseline.
type FollowUpResult struct {
	// BaselineDate is the baseline's date as given ("" when it gave none).
	BaselineDate string
	// Computed is false when the dates do not allow a comparison (missing, not an ISO 8601 calendar date,
	// or the current date before the baseline's) or the baseline could not be scored; Notes say why, and
	// there are no measures.
	Computed bool
	// Days from the baseline to the current response set (when Computed).
	Days int
	// Instruments holds, per instrument answered at both visits with follow-up measures, the measures
	// computed, ordered by instrument id.
	Instruments []FollowUpInstrument
	// Notes say what was not computed and why: dates, instruments not in the baseline, measures whose
	// scores were not decided at one visit.
	Notes []Note
}

// FollowUpInstrument is one instrument's follow-up measures.
type FollowUpInstrument struct {
	ID string
	// Measures holds the measures computed, in definition order; one whose scores were not decided at both
	// visits is absent (a note says why), unless every completion of the two visits' missing or invalid
	// answers gives it the same value (note determined).
	Measures []FollowUpMeasure
	// Possible lists, for a bool or string measure that is not decided because completions give it
	// different values, the values it may have (the rule set's tier and referrals are evaluated over them,
	// so a follow-up referral that fires in only some is listed as possible).
	Possible []FollowUpPossible
}

// FollowUpPossible is a follow-up measure that is not decided, with the values it may have.
type FollowUpPossible struct {
	ID     string
	Values []Value
}

// FollowUpMeasure is one follow-up measure, with the rule and the values it compared.
type FollowUpMeasure struct {
	ID    string
	Value Value
	// Rule is "<id>@<version>#followup.<measure>".
	Rule string
	why  reasons
}

// Reasons returns what the measure read: baseline.<score>, current.<score>, days.
func (m FollowUpMeasure) Reasons() []Reason { return m.why.appendTo(nil) }

// AppendReasons appends the measure's reasons to dst, as Score.AppendReasons does.
func (m FollowUpMeasure) AppendReasons(dst []Reason) []Reason { return m.why.appendTo(dst) }

// Measure returns the instrument's measure id (its value, rule and reasons), if computed; safe on a nil
// result (no follow-up).
func (f *FollowUpResult) Measure(instrument, id string) (FollowUpMeasure, bool) {
	if f == nil {
		return FollowUpMeasure{}, false
	}
	for i := range f.Instruments {
		in := &f.Instruments[i]
		if in.ID != instrument {
			continue
		}
		for j := range in.Measures {
			if in.Measures[j].ID == id {
				return in.Measures[j], true
			}
		}
	}
	return FollowUpMeasure{}, false
}

// ParseDate reads an ISO 8601 calendar date (YYYY-MM-DD) as a day number; ok is false for anything else,
// including dates that do not exist (2026-02-30).
func ParseDate(s string) (day int64, ok bool) {
	if len(s) != 10 {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return t.Unix() / 86400, true
}

// followUpRun is a follow-up in progress: the scored baseline (nil when not computed) and what the report
// says about it.
type followUpRun struct {
	base  *eval.State
	days  int64
	date  string
	notes []Note
}

// FollowUp scores current against baseline, a response set of the same subject from an earlier visit: the
// report of current with a FollowUp block. It is safe to call from many goroutines at once. The baseline
// is scored too, but only to read its results: its problems do not fail this call (a score it leaves
// undecided leaves the measures that read it not computed). The contract is Score's, for current: a report
// and a nil error whenever there is a report (current's answer problems are in Report.Errors, and
// Report.Err); an error and no report only when current cannot be scored at all.
func (e *Engine) FollowUp(ctx context.Context, baseline, current *Response) (*Report, error) {
	rep := new(Report)
	if err := e.FollowUpTo(ctx, baseline, current, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// FollowUpTo is FollowUp writing into dst, reusing its memory as ScoreTo does: a nil error means dst
// holds the report.
func (e *Engine) FollowUpTo(ctx context.Context, baseline, current *Response, dst *Report) error {
	switch {
	case e == nil || e.plan == nil:
		return errZeroEngine
	case ctx == nil:
		return errors.New("screen: nil context")
	case dst == nil:
		return errors.New("screen: nil Report")
	case baseline == nil:
		return errors.New("screen: nil baseline")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if current == nil {
		return newScoreError(ErrNoAnswers, "", "", "no response set")
	}
	fu := &followUpRun{date: baseline.Date}
	note := func(code, about, msg string) {
		fu.notes = append(fu.notes, Note{Code: code, About: about, Message: msg})
	}
	b, bok := ParseDate(baseline.Date)
	c, cok := ParseDate(current.Date)
	switch {
	case baseline.Date == "":
		note("date_missing", "baseline", "the baseline has no date: follow-up is not computed")
	case !bok:
		note("date_invalid", "baseline", "the baseline's date is not an ISO 8601 calendar date (YYYY-MM-DD): follow-up is not computed")
	case current.Date == "":
		note("date_missing", "current", "this response set has no date: follow-up is not computed")
	case !cok:
		note("date_invalid", "current", "this response set's date is not an ISO 8601 calendar date (YYYY-MM-DD): follow-up is not computed")
	case c < b:
		note("date_order", "current", "this response set is dated before its baseline: follow-up is not computed")
	default:
		s := e.pool.Get().(*scratch)
		defer func() {
			s.st.Reset()
			e.pool.Put(s)
		}()
		s.st.Strict = e.strict
		if err := s.st.Score(ctx, baseline.Subject, baseline.Context, baseline.Answers, false); err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			code := "error"
			var se *ScoreError
			if errors.As(scoreError(err), &se) {
				code = se.Code
			}
			note("baseline_not_scored", "baseline", "the baseline could not be scored ("+code+"): follow-up is not computed")
			break
		}
		fu.base, fu.days = s.st, c-b
	}
	return e.scoreTo(ctx, current, dst, fu)
}

// followUp fills the report's follow-up block from the evaluation state.
func (s *scratch) followUp(rep *Report, fu *followUpRun) {
	st := s.st
	f := &rep.fu
	*f = FollowUpResult{BaselineDate: fu.date, Computed: fu.base != nil, Days: int(fu.days),
		Instruments: f.Instruments[:0], Notes: append(f.Notes[:0], fu.notes...)}
	rep.FollowUp = f
	if fu.base == nil {
		f.Days = 0
		return
	}
	m := &rep.mem
	for _, i := range st.Used {
		ie := &st.Insts[i]
		in := ie.Inst
		if len(in.FollowUps) == 0 {
			continue
		}
		if !ie.HasBase() {
			f.Notes = append(f.Notes, Note{Code: "not_in_baseline", About: in.ID,
				Message: fmt.Sprintf("%s %s was not answered at baseline: its follow-up measures are not computed", in.Label, in.Version)})
			continue
		}
		var ms []FollowUpMeasure
		var possible []FollowUpPossible
		for fi, fm := range in.FollowUps {
			about := in.ID + "." + fm.ID
			said := in.Label + " " + fm.Noun() // the measure in words, for the notes
			switch {
			case ie.FUS[fi] == eval.FollowComputed && ie.FUNote[fi] == eval.FollowNoteDetermined:
				ms = append(ms, FollowUpMeasure{ID: fm.ID, Value: Value(ie.FUV[fi]), Rule: fm.Rule, why: m.arena.collect(s, ie.FUR[fi], false)})
				f.Notes = append(f.Notes, Note{Code: "determined", About: about,
					Message: fmt.Sprintf("%s is the same whatever the missing or invalid answers of either visit would be, so it is reported", said)})
				continue
			case ie.FUS[fi] == eval.FollowNotComputed && ie.FUNote[fi] == eval.FollowNoteLimit:
				f.Notes = append(f.Notes, Note{Code: "determinacy_limit", About: about,
					Message: fmt.Sprintf("%s is not decided: the possible answers of the two visits are too many to check", said)})
				continue
			case ie.FUS[fi] == eval.FollowNotComputed && ie.FUNote[fi] == eval.FollowNoteOpen:
				msg := fmt.Sprintf("%s not computed: it depends on answers that are missing or not valid at one visit", said)
				if vals := ie.FUPossible[fi]; len(vals) > 1 {
					p := FollowUpPossible{ID: fm.ID, Values: make([]Value, len(vals))}
					var b []byte
					for k, v := range vals {
						p.Values[k] = Value(v)
						if k > 0 {
							b = append(b, ", "...)
						}
						b = v.AppendText(b)
					}
					possible = append(possible, p)
					msg += " (possible: " + string(b) + ")"
				}
				f.Notes = append(f.Notes, Note{Code: "not_computed", About: about, Message: msg})
				continue
			}
			switch ie.FUS[fi] {
			case eval.FollowComputed:
				ms = append(ms, FollowUpMeasure{ID: fm.ID, Value: Value(ie.FUV[fi]), Rule: fm.Rule, why: m.arena.collect(s, ie.FUR[fi], false)})
			case eval.FollowNotComputed:
				why := "a score it compares was not decided at both visits"
				if fe := ie.FUMissing[fi]; fe != nil {
					why = fe.Said() + " was not decided"
					at := ie
					if fe.Kind == plan.ReadBaseline {
						at = ie.Base()
					}
					if fe.Idx < len(at.SS) && at.SS[fe.Idx] == eval.ScoreNotApplicable {
						why = fe.Said() + " does not apply to that visit's answers"
					}
				}
				f.Notes = append(f.Notes, Note{Code: "not_computed", About: in.ID + "." + fm.ID,
					Message: fmt.Sprintf("%s not computed: %s", said, why)})
			case eval.FollowTooEarly:
				f.Notes = append(f.Notes, Note{Code: "too_early", About: in.ID + "." + fm.ID,
					Message: fmt.Sprintf("%s not computed: %d days since baseline, and it is computed from %d days", said, fu.days, fm.MinDays)})
			default:
				f.Notes = append(f.Notes, Note{Code: "failed", About: in.ID + "." + fm.ID,
					Message: fmt.Sprintf("%s failed (a definition bug; see the record's errors)", said)})
			}
		}
		f.Instruments = append(f.Instruments, FollowUpInstrument{ID: in.ID, Measures: ms, Possible: possible})
	}
}
