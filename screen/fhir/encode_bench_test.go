package fhir_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
)

// BenchmarkFHIRvsJSON writes one full-battery report (seven instruments and the composite) as the JSON
// report (the JSONL line) and as a FHIR Bundle: straight from the report (fhir: AppendBundle), by building
// NewBundle's structs and encoding them with the hand-written encoder (fhir-structs: AppendBundle before
// it wrote from the report) or with encoding/json (fhir-std: the reference both are checked against).
// Compare ns/op: the goal is fhir ≤ 1.3 × json. The ratio runs alternate, op by op, so that both sides see
// the same machine: x-json is the FHIR Bundle's time over the JSON report's, x-std the encoding/json
// encoder's time over the hand-written one's on the same Bundle value (encoding alone, without building
// the Bundle).
func BenchmarkFHIRvsJSON(b *testing.B) {
	eng := bundledEngine(b)
	w, err := fhir.NewWriter(eng)
	require.NoError(b, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "gen-1", Context: map[string]any{"age": 47, "sex": "female"},
		Answers: map[string]map[string]any{
			"phq9":   {"q1": 2, "q2": 2, "q3": 1, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 0, "q9": 0, "difficulty": 1},
			"gad7":   {"q1": 1, "q2": 1, "q3": 1, "q4": 2, "q5": 2, "q6": 0, "q7": 0},
			"gcps_r": {"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 6, "enjoyment": 7, "activity": 4},
			"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1, "time_spent": 0, "craving": 1, "role_failure": 0,
				"social_problems": 0, "activities_given_up": 1, "hazardous_use": 0, "physical_psych_problems": 0,
				"tolerance": 1, "withdrawal": 1, "supervised": 0},
			"sisq_drug": {"times": 3},
			"auditc":    {"frequency": 2, "typical_quantity": 1, "binge_frequency": 1},
			"pc_ptsd5":  {"trauma": 1, "nightmares": 1, "avoidance": 1, "on_guard": 0, "numb": 1, "guilt": 0},
		}})
	require.NoError(b, err)
	in := fhir.Input{Subject: rep.Subject, Date: "2026-03-04", Seed: "in.jsonl\x001"}
	var buf []byte
	for _, c := range []struct {
		name string
		f    func([]byte) []byte
	}{
		{"json", rep.AppendJSON},
		{"fhir", func(b []byte) []byte { return w.AppendBundle(b, rep, in) }},
		{"fhir-structs", func(b []byte) []byte { b, _ = fhir.EncodeBundle(b, w.NewBundle(rep, in)); return b }},
		{"fhir-std", func(b []byte) []byte { return w.AppendBundleStd(b, rep, in) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = c.f(buf[:0])
			}
			b.SetBytes(int64(len(buf)))
		})
	}
	alternate := func(b *testing.B, unit string, num, den func()) {
		var tNum, tDen time.Duration
		for b.Loop() {
			t0 := time.Now()
			den()
			t1 := time.Now()
			num()
			tDen, tNum = tDen+t1.Sub(t0), tNum+time.Since(t1)
		}
		b.ReportMetric(float64(tNum)/float64(tDen), unit)
	}
	var buf2 []byte
	b.Run("ratio-fhir-json", func(b *testing.B) {
		alternate(b, "x-json", func() { buf = w.AppendBundle(buf[:0], rep, in) }, func() { buf2 = rep.AppendJSON(buf2[:0]) })
	})
	bd := w.NewBundle(rep, in)
	b.Run("ratio-encoder", func(b *testing.B) {
		alternate(b, "x-std", func() { buf = fhir.AppendJSONStd(buf[:0], bd) }, func() { buf2, _ = fhir.EncodeBundle(buf2[:0], bd) })
	})
}
