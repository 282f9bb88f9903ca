package compile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
)

// cacheScores exercise every kind of expression node the codec writes: literals of each kind, lists,
// maps, selections, presence tests, member calls, macros (comprehensions) and the instrument's own
// aggregate macros.
const cacheScores = `- {id: total, expr: 'answers.sum(["q1", "q2", "q3"])'}
- {id: avg, expr: 'answers.mean(["q1", "q2", "q3"]) * 1.5'}
- {id: any, expr: '[answers.q1, answers.q2].exists(x, x >= 2) && has(answers.q3)'}
- {id: all, expr: '[1, 2, 3].all(x, x > 0) ? "yes" : "no"'}
- {id: m, expr: '{"a": 1, "b": 2}["a"] + int(2u) + size(b"xy") + size("\u00e9") + (null == null ? 1 : 0)'}
- {id: f, expr: '[answers.q1, answers.q2].filter(x, x > 0).map(x, x * 2).size() > 0 || !true'}
`

// A recording of a definition and a cache made from it give back the same compile: every expression from
// the cache, and the same programs (the checked forms decode to what was recorded; Recorder checks each).
func TestCacheRoundTrip(t *testing.T) {
	files := map[string]string{"t.yaml": compiletest.Instrument(cacheScores, "")}
	rec := &compile.Recorder{}
	res, list := compiletest.Build(t, files, compile.Options{Record: rec})
	require.Empty(t, list.Errors(), "%v", list)
	require.Zero(t, rec.Conflicts)
	require.Zero(t, rec.Unfaithful)
	require.Equal(t, res.Exprs, len(rec.Checked), "every expression recorded")

	cache, err := compile.DecodeCache(rec.Encode())
	require.NoError(t, err)
	again, list := compiletest.Build(t, files, compile.Options{Cache: cache})
	require.Empty(t, list.Errors(), "%v", list)
	assert.Equal(t, again.Exprs, again.CheckHits)
	for i, s := range res.Plan.Insts[0].Scores {
		got := again.Plan.Insts[0].Scores[i]
		assert.Equal(t, s.Expr.Type.String(), got.Expr.Type.String(), s.ID)
		assert.Equal(t, s.Expr.Fast != nil, got.Expr.Fast != nil, s.ID)
		assert.Equal(t, s.Expr.Reads, got.Expr.Reads, s.ID)
	}

	// A lower cost limit is another key: the expressions are checked again, and the costly one fails.
	_, list = compiletest.Build(t, files, compile.Options{Cache: cache, MaxCost: 5})
	assert.NotEmpty(t, list.Errors(), "a cached expression stands only under the limit it was found within")

	// A changed definition misses.
	changed := map[string]string{"t.yaml": compiletest.Instrument(cacheScores, "notes: changed\n")}
	res, list = compiletest.Build(t, changed, compile.Options{Cache: cache})
	require.Empty(t, list.Errors(), "%v", list)
	assert.Zero(t, res.CheckHits)
}

func TestDecodeCacheRejectsGarbage(t *testing.T) {
	for _, b := range []string{"", "x", "painscreen-compile-cache/0\n", "painscreen-compile-cache/1\nq 00\n",
		"painscreen-compile-cache/1\np zz AAAA\n", "painscreen-compile-cache/1\nc " + string(make([]byte, 64)) + " ***\n"} {
		_, err := compile.DecodeCache([]byte(b))
		assert.Error(t, err, "%q", b)
	}
	c, err := compile.DecodeCache([]byte("painscreen-compile-cache/1\n"))
	require.NoError(t, err)
	p, ch, v, fl := c.Len()
	assert.Zero(t, p+ch+v+fl)
}

// FuzzDecodeCache: a cache that is not what Encode wrote is an error or decodes; its checked
// expressions, decoded when used, fail cleanly or load — nothing panics.
func FuzzDecodeCache(f *testing.F) {
	rec := &compile.Recorder{}
	files := map[string]string{"t.yaml": compiletest.Instrument(cacheScores, "")}
	compiletest.Build(f, files, compile.Options{Record: rec})
	f.Add(rec.Encode())
	f.Add([]byte("painscreen-compile-cache/1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := compile.DecodeCache(b)
		if err != nil {
			return
		}
		compile.DecodeAll(c)
	})
}

// FuzzDecodeChecked: any bytes decode to an expression or to an error, never a panic.
func FuzzDecodeChecked(f *testing.F) {
	rec := &compile.Recorder{}
	files := map[string]string{"t.yaml": compiletest.Instrument(cacheScores, "")}
	compiletest.Build(f, files, compile.Options{Record: rec})
	for _, b := range rec.Checked {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { _ = compile.DecodeChecked(b) })
}
