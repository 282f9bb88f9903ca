package eval

import "github.com/painscreen/painscreen/screen/internal/plan"

// KeyCache is keyCache, for the tests of package eval_test.
type KeyCache = keyCache

// Item is keyCache.item.
func (c *keyCache) Item(in *plan.Instrument, id string) (int, bool) { return c.item(in, id) }

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
