package batch_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// variedRecords returns n JSON Lines records whose shape changes from record to record (instruments
// present or not, items left out, invalid answers, context present or not), so that a response set the
// pipeline recycles (Decoder.Recycle) would carry anything it kept into the next record read into it.
func variedRecords(eng *screen.Engine, n int) []byte {
	rng := rand.New(rand.NewPCG(26, 16))
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
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"subject":"s%d"`, i)
		if rng.IntN(2) == 0 {
			fmt.Fprintf(&b, `,"context":{"age":%d,"sex":"female"}`, 18+rng.IntN(70))
		}
		b.WriteString(`,"answers":{`)
		first := true
		for _, in := range insts {
			if rng.IntN(3) == 0 {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&b, `%q:{`, in)
			k := 0
			for _, it := range items[in] {
				if rng.IntN(6) == 0 {
					continue
				}
				if k > 0 {
					b.WriteByte(',')
				}
				k++
				v := fmt.Sprint(rng.IntN(4))
				if rng.IntN(40) == 0 {
					v = "17"
				}
				fmt.Fprintf(&b, `%q:%s`, it, v)
			}
			b.WriteByte('}')
		}
		if first {
			b.WriteString(`"phq9":{"q9":1}`)
		}
		b.WriteString("}}\n")
	}
	return []byte(b.String())
}

// TestRunnerRecycledResponsesScoreLikeFreshOnes: the pipeline, which reads records into the response
// sets of batches already written (Decoder.Recycle), writes at --jobs 1 and 3 exactly what scoring each
// record on its own from a decoder that recycles nothing writes.
func TestRunnerRecycledResponsesScoreLikeFreshOnes(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	in := variedRecords(eng, 1500) // many more records than the batches in flight
	enc, err := render.NewEncoder(eng, render.JSONL, render.Options{})
	require.NoError(t, err)
	app := enc.NewAppender()
	dec := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
	var want []byte
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Nil(t, rec.Err)
		rep, err := eng.Score(context.Background(), rec.Response)
		require.NoError(t, err)
		want = app.Append(want, &render.Record{File: "in", N: rec.N, Line: rec.Line, Input: &rec, Report: rep})
	}
	for _, jobs := range []int{1, 3} {
		var out bytes.Buffer
		r, err := batch.NewRunner(eng, enc.NewWriter(&out), batch.Options{Jobs: jobs})
		require.NoError(t, err)
		require.NoError(t, r.Run(context.Background(), batch.Source{Name: "in", R: bytes.NewReader(in), Format: respfile.FormatJSONL}))
		got := out.Bytes()
		if !bytes.Equal(want, got) {
			wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
			for i := range min(len(wl), len(gl)) {
				require.Equal(t, wl[i], gl[i], "jobs %d: record %d", jobs, i+1)
			}
			require.Equal(t, len(wl), len(gl), "jobs %d", jobs)
		}
	}
}
