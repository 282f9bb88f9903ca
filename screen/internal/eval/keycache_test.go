package eval_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
	"github.com/painscreen/painscreen/screen/internal/eval"
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
