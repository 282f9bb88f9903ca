package batch

import (
	"errors"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Status is what a Runner tells of a record written that failed or holds errors (Options.OnFailure). Its
// texts come from respfile and screen, which never put an answer or a subject id in them.
type Status struct {
	File    string // the input's name
	N, Line int    // the record's number and line (0: unknown)
	// Failure is why the record could not be scored or, for a report with errors (Partial), its first
	// error.
	Failure screen.RecordError
	// Errors is how many errors the record has (1 for a record that could not be scored).
	Errors int
	// Partial: a report was written; the record was scored without what its errors concern.
	Partial bool
}

// Summary tallies the records written. It holds counts only: no subject ids, no values.
type Summary struct {
	Records int // input records written (failures included; the failure ending an input is not a record)
	Scored  int // reports written (Partial included)
	Failed  int // records that failed, and reports of records with errors
	Partial int // reports of records with errors
	Fatal   int // inputs that could not be read to their end (or held no record)
	// Tiers counts the reports in each tier of the rule set, highest first. A report whose urgent flag
	// fired counts in the highest tier whatever its own (composite contract §1a rule 4).
	Tiers []TierCount
	// NotApplied counts the reports the rule set was not applied to (a required input is absent).
	NotApplied int
	// Codes counts the errors of the records written by code.
	Codes map[string]int
}

// TierCount is the number of reports in a tier.
type TierCount struct {
	Tier    string
	Records int
}

// Tier indexes in recStat for records without a tier.
const (
	tierNone       = -1 // no rule set, or an error record
	tierNotApplied = -2 // the rule set was not applied (a required input is absent)
)

// recStat is what the writer needs to know about one encoded record.
type recStat struct {
	Status
	ok    bool
	tier  int
	codes []string // a scored record with several errors: every error's code (for the summary)
}

// tiersOf returns the tiers of eng's rule set, highest first (none without a rule set).
func tiersOf(eng *screen.Engine) []string {
	var tiers []string
	if doc, err := eng.DescribeRuleSet(); err == nil {
		for _, t := range doc.Tiers {
			tiers = append(tiers, t.ID)
		}
	}
	return tiers
}

// tally is the Runner's summary and the tiers' indexes.
type tally struct {
	Summary
	tierIdx map[string]int
}

func (s *tally) init(tiers []string) {
	s.tierIdx = make(map[string]int, len(tiers))
	s.Tiers = make([]TierCount, len(tiers))
	for i, t := range tiers {
		s.tierIdx[t] = i
		s.Tiers[i].Tier = t
	}
}

// tierOf returns the index of rep's tier for the summary.
func (s *tally) tierOf(rep *screen.Report) int {
	tier := tierNone
	if c := rep.Composite; c != nil {
		tier = tierNotApplied
		if c.Applied {
			if i, ok := s.tierIdx[string(c.Tier)]; ok {
				tier = i
			}
		}
	}
	// Safety first (composite contract §1a rule 4): an urgent flag that fired counts as the rule set's
	// highest tier for the summary, whatever else happened to the record.
	if len(s.Tiers) > 0 && hasUrgentFlag(rep) {
		tier = 0
	}
	return tier
}

func (s *tally) add(st *recStat) {
	switch {
	case st.Failure.Fatal:
		s.Fatal++
		return
	case st.ok:
		s.Scored++
	case st.Partial:
		s.Scored++
		s.Partial++
		s.Failed++
	default:
		s.Failed++
	}
	if !st.ok {
		if s.Codes == nil {
			s.Codes = map[string]int{}
		}
		if len(st.codes) > 0 {
			for _, code := range st.codes {
				s.Codes[code]++
			}
		} else {
			s.Codes[st.Failure.Code]++
		}
	}
	s.Records++
	switch {
	case st.tier >= 0:
		s.Tiers[st.tier].Records++
	case st.tier == tierNotApplied:
		s.NotApplied++
	}
}

// Summary returns the tallies of the records written so far.
func (r *Runner) Summary() Summary {
	s := r.sum.Summary
	s.Tiers = append([]TierCount(nil), s.Tiers...)
	if s.Codes != nil {
		c := make(map[string]int, len(s.Codes))
		for k, v := range s.Codes {
			c[k] = v
		}
		s.Codes = c
	}
	return s
}

// writeBatch writes an encoded batch, then tallies its records.
func (r *Runner) writeBatch(b *batch) error {
	if err := r.w.WriteEncoded(b.out); err != nil {
		return err
	}
	for i := range b.stats {
		st := &b.stats[i]
		r.sum.add(st)
		if !st.ok && r.opts.OnFailure != nil {
			r.status = st.Status
			r.status.File = b.file
			r.opts.OnFailure(&r.status)
		}
	}
	r.written.Add(int64(len(b.stats)))
	return nil
}

// hasUrgentFlag reports whether any instrument's urgent flag fired.
func hasUrgentFlag(rep *screen.Report) bool {
	for i := range rep.Instruments {
		for _, f := range rep.Instruments[i].Flags {
			if f.Level == screen.LevelUrgent {
				return true
			}
		}
	}
	return false
}

// fillInputError records a decoding problem.
func fillInputError(st *recStat, ie *respfile.Error) {
	st.ok, st.tier, st.Errors = false, tierNone, 1
	st.Failure = screen.RecordError{Code: ie.Code, Message: ie.Msg, Instrument: ie.Instrument, Item: ie.Item, ErrLine: ie.Line, ErrCol: ie.Col}
}

// fillResponseErrors records the errors of a record that was scored (its report is written).
func fillResponseErrors(st *recStat, errs []screen.ScoreError) {
	st.ok, st.Partial, st.Errors = false, true, len(errs)
	if len(errs) > 1 {
		st.codes = make([]string, len(errs))
		for i, e := range errs {
			st.codes[i] = e.Code
		}
	}
	se := &errs[0]
	st.Failure = screen.RecordError{Code: se.Code, Message: se.Message, Instrument: se.Instrument, Item: se.Item}
}

// fillScoreError records a scoring problem.
func fillScoreError(st *recStat, err error) {
	st.ok, st.tier, st.Errors = false, tierNone, 1
	var se *screen.ScoreError
	if errors.As(err, &se) {
		st.Failure = screen.RecordError{Code: se.Code, Message: se.Message, Instrument: se.Instrument, Item: se.Item}
		return
	}
	// Not a response problem (for example a cancelled context). The text is the engine's, not the data's.
	st.Failure = screen.RecordError{Code: "internal", Message: err.Error()}
}

// fillFatal records a problem that ends the input. The decoder's *respfile.Error never holds response
// data; other errors are I/O errors about the file.
func fillFatal(st *recStat, err error) {
	st.ok, st.tier, st.Errors = false, tierNone, 1
	var ie *respfile.Error
	if errors.As(err, &ie) {
		st.Failure = screen.RecordError{Code: ie.Code, Message: "the input cannot be read further: " + ie.Msg, ErrLine: ie.Line, ErrCol: ie.Col, Fatal: true}
		if st.Line == 0 {
			st.Line = ie.Line
		}
		return
	}
	st.Failure = screen.RecordError{Code: "io", Message: "the input cannot be read further: " + err.Error(), Fatal: true}
}
