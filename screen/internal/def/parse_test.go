package def

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
)

const miniInstrument = `id: mini
version: 1.0.0
title: Mini
domain: test
status: active
recall: today
citation: c
license: l
item_text: paraphrased
options:
  yn: [{value: 0, label: No, code: N}, {value: 1, label: Yes, code: Y}]
items:
  - {id: a, text: A, options: yn}
  - {id: b, text: B, range: {min: 0, max: 10}, required: false, enable_when: "answers.a == 1"}
scores:
  - id: total
    expr: answers.sum(["a"])
  - id: band
    bands: {of: total, cuts: [{max: 0, label: none}, {label: some}]}
flags:
  - {id: f, when: "answers.a == 1", level: info, message: m}
`

func TestParseInstrument(t *testing.T) {
	var list diag.List
	f := Parse("mini.v1.yaml", []byte(miniInstrument), DefaultLimits(), &list)
	require.Empty(t, list)
	in := f.Instrument
	require.NotNil(t, in)
	assert.Equal(t, "mini@1.0.0", in.Key())
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, in.Digest)
	require.Len(t, in.Items, 2)
	assert.True(t, in.Items[0].Required)
	assert.False(t, in.Items[1].Required)
	assert.Equal(t, int64(10), *in.Items[1].Max)
	assert.Equal(t, "answers.a == 1", in.Items[1].EnableWhen.Src)
	require.Len(t, in.Scores, 2)
	assert.Equal(t, "total", in.Scores[1].Bands.Of)
	require.Len(t, in.Flags, 1)
}

// The digest is of the content: comments, key order, quoting and layout do not change it; a value does.
func TestDigestIsCanonical(t *testing.T) {
	digest := func(src string) string {
		var list diag.List
		f := Parse("mini.v1.yaml", []byte(src), DefaultLimits(), &list)
		require.Empty(t, list, src)
		return f.Instrument.Digest
	}
	base := digest(miniInstrument)
	reordered := strings.Replace(miniInstrument, "title: Mini\ndomain: test\n", "# a comment\ndomain: 'test'\ntitle: \"Mini\"\n", 1)
	assert.Equal(t, base, digest(reordered))
	changed := strings.Replace(miniInstrument, "max: 10", "max: 11", 1)
	assert.NotEqual(t, base, digest(changed))
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct {
		name, src, code string
	}{
		{"not yaml", "id: [", "yaml"},
		{"empty", "", "yaml"},
		{"two documents", miniInstrument + "---\nid: x\n", "yaml"},
		{"alias", strings.Replace(miniInstrument, "options:\n  yn:", "options:\n  yn: &s", 1) + "x: *s\n", "yaml"},
		{"not utf8", "id: \xff\n", "encoding"},
		{"unknown kind", "id: x\n", "schema"},
		{"unknown field", miniInstrument + "scroes: []\n", "unknown_field"},
		{"bad id", strings.Replace(miniInstrument, "id: mini", "id: Mini", 1), "invalid_id"},
		{"bad version", strings.Replace(miniInstrument, "version: 1.0.0", "version: v1", 1), "invalid_version"},
		{"bad status", strings.Replace(miniInstrument, "status: active", "status: live", 1), "schema"},
		{"options and range", strings.Replace(miniInstrument, "options: yn}", "options: yn, range: {min: 0}}", 1), "schema"},
		{"no options", strings.Replace(miniInstrument, "{id: a, text: A, options: yn}", "{id: a, text: A}", 1), "missing_field"},
		{"range max below min", strings.Replace(miniInstrument, "max: 10", "max: -1", 1), "schema"},
		{"float value", strings.Replace(miniInstrument, "value: 0,", "value: 0.5,", 1), "schema"},
		{"two score kinds", strings.Replace(miniInstrument, "expr: answers.sum([\"a\"])", "expr: answers.a\n    lookup: {of: a, table: {0: 1}}", 1), "schema"},
		{"bad flag level", strings.Replace(miniInstrument, "level: info", "level: loud", 1), "schema"},
		{"empty expression", strings.Replace(miniInstrument, `when: "answers.a == 1", level`, `when: "  ", level`, 1), "schema"},
		{"lookup out of order", strings.Replace(miniInstrument, "bands: {of: total, cuts: [{max: 0, label: none}, {label: some}]}", "lookup: {of: total, table: {2: 1, 1: 2}}", 1), "schema"},
		{"too deep", miniInstrument + "notes2: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var list diag.List
			Parse("mini.v1.yaml", []byte(tc.src), DefaultLimits(), &list)
			require.NotEmpty(t, list, "no diagnostics")
			codes := []string{}
			for _, d := range list {
				codes = append(codes, d.Code)
				assert.Equal(t, "mini.v1.yaml", d.Pos.File)
			}
			assert.Contains(t, codes, tc.code, "%v", list)
		})
	}
}

func TestParseLimits(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxFileBytes = 100
	var list diag.List
	Parse("mini.v1.yaml", []byte(miniInstrument), lim, &list)
	require.Len(t, list, 1)
	assert.Equal(t, "limit", list[0].Code)

	lim = DefaultLimits()
	lim.MaxExprBytes = 5
	list = nil
	Parse("mini.v1.yaml", []byte(miniInstrument), lim, &list)
	assert.NotEmpty(t, list)
	for _, d := range list {
		assert.Equal(t, "limit", d.Code)
	}
}

// FuzzParse parses arbitrary bytes as a definition and as a suite: diagnostics, never a panic, and every
// diagnostic has a code, a message and a position inside the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(miniInstrument))
	for _, dir := range []string{"../../../instruments", "../../../rules"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
				if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
					f.Add(b)
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"x.v1.yaml", "x.v1_test.yaml"} {
			var list diag.List
			Parse(name, data, DefaultLimits(), &list)
			lines := strings.Count(string(data), "\n") + 1
			for _, d := range list {
				if d.Code == "" || d.Message == "" {
					t.Fatalf("diagnostic without code or message: %+v", d)
				}
				if d.Pos.Line > lines+1 {
					t.Fatalf("diagnostic past the end of the file (line %d of %d): %v", d.Pos.Line, lines, d)
				}
				if d.Code == "yaml" && d.Pos.Line > 0 {
					// A syntax error's measured position is a byte of the file: inside its line.
					ls := strings.Split(string(data), "\n")
					if d.Pos.Line > len(ls) || d.Pos.Col > len(ls[d.Pos.Line-1])+1 {
						t.Fatalf("yaml diagnostic outside its line: %v", d)
					}
				}
			}
		}
	})
}
