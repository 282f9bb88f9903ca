package suite

// The comparisons of a test case's report with its want.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/internal/def"
)

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
			fails = append(fails, mismatch(prefix+"scores."+id, "not computed", got.String()))
		case want == nil:
		case !ok:
			fails = append(fails, Failure{What: prefix + "scores." + id, Want: fmt.Sprint(want), Got: "not computed", Detail: notComputedNotes(res)})
		case !got.Equal(wantValue(want)):
			fails = append(fails, mismatch(prefix+"scores."+id, fmt.Sprint(want), got.String()))
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
		v, ok := got.Measure(inst, m)
		switch {
		case want == nil && ok:
			fails = append(fails, mismatch("followup.measures."+id, "not computed", v.String()))
		case want == nil:
		case !ok:
			var why []string
			for _, n := range got.Notes {
				why = append(why, n.Message)
			}
			fails = append(fails, Failure{What: "followup.measures." + id, Want: fmt.Sprint(want), Got: "not computed", Detail: strings.Join(why, "; ")})
		case !v.Equal(wantValue(want)):
			fails = append(fails, mismatch("followup.measures."+id, fmt.Sprint(want), v.String()))
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
