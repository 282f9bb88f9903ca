package def

import (
	"github.com/painscreen/painscreen/screen/diag"
)

// A rule-set file whose exact bytes are known to parse cleanly (the compile cache says so, with the header
// they give) need not be parsed unless the rule set is chosen: a load parses every version of a rule set so
// that a broken file fails it, and only one version is compiled. A deferred rule set has its Header only,
// until Complete parses the file.

type deferred struct {
	name string
	src  []byte
	lim  Limits
}

// NewDeferredRuleSet returns the rule set of the file name (content src) as its header h, parsed in full
// only by Complete. h must be what Parse gives for src (a cache recorded it from Parse).
func NewDeferredRuleSet(h Header, name string, src []byte, lim Limits) *RuleSet {
	return &RuleSet{Header: h, deferred: &deferred{name: name, src: src, lim: lim}}
}

// Deferred reports whether the rule set holds its header only.
func (r *RuleSet) Deferred() bool { return r.deferred != nil }

// Complete parses a deferred rule set's file in place (every pointer to it then sees the whole rule set).
// It reports false, with the file's problems in list, when the file does not parse to a rule set with the
// same header (a cache that does not match its content).
func (r *RuleSet) Complete(list *diag.List) bool {
	d := r.deferred
	if d == nil {
		return true
	}
	f := Parse(d.name, d.src, d.lim, list)
	full := f.RuleSet
	if full == nil || full.Key() != r.Key() || full.Digest != r.Digest {
		*list = append(*list, diag.Diagnostic{Pos: Pos{File: d.name}, Severity: diag.Error, Code: "internal",
			Message: "the compile cache does not match this file; regenerate it (go generate ./screen/internal/compile)"})
		return false
	}
	*r = *full
	return true
}
