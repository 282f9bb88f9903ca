package catalog_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

var snakeKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$|^[0-9]+$`)

// keys collects the object keys of decoded JSON that are field names (not data keys such as an input's
// id, which are also lower case).
func keys(v any, out map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			out[k] = true
			keys(x, out)
		}
	case []any:
		for _, x := range v {
			keys(x, out)
		}
	}
}

// TestJSON: every description encodes with snake_case keys (the JSON contract of show --format json),
// leaves what expressions read out, and reads back as it was.
func TestJSON(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	check := func(doc any, back any) {
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		var tree any
		require.NoError(t, json.Unmarshal(b, &tree))
		ks := map[string]bool{}
		keys(tree, ks)
		for k := range ks {
			assert.Regexp(t, snakeKey, k)
			assert.NotContains(t, k, "reads", "what expressions read is left out")
		}
		require.NoError(t, json.Unmarshal(b, back))
		b2, err := json.Marshal(back)
		require.NoError(t, err)
		assert.JSONEq(t, string(b), string(b2))
	}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		require.NoError(t, err)
		check(doc, &catalog.InstrumentDoc{})
	}
	rs, err := eng.DescribeRuleSet()
	require.NoError(t, err)
	check(rs, &catalog.RuleSetDoc{})
	b, err := json.Marshal(rs)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"min_age":`)
	assert.Contains(t, string(b), `"population_description":`)
}
