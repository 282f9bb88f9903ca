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
}

// Cases returns the suite's test cases, in file order. The maps are copies the caller may change.
func (s *Suite) Cases() []Case {
	out := make([]Case, 0, len(s.s.Tests))
	for _, t := range s.s.Tests {
		c := Case{Name: t.Name, Pos: t.Pos, Subject: t.Subject, Context: maps.Clone(t.Context), WantsError: t.WantError != nil}
		if s.s.Kind == "rules" {
			c.Answers = map[string]map[string]any{}
			for k, v := range t.Answers {
				m, _ := v.(map[string]any)
				c.Answers[k] = maps.Clone(m)
				if c.Answers[k] == nil {
					c.Answers[k] = map[string]any{}
				}
			}
		} else {
			c.Items = maps.Clone(t.Answers)
			if c.Items == nil {
				c.Items = map[string]any{}
			}
		}
		out = append(out, c)
	}
	return out
}
