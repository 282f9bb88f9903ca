package naive_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/painscreen/painscreen/internal/naive"
)

// Run scores JSON Lines the way a hand-written batch tool would; here a severe DSM-5 OUD checklist with
// high-impact chronic pain.
func ExampleRun() {
	in := `{"subject":"demo","answers":{"gcps_r":{"pain_frequency":3,"limit_frequency":3,"pain_avg":7,"enjoyment":6,"activity":7},` +
		`"dsm5_oud":{"larger_or_longer":1,"cut_down":1,"time_spent":1,"craving":1,"role_failure":1,"social_problems":1,` +
		`"activities_given_up":0,"hazardous_use":0,"physical_psych_problems":0,"tolerance":1,"withdrawal":1,"supervised":0}}}`
	var out strings.Builder
	n, err := naive.Run(strings.NewReader(in), &out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(n, "record")
	fmt.Println(strings.Contains(out.String(), `"tier":"high"`), strings.Contains(out.String(), `"id":"moud"`))
	// Output:
	// 1 record
	// true true
}
