// Package diff compares two versions of an instrument or rule set by what they give. It replays both over
// test vectors (the cases of their suites; VectorsOf turns loaded suites into vectors) and over answer
// patterns — for an instrument every complete pattern when there are few enough, otherwise a reproducible
// random sample; for a rule set a random sample of response sets — and counts which outcomes change, with
// examples: an instrument's status, errors, scores, flags and follow-up measures; a rule set's tier,
// domains, referrals and follow-up measures.
//
// Instruments compares two versions loaded in one engine; RuleSets two engines that apply the two versions
// of a rule set. Items that no expression of either version reads (as the compiler found them,
// catalog.Reads) are held at their first value, so they do not multiply the answer space. A Result encodes
// as JSON (painscreen diff --format json writes it); painscreen diff prints it as text.
package diff

import (
	"math"
)

// Options bound the comparison.
type Options struct {
	// MaxPatterns is the largest answer space enumerated in full (default 1<<20).
	MaxPatterns int64
	// Samples is how many random patterns to draw when the space is larger or cannot be enumerated, and
	// for rule sets (default 20,000); negative skips the patterns.
	Samples int
	// Examples is how many examples to keep per change (default 3).
	Examples int
	// Seed makes the sample reproducible (default 1).
	Seed uint64
	// UnboundedSpan is how far above its minimum values are drawn for an integer item without an upper
	// bound (default 20).
	UnboundedSpan int64
	// Missing adds "unanswered" to each item's values, so the patterns include missing answers (and what
	// prorating and determinacy make of them).
	Missing bool
}

// unanswered stands for a missing answer among an item's values.
const unanswered = math.MinInt64

func (o *Options) defaults() {
	if o.MaxPatterns == 0 {
		o.MaxPatterns = 1 << 20
	}
	if o.Samples == 0 {
		o.Samples = 20_000
	}
	if o.Examples == 0 {
		o.Examples = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.UnboundedSpan == 0 {
		o.UnboundedSpan = 20
	}
}

// Vector is one test case to replay: an instrument suite's answers (Items) or a rules suite's (Answers).
type Vector struct {
	Name    string
	File    string
	Line    int
	Context map[string]any
	Items   map[string]any
	Answers map[string]map[string]any
	// Date and Baseline make a follow-up case: scored against its baseline visit.
	Date     string
	Baseline *Vector
}

// Result is the comparison of two versions.
type Result struct {
	Kind     string  `json:"kind"` // instrument or rules
	From     string  `json:"from"`
	To       string  `json:"to"`
	Vectors  Section `json:"vectors"`
	Patterns Section `json:"patterns"`
}

// Changed reports whether any input gives a different outcome.
func (r *Result) Changed() bool { return r.Vectors.Changed > 0 || r.Patterns.Changed > 0 }

// Section is the comparison over one kind of input.
type Section struct {
	// Mode is "cases" (test vectors), "exhaustive" (every complete answer pattern), "sampled" or "skipped".
	Mode string `json:"mode"`
	// Space is the number of inputs there are (patterns: the size of the answer space, as text, since it
	// may exceed any integer; "unbounded" when an item has no upper bound); Note says how they were chosen.
	Space string `json:"space,omitempty"`
	Note  string `json:"note,omitempty"`
	// Checked inputs were scored by both versions; Changed of them give some outcome differently.
	Checked int64    `json:"checked"`
	Changed int64    `json:"changed"`
	Changes []Change `json:"changes"`
}

// Change is one outcome that changes from one value to another, with how often and examples.
type Change struct {
	// Outcome names what changes: status, scores.<id>, flags.<id>, errors, tier, domains.<id>,
	// referrals.<id>.
	Outcome  string    `json:"outcome"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Count    int64     `json:"count"`
	Examples []Example `json:"examples"`
}

// Example is an input that shows a change: a test case (Case, File, Line) or a pattern (Answers, and
// Context when it has one).
type Example struct {
	Case    string         `json:"case,omitempty"`
	File    string         `json:"file,omitempty"`
	Line    int            `json:"line,omitempty"`
	Answers map[string]any `json:"answers,omitempty"`
	Context map[string]any `json:"context,omitempty"`
}
