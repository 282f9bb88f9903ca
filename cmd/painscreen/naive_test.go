package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
	"github.com/painscreen/painscreen/internal/naive"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// naiveBatch is the generated battery the yardstick is compared on: gen's complete records, every third
// one given random treatment context (gen writes only age and sex) so that the overdose-risk domain and
// the MOUD, naloxone and benzodiazepine referrals are exercised too, and every seventh one without its
// DSM-5 checklist (the single-item screen then decides OUD), every eleventh with PHQ-9 totals around 20.
func naiveBatch(t testing.TB, n int) []byte {
	t.Helper()
	var raw bytes.Buffer
	require.NoError(t, gen.Write(&raw, n, 7, 0))
	r := rand.New(rand.NewPCG(7, 7))
	var out bytes.Buffer
	sc := bufio.NewScanner(&raw)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		line := sc.Bytes()
		if i%3 == 0 {
			ctx := ""
			for _, f := range []string{"moud_current", "benzodiazepine", "prior_overdose", "naloxone_current"} {
				switch r.IntN(3) {
				case 0:
					ctx += `,"` + f + `":true`
				case 1:
					ctx += `,"` + f + `":false`
				}
			}
			if r.IntN(3) > 0 {
				ctx += `,"opioid_mme":` + strconv.Itoa([]int{0, 20, 50, 90, 120}[r.IntN(5)])
			}
			k := bytes.Index(line, []byte(`},"answers"`))
			require.Positive(t, k)
			line = append(append(append([]byte{}, line[:k]...), ctx...), line[k:]...)
		}
		if i%7 == 1 { // no DSM-5 checklist: the SISQ decides the oud domain
			k := bytes.Index(line, []byte(`"dsm5_oud":{`))
			e := bytes.Index(line[k:], []byte("},"))
			require.True(t, k > 0 && e > 0)
			line = append(append([]byte{}, line[:k]...), line[k+e+2:]...)
		}
		if i%11 == 5 { // marked depressive symptoms: PHQ-9 totals around 20
			k := bytes.Index(line, []byte(`"phq9":{`))
			e := bytes.Index(line[k:], []byte("},"))
			require.True(t, k > 0 && e > 0)
			phq := `"phq9":{`
			for q := 1; q <= 9; q++ {
				v := 2 + r.IntN(2)
				if q == 9 {
					v = r.IntN(2)
				}
				phq += fmt.Sprintf(`"q%d":%d,`, q, v)
			}
			phq += `"difficulty":2},`
			line = append(append(append([]byte{}, line[:k]...), phq...), line[k+e+2:]...)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	require.NoError(t, sc.Err())
	return out.Bytes()
}

// TestNaiveAgreesWithEngine: the yardstick gives painscreen's results on complete records — every score,
// the fired flags, the nine domains, the tier and the referral ids in order — so the benchmark compares
// like with like.
func TestNaiveAgreesWithEngine(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	in := naiveBatch(t, n)
	dec := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
	lines := bytes.Split(bytes.TrimSuffix(in, []byte("\n")), []byte("\n"))
	require.Len(t, lines, n)
	tiers := map[string]int{}
	refs := map[string]int{}
	for i, line := range lines {
		rec, err := dec.Next()
		require.NoError(t, err)
		require.Nil(t, rec.Err)
		rep, err := eng.Score(context.Background(), rec.Response)
		require.NoError(t, err)
		var want map[string]any
		require.NoError(t, json.Unmarshal(rep.AppendJSON(nil), &want))

		var nr naive.Record
		require.NoError(t, json.Unmarshal(line, &nr))
		var got map[string]any
		b, err := json.Marshal(naive.Score(&nr))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &got))

		where := fmt.Sprintf("record %d", i+1)
		wi, gi := want["instruments"].(map[string]any), got["instruments"].(map[string]any)
		require.Len(t, gi, len(wi), where)
		for id, w := range wi {
			w, g := w.(map[string]any), gi[id].(map[string]any)
			require.Equal(t, w["scores"], g["scores"], "%s %s scores", where, id)
			var wf, gf []string
			for _, f := range w["flags"].([]any) {
				wf = append(wf, f.(map[string]any)["id"].(string))
			}
			if fs, ok := g["flags"].([]any); ok {
				for _, f := range fs {
					gf = append(gf, f.(string))
				}
			}
			require.Equal(t, wf, gf, "%s %s flags", where, id)
		}
		wc, gc := want["composite"].(map[string]any), got["composite"].(map[string]any)
		require.Equal(t, wc["domains"], gc["domains"], where)
		require.Equal(t, wc["tier"], gc["tier"], where)
		require.Equal(t, ids(wc["referrals"]), ids(gc["referrals"]), where)
		tiers[wc["tier"].(string)]++
		for _, id := range ids(wc["referrals"]) {
			refs[id]++
		}
	}
	_, err = dec.Next()
	require.ErrorIs(t, err, io.EOF)
	// The comparison means something only when the batch reaches every tier and most referrals.
	for _, tier := range []string{"low", "elevated", "high", "urgent"} {
		require.Positive(t, tiers[tier], "no record of tier %s", tier)
	}
	if !testing.Short() {
		for _, id := range []string{"suicide_safety_assessment", "moud", "moud_continue", "naloxone", "opioid_benzodiazepine_review",
			"integrated_pain_oud_therapy", "addiction_assessment", "substance_use_assessment", "integrated_pain_care",
			"behavioral_health_prompt", "behavioral_health", "collaborative_care", "alcohol_intervention", "rescreen"} {
			require.Positive(t, refs[id], "no record with referral %s", id)
		}
	}
}

func ids(v any) []string {
	var out []string
	for _, r := range v.([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

// BenchmarkNaive sets painscreen's library path beside the hand-written yardstick on the same generated
// records (one op = one record):
//
//   - painscreen: respfile's JSONL decoder (each response set recycled, Decoder.Recycle) → Engine.ScoreTo
//     (one reused Report) → Report.AppendJSON (the full explained report, ~8 KB a record);
//   - naive: json.Decoder → naive.Score → json.Encoder (~1 KB a record, no explanations, no determinacy);
//   - ratio: the two alternating batch by batch (so both see the same machine load), reporting x-naive,
//     painscreen's records per second over the naive scorer's: more than 1 means painscreen is ahead.
//
// The CLI's whole pipeline (reading, ordering, writing) is timed against the naive command by
// scripts/bench-batch.sh.
func BenchmarkNaive(b *testing.B) {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		b.Fatal(err)
	}
	in := naiveBatch(b, benchRecords)
	naiveBatch := func(b *testing.B) {
		if _, err := naive.Run(bytes.NewReader(in), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	var rep screen.Report
	var out []byte
	psBatch := func(b *testing.B) {
		dec := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
		for {
			rec, err := dec.Next()
			if err == io.EOF {
				return
			}
			if err != nil || rec.Err != nil {
				b.Fatal(err, rec.Err)
			}
			if err := eng.ScoreTo(ctx, rec.Response, &rep); err != nil {
				b.Fatal(err)
			}
			out = append(rep.AppendJSON(out[:0]), '\n')
			dec.Recycle(rec.Response) // as the CLI's pipeline does: the next record is read into its maps
		}
	}
	run := func(batch func(*testing.B)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for done := 0; done < b.N; done += benchRecords {
				batch(b)
			}
		}
	}
	b.Run("naive", run(naiveBatch))
	b.Run("painscreen", run(psBatch))
	b.Run("ratio", func(b *testing.B) {
		var tNaive, tPS time.Duration
		for done := 0; done < b.N; done += 2 * benchRecords {
			t0 := time.Now()
			naiveBatch(b)
			t1 := time.Now()
			psBatch(b)
			tNaive, tPS = tNaive+t1.Sub(t0), tPS+time.Since(t1)
		}
		b.ReportMetric(float64(tNaive)/float64(tPS), "x-naive")
	})
}
