package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Text that fits (issue 22): every line of score --format text, list and show stays within --width, for
// every bundled example and definition, words never broken. The one exception is a single token longer
// than the line (a sha256 digest), which is put on a line of its own rather than cut.
func TestTextFitsWidth(t *testing.T) {
	danglingFrom := regexp.MustCompile(`\S {2,}from$`)
	examples, err := filepath.Glob("../../examples/responses/*")
	require.NoError(t, err)
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	cmds := [][]string{{"list"}}
	for _, in := range eng.Instruments() {
		cmds = append(cmds, []string{"show", in.ID + "@" + in.Version})
	}
	if rs, ok := eng.RuleSet(); ok {
		cmds = append(cmds, []string{"show", rs.ID})
	}
	for _, f := range examples {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		cmds = append(cmds, []string{"score", "--format", "text", f})
	}
	for _, width := range []int{60, 80, 120} {
		for _, c := range cmds {
			args := append(append([]string{}, c...), "--width", strconv.Itoa(width))
			var out, errb bytes.Buffer
			run(args, strings.NewReader(""), &out, &errb)
			require.NotEmpty(t, out.String(), "%v: %s", args, errb.String())
			for i, line := range strings.Split(out.String(), "\n") {
				// "from" and its first reason stay together: never a table row ending in "from".
				assert.False(t, danglingFrom.MatchString(line), "%v line %d ends with a dangling \"from\": %q", args, i+1, line)
				if utf8.RuneCountInString(line) <= width {
					continue
				}
				assert.NotContains(t, strings.TrimSpace(line), " ", "%v line %d is %d columns: %q", args, i+1, utf8.RuneCountInString(line), line)
			}
		}
	}
}

// Goldens of the text views at 60, 80 and 120 columns: the urgent example, an open tier (PHQ-9 item 9
// unanswered), list and show pain_oud.
func TestWidthGoldens(t *testing.T) {
	open := filepath.Join("testdata", "width", "open.json") // PHQ-9 item 9 unanswered, all else negative
	for _, width := range []int{60, 80, 120} {
		for name, args := range map[string][]string{
			"score-urgent":  {"score", "--format", "text", filepath.Join("testdata", "width", "urgent.yaml")},
			"score-open":    {"score", "--format", "text", open},
			"list":          {"list"},
			"show-pain_oud": {"show", "pain_oud"},
		} {
			var out, errb bytes.Buffer
			run(append(append([]string{}, args...), "--width", strconv.Itoa(width)), strings.NewReader(""), &out, &errb)
			got := out.String()
			path := filepath.Join("testdata", "width", name+"-"+strconv.Itoa(width)+".txt")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, path)
		}
	}
}
