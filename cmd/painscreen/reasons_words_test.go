package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// celToken matches what a clinician must never read in a reason: CEL (a presence test, a field path of
// answers, domains or context, an operator of the expressions).
var celToken = regexp.MustCompile(`has\(|domains\.|answers\.|context\.|(?:^|[^=])==(?:[^=]|$)|!=|&&|\|\||\bfollowup\.days\b`)

// codeToken matches an id where a clinician reads words (issue 22: no code where a label exists): a
// snake_case id of an item, score, flag, domain, referral or reason code. The text and FHIR views are
// checked after removing what names a definition on purpose — rule references (pain_oud@1.2.0#…) and the
// input's file name; brief is a key=value line whose keys and values are ids by design.
var codeToken = regexp.MustCompile(`\b[a-z][a-z0-9]*_[a-z0-9_]+\b`)

var provenance = regexp.MustCompile(`[^\s(\[]*@\d+\.\d+\.\d+[^\s)\]]*|[^\s(]+\.(?:yaml|jsonl|json|csv)`)

// The text views a clinician reads — text, brief, FHIR notes — of the bundled examples and of the
// scenarios in testdata/reasons: goldens (go test -update rewrites them), each free of CEL.
func TestReasonWordsGoldens(t *testing.T) {
	inputs := map[string]string{"scenarios": filepath.Join("testdata", "reasons", "scenarios.jsonl")}
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "responses", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for _, e := range examples {
		inputs["example-"+strings.TrimSuffix(filepath.Base(e), ".yaml")] = e
	}
	for name, in := range inputs {
		for _, format := range []string{"text", "brief", "fhir"} {
			var out, errb bytes.Buffer
			args := []string{"score", "--format", format, in}
			if format == "text" {
				args = append(args, "--width", "100")
			}
			run(args, strings.NewReader(""), &out, &errb)
			got := out.String()
			if format == "fhir" {
				got = fhirNotes(t, out.Bytes())
			}
			// The input's path differs between the examples and the golden's home: name it by its base.
			got = strings.ReplaceAll(got, in, filepath.Base(in))
			path := filepath.Join("testdata", "reasons", name+"."+format+".txt")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, path)
			assert.NotEmpty(t, strings.TrimSpace(got), path)
			for i, line := range strings.Split(got, "\n") {
				if m := celToken.FindString(line); m != "" {
					t.Errorf("%s:%d: %q in a clinician's view: %s", path, i+1, m, line)
				}
				if format == "brief" {
					continue
				}
				if m := codeToken.FindString(provenance.ReplaceAllString(line, "")); m != "" {
					t.Errorf("%s:%d: the id %q where a clinician reads words: %s", path, i+1, m, line)
				}
			}
		}
	}
}

// fhirNotes returns the notes and rationales of every resource of the Bundles in b, one a line: the words
// a FHIR consumer shows.
func fhirNotes(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var doc any
		require.NoError(t, dec.Decode(&doc))
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(x)) {
					ck := k
					if key == "note" && k == "text" {
						ck = "note" // an Annotation's text
					}
					walk(ck, x[k])
				}
			case []any:
				for _, e := range x {
					walk(key, e)
				}
			case string:
				if key == "note" || key == "rationale" {
					out.WriteString(x + "\n")
				}
			}
		}
		walk("", doc)
	}
	return out.String()
}

// The CDS cards a clinician reads (the scenario goldens of screen/cds and the example cards of the
// service) carry no CEL in what is shown: summary, detail, suggestion and link labels.
func TestCardsHaveNoCEL(t *testing.T) {
	var files []string
	for _, dir := range []string{"../../screen/cds/testdata", "../../server/testdata/cards"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.GreaterOrEqual(t, len(files), 10)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc any
		require.NoError(t, json.Unmarshal(b, &doc), f)
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if k == "extension" || k == "resource" {
						continue // machine provenance and draft orders, not card text
					}
					walk(k, e)
				}
			case []any:
				for _, e := range x {
					walk(key, e)
				}
			case string:
				if key == "summary" || key == "detail" || key == "label" || key == "description" {
					if m := celToken.FindString(x); m != "" {
						t.Errorf("%s: %s carries %q: %s", f, key, m, x)
					}
				}
			}
		}
		walk("", doc)
	}
}
