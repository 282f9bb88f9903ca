package screen_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// battery is a realistic full response set: seven instruments and the respondent context, enough for every
// domain of the pain_oud composite.
func battery() *screen.Response {
	return &screen.Response{
		Subject: "pt-0042",
		Context: map[string]any{"age": 47, "sex": "female"},
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
		},
	}
}

func bundledEngine(b *testing.B) *screen.Engine {
	b.Helper()
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// BenchmarkNew measures loading, validating and compiling the bundled catalogue and rule set.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := screen.New(bundled.Definitions()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScore measures scoring one full-battery response set (seven instruments and the composite).
func BenchmarkScore(b *testing.B) {
	eng := bundledEngine(b)
	r := battery()
	ctx := context.Background()
	if _, err := eng.Score(ctx, r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Score(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreParallel scores from every available goroutine at once (the engine is shared).
func BenchmarkScoreParallel(b *testing.B) {
	eng := bundledEngine(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := battery()
		for pb.Next() {
			if _, err := eng.Score(ctx, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkScoreJSON includes encoding the report as JSON, as the CLI does.
func BenchmarkScoreJSON(b *testing.B) {
	eng := bundledEngine(b)
	r := battery()
	ctx := context.Background()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		rep, err := eng.Score(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		buf = rep.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkScoreTo scores into one reused Report, as a batch loop does.
func BenchmarkScoreTo(b *testing.B) {
	eng := bundledEngine(b)
	r := battery()
	ctx := context.Background()
	var rep screen.Report
	b.ReportAllocs()
	for b.Loop() {
		if err := eng.ScoreTo(ctx, r, &rep); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendJSON encodes one full-battery report.
func BenchmarkAppendJSON(b *testing.B) {
	eng := bundledEngine(b)
	rep, err := eng.Score(context.Background(), battery())
	if err != nil {
		b.Fatal(err)
	}
	buf := rep.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = rep.AppendJSON(buf[:0])
	}
}

// batteriesWithMissing returns n full batteries of which every third leaves one to three answers blank
// (chosen at random from every instrument's items), as paper forms and interrupted visits do.
func batteriesWithMissing(n int) []*screen.Response {
	rng := rand.New(rand.NewPCG(21, 22))
	out := make([]*screen.Response, n)
	for i := range out {
		r := battery()
		if i%3 == 0 {
			var keys []string
			for inst, items := range r.Answers {
				for item := range items {
					keys = append(keys, inst+"."+item)
				}
			}
			slices.Sort(keys)
			for range 1 + rng.IntN(3) {
				inst, item, _ := strings.Cut(keys[rng.IntN(len(keys))], ".")
				delete(r.Answers[inst], item)
			}
		}
		out[i] = r
	}
	return out
}

// BenchmarkScoreToMissing scores a batch in which a third of the response sets leave answers blank: what
// their answers settle is decided by completing them (composite contract §1a rule 3).
func BenchmarkScoreToMissing(b *testing.B) {
	eng := bundledEngine(b)
	rs := batteriesWithMissing(300)
	ctx := context.Background()
	var rep screen.Report
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := eng.ScoreTo(ctx, rs[i%len(rs)], &rep); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkScoreToRuleSet scores the battery under each bundled rule-set version: the engine's cost is
// the same for each, so a difference between them is the cost of the rules themselves (pain_oud 1.2.0
// has two more domains and five more referrals than 1.1.0).
func BenchmarkScoreToRuleSet(b *testing.B) {
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		b.Run("pain_oud@"+v, func(b *testing.B) {
			eng, err := screen.New(bundled.Definitions(), screen.WithRuleSet("pain_oud@"+v))
			if err != nil {
				b.Fatal(err)
			}
			r := battery()
			ctx := context.Background()
			var rep screen.Report
			b.ReportAllocs()
			for b.Loop() {
				if err := eng.ScoreTo(ctx, r, &rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
