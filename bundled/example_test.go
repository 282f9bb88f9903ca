package bundled_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// The bundled catalogue and rule set. An invalid answer spoils only itself: the report is returned with the
// problem listed, and the urgent flag of PHQ-9 item 9 stands.
func ExampleDefinitions() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"phq9":      {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 1},
		"gad7":      {"q1": 9, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1},
		"gcps_r":    {"pain_frequency": 1},
		"sisq_drug": {"times": 0},
	}})
	if err != nil {
		fmt.Println(err) // nothing to score
		return
	}
	// The report holds every result the usable answers settle; Err names the answer that could not be used.
	var re *screen.ResponseErrors
	fmt.Println(errors.As(rep.Err(), &re), errors.Is(rep.Err(), screen.ErrInvalidValue))
	fmt.Println(rep.Errors[0].Code, rep.Errors[0].Instrument, rep.Errors[0].Item)
	fmt.Println(rep.Instrument("gad7").Status, rep.Composite.Tier)
	// Output:
	// true true
	// invalid_value gad7 q1
	// error urgent
}
