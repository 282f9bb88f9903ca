package batch_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Example scores a cohort's visits, each against its subject's baseline, in the brief format on two
// goroutines (the output keeps the input's order), and prints the tallies.
func Example() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		log.Fatal(err)
	}
	in := `{"subject":"pt-a","date":"2026-01-05","answers":{"phq9":{"q1":3,"q2":3,"q3":3,"q4":3,"q5":3,"q6":3,"q7":2,"q8":0,"q9":0}}}
{"subject":"pt-a","date":"2026-03-30","answers":{"phq9":{"q1":3,"q2":3,"q3":3,"q4":0,"q5":0,"q6":0,"q7":0,"q8":0,"q9":0}}}
{"subject":"pt-b","date":"2026-01-07","answers":{"phq9":{"q1":1,"q2":1,"q3":1,"q4":1,"q5":1,"q6":1,"q7":1,"q8":1,"q9":1}}}
`
	w, err := render.NewWriter(os.Stdout, eng, render.Brief, render.Options{})
	if err != nil {
		log.Fatal(err)
	}
	r, err := batch.NewRunner(eng, w, batch.Options{Jobs: 2, FollowUp: true})
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Run(context.Background(), batch.Source{Name: "visits.jsonl", R: strings.NewReader(in), Format: respfile.FormatJSONL}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	sum := r.Summary()
	fmt.Printf("%d records, %d scored, %d failed\n", sum.Records, sum.Scored, sum.Failed)
	for _, t := range sum.Tiers {
		fmt.Printf("%s %d\n", t.Tier, t.Records)
	}
	// Output:
	// visits.jsonl:1 pt-a ok date=2026-01-05 tier=high referrals=behavioral_health_prompt because="Depression: severe"
	// visits.jsonl:2 pt-a ok date=2026-03-30 tier=low referrals=treat_to_remission,rescreen because="Safety (PHQ-9 item 9): none; Opioid use disorder: not assessed; Overdose risk: not assessed; Depression: negative; Drug use in the past year: not assessed; Chronic pain: not assessed; Anxiety: not assessed; Unhealthy alcohol use: not assessed; PTSD: not assessed" since=84d phq9.change=-11,phq9.response=true,phq9.remission=false,phq9.worsening=false
	// visits.jsonl:3 pt-b ok date=2026-01-07 tier=urgent referrals=suicide_safety_assessment flags=phq9.suicidal_ideation(URGENT) because="Safety (PHQ-9 item 9): suicidal ideation"
	// 3 records, 3 scored, 0 failed
	// urgent 1
	// high 1
	// elevated 0
	// low 1
}

// ExampleBaseline: the earliest dated visit is the baseline, wherever it is in the input.
func ExampleBaseline() {
	visits := []*screen.Response{{Subject: "pt-b", Date: "2026-03-02"}, {Subject: "pt-b", Date: "2026-01-05"}, {Subject: "pt-b"}}
	i, dated := batch.Baseline(visits)
	fmt.Println(i, dated)
	for _, base := range batch.Pair(visits) {
		if base == nil {
			fmt.Println("baseline")
		} else {
			fmt.Println("against", base.Date)
		}
	}
	// Output:
	// 1 true
	// against 2026-01-05
	// baseline
	// against 2026-01-05
}
