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
// in the plan's maps as always.
type keyCache struct {
	items [256]itemKey
	insts [16]instKey
}

type itemKey struct {
	key  string
	inst *plan.Instrument
	idx  int
}

type instKey struct {
	key string
	in  *plan.Instrument
}

func keySlot(s string, salt uintptr, n int) int {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return int(((p>>3)^salt)*0x9E3779B97F4A7C15>>32) & (n - 1)
}

func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// item returns the index of item id of in, as in.ItemIdx does.
func (c *keyCache) item(in *plan.Instrument, id string) (int, bool) {
	if id == "" {
		idx, ok := in.ItemIdx[id]
		return idx, ok
	}
	e := &c.items[keySlot(id, uintptr(in.Index), len(c.items))]
	if e.inst == in && sameString(e.key, id) {
		return e.idx, true
	}
	idx, ok := in.ItemIdx[id]
	if ok {
		*e = itemKey{key: id, inst: in, idx: idx}
	}
	return idx, ok
}

// resolve returns the instrument an answers key selects, as p.Resolve does.
func (c *keyCache) resolve(p *plan.Plan, key string) (*plan.Instrument, *plan.ResolveError) {
	if key == "" {
		return p.Resolve(key)
	}
	e := &c.insts[keySlot(key, 0, len(c.insts))]
	if e.in != nil && sameString(e.key, key) {
		return e.in, nil
	}
	in, err := p.Resolve(key)
	if err == nil {
		*e = instKey{key: key, in: in}
	}
	return in, err
}
