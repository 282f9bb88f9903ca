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
