package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestScaffoldMatchesSchema: what `painscreen new` writes validates against the JSON Schema its first
// line names (the editor would otherwise underline a fresh file).
func TestScaffoldMatchesSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	schemas := map[string]*jsonschema.Schema{}
	for _, name := range []string{"instrument", "ruleset", "suite"} {
		f, err := os.Open(filepath.Join("..", "..", "schema", name+".schema.json"))
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		require.NoError(t, err)
		id := doc.(map[string]any)["$id"].(string)
		require.NoError(t, c.AddResource(id, doc))
		schemas[name+".schema.json"], err = c.Compile(id)
		require.NoError(t, err)
	}
	first := regexp.MustCompile(`^# yaml-language-server: \$schema=https://\S+/schema/(\S+)\n`)
	for _, kind := range []string{"instrument", "ruleset"} {
		files, err := scaffold(kind, "example_id")
		require.NoError(t, err)
		for _, src := range files {
			m := first.FindSubmatch(src)
			require.NotNil(t, m, "%s: no schema line", kind)
			s := schemas[string(m[1])]
			require.NotNil(t, s, string(m[1]))
			var v any
			require.NoError(t, yaml.Unmarshal(src, &v))
			b, err := json.Marshal(stringKeys(v))
			require.NoError(t, err)
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			require.NoError(t, err)
			require.NoError(t, s.Validate(doc), "%s", src)
		}
	}
}

// stringKeys turns YAML's map[any]any (a lookup table's integer keys) into JSON objects.
func stringKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = stringKeys(e)
		}
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = stringKeys(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = stringKeys(x[i])
		}
	}
	return v
}
