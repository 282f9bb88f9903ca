package eval

import "github.com/painscreen/painscreen/screen/internal/plan"

// KeyCache is keyCache, for the tests of package eval_test.
type KeyCache = keyCache

// Item is keyCache.item.
func (c *keyCache) Item(in *plan.Instrument, id string) (int, bool) {
	idx, _, ok := c.item(in, id)
	return idx, ok
}

// ItemMask is the option mask keyCache.item returns.
func (c *keyCache) ItemMask(in *plan.Instrument, id string) uint64 {
	_, mask, _ := c.item(in, id)
	return mask
}

// Resolve is keyCache.resolve.
func (c *keyCache) Resolve(p *plan.Plan, key string) (*plan.Instrument, *plan.ResolveError) {
	return c.resolve(p, key)
}

// Cached reports whether the cache holds item id of in, without looking it up.
func (c *keyCache) Cached(in *plan.Instrument, id string) bool {
	b := c.items[keySlot(id, uintptr(in.Index), len(c.items))&^(keyWays-1):][:keyWays]
	for i := range b {
		if b[i].inst == in && sameString(b[i].key, id) {
			return true
		}
	}
	return false
}

// CachedInstrument reports whether the cache holds answers key key, without looking it up.
func (c *keyCache) CachedInstrument(key string) bool {
	b := c.insts[keySlot(key, 0, len(c.insts))&^(keyWays-1):][:keyWays]
	for i := range b {
		if b[i].in != nil && sameString(b[i].key, key) {
			return true
		}
	}
	return false
}

// ConvertItem is convertItem.
func ConvertItem(it *plan.Item, v any) (int64, bool) {
	n, err := convertItem(it, v)
	return n, err == nil
}
