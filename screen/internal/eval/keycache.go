package eval

import (
	"unsafe"

	"github.com/painscreen/painscreen/screen/internal/plan"
)

// keyCache remembers, for one State, which instrument an answers key resolved to and which item an item
// key is, by the address of the key's bytes: a decoder hands the same key strings to every record
// (respfile interns them), so most lookups are one comparison instead of hashing the key into a map.
// Each entry keeps its key string, so no other string can live at that address while the entry is there;
// two strings at one address with one length are the same text. Anything not found here is looked up
// in the plan's maps as always. A key's slot picks a bucket of keyWays entries, any of which may hold it,
// so two keys whose addresses hash alike do not evict each other on every record.
type keyCache struct {
	items [256]itemKey
	insts [64]instKey
}

type itemKey struct {
	key  string
	inst *plan.Instrument
	idx  int
	mask uint64 // the item's OptMask when OptMaskAll, else 0: answers checked without reading the item
}

type instKey struct {
	key string
	in  *plan.Instrument
}

// keySlot hashes the address of s's bytes. Every bit of the address counts: short keys are packed a
// byte or two apart (string literals, the allocator's tiny blocks), so dropping the low bits would send
// q1, q2 and q3 to one slot.
func keySlot(s string, salt uintptr, n int) int {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return int((p^salt<<20)*0x9E3779B97F4A7C15>>32) & (n - 1)
}

// keyWays is how many entries of a bucket a key may occupy.
const keyWays = 4

func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// item returns the index of item id of in, as in.ItemIdx does, and the item's option mask when it alone
// says which values are options (plan.Item.OptMaskAll), else 0.
func (c *keyCache) item(in *plan.Instrument, id string) (int, uint64, bool) {
	if id == "" {
		idx, ok := in.ItemIdx[id]
		return idx, 0, ok
	}
	slot := keySlot(id, uintptr(in.Index), len(c.items))
	if e := &c.items[slot]; e.inst == in && sameString(e.key, id) {
		return e.idx, e.mask, true // most keys sit in the entry their slot names (freeWay)
	}
	b := c.items[slot&^(keyWays-1):][:keyWays]
	for i := range b {
		if e := &b[i]; e.inst == in && sameString(e.key, id) {
			return e.idx, e.mask, true
		}
	}
	idx, ok := in.ItemIdx[id]
	if !ok {
		return idx, 0, false
	}
	var mask uint64
	if it := in.Items[idx]; it.OptMaskAll {
		mask = it.OptMask
	}
	b[freeWay(b, slot)] = itemKey{key: id, inst: in, idx: idx, mask: mask}
	return idx, mask, true
}

// freeWay returns the entry of bucket b a new key takes: the one its slot names when empty, else the
// first empty one, else the one its slot names.
func freeWay(b []itemKey, slot int) int {
	if b[slot&(keyWays-1)].inst == nil {
		return slot & (keyWays - 1)
	}
	for i := range b {
		if b[i].inst == nil {
			return i
		}
	}
	return slot & (keyWays - 1)
}

// resolve returns the instrument an answers key selects, as p.Resolve does.
func (c *keyCache) resolve(p *plan.Plan, key string) (*plan.Instrument, *plan.ResolveError) {
	if key == "" {
		return p.Resolve(key)
	}
	slot := keySlot(key, 0, len(c.insts))
	b := c.insts[slot&^(keyWays-1):][:keyWays]
	for i := range b {
		if e := &b[i]; e.in != nil && sameString(e.key, key) {
			return e.in, nil
		}
	}
	in, err := p.Resolve(key)
	if err == nil {
		w := slot & (keyWays - 1)
		for i := range b {
			if b[i].in == nil {
				w = i
				break
			}
		}
		b[w] = instKey{key: key, in: in}
	}
	return in, err
}
