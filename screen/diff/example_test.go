package diff_test

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diff"
	"github.com/painscreen/painscreen/screen/suite"
)

// Compare the bundled PHQ-2 with a copy whose positive screen starts at 2 instead of 3: over its test
// vectors and every complete answer pattern (4 × 4), the patterns summing to 2 change.
func Example() {
	src, _ := fs.ReadFile(bundled.FS, "instruments/phq2/phq2.v1.yaml")
	changed := strings.NewReplacer("version: 1.0.0", "version: 1.0.1", "scores.total >= 3", "scores.total >= 2").Replace(string(src))
	mine := fstest.MapFS{"phq2.v1.0.1.yaml": {Data: []byte(changed)}}

	eng, err := screen.New(bundled.Definitions(), screen.WithDefinitions(mine, "mine"), screen.WithoutRuleSet())
	if err != nil {
		fmt.Println(err)
		return
	}
	suites, _ := suite.Load(bundled.FS, "")
	res, err := diff.Instruments(context.Background(), eng, "phq2@1.0.0", "phq2@1.0.1", diff.VectorsOf(suites, "phq2"), diff.Options{Examples: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Kind, res.From, "→", res.To, "changed:", res.Changed())
	fmt.Println(res.Patterns.Mode, res.Patterns.Space, "patterns")
	for _, c := range res.Patterns.Changes {
		fmt.Printf("%s: %s → %s in %d, e.g. %v\n", c.Outcome, c.From, c.To, c.Count, c.Examples[0].Answers)
	}
	// Output:
	// instrument phq2@1.0.0 → phq2@1.0.1 changed: true
	// exhaustive 16 patterns
	// scores.positive: false → true in 3, e.g. map[q1:0 q2:2]
}
