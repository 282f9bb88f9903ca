package screen

// FuzzPicker reads choices from fuzz bytes: the reader of exprGen, for the fuzz tests of package
// screen_test that generate expressions of their own.
type FuzzPicker = exprGen

// NewFuzzPicker returns a picker over b.
func NewFuzzPicker(b []byte) *FuzzPicker { return &exprGen{b: b} }

// Pick returns a choice in [0, n), or 0 once the bytes are used up.
func (g *exprGen) Pick(n int) int { return g.next(n) }

// AppendJSONUncached is r.AppendJSON writing every reason afresh from the plan's words, without the
// engine's cache of encoded reasons: the oracle of the cache's differential tests.
func AppendJSONUncached(r *Report, b []byte) []byte {
	rc := r.mem.arena.rc
	r.mem.arena.rc = nil
	defer func() { r.mem.arena.rc = rc }()
	return r.AppendJSON(b)
}
