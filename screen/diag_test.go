package screen_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/screen/diag"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// wantCodes names, for each broken-definitions case, the diagnostic code it exists to show.
var wantCodes = map[string]string{
	"cel_syntax_hint":          "cel_syntax",
	"score_typo_followon":      "unknown_item",
	"answer_typo":              "unknown_reference",
	"type_boolean":             "schema",
	"band_double_open":         "band_gap",
	"band_gap":                 "band_gap",
	"band_overlap":             "band_overlap",
	"band_past_range":          "band_range",
	"cel_cost":                 "cel_cost",
	"cel_syntax":               "cel_syntax",
	"cel_syntax_block":         "cel_syntax",
	"cel_type":                 "cel_type",
	"conflicting_definition":   "conflicting_definition",
	"duplicate_item":           "duplicate_id",
	"duplicate_key":            "duplicate_key",
	"duplicate_option_value":   "duplicate_value",
	"flag_never_fires":         "never_fires",
	"forward_reference":        "forward_reference",
	"invalid_version":          "invalid_version",
	"missing_field":            "missing_field",
	"prorate_allowance":        "item_list",
	"reserved_score_id":        "reserved_id",
	"rules_unknown_score":      "unknown_score",
	"skip_forward":             "forward_reference",
	"unknown_context":          "unknown_context",
	"unknown_domain_value":     "unknown_value",
	"unknown_field":            "unknown_field",
	"unknown_function":         "unknown_function",
	"unknown_instrument_ref":   "unknown_instrument",
	"unknown_item":             "unknown_item",
	"unknown_item_in_list":     "unknown_item",
	"unknown_scale":            "unknown_scale",
	"unknown_score":            "unknown_score",
	"unsatisfiable_constraint": "unsatisfiable_constraint",
	"wrong_type_bands":         "wrong_type",
	"wrong_type_flag":          "wrong_type",
	"yaml_syntax":              "yaml",
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestBrokenDefinitionsGolden loads each folder under testdata/broken and compares every diagnostic
// (file:line:col: code: message, with its source snippet) against the folder's .golden file.
func TestBrokenDefinitionsGolden(t *testing.T) {
	dirs, err := os.ReadDir("testdata/broken")
	require.NoError(t, err)
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		name := d.Name()
		t.Run(name, func(t *testing.T) {
			_, err := screen.New(screen.WithDefinitions(os.DirFS(filepath.Join("testdata/broken", name)), name))
			require.Error(t, err, "definitions in %s should not load", name)
			var diags diag.List
			require.True(t, errors.As(err, &diags), "error should be Diagnostics, got %T: %v", err, err)
			var b strings.Builder
			require.NoError(t, diags.Write(&b, true))
			golden := filepath.Join("testdata/broken", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file (run go test -run TestBrokenDefinitionsGolden ./screen -update)")
			require.Equal(t, string(want), b.String())
			// The diagnostic the case is about must be there (the golden file pins the rest).
			code, known := wantCodes[name]
			require.True(t, known, "add %s to wantCodes", name)
			found := false
			for _, d := range diags {
				found = found || d.Code == code
			}
			require.True(t, found, "no %s diagnostic:\n%s", code, b.String())
		})
	}
	require.GreaterOrEqual(t, n, 25)
}
