package def

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/screen/diag"
)

// The JSON Schemas under schema/ are for editors (yaml-language-server completes and checks a definition
// as it is typed); the parser stays the authority. These tests keep the two in step.

const repoRoot = "../../.."

// bundledYAML lists every bundled definition and suite, and the schema each names in its first line.
func bundledYAML(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, dir := range []string{"instruments", "rules"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && IsYAMLFile(p) {
				files[p] = ""
			}
			return err
		})
		require.NoError(t, err)
	}
	require.NotEmpty(t, files)
	return files
}

var modeline = regexp.MustCompile(`^# yaml-language-server: \$schema=(\S+)\n`)

// TestBundledFilesNameTheirSchema: every bundled YAML file starts with the yaml-language-server comment
// naming the right schema by a relative path that resolves in a checkout.
func TestBundledFilesNameTheirSchema(t *testing.T) {
	for p := range bundledYAML(t) {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		m := modeline.FindSubmatch(src)
		require.NotNil(t, m, "%s: the first line must be \"# yaml-language-server: $schema=…\"", p)
		want := "instrument.schema.json"
		switch {
		case IsSuiteFile(p):
			want = "suite.schema.json"
		case bytes.Contains(src, []byte("\ninputs:")):
			want = "ruleset.schema.json"
		}
		ref := string(m[1])
		assert.Equal(t, want, filepath.Base(ref), "%s names the wrong schema", p)
		_, err = os.Stat(filepath.Join(filepath.Dir(p), ref))
		assert.NoError(t, err, "%s: the schema path does not resolve from the file's folder", p)
	}
}

// toJSON converts a YAML document to the JSON the schema describes (mapping keys as strings).
func toJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(src, &v))
	var conv func(any) any
	conv = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = conv(e)
			}
			return x
		case map[any]any:
			m := map[string]any{}
			for k, e := range x {
				m[fmt.Sprint(k)] = conv(e)
			}
			return m
		case []any:
			for i := range x {
				x[i] = conv(x[i])
			}
		}
		return v
	}
	b, err := json.Marshal(conv(v))
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return out
}

func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{"instrument", "ruleset", "suite"} {
		p, err := filepath.Abs(filepath.Join(repoRoot, "schema", name+".schema.json"))
		require.NoError(t, err)
		f, err := os.Open(p)
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		require.NoError(t, err)
		// The schemas' $id is the published URL; compile them from the checkout.
		id := doc.(map[string]any)["$id"].(string)
		require.NoError(t, c.AddResource(id, doc))
		s, err := c.Compile(id)
		require.NoError(t, err, name)
		out[name+".schema.json"] = s
	}
	return out
}

// TestBundledFilesMatchSchema: every bundled definition and suite validates against the schema it names.
func TestBundledFilesMatchSchema(t *testing.T) {
	schemas := compileSchemas(t)
	for p := range bundledYAML(t) {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		m := modeline.FindSubmatch(src)
		if m == nil {
			continue // TestBundledFilesNameTheirSchema reports it
		}
		s := schemas[filepath.Base(string(m[1]))]
		require.NotNil(t, s, p)
		assert.NoError(t, s.Validate(toJSON(t, src)), p)
	}
}

// TestSchemaRejectsWhatTheParserRejects: a few mistakes an editor should underline.
func TestSchemaRejectsWhatTheParserRejects(t *testing.T) {
	schemas := compileSchemas(t)
	inst := schemas["instrument.schema.json"]
	for _, tc := range []struct{ name, src string }{
		{"unknown field", miniInstrument + "colour: blue\n"},
		{"unknown item field", strings.Replace(miniInstrument, "{id: a, text: A,", "{id: a, txt: A,", 1)},
		{"bad status", strings.Replace(miniInstrument, "status: active", "status: live", 1)},
		{"item with options and no text", strings.Replace(miniInstrument, "{id: a, text: A, options: yn}", "{id: a, options: yn}", 1)},
		{"score with two kinds", strings.Replace(miniInstrument, `expr: answers.sum(["a"])`, "expr: answers.sum([\"a\"])\n    lookup: {of: x, table: {1: 2}}", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var list diag.List
			Parse("x.v1.yaml", []byte(tc.src), DefaultLimits(), &list)
			require.True(t, list.HasErrors(), "the parser accepts it: %s", tc.src)
			assert.Error(t, inst.Validate(toJSON(t, []byte(tc.src))))
		})
	}
	require.NoError(t, inst.Validate(toJSON(t, []byte(miniInstrument))))
}

// context normalizes the parser's description of a mapping to the schema's x-painscreen-context.
func context(what string, allowed []string) string {
	switch {
	case strings.HasPrefix(what, "input "):
		return "input"
	case strings.HasPrefix(what, "context field "):
		return "context field"
	case strings.HasSuffix(what, " option"):
		return "option"
	case strings.HasSuffix(what, " entry"):
		return "code"
	case what == "want" && slices.Contains(allowed, "tier"):
		return "want (rules)"
	case what == "want":
		return "want (instrument)"
	}
	return what
}

// TestSchemaInSyncWithParser: every mapping the parser reads with a fixed set of keys has an object in
// the schemas (marked "x-painscreen-context") with exactly those properties, and no additional ones. A
// field added to the parser without the schema, or the other way round, fails here.
func TestSchemaInSyncWithParser(t *testing.T) {
	seen := map[string][]string{}
	mappingHook = func(what string, allowed []string) {
		if len(allowed) > 0 {
			keys := slices.Sorted(slices.Values(allowed))
			ctx := context(what, allowed)
			if prev, ok := seen[ctx]; ok && !slices.Equal(prev, keys) {
				t.Errorf("parser context %q reads different keys in different places: %v and %v", ctx, prev, keys)
			}
			seen[ctx] = keys
		}
	}
	defer func() { mappingHook = nil }()
	// Parse everything bundled, plus the constructs no bundled file uses.
	for p := range bundledYAML(t) {
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		var list diag.List
		Parse(filepath.Base(p), src, DefaultLimits(), &list)
	}
	extra := map[string]string{
		"x.v1.yaml": miniInstrument + "conditional_notes:\n  - {id: n, when: \"true\", message: m}\n" +
			"  - {id: r, when: \"true\", message: m}\n",
		"s.v1.yaml": strings.Replace(strings.Replace(miniInstrument, "  - id: total\n", "  - id: total\n    range: {min: 0, max: 1}\n", 1),
			"flags:\n", "  - {id: l, lookup: {of: total, table: {0: 1}}}\nflags:\n", 1),
		"t.v1_test.yaml": "instrument: x@1.0.0\ntests:\n  - {name: a, answers: {}, want_error: {code: c}}\n" +
			"  - {name: b, answers: {}, want: {errors: [{code: c}]}}\n",
		"u.v1_test.yaml": "rules: r@1.0.0\ntests:\n  - {name: a, answers: {}, want: {instruments: {x: {}}, possible: {d: [a]}, domains: {d: a}}}\n",
	}
	for name, src := range extra {
		var list diag.List
		Parse(name, []byte(src), DefaultLimits(), &list)
		require.False(t, list.HasErrors(), "%s: %v", name, list)
	}

	inSchema := map[string][]string{}
	for _, name := range []string{"instrument", "ruleset", "suite"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "schema", name+".schema.json"))
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(b, &doc))
		var walk func(v any, at string)
		walk = func(v any, at string) {
			switch x := v.(type) {
			case map[string]any:
				if ctx, ok := x["x-painscreen-context"].(string); ok {
					props, _ := x["properties"].(map[string]any)
					var keys []string
					for k := range props {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					assert.Equal(t, false, x["additionalProperties"], "%s (%s): additionalProperties must be false", at, ctx)
					if prev, dup := inSchema[ctx]; dup {
						assert.Equal(t, prev, keys, "schema context %q is described twice, differently", ctx)
					}
					inSchema[ctx] = keys
				}
				for k, e := range x {
					walk(e, at+"/"+k)
				}
			case []any:
				for i, e := range x {
					walk(e, fmt.Sprintf("%s/%d", at, i))
				}
			}
		}
		walk(doc, name)
	}
	for ctx, keys := range seen {
		got, ok := inSchema[ctx]
		if assert.True(t, ok, "the parser reads %q (keys %v) but no schema object has \"x-painscreen-context\": %q", ctx, keys, ctx) {
			assert.Equal(t, keys, got, "the keys of %q: parser (want) vs schema (got)", ctx)
		}
	}
	for ctx := range inSchema {
		_, ok := seen[ctx]
		assert.True(t, ok, "schema context %q is not read by the parser (renamed? add a construct to the test's extra files)", ctx)
	}
}
