package examples_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// Example scores one response file with the bundled instruments and the pain_oud rule set, and prints the
// risk tier and the referrals with the domain values behind each.
func Example() {
	// Build the engine once; it is immutable and safe for concurrent use.
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		log.Fatal(err)
	}

	f, err := os.Open("responses/high.yaml")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	format, _ := respfile.FormatFromPath(f.Name())
	dec := respfile.NewDecoder(f, format, respfile.DefaultLimits())
	rec, err := dec.Next()
	if err != nil {
		log.Fatal(err)
	}
	if rec.Err != nil {
		log.Fatal(rec.Err) // names the record, line and field, never the answer
	}

	rep, err := eng.Score(context.Background(), rec.Response)
	if err != nil {
		log.Fatal(err)
	}
	c := rep.Composite
	fmt.Println("tier:", c.Tier)
	for _, r := range c.Referrals {
		fmt.Printf("%-7s %s", r.Priority, r.ID)
		for _, why := range r.Reasons() {
			fmt.Printf(" %s=%s", why.Name, why.Value)
		}
		fmt.Println()
		for range r.Addenda {
			fmt.Println("        + addendum: treat pain and OUD together")
		}
	}
	fmt.Println("not assessed:", c.NotAssessed)
	// Output:
	// tier: high
	// high    moud domains.oud=moderate has(context.moud_current)=false domains.pain=high_impact
	//         + addendum: treat pain and OUD together
	// high    naloxone domains.oud=moderate has(context.naloxone_current)=false
	// high    integrated_pain_oud_therapy domains.oud=moderate domains.pain=high_impact
	// routine integrated_pain_care domains.pain=high_impact
	// routine behavioral_health domains.depression=positive
	// routine collaborative_care domains.pain=high_impact domains.oud=moderate domains.depression=positive
	// not assessed: [drug_use overdose_risk]
}
