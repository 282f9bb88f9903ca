package eval

import (
	"slices"
	"strings"
)

// Conflicting answers (composite contract §1a rules 1 and 4). An item answered more than once (a list of
// two or more answers: a FHIR item with two answers, a repeated linkId, responses of one date that answer
// it differently) is an invalid answer of its item, code conflicting_answers: the item is unknown, and
// scores and domains treat it as any invalid answer. The answers themselves are kept as the item's
// candidates (those valid for the item), and a flag the valid answers do not fire is evaluated over them:
// when, for some choice among the candidates, the flag fires whatever the record's other missing or unknown
// answers are, it is reported as fired in a conflicting answer (InstEval.FC, a note
// fired_in_conflicting_answer naming the items). It is exact, never a guess: one of the answers given
// fires it, and a safety signal always surfaces (rule 4).

// maxCandidates bounds the distinct valid answers kept per item (an item's options are fewer).
const maxCandidates = 16

// loadConflict validates the answers of a list: the valid ones become the item's candidates (in order,
// once each). It returns the item's error.
func (ie *InstEval) loadConflict(idx int, list []any) *Error {
	it := ie.Inst.Items[idx]
	if ie.Cand == nil {
		ie.Cand = make([][]int64, len(ie.Inst.Items))
	}
	c := ie.Cand[idx][:0]
	var add func(list []any, depth int)
	add = func(list []any, depth int) {
		for _, v := range list {
			if v == nil {
				continue
			}
			if sub, nested := v.([]any); nested {
				// A list inside the list: the readings of one answer that disagree with themselves (a code
				// and its ordinal value), merged with other answers. Each of them is an answer given.
				if depth < 4 {
					add(sub, depth+1)
				}
				continue
			}
			n, err := convertItem(it, v)
			if err != nil || slices.Contains(c, n) || len(c) >= maxCandidates {
				continue
			}
			c = append(c, n)
		}
	}
	add(list, 0)
	ie.Cand[idx] = c
	ie.hasCand = ie.hasCand || len(c) > 0
	return Errorf(KindConflictingAnswers, "", "", "the item has %d answers (repeated or conflicting): it is invalid, and a flag is reported when one of them fires it", len(list))
}

// conflictItems appends to dst the items of mask that are unknown and have candidates.
func (ie *InstEval) conflictItems(dst []int, mask []bool) []int {
	for i, c := range ie.Cand {
		if len(c) > 0 && mask[i] && ie.St[i] == ItemUnknown {
			dst = append(dst, i)
		}
	}
	return dst
}

// conflictFlags evaluates the flags that did not fire over the candidates of their conflicting items.
func (st *State) conflictFlags(ie *InstEval) {
	if !ie.hasCand {
		return
	}
	in := ie.Inst
	var items []int
	for fi := range in.Flags {
		if ie.FS[fi] == FlagFired {
			continue
		}
		items = ie.conflictItems(items[:0], in.Flags[fi].Deps)
		if len(items) == 0 {
			continue
		}
		limited := false
		fires := st.firesForSomeCandidate(ie, fi, items, 0, &limited)
		if !fires && limited && !slices.ContainsFunc(ie.Notes, func(n NoteRec) bool {
			return n.Kind == NoteDeterminacyLimit && n.About == fi && n.A == 1
		}) {
			// Past the record's determinacy budget: the flag stays open, and says so (never "not fired").
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteDeterminacyLimit, About: fi, A: 1})
		}
		if fires {
			if ie.FC == nil {
				ie.FC = make([]bool, len(in.Flags))
			}
			ie.FC[fi] = true
			// The note fired_in_conflicting_answer replaces flag_not_evaluated: the flag is reported.
			notes := ie.Notes[:0]
			for _, n := range ie.Notes {
				if n.Kind != NoteFlagNotEvaluated || n.About != fi {
					notes = append(notes, n)
				}
			}
			ie.Notes = append(notes, NoteRec{Kind: NoteConflictFired, About: fi})
		}
	}
}

// firesForSomeCandidate chooses a candidate for items[k:] in turn and reports whether, for some choice,
// flag fi fires in every completion of the other open items it reads.
// limited is set when the record's budget ran out before every choice was checked.
func (st *State) firesForSomeCandidate(ie *InstEval, fi int, items []int, k int, limited *bool) bool {
	if k == len(items) {
		f := ie.Inst.Flags[fi]
		n, all := 0, true
		limit := st.complete(ie, f.Deps, func(x *InstEval) bool {
			n++
			all = all && x.FS[fi] == FlagFired
			return all
		})
		if limit && all {
			*limited = true
		}
		return all && n > 0 && !limit
	}
	i := items[k]
	defer func() { ie.St[i], ie.Vals[i], ie.given[i] = ItemUnknown, 0, false }()
	for _, v := range ie.Cand[i] {
		if st.budget <= 0 {
			*limited = true
			return false
		}
		ie.St[i], ie.Vals[i], ie.given[i] = ItemAnswered, v, true
		if st.firesForSomeCandidate(ie, fi, items, k+1, limited) {
			return true
		}
	}
	return false
}

// ConflictItems names the items whose conflicting answers fire flag fi (for its note and the report).
func (ie *InstEval) ConflictItems(fi int) []string {
	var ids []string
	for i, c := range ie.Cand {
		if len(c) > 0 && ie.Inst.Flags[fi].Deps[i] && ie.St[i] == ItemUnknown {
			ids = append(ids, ie.Inst.Items[i].ID)
		}
	}
	return ids
}

// conflictNote renders a NoteConflictFired.
func (ie *InstEval) conflictNote(fi int) (id, msg string) {
	id = ie.Inst.Flags[fi].ID
	return id, "flag " + id + " fires for at least one of the conflicting answers to " + strings.Join(ie.ConflictItems(fi), ", ") +
		" (the item is answered more than once, with answers that disagree or repeat: it is invalid, and the flag is reported because one of its answers fires it)"
}
