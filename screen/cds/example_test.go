package cds_test

import (
	"context"
	"fmt"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
)

// A battery that screens negative except that PHQ-9 item 9 was left blank: the tier is not final, and
// both the headline and the card lead with what to ask.
func Example() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "Patient/123", Answers: map[string]map[string]any{
		"gcps_r":    {"pain_frequency": 1},
		"sisq_drug": {"times": 0},
		"phq9":      {"q1": 0, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0},
	}})
	if err != nil {
		panic(err)
	}
	maker := cds.NewMaker(eng, cds.Options{})
	if open, ok := maker.Names().OpenResult(rep); ok {
		fmt.Println("Risk tier:", open.Headline())
	}
	for _, c := range maker.Cards(rep) {
		fmt.Printf("%s: %s\n", c.Indicator, c.Summary)
	}
	// Output:
	// Risk tier: not final — LOW now, URGENT possible: ask PHQ-9 item 9
	// warning: Risk tier not final: URGENT possible. Ask PHQ-9 item 9.
}
