package respfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FuzzAnswerValue checks composite contract §1a rule 1 at the decoder: a record whose syntax parses is
// never an error record because of an answer's value. The fuzzed value is put in the place of one answer
// of an otherwise valid record (PHQ-9 with item 9 = 3) in JSON Lines, JSON, YAML and CSV; whenever the
// record still parses, it must be returned as a response holding item 9 = 3 — unless the value is a string
// the decoder cannot keep (invalid UTF-8, a lone surrogate, over MaxStringBytes), nested past MaxDepth, or
// YAML that painscreen does not read (an alias, an anchor, a binary or custom tag), which stay errors of
// the record.
func FuzzAnswerValue(f *testing.F) {
	for _, v := range []string{"2.5", "1e2", "1e400", "99999999999999999999", "-0.0", "2.0", "true", "false",
		"null", `{"a":[1,{}]}`, "[]", `"many"`, `"\u00e9"`, "0x1F", ".inf", "2001-01-01", "{a: 1}", "[1, [2]]",
		"!!float 1", "~", "NA", "1.5e-3", `"\ud800"`} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lim := Limits{}.withDefaults()
		allowed := map[string]bool{CodeInvalidUTF8: true, CodeTooLarge: true, CodeTooDeep: true}
		check := func(format Format, in string, allowed map[string]bool) {
			t.Helper()
			d := NewDecoder(strings.NewReader(in), format, Limits{})
			r, err := d.Next()
			if err != nil {
				t.Fatalf("%s: fatal %v for a record that parses:\n%s", format, err, in)
			}
			if r.Err != nil {
				if !allowed[r.Err.Code] {
					t.Fatalf("%s: the value made the record an error record (%v):\n%s", format, r.Err, in)
				}
				return
			}
			if got := r.Response.Answers["phq9"]["q9"]; got != int64(3) {
				t.Fatalf("%s: item 9 = %#v, want 3", format, got)
			}
			checkResponse(t, r.Response)
		}

		// JSON: the value must be one JSON value (then it cannot change the record's structure).
		if json.Valid([]byte(v)) && utf8.ValidString(v) {
			rec := `{"answers":{"phq9":{"q1":` + v + `,"q9":3}}}`
			if !strings.Contains(v, "\n") { // a line break would end the JSONL record
				check(FormatJSONL, rec+"\n", allowed)
			}
			check(FormatJSON, rec, allowed)
		}

		// YAML: the value is parsed as a YAML document of its own and put in a record's node tree.
		var doc yaml.Node
		if utf8.ValidString(v) && len(v) < 1024 && yaml.Unmarshal([]byte(v), &doc) == nil && len(doc.Content) == 1 {
			rec := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "answers"},
				{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Value: "phq9"},
					{Kind: yaml.MappingNode, Content: []*yaml.Node{
						{Kind: yaml.ScalarNode, Value: "q1"}, doc.Content[0],
						{Kind: yaml.ScalarNode, Value: "q9"}, {Kind: yaml.ScalarNode, Tag: "!!int", Value: "3"},
					}},
				}},
			}}
			if out, err := yaml.Marshal(rec); err == nil && len(out) < lim.MaxRecordBytes {
				yamlAllowed := map[string]bool{CodeAlias: true, CodeWrongType: true}
				for k := range allowed {
					yamlAllowed[k] = true
				}
				if custom := hasOtherTag(doc.Content[0]); !custom {
					delete(yamlAllowed, CodeWrongType)
				}
				check(FormatYAML, string(out), yamlAllowed)
			}
		}

		// CSV: any cell text.
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write([]string{"phq9.q1", "phq9.q9"})
		_ = w.Write([]string{v, "3"})
		w.Flush()
		if !strings.ContainsAny(v, "\r") { // encoding/csv reads "\r\n" in a quoted field as "\n"
			check(FormatCSV, b.String(), allowed)
		}
	})
}

// hasOtherTag reports whether a YAML node (or one inside it) has a tag that painscreen does not read as
// an answer: not one of the core schema's !!null, !!bool, !!int, !!float, !!str, !!timestamp, !!map,
// !!seq. Only a scalar's tag matters: the content of a mapping or sequence answer is not read.
func hasOtherTag(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!null", "!!bool", "!!int", "!!float", "!!str", "!!timestamp":
		return false
	}
	return true
}
