package eval

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Note renders an evaluation note. Notes are rendered only when a report is built, and only when something
// is missing or prorated.
func (ie *InstEval) Note(n NoteRec) plan.Note {
	in := ie.Inst
	switch n.Kind {
	case NoteProrated:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		return plan.Note{Code: "prorated", About: id, Message: fmt.Sprintf("%s prorated from %d of %d answered items", name, n.A, n.B)}
	case NoteNotComputed:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s", name, ie.missingWhat(n.Field))}
	case NoteTooFew:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		if n.Unknown {
			// An invalid answer to an item it reads turns prorating off (§1a rule 1): say so rather than
			// "at most 0 allowed".
			return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %d of its items are missing or have answers that are not valid, and nothing that reads an answer that is not valid is prorated", name, n.A)}
		}
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %d items missing, at most %d allowed", name, n.A, n.B)}
	case NoteDependency:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		return plan.Note{Code: "not_computed", About: id, Message: fmt.Sprintf("%s not computed: %s was not computed", name, in.Scores[n.A].Noun())}
	case NoteNotApplicable:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		return plan.Note{Code: "not_applicable", About: id, Message: name + " does not apply to these answers"}
	case NoteFlagNotEvaluated:
		id := in.Flags[n.About].ID
		why := "the items it reads are missing"
		if n.Field != nil {
			why = ie.missingWhat(n.Field)
		}
		return plan.Note{Code: "flag_not_evaluated", About: id, Message: fmt.Sprintf("flag %s not evaluated: %s", plan.Words(id), why)}
	case NoteAnsweredWhenSkipped:
		it := in.Items[n.About]
		// Said in words (the definition's skip logic is in its rule, not in a clinician's note).
		msg := fmt.Sprintf("%s was answered, but these answers do not ask it (skip logic); the answer is kept but not scored", it.Unset.Said())
		if it.SkippedNote != "" {
			msg += ". " + it.SkippedNote
		}
		return plan.Note{Code: "answered_when_skipped", About: it.ID, Message: msg}
	case NoteDetermined:
		id, what, deps := ie.result(n)
		return plan.Note{Code: "determined", About: id, Message: fmt.Sprintf("%s is the same whatever the answers to %s would be, so it is reported", what, ie.OpenItems(deps))}
	case NoteDeterminacyLimit:
		id, what, deps := ie.result(n)
		return plan.Note{Code: "determinacy_limit", About: id, Message: fmt.Sprintf("%s is not decided: the possible answers to %s are too many to check", what, ie.OpenItems(deps))}
	case NoteFailed:
		id, name := in.Scores[n.About].ID, in.Scores[n.About].Noun()
		return plan.Note{Code: "not_computed", About: id, Message: name + " not computed: its expression failed (see the record's errors)"}
	case NoteUnknownAnswers:
		return plan.Note{Code: "unknown_answers", About: in.Key, Message: fmt.Sprintf("%d answer(s) to %s are not valid (see the record's errors): they count as unknown, and no score that reads them is prorated", n.A, in.Label)}
	case NoteConflictFired:
		id, msg := ie.conflictNote(n.About)
		return plan.Note{Code: "fired_in_conflicting_answer", About: id, Message: msg}
	case NoteConditional:
		c := in.CondNotes[n.About]
		return plan.Note{Code: c.ID, About: in.Key, Message: c.Message}
	}
	return plan.Note{}
}

// result names the score or flag a determinacy note is about, and the items it depends on.
func (ie *InstEval) result(n NoteRec) (id, what string, deps []bool) {
	if n.A == 1 {
		f := ie.Inst.Flags[n.About]
		return f.ID, "flag " + plan.Words(f.ID), f.Deps
	}
	s := ie.Inst.Scores[n.About]
	return s.ID, s.Noun(), s.Deps
}

// OpenItems lists the items of mask whose answers are missing or unknown.
func (ie *InstEval) OpenItems(mask []bool) string {
	var nums []string
	for i, s := range ie.St {
		if (s == ItemUnanswered || s == ItemUnknown) && mask[i] {
			nums = append(nums, strconv.Itoa(ie.Inst.Items[i].Number))
		}
	}
	// By their numbers on the form, as a clinician finds them: "AUDIT-C item 3", "PHQ-9 items 7, 8 and 9".
	switch len(nums) {
	case 0:
		return ""
	case 1:
		return ie.Inst.Label + " item " + nums[0]
	}
	return ie.Inst.Label + " items " + strings.Join(nums[:len(nums)-1], ", ") + " and " + nums[len(nums)-1]
}

// missingWhat says why a field could not be read: an item that was not answered, or whose answer is not
// valid for it (unknown, §1a rule 1: the record's errors name it).
func (ie *InstEval) missingWhat(fe *plan.FieldError) string {
	switch fe.Kind {
	case plan.ReadItem:
		if fe.Idx >= 0 && fe.Idx < len(ie.St) && ie.St[fe.Idx] == ItemUnknown {
			return fe.Said() + " has an answer that is not valid (see the record's errors)"
		}
		return fe.Said() + " is not answered"
	case plan.ReadContext:
		return fe.Said() + " is not given"
	}
	return fe.Said() + " was not computed"
}
