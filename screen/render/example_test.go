package render_test

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Example writes the brief format of two records: a report, and a record that could not be decoded.
func Example() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		log.Fatal(err)
	}
	in := `{"subject":"pt-1","answers":{"phq2":{"q1":3,"q2":2}}}
{"subject":"pt-2","answers":{"phq2":{"q1":`
	dec := respfile.NewDecoder(strings.NewReader(in), respfile.FormatJSONL, respfile.DefaultLimits())
	w, err := render.NewWriter(os.Stdout, eng, render.Brief, render.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for {
		rec, err := dec.Next()
		if err != nil {
			break // io.EOF here; a fatal error would be a Failure with Fatal set
		}
		out := render.Record{File: "in.jsonl", N: rec.N, Line: rec.Line, Input: &rec}
		if rec.Err != nil {
			out.Failure = &screen.RecordError{Code: rec.Err.Code, Message: rec.Err.Msg, ErrLine: rec.Err.Line, ErrCol: rec.Err.Col}
		} else if out.Report, err = eng.Score(context.Background(), rec.Response); err != nil {
			out.Failure = &screen.RecordError{Code: "internal", Message: err.Error()}
		}
		if err := w.Write(&out); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// in.jsonl:1 pt-1 ok tier=elevated referrals=behavioral_health because="Depression: positive"
	// in.jsonl:2 - error syntax: syntax error: unexpected end of input, expected a value
}
