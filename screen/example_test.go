package screen_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing/fstest"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diag"

	"github.com/painscreen/painscreen/screen"
)

// Load your own definitions from any fs.FS (here a directory on disk) and score one response set.
func ExampleNew() {
	eng, err := screen.New(screen.WithDefinitions(os.DirFS("testdata/basic"), "basic"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range eng.Instruments() {
		fmt.Println(in.ID, in.Version, in.Status)
	}
	// Output:
	// phq9 1.0.0 active
}

// Score a response set with the bundled catalogue and the pain_oud rule set, and read the result.
func ExampleEngine_Score() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := eng.Score(context.Background(), &screen.Response{
		Subject: "pt-0042",
		Context: map[string]any{"age": 47, "sex": "female"},
		Answers: map[string]map[string]any{
			// PHQ-9 answers may be option values or LOINC answer codes ("LA6570-1" = more than half the days).
			"phq9":      {"q1": 2, "q2": "LA6570-1", "q3": 2, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 0, "q9": 0},
			"gcps_r":    {"pain_frequency": 3, "limit_frequency": 3, "pain_avg": 7, "enjoyment": 6, "activity": 7},
			"sisq_drug": {"times": 0},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	phq9 := rep.Instrument("phq9")
	total, _ := phq9.Score("total") // a Score: value, rule and reasons
	severity, _ := phq9.Score("severity")
	fmt.Println("PHQ-9:", total.Value, severity.Value)
	c := rep.Composite
	fmt.Println("tier:", c.Tier)
	for _, r := range c.Referrals {
		fmt.Print(r.Priority, " ", r.ID, " because")
		for _, why := range r.Reasons() {
			fmt.Print(" ", why.Name, "=", why.Value)
		}
		fmt.Println()
	}
	// Output:
	// PHQ-9: 12 moderate
	// tier: elevated
	// routine integrated_pain_care because domains.pain=high_impact
	// routine behavioral_health because domains.depression=positive
	// routine collaborative_care because domains.pain=high_impact domains.depression=positive
}

// Invalid definitions fail New with a diag.List: every problem, each at file:line:col.
func ExampleNew_diagnostics() {
	fsys := fstest.MapFS{"mini.v1.yaml": {Data: []byte(`id: mini
version: 1.0.0
title: Mini
domain: test
status: active
recall: today
citation: none
license: none
item_text: paraphrased
items:
  - {id: a, text: A, options: [{value: 0, label: No}, {value: 1, label: Yes}]}
scores:
  - id: total
    expr: answers.a + answers.b
  - id: band
    bands: {of: total, cuts: [{min: 0, max: 0, label: none}, {min: 2, label: some}]}
`)}}
	_, err := screen.New(screen.WithDefinitions(fsys, "defs"))
	var diags diag.List
	if errors.As(err, &diags) {
		for _, d := range diags {
			fmt.Println(d)
		}
	}
	// Output:
	// defs/mini.v1.yaml:14:31: unknown_item: mini@1.0.0 has no item "b"; did you mean "a"?
}

// The JSON report is the contract other tools parse; every score, flag, domain, tier and referral carries
// the rule that produced it and the inputs it read.
func ExampleReport_MarshalJSON() {
	eng, err := screen.New(screen.WithDefinitions(os.DirFS("testdata/basic"), "basic"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := eng.Score(context.Background(), &screen.Response{
		Subject: "pt-7",
		Answers: map[string]map[string]any{"phq9": {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 0, "q7": 0, "q8": 0, "q9": 2}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(rep)
	var doc struct {
		Instruments map[string]struct {
			Scores map[string]any `json:"scores"`
			Flags  []struct {
				ID      string `json:"id"`
				Rule    string `json:"rule"`
				Reasons []struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"reasons"`
			} `json:"flags"`
		} `json:"instruments"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		fmt.Println(err)
		return
	}
	phq9 := doc.Instruments["phq9"]
	fmt.Println(phq9.Scores["total"], phq9.Scores["severity"])
	for _, f := range phq9.Flags {
		fmt.Println(f.ID, f.Rule, f.Reasons[0].Name, f.Reasons[0].Value)
	}
	// Output:
	// 7 mild
	// suicidal_ideation phq9@1.0.0#flags.suicidal_ideation answers.q9 2
}

// Scoring problems are typed errors that name the instrument and item, never the value.
func ExampleScoreError() {
	eng, err := screen.New(screen.WithDefinitions(os.DirFS("testdata/basic"), "basic"))
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := eng.Score(context.Background(), &screen.Response{
		Answers: map[string]map[string]any{"phq9": {"q1": 7}},
	})
	if err != nil {
		fmt.Println(err) // nothing was scored
		return
	}
	err = rep.Err() // the answers that could not be used, as one error
	var se *screen.ScoreError
	if errors.As(err, &se) {
		fmt.Println(se.Code, se.Instrument, se.Item, errors.Is(err, screen.ErrInvalidValue))
		fmt.Println(se)
	}
	// Output:
	// invalid_value phq9 q1 true
	// phq9.q1: value is not among the options (one of 0, 1, 2, 3)
}

// Score a visit against the subject's baseline visit: the report of the current visit, with the follow-up
// measures the instrument definitions declare, and the referrals that read them.
func ExampleEngine_FollowUp() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		fmt.Println(err)
		return
	}
	visit := func(date string, phq9 map[string]any) *screen.Response {
		return &screen.Response{Subject: "pt-0042", Date: date, Context: map[string]any{"age": 47},
			Answers: map[string]map[string]any{"gcps_r": {"pain_frequency": 1}, "sisq_drug": {"times": 0}, "phq9": phq9}}
	}
	baseline := visit("2026-01-05", map[string]any{"q1": 3, "q2": 3, "q3": 2, "q4": 2, "q5": 2, "q6": 2, "q7": 2, "q8": 0, "q9": 0})
	current := visit("2026-03-24", map[string]any{"q1": 2, "q2": 2, "q3": 2, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 0, "q9": 0})
	rep, err := eng.FollowUp(context.Background(), baseline, current)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("days:", rep.FollowUp.Days)
	for _, in := range rep.FollowUp.Instruments {
		for _, m := range in.Measures {
			fmt.Println(in.ID, m.ID, m.Value)
		}
	}
	for _, r := range rep.Composite.Referrals {
		fmt.Println("referral:", r.ID)
	}
	// Output:
	// days: 78
	// phq9 change -6
	// phq9 response false
	// phq9 remission false
	// phq9 worsening false
	// referral: behavioral_health
	// referral: treatment_adjustment
}

// Score returns a report whenever there is one: an answer that cannot be used is an error of the
// record, in the report, and the urgent flag its other answers raise is still there. Err gathers the
// record's errors for a caller that wants one error.
func ExampleReport_Err() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"phq9": {"q1": 7, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 2},
	}})
	if err != nil {
		fmt.Println("not scored:", err)
		return
	}
	if err := rep.Err(); err != nil {
		fmt.Println("record error:", err, errors.Is(err, screen.ErrInvalidValue))
	}
	_, urgent := rep.Instrument("phq9").Flag("suicidal_ideation")
	fmt.Println("suicidal_ideation:", urgent)
	// Output:
	// record error: phq9.q1: value is not among the options (one of 0, 1, 2, 3) true
	// suicidal_ideation: true
}
