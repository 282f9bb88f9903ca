package screen_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// FuzzReadReport: ReadReport never panics, and a report it reads encodes to JSON that reads back to a
// report encoding to the same bytes.
func FuzzReadReport(f *testing.F) {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		f.Fatal(err)
	}
	seeds := []map[string]map[string]any{
		{"phq9": {"q1": 7, "q9": 2}, "gcps_r": {"pain_frequency": 3}, "sisq_drug": {"times": 1}},
		{"phq9": {"q1": 1, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0}, "gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}},
		{"gad7": {"q1": 3}, "auditc": {"frequency": 2}},
	}
	for _, a := range seeds {
		rep, err := eng.Score(context.Background(), &screen.Response{Subject: "s", Context: map[string]any{"age": 40}, Answers: a})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rep.AppendJSON(nil))
		fu, err := eng.FollowUp(context.Background(), &screen.Response{Date: "2026-01-01", Answers: a},
			&screen.Response{Date: "2026-03-01", Answers: a})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(fu.AppendJSON(nil))
	}
	f.Add([]byte(`{"subject":"x","instruments":{"a":{"scores":{"s":1e400,"t":-0.0,"u":18446744073709551616}}}}`))
	f.Add([]byte(`{"composite":{"applied":true,"possible":{"d":[1,"x",null]},"domains":{"d":null}},"followup":{"days":3}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := screen.ReadReport(bytes.NewReader(data))
		if err != nil {
			return
		}
		enc := rep.AppendJSON(nil)
		back, err := screen.ReadReport(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("a report's own JSON does not read back: %v\n%s", err, enc)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, enc) {
			t.Fatalf("not stable:\n%s\n%s", enc, again)
		}
		_ = back.Err()
	})
}
