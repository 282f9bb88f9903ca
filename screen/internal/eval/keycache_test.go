package eval_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// TestKeyCacheAgreesWithMaps: the key cache gives what the plan's maps give, for the very strings seen
// before, for equal copies elsewhere in memory, for prefixes at the same address, and for keys no
// instrument has, whatever was looked up before.
func TestKeyCacheAgreesWithMaps(t *testing.T) {
	res, list := compiletest.BuildFS(t, bundled.FS, compile.Options{})
	require.Empty(t, list.Errors())
	p := res.Plan
	var c eval.KeyCache
	var keys []string
	for _, in := range p.Insts {
		keys = append(keys, in.ID, in.Key, in.ID+"@"+in.Version, in.ID+"x")
		for _, it := range in.Items {
			keys = append(keys, it.ID, it.ID+"_", "x"+it.ID)
		}
	}
	keys = append(keys, "", "phq")
	for round := range 3 {
		for _, k := range keys {
			for _, s := range []string{k, strings.Clone(k), k[:max(len(k)-1, 0)]} {
				wantIn, wantErr := p.Resolve(s)
				gotIn, gotErr := c.Resolve(p, s)
				require.Equal(t, wantIn, gotIn, "round %d: resolve %q", round, s)
				require.Equal(t, wantErr == nil, gotErr == nil, "round %d: resolve %q", round, s)
				for _, in := range p.Insts {
					wantIdx, wantOK := in.ItemIdx[s]
					gotIdx, gotOK := c.Item(in, s)
					require.Equal(t, wantOK, gotOK, "round %d: %s item %q", round, in.Key, s)
					if wantOK {
						require.Equal(t, wantIdx, gotIdx, "round %d: %s item %q", round, in.Key, s)
					}
				}
			}
		}
	}
}

// TestKeyCacheKeepsPackedKeys: keys whose bytes lie a byte or two apart (the literals of a program, the
// decoder's interned keys from the allocator's tiny blocks) stay cached side by side, so a batch's
// lookups after its first record are served by the cache, not the plan's maps.
func TestKeyCacheKeepsPackedKeys(t *testing.T) {
	res, list := compiletest.BuildFS(t, bundled.FS, compile.Options{})
	require.Empty(t, list.Errors())
	p := res.Plan
	type lookup struct {
		in *plan.Instrument
		id string
	}
	for _, pack := range []struct {
		name string
		key  func(string) string
	}{
		{"one block", nil}, // filled below: every key a substring of one string, bytes adjacent
		{"tiny allocations", strings.Clone},
	} {
		t.Run(pack.name, func(t *testing.T) {
			var all strings.Builder
			var ls []lookup
			for _, key := range []string{"phq9", "gad7", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5"} {
				in, rerr := p.Resolve(key)
				require.Nil(t, rerr, key)
				for _, it := range in.Items {
					ls = append(ls, lookup{in, it.ID})
					all.WriteString(it.ID)
				}
			}
			block, off := all.String(), 0
			for i := range ls {
				if pack.key != nil {
					ls[i].id = pack.key(ls[i].id)
					continue
				}
				n := len(ls[i].id)
				ls[i].id, off = block[off:off+n], off+n
			}
			var c eval.KeyCache
			keys := []string{"phq9", "gad7", "gcps_r", "dsm5_oud", "sisq_drug", "auditc", "pc_ptsd5"}
			for i, k := range keys {
				if pack.key != nil {
					keys[i] = pack.key(k)
				}
				_, rerr := c.Resolve(p, keys[i])
				require.Nil(t, rerr)
			}
			for _, k := range keys {
				require.True(t, c.CachedInstrument(k), k)
			}
			for _, l := range ls {
				_, ok := c.Item(l.in, l.id)
				require.True(t, ok)
			}
			cached := 0
			for _, l := range ls {
				if c.Cached(l.in, l.id) {
					cached++
				}
			}
			// A few may share a bucket by chance; before addresses were hashed in full, q1..q9 shared one.
			require.GreaterOrEqual(t, cached*10, len(ls)*9, "%d of %d keys cached", cached, len(ls))
		})
	}
}

// TestKeyCacheMaskAgreesWithConvert: an answer load accepts by the cached option mask alone (a Go integer
// in 0..63 whose bit is set) is one convertItem accepts as itself, and every value convertItem accepts
// among the options is in the mask when the mask is given, for every bundled item.
func TestKeyCacheMaskAgreesWithConvert(t *testing.T) {
	res, list := compiletest.BuildFS(t, bundled.FS, compile.Options{})
	require.Empty(t, list.Errors())
	var c eval.KeyCache
	for round := range 2 {
		for _, in := range res.Plan.Insts {
			for _, it := range in.Items {
				mask := c.ItemMask(in, it.ID)
				require.Equal(t, it.OptMaskAll && it.Options != nil, mask != 0, "%s.%s", in.Key, it.ID)
				for n := int64(-2); n < 70; n++ {
					got, ok := eval.ConvertItem(it, n)
					inMask := n >= 0 && n < 64 && mask>>uint64(n)&1 != 0
					if inMask {
						require.True(t, ok, "round %d: %s.%s value %d", round, in.Key, it.ID, n)
						require.Equal(t, n, got)
					} else if mask != 0 {
						require.False(t, ok, "round %d: %s.%s value %d accepted outside the mask", round, in.Key, it.ID, n)
					}
				}
			}
		}
	}
}
