package def

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
)

// Short names and labels are read where a clinician meets them; one given but blank warns empty_label (the
// definition still loads, with the fallback name), since the author meant words and the reader gets none.
func TestShortAndLabels(t *testing.T) {
	src := strings.Replace(miniInstrument, "  - id: total\n", "  - id: total\n    label: Mini total score (0-1)\n    short: total\n", 1)
	var list diag.List
	f := Parse("mini.v1.yaml", []byte(src), DefaultLimits(), &list)
	require.Empty(t, list)
	assert.Equal(t, "total", f.Instrument.Scores[0].Short)
	assert.Equal(t, "Mini total score (0-1)", f.Instrument.Scores[0].Label)

	tests := []struct {
		name, from, to, want string
	}{
		{"score short", "  - id: total\n", "  - id: total\n    short: \"  \"\n", "score total short is empty"},
		{"score label", "  - id: total\n", "  - id: total\n    label: \"\"\n", "score total label is empty"},
		{"item label", "{id: a, text: A, options: yn}", "{id: a, text: A, options: yn, label: ' '}", "item a label is empty"},
		{"instrument label", "title: Mini\n", "title: Mini\nlabel: \"\"\n", "instrument label is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var list diag.List
			f := Parse("mini.v1.yaml", []byte(strings.Replace(miniInstrument, tc.from, tc.to, 1)), DefaultLimits(), &list)
			require.NotNil(t, f.Instrument, "a blank name is a warning, not an error")
			require.Len(t, list, 1, "%v", list)
			assert.Equal(t, diag.Warning, list[0].Severity)
			assert.Equal(t, "empty_label", list[0].Code)
			assert.Contains(t, list[0].Message, tc.want)
			assert.Positive(t, list[0].Pos.Line)
		})
	}
}
