package main

import (
	"bytes"
	"context"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"io"
	"os"
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
	"github.com/painscreen/painscreen/screen"
)

// The benchmarks split the cost of one full-battery record into its stages: decoding (screen's JSONL
// decoder), scoring (Engine.Score), encoding (the CLI's writers), and the whole pipeline. They use the
// test copies of the definitions (testdata/defs), which have the same items as the bundled battery;
// set PAINSCREEN_BENCH_BUNDLED=1 to use the bundled catalogue instead.

const benchRecords = 2000

func benchEngine(b *testing.B) *screen.Engine {
	b.Helper()
	var opts []screen.Option
	if os.Getenv("PAINSCREEN_BENCH_BUNDLED") != "" {
		opts = append(opts, bundled.Definitions())
	} else {
		opts = append(opts, screen.WithDefinitions(os.DirFS("testdata/defs"), "defs"))
	}
	eng, err := screen.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

func benchInput(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := gen.Write(&buf, benchRecords, 1, 0); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func decodeAll(b *testing.B, in []byte) []respfile.Record {
	b.Helper()
	dec := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
	var recs []respfile.Record
	for {
		rec, err := dec.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

// BenchmarkDecode: ns per record to decode full-battery JSONL.
func BenchmarkDecode(b *testing.B) {
	in := benchInput(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(in) / benchRecords))
	for i := 0; i < b.N; {
		dec := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
		for ; i < b.N; i++ {
			if _, err := dec.Next(); err != nil {
				break
			}
		}
	}
}

// BenchmarkScore: ns per record for the engine alone: Score (a new Report each time) and ScoreTo (one
// reused Report, as the pipeline does).
func BenchmarkScore(b *testing.B) {
	eng := benchEngine(b)
	recs := decodeAll(b, benchInput(b))
	ctx := context.Background()
	b.Run("Score", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := eng.Score(ctx, recs[i%len(recs)].Response); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ScoreTo", func(b *testing.B) {
		rep := new(screen.Report)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := eng.ScoreTo(ctx, recs[i%len(recs)].Response, rep); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncode: ns per record for each output format, given the reports.
func BenchmarkEncode(b *testing.B) {
	eng := benchEngine(b)
	recs := decodeAll(b, benchInput(b))
	reps := make([]*screen.Report, len(recs))
	for i := range recs {
		var err error
		if reps[i], err = eng.Score(context.Background(), recs[i].Response); err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range []render.Format{render.JSONL, render.CSV, render.Text} {
		b.Run(f.String(), func(b *testing.B) {
			enc, err := render.NewEncoder(eng, f, render.Options{})
			if err != nil {
				b.Fatal(err)
			}
			app := enc.NewAppender()
			var out []byte
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % len(recs)
				rec := render.Record{File: "in.jsonl", N: recs[k].N, Line: recs[k].Line, Input: &recs[k], Report: reps[k]}
				out = app.Append(out[:0], &rec)
			}
			b.SetBytes(int64(len(out)))
		})
	}
}

// BenchmarkPipeline: ns per record for the whole score pipeline (decode, score, encode, ordered write)
// to io.Discard, with 1 and 2 scorers.
func BenchmarkPipeline(b *testing.B) {
	eng := benchEngine(b)
	in := benchInput(b)
	for _, jobs := range []int{1, 2} {
		b.Run("jobs="+string(rune('0'+jobs)), func(b *testing.B) {
			enc, err := render.NewEncoder(eng, render.JSONL, render.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += benchRecords {
				r, err := batch.NewRunner(eng, enc.NewWriter(io.Discard), batch.Options{Jobs: jobs})
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Run(context.Background(), batch.Source{Name: "in.jsonl", R: bytes.NewReader(in), Format: respfile.FormatJSONL}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
