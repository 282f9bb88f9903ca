package respfile_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/respfile"
)

// randomJSONL returns n JSON Lines records of varying shape: different instruments, items and context
// fields from record to record, nulls, duplicate keys, wrong types, empty objects and broken lines, so
// that anything a recycled response set kept from an earlier record would show.
func randomJSONL(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 26))
	insts := []string{"phq9", "gad7", "gcps_r", "dsm5_oud", "auditc", "phq9@1.0.0", "x"}
	vals := []string{"0", "1", "2", "3", "null", `"a"`, "1.5", "true", "[1,2]", "{}", `"LA6568-5"`}
	var b strings.Builder
	for i := range n {
		switch rng.IntN(25) {
		case 0:
			b.WriteString(`{"subject":"broken",` + "\n")
			continue
		case 1:
			b.WriteString(`{"subject":"s","answers":{}}` + "\n")
			continue
		}
		fmt.Fprintf(&b, `{"subject":"s%d"`, i)
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, `,"date":"2026-0%d-1%d"`, 1+rng.IntN(9), rng.IntN(10))
		}
		if k := rng.IntN(4); k > 0 {
			b.WriteString(`,"context":{`)
			for j := range k {
				if j > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `"c%d":%s`, rng.IntN(4), vals[rng.IntN(len(vals))])
			}
			b.WriteByte('}')
		}
		b.WriteString(`,"answers":{`)
		for j, k := 0, 1+rng.IntN(4); j < k; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `%q:`, insts[rng.IntN(len(insts))])
			if rng.IntN(15) == 0 {
				b.WriteString(`"not an object"`)
				continue
			}
			b.WriteByte('{')
			for m, items := 0, rng.IntN(13); m < items; m++ {
				if m > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `"q%d":%s`, 1+rng.IntN(12), vals[rng.IntN(len(vals))])
			}
			b.WriteByte('}')
		}
		b.WriteString("}}\n")
	}
	return []byte(b.String())
}

// TestRecycleReadsLikeANewDecoder: a decoder given back every response set it returned (Recycle) reads
// each record exactly as a decoder that is given nothing back: nothing of an earlier record survives in
// the maps it reuses.
func TestRecycleReadsLikeANewDecoder(t *testing.T) {
	for seed := range uint64(4) {
		in := randomJSONL(3000, seed)
		fresh := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
		recycled := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
		for n := 0; ; n++ {
			want, werr := fresh.Next()
			got, gerr := recycled.Next()
			require.Equal(t, werr, gerr, "record %d", n)
			if werr == io.EOF {
				break
			}
			require.Equal(t, want, got, "seed %d, record %d", seed, n)
			recycled.Recycle(got.Response)
		}
	}
}
