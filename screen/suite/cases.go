package suite

import (
	"maps"

	"github.com/painscreen/painscreen/screen/diag"
)

// Kind says what the suite tests: "instrument" or "rules".
func (s *Suite) Kind() string { return s.s.Kind }

// Case is the input of one test case, for tools that replay a suite's cases elsewhere (painscreen diff
// replays them against two versions of a definition).
type Case struct {
	Name string
	Pos  diag.Pos
	// Subject and Context are the case's subject id and context fields, as written.
	Subject string
	Context map[string]any
	// Items holds an instrument suite's answers (item id → answer); Answers a rules suite's (answers key →
	// item id → answer). Answers are as the YAML gives them: integers (int64), option codes (string),
	// null (nil).
	Items   map[string]any
	Answers map[string]map[string]any
	// WantsError is set for a case that expects the record to fail (want_error).
	WantsError bool
	// Date is the response set's date as written; Baseline, when set, is the earlier visit the case is
	// scored against (screen.Engine.FollowUp).
	Date     string
	Baseline *Baseline
}

// Baseline is a case's baseline visit, shaped as its Case: Items for an instrument suite, Answers for a
// rules suite.
type Baseline struct {
	Date    string
	Context map[string]any
	Items   map[string]any
	Answers map[string]map[string]any
}

// Cases returns the suite's test cases, in file order. The maps are copies the caller may change.
func (s *Suite) Cases() []Case {
	out := make([]Case, 0, len(s.s.Tests))
	for _, t := range s.s.Tests {
		c := Case{Name: t.Name, Pos: t.Pos, Subject: t.Subject, Context: maps.Clone(t.Context), WantsError: t.WantError != nil, Date: t.Date}
		c.Items, c.Answers = s.shape(t.Answers)
		if b := t.Baseline; b != nil {
			c.Baseline = &Baseline{Date: b.Date, Context: maps.Clone(b.Context)}
			c.Baseline.Items, c.Baseline.Answers = s.shape(b.Answers)
		}
		out = append(out, c)
	}
	return out
}

// shape copies a case's answers as an instrument suite's items or a rules suite's answers.
func (s *Suite) shape(answers map[string]any) (items map[string]any, byInst map[string]map[string]any) {
	if s.s.Kind != "rules" {
		items = maps.Clone(answers)
		if items == nil {
			items = map[string]any{}
		}
		return items, nil
	}
	byInst = map[string]map[string]any{}
	for k, v := range answers {
		m, _ := v.(map[string]any)
		byInst[k] = maps.Clone(m)
		if byInst[k] == nil {
			byInst[k] = map[string]any{}
		}
	}
	return nil, byInst
}
