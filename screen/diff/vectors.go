package diff

import (
	"strings"

	"github.com/painscreen/painscreen/screen/suite"
)

// VectorsOf returns the cases of the suites whose target is definition id (any version, "phq9" for
// phq9@1.0.0) as test vectors, in suite and case order; a follow-up case keeps its baseline visit.
func VectorsOf(suites []*suite.Suite, id string) []Vector {
	var out []Vector
	for _, su := range suites {
		if target, _, _ := strings.Cut(su.Target(), "@"); target != id {
			continue
		}
		for _, c := range su.Cases() {
			v := Vector{Name: c.Name, File: su.File(), Line: c.Pos.Line, Context: c.Context, Items: c.Items, Answers: c.Answers, Date: c.Date}
			if b := c.Baseline; b != nil {
				v.Baseline = &Vector{Date: b.Date, Context: b.Context, Items: b.Items, Answers: b.Answers}
			}
			out = append(out, v)
		}
	}
	return out
}
