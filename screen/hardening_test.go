package screen_test

import (
	"context"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// Issue 10, item 1: valid expressions over literal kinds the fast path does not model (uint, bytes, null,
// mixed-kind lists) load with New and Check and score like any other; they once panicked at load time.
func TestUnmodelledLiteralsLoadAndScore(t *testing.T) {
	for _, expr := range unmodelledLiteralExprs {
		t.Run(expr, func(t *testing.T) {
			fsys := fstest.MapFS{"gen.v1.yaml": {Data: []byte(genDefinition(strconv.Quote(expr), `"true"`, `"answers.a == 1"`))}}
			res, err := screen.Check(screen.WithDefinitions(fsys, ""))
			require.NoError(t, err)
			require.Empty(t, res.Diagnostics)
			assert.Equal(t, []string{"gen@1.0.0"}, res.Instruments)
			eng, err := screen.New(screen.WithDefinitions(fsys, ""))
			require.NoError(t, err)
			rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"gen": {"a": 1, "b": 0}}})
			require.NoError(t, err)
			s, ok := rep.Instrument("gen").Score("s")
			require.True(t, ok)
			assert.Equal(t, screen.IntValue(1), s)
		})
	}
}
