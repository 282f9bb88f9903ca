package plan

// Reads is what an expression reads, found once, when it compiles, in its checked form: the fields of its
// own instrument (Items, Scores) or, in a rule set, of each input (Inputs), by index; and, for the tools
// that describe definitions (lint, the catalogue, and through it suite coverage and diff), the field paths
// as written, its cut-points and its missing-data rules. Evaluation never reads it.
type Reads struct {
	Items, Scores []int
	Inputs        []InputReads
	// Paths are the field paths the expression reads, each as written from its first name, in the order
	// written: [domains oud], [phq9 total], [phq9 baseline total], [context sex], [tier], [answers q1].
	// has(x.y) reads x.y too; a comprehension's variable is a path of one name.
	Paths [][]string
	// Cuts are its comparisons of a value with a numeric constant (scores.total >= 3), in the order written.
	Cuts []Cut
	// Missing are its missing-data rules (answers.prorated_sum, answers.sum, answers.mean over listed items).
	Missing []MissingRule
}

// InputReads is what a rule-set expression reads of one input.
type InputReads struct {
	Input                int
	Items, Scores, Flags []int
	Status               bool
}

// Cut is a comparison of a value with a constant: the value (the sum of Terms) Op N, with the value on the
// left (3 <= x is x >= 3).
type Cut struct {
	Terms []Term
	Op    string // >=, >, <= or <
	N     float64
	// Real is set when the constant is written as a double (50.0): the value need not be whole.
	Real bool
}

// Term is one term of a compared value: a field path as written ([scores total], [phq9 answers q1],
// [context age]), or the items of an answers.sum call (Sum, by id).
type Term struct {
	Path []string
	Sum  []string
}

// MissingRule is a missing-data rule: answers.prorated_sum(Items, Max) prorates with up to Max of Items
// missing; answers.sum and answers.mean (Max 0) need every item.
type MissingRule struct {
	Items []string
	Max   int
}
