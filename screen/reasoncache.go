package screen

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/painscreen/painscreen/screen/internal/plan"
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
// field's values are an immutable list behind an atomic pointer, replaced copy-on-write when one is added.
type reasonCache struct {
	once sync.Once
	plan *plan.Plan
	// global and inst give where the slots of each kind of field start, as trace.Tracer lays out its marks:
	// global for the context, domains, tier and days; per instrument for the rest.
	global [plan.NumReadKinds]int32
	inst   [][plan.NumReadKinds]int32
	// slots holds four lists per field: by whether a rule set read it and whether it was a failed
	// presence test (which names the field differently).
	slots []atomic.Pointer[[]cachedReason]
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
	c.inst = make([][plan.NumReadKinds]int32, len(p.Insts))
	n := int32(0)
	c.global[plan.ReadContext] = n
	n += int32(len(p.Ctx))
	c.global[plan.ReadDomain] = n
	if p.Rules != nil {
		n += int32(len(p.Rules.Domains))
	}
	c.global[plan.ReadTier] = n
	n++
	c.global[plan.ReadDays] = n
	n++
	for i, in := range p.Insts {
		o := &c.inst[i]
		*o = c.global
		o[plan.ReadItem] = n
		n += int32(len(in.Items))
		o[plan.ReadScore] = n
		n += int32(len(in.Scores))
		o[plan.ReadBaseline] = n
		n += int32(len(in.Scores))
		o[plan.ReadCurrent] = n
		n += int32(len(in.Scores))
		o[plan.ReadFollowup] = n
		n += int32(len(in.FollowUps))
		o[plan.ReadFlag] = n
		n += int32(len(in.Flags))
		o[plan.ReadStatus] = n
		n++
	}
	c.slots = make([]atomic.Pointer[[]cachedReason], 4*n)
}

// slot returns the list of x's field, nil when the field has none (a plan other than the cache's, or a
// field outside its layout).
func (c *reasonCache) slot(a *reasonArena, x *xreason) *atomic.Pointer[[]cachedReason] {
	c.once.Do(func() { c.init(a.plan) })
	if c.plan != a.plan || x.field >= plan.NumReadKinds || x.idx < 0 {
		return nil
	}
	var off int32
	switch x.field {
	case plan.ReadContext, plan.ReadDomain, plan.ReadTier, plan.ReadDays:
		off = c.global[x.field]
	default:
		if x.inst < 0 || int(x.inst) >= len(c.inst) {
			return nil
		}
		off = c.inst[x.inst][x.field]
	}
	k := 4*int(off+x.idx) + int(x.bits&3)
	if k >= len(c.slots) {
		return nil
	}
	return &c.slots[k]
}

// appendJSON appends reason x's JSON from the cache, adding it when it is not there yet and may be kept;
// ok is false when the caller must write it itself.
func (c *reasonCache) appendJSON(b []byte, r reasons, i int) (_ []byte, ok bool) {
	a := r.a
	x := &a.items[int(r.from)+i]
	sl := c.slot(a, x)
	if sl == nil {
		return b, false
	}
	k := x.kind()
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
		var list []cachedReason
		if p != nil {
			list = *p
		}
		for j := range list {
			e := &list[j]
			if e.kind == k && (k == value.String && e.s == s || k != value.String && e.n == x.n) {
				return append(b, e.json...), true
			}
		}
		if len(list) >= maxCachedValues {
			return b, false
		}
		e := cachedReason{kind: k, json: r.appendJSONSlow(nil, i)}
		if k == value.String {
			e.s = strings.Clone(s)
		} else {
			e.n = x.n
		}
		grown := make([]cachedReason, len(list), len(list)+1)
		copy(grown, list)
		grown = append(grown, e)
		if sl.CompareAndSwap(p, &grown) {
			return append(b, e.json...), true
		}
	}
}
