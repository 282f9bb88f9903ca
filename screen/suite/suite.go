// Package suite loads and runs test suites: *_test.yaml files of cases, each a response set and the results
// it must give (scores, flags, missing items, domains, tier, referrals, errors), for one instrument or rule
// set. `painscreen test` and screentest (for go test) run them.
package suite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/load"
)

// Suite is a parsed test suite (a *_test.yaml file) for one instrument or rule set.
type Suite struct {
	s   *def.Suite
	src []byte // the file, to quote a line in a diagnostic
}

// File is the suite's file name.
func (s *Suite) File() string { return s.s.File }

// Target is what the suite tests, as written ("phq9@1.0.0").
func (s *Suite) Target() string { return s.s.Definition }

// Len is the number of test cases.
func (s *Suite) Len() int { return len(s.s.Tests) }

// Load parses every test suite (*_test.yaml) under fsys. label prefixes file names as in
// screen.WithDefinitions. Problems in the suite files come back as a diag.List.
func Load(fsys fs.FS, label string) ([]*Suite, error) {
	var list diag.List
	var out []*Suite
	lim := def.DefaultLimits()
	files, err := load.ReadFiles([]load.Root{{FS: fsys, Label: label}}, true, lim, &list)
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		if f := def.Parse(file.Name, file.Src, lim, &list); f.Suite != nil {
			out = append(out, &Suite{s: f.Suite, src: file.Src})
		}
	}
	if list = list.Sort(); list.HasErrors() {
		return out, list
	}
	return out, nil
}

// Result is the outcome of one test case.
type Result struct {
	Suite string // suite file
	Name  string
	Pos   diag.Pos
	// Failures lists each mismatch; empty when the case passed.
	Failures []Failure
	// Skipped is set when the case did not match the run filter.
	Skipped  bool
	Duration time.Duration
}

// Failure is one expectation a test case did not meet.
type Failure struct {
	// What names the expectation: "scores.total", "tier", "referrals", "error code",
	// "instruments.phq9.status", … (or, for a case that could not run, what stopped it).
	What string `json:"what"`
	// Want and Got are the expected and actual values as text; lists are written "[a, b]" and "not
	// computed" stands for a missing score. Both are empty when the case could not run.
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
	// Detail adds context, such as the notes that say why a score was not computed.
	Detail string `json:"detail,omitempty"`
}

// String formats the failure as "what: want X, got Y (detail)".
func (f Failure) String() string {
	s := f.What
	if f.Want != "" || f.Got != "" {
		s += ": want " + f.Want + ", got " + f.Got
	}
	if f.Detail != "" {
		s += " (" + f.Detail + ")"
	}
	return s
}

func mismatch(what, want, got string) Failure { return Failure{What: what, Want: want, Got: got} }

func listText(l []string) string { return "[" + strings.Join(l, ", ") + "]" }

// Passed reports whether the case ran and matched its expectations.
func (r Result) Passed() bool { return !r.Skipped && len(r.Failures) == 0 }

// runCase runs one case; out receives its report when the case expects one (not an error).
func runCase(ctx context.Context, e *screen.Engine, s *def.Suite, t *def.Test, out **screen.Report) []Failure {
	resp := &screen.Response{Subject: t.Subject, Context: t.Context, Answers: map[string]map[string]any{}}
	instKey := s.Definition
	if s.Kind == "instrument" {
		if s.Version == "" {
			instKey = instrumentKey(e, s)
		}
		items := map[string]any{}
		for k, v := range t.Answers {
			items[k] = v
		}
		resp.Answers[instKey] = items
	} else {
		for k, v := range t.Answers {
			m, _ := v.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			resp.Answers[k] = m
		}
	}
	resp.Date = t.Date
	var rep *screen.Report
	var err error
	if b := t.Baseline; b != nil {
		base := &screen.Response{Subject: t.Subject, Date: b.Date, Context: b.Context, Answers: answersOf(s, instKey, b.Answers)}
		rep, err = e.FollowUp(ctx, base, resp)
	} else {
		rep, err = e.Score(ctx, resp)
	}
	if err == nil {
		err = rep.Err() // the report's errors are the record's errors below
	}
	if t.WantError == nil {
		*out = rep
	}
	var fails []Failure
	var re *screen.ResponseErrors
	if t.WantError != nil {
		// The record's first problem: a fatal error, or the first of the errors a report carries.
		var se *screen.ScoreError
		switch {
		case err == nil:
			return []Failure{mismatch("error", t.WantError.Code, "no error")}
		case !errors.As(err, &se):
			return []Failure{mismatch("error", t.WantError.Code, err.Error())}
		}
		if se.Code != t.WantError.Code {
			f := mismatch("error code", t.WantError.Code, se.Code)
			f.Detail = se.Error()
			fails = append(fails, f)
		}
		if t.WantError.Item != "" && se.Item != t.WantError.Item {
			fails = append(fails, mismatch("error item", t.WantError.Item, fmt.Sprintf("%q", se.Item)))
		}
		if t.WantError.Instrument != "" && se.Instrument != t.WantError.Instrument {
			fails = append(fails, mismatch("error instrument", t.WantError.Instrument, fmt.Sprintf("%q", se.Instrument)))
		}
		return fails
	}
	if err != nil && !errors.As(err, &re) {
		return []Failure{mismatch("error", "none", err.Error())}
	}
	if t.Want != nil && t.Want.Errors != nil {
		fails = append(fails, compareErrors(t.Want.Errors, rep.Errors)...)
	} else if re != nil {
		return []Failure{mismatch("errors", "none", err.Error())}
	}
	w := t.Want
	if w == nil {
		return nil
	}
	if w.FollowUp != nil {
		fails = append(fails, compareFollowUp(s, w.FollowUp, rep.FollowUp)...)
	}
	if s.Kind == "instrument" {
		res := rep.Instrument(s.Target)
		if res == nil {
			return append(fails, mismatch("result", s.Target, "none (not answered)"))
		}
		return append(fails, compareInstrument("", res, w)...)
	}
	for id, iw := range w.Instruments {
		res := rep.Instrument(id)
		if res == nil {
			fails = append(fails, mismatch("instruments."+id, "a result", "none (not answered)"))
			continue
		}
		fails = append(fails, compareInstrument("instruments."+id+".", res, iw)...)
	}
	c := rep.Composite
	if c == nil {
		return append(fails, mismatch("composite", "a rule set", "none"))
	}
	if w.Applied != nil && *w.Applied != c.Applied {
		f := mismatch("applied", fmt.Sprint(*w.Applied), fmt.Sprint(c.Applied))
		f.Detail = c.Reason
		fails = append(fails, f)
	}
	if w.Reason != "" && w.Reason != c.Reason {
		fails = append(fails, mismatch("reason", w.Reason, c.Reason))
	}
	if (w.Tier != "" || w.Domains != nil || w.Referrals != nil || w.NotAssessed != nil) && !c.Applied {
		return append(fails, Failure{What: "composite", Want: "applied", Got: "not applied", Detail: c.Reason})
	}
	if w.Tier != "" && w.Tier != string(c.Tier) {
		fails = append(fails, mismatch("tier", w.Tier, string(c.Tier)))
	}
	for _, id := range sortedKeys(w.Domains) {
		got, ok := c.Domain(id)
		switch {
		case !ok:
			fails = append(fails, mismatch("domains."+id, w.Domains[id], "no such domain"))
		case got.Value.String() != w.Domains[id]:
			fails = append(fails, mismatch("domains."+id, w.Domains[id], got.Value.String()))
		}
	}
	if w.Referrals != nil {
		var got []string
		for _, r := range c.Referrals {
			got = append(got, r.ID)
		}
		if !slices.Equal(w.Referrals, got) && !(len(w.Referrals) == 0 && len(got) == 0) {
			fails = append(fails, mismatch("referrals", listText(w.Referrals), listText(got)))
		}
	}
	if w.NotAssessed != nil && !sameSet(w.NotAssessed, c.NotAssessed) {
		fails = append(fails, mismatch("not_assessed", listText(w.NotAssessed), listText(c.NotAssessed)))
	}
	for _, id := range sortedKeys(w.Possible) {
		var got []string
		for _, d := range c.Domains {
			if d.ID == id {
				for _, v := range d.Possible {
					got = append(got, v.String())
				}
			}
		}
		if !sameSet(w.Possible[id], got) {
			fails = append(fails, mismatch("possible."+id, listText(w.Possible[id]), listText(got)))
		}
	}
	if w.PossibleTiers != nil {
		var got []string
		for _, t := range c.PossibleTiers {
			got = append(got, string(t))
		}
		if !sameSet(w.PossibleTiers, got) {
			fails = append(fails, mismatch("possible_tiers", listText(w.PossibleTiers), listText(got)))
		}
	}
	if w.TierDecided != nil && *w.TierDecided != c.TierDecided {
		fails = append(fails, mismatch("tier_decided", fmt.Sprint(*w.TierDecided), fmt.Sprint(c.TierDecided)))
	}
	if w.Settle != nil && !slices.Equal(w.Settle, c.Settle) {
		fails = append(fails, mismatch("settle", listText(w.Settle), listText(c.Settle)))
	}
	if w.PossibleReferrals != nil {
		var got []string
		for _, r := range c.PossibleReferrals {
			got = append(got, r.ID)
		}
		if !slices.Equal(w.PossibleReferrals, got) && !(len(w.PossibleReferrals) == 0 && len(got) == 0) {
			fails = append(fails, mismatch("possible_referrals", listText(w.PossibleReferrals), listText(got)))
		}
	}
	if w.Notes != nil {
		if got := noteCodes(c.Notes); !sameSet(w.Notes, got) {
			fails = append(fails, mismatch("notes", listText(w.Notes), listText(got)))
		}
	}
	return fails
}

// noteCodes lists the distinct codes of notes.
func noteCodes(notes []screen.Note) []string {
	var out []string
	for _, n := range notes {
		if !slices.Contains(out, n.Code) {
			out = append(out, n.Code)
		}
	}
	return out
}

// compareErrors checks the record's errors, in order, by code (and instrument and item where given).
func compareErrors(want []def.WantError, got []screen.ScoreError) []Failure {
	text := func(code, inst, item string) string {
		s := code
		if inst != "" || item != "" {
			s += " (" + strings.Trim(inst+"."+item, ".") + ")"
		}
		return s
	}
	var w, g []string
	match := len(want) == len(got)
	for i, e := range want {
		w = append(w, text(e.Code, e.Instrument, e.Item))
		inst, _, _ := strings.Cut(got[i].Instrument, "@") // an instrument suite pins its key: auditc@1.0.0
		if match && (got[i].Code != e.Code || e.Instrument != "" && got[i].Instrument != e.Instrument && inst != e.Instrument || e.Item != "" && got[i].Item != e.Item) {
			match = false
		}
	}
	for _, e := range got {
		g = append(g, text(e.Code, e.Instrument, e.Item))
	}
	if match {
		return nil
	}
	return []Failure{mismatch("errors", listText(w), listText(g))}
}

func compareInstrument(prefix string, res *screen.InstrumentResult, w *def.Want) []Failure {
	var fails []Failure
	if w.Status != "" && w.Status != res.Status {
		fails = append(fails, Failure{What: prefix + "status", Want: w.Status, Got: res.Status, Detail: notComputedNotes(res)})
	}
	for _, id := range sortedKeys(w.Scores) {
		want := w.Scores[id]
		got, ok := res.Score(id)
		switch {
		case want == nil && ok:
			fails = append(fails, mismatch(prefix+"scores."+id, "not computed", got.Value.String()))
		case want == nil:
		case !ok:
			fails = append(fails, Failure{What: prefix + "scores." + id, Want: fmt.Sprint(want), Got: "not computed", Detail: notComputedNotes(res)})
		case !got.Value.Equal(wantValue(want)):
			fails = append(fails, mismatch(prefix+"scores."+id, fmt.Sprint(want), got.Value.String()))
		}
	}
	if w.Flags != nil {
		var got []string
		for _, f := range res.Flags {
			got = append(got, f.ID)
		}
		if !sameSet(w.Flags, got) {
			fails = append(fails, mismatch(prefix+"flags", listText(w.Flags), listText(got)))
		}
	}
	if w.Missing != nil && !sameSet(w.Missing, res.Missing) {
		fails = append(fails, mismatch(prefix+"missing", listText(w.Missing), listText(res.Missing)))
	}
	if w.Notes != nil {
		if got := noteCodes(res.Notes); !sameSet(w.Notes, got) {
			fails = append(fails, mismatch(prefix+"notes", listText(w.Notes), listText(got)))
		}
	}
	if w.DefStatus != "" && w.DefStatus != res.Definition {
		fails = append(fails, mismatch(prefix+"definition_status", w.DefStatus, res.Definition))
	}
	return fails
}

// notComputedNotes joins the notes that say why scores were not computed.
func notComputedNotes(res *screen.InstrumentResult) string {
	var ms []string
	for _, n := range res.Notes {
		if n.Code == "not_computed" {
			ms = append(ms, n.Message)
		}
	}
	return strings.Join(ms, "; ")
}

func wantValue(v any) screen.Value {
	switch x := v.(type) {
	case int64:
		return screen.IntValue(x)
	case float64:
		return screen.DoubleValue(x)
	case bool:
		return screen.BoolValue(x)
	case string:
		return screen.StringValue(x)
	}
	return screen.Value{}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// answersOf shapes a test's answers as a response set's: an instrument suite's items under its
// instrument key, a rules suite's instruments as given.
func answersOf(s *def.Suite, instKey string, answers map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	if s.Kind == "instrument" {
		items := map[string]any{}
		for k, v := range answers {
			items[k] = v
		}
		out[instKey] = items
		return out
	}
	for k, v := range answers {
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		out[k] = m
	}
	return out
}

// compareFollowUp checks the follow-up block: computed, days, measures (by id in an instrument suite,
// <instrument>.<measure> in a rules suite; null = not computed) and note codes.
func compareFollowUp(s *def.Suite, w *def.WantFollowUp, got *screen.FollowUpResult) []Failure {
	if got == nil {
		return []Failure{mismatch("followup", "a follow-up block", "none (no baseline)")}
	}
	var fails []Failure
	if w.Computed != nil && *w.Computed != got.Computed {
		fails = append(fails, mismatch("followup.computed", fmt.Sprint(*w.Computed), fmt.Sprint(got.Computed)))
	}
	if w.Days != nil && (!got.Computed || int64(got.Days) != *w.Days) {
		g := "not computed"
		if got.Computed {
			g = fmt.Sprint(got.Days)
		}
		fails = append(fails, mismatch("followup.days", fmt.Sprint(*w.Days), g))
	}
	for _, id := range sortedKeys(w.Measures) {
		inst, m := s.Target, id
		if s.Kind == "rules" {
			inst, m, _ = strings.Cut(id, ".")
		}
		want := w.Measures[id]
		meas, ok := got.Measure(inst, m)
		switch {
		case want == nil && ok:
			fails = append(fails, mismatch("followup.measures."+id, "not computed", meas.Value.String()))
		case want == nil:
		case !ok:
			var why []string
			for _, n := range got.Notes {
				why = append(why, n.Message)
			}
			fails = append(fails, Failure{What: "followup.measures." + id, Want: fmt.Sprint(want), Got: "not computed", Detail: strings.Join(why, "; ")})
		case !meas.Value.Equal(wantValue(want)):
			fails = append(fails, mismatch("followup.measures."+id, fmt.Sprint(want), meas.Value.String()))
		}
	}
	if w.Notes != nil {
		if codes := noteCodes(got.Notes); !sameSet(w.Notes, codes) {
			fails = append(fails, mismatch("followup.notes", listText(w.Notes), listText(codes)))
		}
	}
	return fails
}

// baselineReport scores a case's baseline on its own (for coverage: the values its rules compared), or nil.
func baselineReport(ctx context.Context, e *screen.Engine, s *def.Suite, t *def.Test) *screen.Report {
	b := t.Baseline
	if b == nil {
		return nil
	}
	instKey := s.Definition
	if s.Kind == "instrument" && s.Version == "" {
		instKey = instrumentKey(e, s)
	}
	rep, _ := e.Score(ctx, &screen.Response{Subject: t.Subject, Date: b.Date, Context: b.Context, Answers: answersOf(s, instKey, b.Answers)})
	return rep
}
