package screen_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The engine keeps the JSON of every reason it has written, by field and value (reasoncache.go). These
// tests hold it to the bytes the plan's words write without it (screen.AppendJSONUncached, the encoder
// before the cache) on every example, every signal case, generated batteries with blanks, random answers
// and follow-up pairs, on a fresh engine (the cache filling) and again (read from it).

// decodeAll decodes every usable record of data in format f.
func decodeAll(t *testing.T, eng *screen.Engine, data []byte, f respfile.Format) []*screen.Response {
	t.Helper()
	var dec *respfile.Decoder
	if f == respfile.FormatCSV {
		items := map[string][]string{}
		for _, in := range eng.Instruments() {
			d, err := eng.Describe(in.ID + "@" + in.Version)
			require.NoError(t, err)
			for _, it := range d.Items {
				items[in.ID] = append(items[in.ID], it.ID)
				items[in.ID+"@"+in.Version] = append(items[in.ID+"@"+in.Version], it.ID)
			}
		}
		dec = respfile.NewCSVDecoder(bytes.NewReader(data), respfile.DefaultLimits(), respfile.CSVOptions{Items: items})
	} else {
		dec = respfile.NewDecoder(bytes.NewReader(data), f, respfile.DefaultLimits())
		if f == respfile.FormatFHIR || f == respfile.FormatJSON {
			m, err := respfile.FHIRMapperFor(eng)
			require.NoError(t, err)
			dec.UseFHIR(m)
		}
	}
	var out []*screen.Response
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		if rec.Err == nil {
			out = append(out, rec.Response)
		}
	}
}

// cacheCorpus returns the examples' and signal cases' records, batteries with blanks and random answers.
func cacheCorpus(t *testing.T, eng *screen.Engine) []*screen.Response {
	t.Helper()
	var rs []*screen.Response
	files, err := filepath.Glob("../examples/responses/*")
	require.NoError(t, err)
	fhir, err := filepath.Glob("../examples/fhir/*.json")
	require.NoError(t, err)
	for _, p := range append(files, fhir...) {
		f, ok := respfile.FormatFromPath(p)
		if !ok {
			continue
		}
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		rs = append(rs, decodeAll(t, eng, data, f)...)
	}
	cases, err := filepath.Glob("../cmd/painscreen/testdata/signal/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, p := range cases {
		a, err := txtar.ParseFile(p)
		require.NoError(t, err)
		for _, f := range a.Files {
			ext, ok := strings.CutPrefix(f.Name, "input.")
			if !ok {
				continue
			}
			format := respfile.FormatFHIR
			if ext != "fhir.json" {
				format, ok = respfile.FormatFromPath(f.Name)
				require.True(t, ok, f.Name)
			}
			rs = append(rs, decodeAll(t, eng, f.Data, format)...)
		}
	}
	rs = append(rs, batteriesWithMissing(300)...)
	return append(rs, randomResponses(eng, 200, 7)...)
}

// randomResponses returns n response sets with random answers (valid, out of range, of the wrong type,
// unknown items) and context.
func randomResponses(eng *screen.Engine, n int, seed uint64) []*screen.Response {
	rng := rand.New(rand.NewPCG(seed, 26))
	items := map[string][]string{}
	var insts []string
	for _, in := range eng.Instruments() {
		d, err := eng.Describe(in.ID)
		if err != nil {
			continue
		}
		insts = append(insts, in.ID)
		for _, it := range d.Items {
			items[in.ID] = append(items[in.ID], it.ID)
		}
	}
	ctxVals := []any{nil, 0, 17, 47, 90, 1.5, true, "female", "male", "F", "other", "x\u2028\xff<&>\"\\"}
	out := make([]*screen.Response, n)
	for i := range out {
		r := &screen.Response{Subject: "s", Context: map[string]any{}, Answers: map[string]map[string]any{}}
		for _, k := range []string{"age", "sex", "moud_current", "opioid_rx", "mme_daily"} {
			if v := ctxVals[rng.IntN(len(ctxVals))]; v != nil {
				r.Context[k] = v
			}
		}
		for _, in := range insts {
			if rng.IntN(4) == 0 {
				continue
			}
			m := map[string]any{}
			for _, it := range items[in] {
				switch k := rng.IntN(20); {
				case k < 2: // blank
				case k == 2:
					m[it] = 99
				case k == 3:
					m[it] = "LA6568-5"
				default:
					m[it] = rng.IntN(5)
				}
			}
			r.Answers[in] = m
		}
		out[i] = r
	}
	return out
}

func TestReasonCacheWritesUncachedBytes(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rs := cacheCorpus(t, eng)
	ctx := context.Background()
	var reused screen.Report
	for pass := range 2 { // the cache filling, then read from
		for i, r := range rs {
			rep, err := eng.Score(ctx, r)
			if err != nil {
				continue
			}
			want := screen.AppendJSONUncached(rep, nil)
			require.Equal(t, string(want), string(rep.AppendJSON(nil)), "pass %d, record %d", pass, i)
			if pass == 0 { // read back (no plan, so no cache): the same bytes
				back, err := screen.ReadReport(bytes.NewReader(want))
				require.NoError(t, err)
				require.Equal(t, string(want), string(back.AppendJSON(nil)), "record %d read back", i)
			}
			require.NoError(t, eng.ScoreTo(ctx, r, &reused))
			require.Equal(t, string(want), string(reused.AppendJSON(nil)), "pass %d, record %d (ScoreTo)", pass, i)
			if i > 0 { // follow-up: the previous record as the baseline
				base, cur := *rs[i-1], *r
				base.Date, cur.Date = "2026-01-05", "2026-03-01"
				fu, err := eng.FollowUp(ctx, &base, &cur)
				if err == nil {
					require.Equal(t, string(screen.AppendJSONUncached(fu, nil)), string(fu.AppendJSON(nil)), "pass %d, follow-up %d", pass, i)
				}
			}
		}
	}
}

// TestReasonCacheConcurrent fills one engine's cache from several goroutines at once (run with -race).
func TestReasonCacheConcurrent(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rs := randomResponses(eng, 200, 9)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			var rep screen.Report
			for k := range rs {
				r := rs[(k+g*97)%len(rs)]
				if err := eng.ScoreTo(context.Background(), r, &rep); err != nil {
					continue
				}
				got := rep.AppendJSON(nil)
				if want := screen.AppendJSONUncached(&rep, nil); !bytes.Equal(got, want) {
					t.Errorf("goroutine %d, record %d: cached reasons differ", g, k)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkAppendJSONReasonCache encodes the full-battery report with the engine's cache of encoded
// reasons and without it (the encoder before the cache), so one run shows what the cache saves.
func BenchmarkAppendJSONReasonCache(b *testing.B) {
	eng := bundledEngine(b)
	rep, err := eng.Score(context.Background(), battery())
	require.NoError(b, err)
	buf := rep.AppendJSON(nil)
	b.Run("cached", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			buf = rep.AppendJSON(buf[:0])
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			buf = screen.AppendJSONUncached(rep, buf[:0])
		}
	})
}
