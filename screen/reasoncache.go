package screen

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// A reason's JSON ({"name","value","kind","instrument"?,"id","missing"?,"label"?,"text"}) depends only on
// the field it names and the value the field had: the same reason words are written for every record
// that reads PHQ-9 item 9 as 0. reasonCache keeps, per field, the encoded reason for each value seen, so
// that writing a reason is one copy instead of building and escaping its words again.
//
// The bytes are produced by reasons.appendJSONSlow — the plan's own Name, Label and Text functions — the
// first time a (field, value) pair is written, so they are exactly what that path writes and follow any
// change of the words. A field keeps at most maxCachedValues values (the answers' options, yes and no,
// a domain's values, the scores a scale can reach); other values are written the slow way. Text given by
// the respondent (a string context field) is never kept: it is written afresh for each record.
//
// The cache belongs to an Engine, is built on first use (not by New) and is safe for concurrent use: a
// field's values are immutable behind an atomic pointer, replaced copy-on-write when one is added.
type reasonCache struct {
	once sync.Once
	plan *plan.Plan
	// consts is the JSON of the plan's strings that reports repeat (jsonconst.go).
	consts *constJSON
	// layout gives where the slots of each kind of field start, as trace.Tracer lays out its marks.
	layout trace.Layout
	// slots holds four lists per field: by whether a rule set read it and whether it was a failed
	// presence test (which names the field differently).
	slots []atomic.Pointer[slotValues]
}

// maxCachedValues bounds the values kept per field.
const maxCachedValues = 48

// maxCachedString bounds the length of a string value that is kept.
const maxCachedString = 64

// cachedReason is one value of a field and the reason's JSON for it.
type cachedReason struct {
	n    uint64 // the value's payload (Value.Bits)
	s    string // a string value's text
	kind value.Kind
	json []byte
}

// init lays out the slots for p.
func (c *reasonCache) init(p *plan.Plan) {
	c.plan = p
	c.consts = newConstJSON(constStrings(p))
	c.layout = trace.NewLayout(p)
	c.slots = make([]atomic.Pointer[slotValues], 4*c.layout.N)
}

// ready builds the cache for p on first use and reports whether it is p's.
func (c *reasonCache) ready(p *plan.Plan) bool {
	c.once.Do(func() { c.init(p) })
	return c.plan == p
}

// cache returns the engine's cache, ready for a's plan, or nil.
func (a *reasonArena) cache() *reasonCache {
	if a.rc == nil || a.plan == nil || !a.rc.ready(a.plan) {
		return nil
	}
	return a.rc
}

// constTable returns the JSON of the plan's strings for the report whose reasons are in a, or nil.
func (a *reasonArena) constTable() *constJSON {
	if c := a.cache(); c != nil {
		return c.consts
	}
	return nil
}

// slot returns the list of x's field, nil when the field has none (a field outside the layout). The
// cache must be ready for the arena's plan.
func (c *reasonCache) slot(x *xreason) *atomic.Pointer[slotValues] {
	if x.field >= plan.NumReadKinds || x.idx < 0 {
		return nil
	}
	var off int32
	switch x.field {
	case plan.ReadContext, plan.ReadDomain, plan.ReadTier, plan.ReadDays:
		off = c.layout.Global[x.field]
	default:
		if x.inst < 0 || int(x.inst) >= len(c.layout.Inst) {
			return nil
		}
		off = c.layout.Inst[x.inst][x.field]
	}
	k := 4*int(off+x.idx) + int(x.bits&3)
	if k >= len(c.slots) {
		return nil
	}
	return &c.slots[k]
}

// slotValues is what a field's slot holds: the reasons of its small whole numbers, yes and no by direct
// index (smallKey), the others in a list. It is never changed once published.
type slotValues struct {
	small [numSmall][]byte
	other []cachedReason
	n     int // the values kept
}

// numSmall is the number of directly indexed values: the whole numbers 0 to 31, false and true.
const numSmall = 34

// smallKey returns the direct index of a value, or -1.
func smallKey(k value.Kind, n uint64) int {
	switch {
	case k == value.Int && n < 32:
		return int(n)
	case k == value.Bool && n <= 1:
		return 32 + int(n)
	}
	return -1
}

// appendJSON appends reason i of span r from the cache, adding it when it is not there yet and may be
// kept; ok is false when the caller must write it itself. The cache must be ready for r's plan
// (reasonArena.cache).
func (c *reasonCache) appendJSON(b []byte, r reasons, i int) (_ []byte, ok bool) {
	a := r.a
	x := &a.items[int(r.from)+i]
	sl := c.slot(x)
	if sl == nil {
		return b, false
	}
	k := x.kind()
	sk := smallKey(k, x.n)
	var s string
	if k == value.String {
		if x.field == plan.ReadContext { // the respondent's own text
			return b, false
		}
		s = a.strs[x.n]
		if len(s) > maxCachedString {
			return b, false
		}
	}
	for {
		p := sl.Load()
		if p != nil {
			if sk >= 0 {
				if js := p.small[sk]; js != nil {
					return append(b, js...), true
				}
			} else {
				for j := range p.other {
					e := &p.other[j]
					if e.kind == k && (k == value.String && e.s == s || k != value.String && e.n == x.n) {
						return append(b, e.json...), true
					}
				}
			}
			if p.n >= maxCachedValues {
				return b, false
			}
		}
		js := r.appendJSONSlow(nil, i)
		var next slotValues
		if p != nil {
			next = *p
		}
		next.n++
		if sk >= 0 {
			next.small[sk] = js
		} else {
			e := cachedReason{kind: k, n: x.n, json: js}
			if k == value.String {
				e.n, e.s = 0, strings.Clone(s)
			}
			next.other = append(next.other[:len(next.other):len(next.other)], e)
		}
		if sl.CompareAndSwap(p, &next) {
			return append(b, js...), true
		}
	}
}
