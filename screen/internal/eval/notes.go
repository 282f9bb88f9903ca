package eval

import (
	"fmt"

	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Note renders an evaluation note. Notes are rendered only when a report is built, and only when something
// is missing or prorated.
func (ie *InstEval) Note(n NoteRec) plan.Note {
	in := ie.Inst
	switch n.Kind {
	case NoteProrated:
		id := in.Scores[n.About].ID
		return plan.Note{Code: "prorated", About: id, Message: fmt.Sprintf("%s prorated from %d of %d answered items", id, n.A, n.B)}
	case NoteNotComputed:
		id := in.Scores[n.About].ID
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s", id, missingWhat(n.Field))}
	case NoteTooFew:
		id := in.Scores[n.About].ID
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %d items missing, at most %d allowed", id, n.A, n.B)}
	case NoteDependency:
		id := in.Scores[n.About].ID
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s was not computed", id, in.Scores[n.A].ID)}
	case NoteNotApplicable:
		id := in.Scores[n.About].ID
		return plan.Note{Code: "not_applicable", About: id, Message: id + " does not apply to these answers"}
	case NoteFlagNotEvaluated:
		id := in.Flags[n.About].ID
		why := "the items it reads are missing"
		if n.Field != nil {
			why = missingWhat(n.Field)
		}
		return plan.Note{Code: "flag_not_evaluated", About: id, Message: fmt.Sprintf("flag %s not evaluated: %s", id, why)}
	}
	return plan.Note{}
}

func missingWhat(fe *plan.FieldError) string {
	switch fe.Kind {
	case plan.ReadItem:
		return fe.Name + " is not answered"
	case plan.ReadContext:
		return fe.Name + " is not given"
	}
	return fe.Name + " was not computed"
}
