package bundled_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// outside matches references to files outside the repository: the project's working notes (instruments.md,
// composite.md) or any path out of it. Users never have those files, so no bundled file names them, not even
// in a YAML comment.
var outside = regexp.MustCompile(`(?i)instruments\.md|composite\.md|shared/clinical|\.\./shared|/work/`)

// workingNote matches internal working notes that must not reach users of an active definition: evidence
// tags of research notes ([S], [P], [U]), "unverified", open questions, to-dos, draft markers.
var workingNote = regexp.MustCompile(`(?i)\[[SPU]\]|\bunverified\b|open question|\btodo\b|\bfixme\b|\bxxx\b|\bdraft\b`)

// TestNoReferencesOutsideTheRepository reads every bundled file, definitions and test suites, comments
// included.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	n := 0
	err := fs.WalkDir(bundled.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, err := fs.ReadFile(bundled.FS, path)
		if err != nil {
			return err
		}
		n++
		for i, line := range strings.Split(string(b), "\n") {
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s:%d: names %q, a file outside the repository: %s", path, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 20, "bundled YAML files found")
}

// TestShownTextIsClean checks what `painscreen show` prints for every bundled instrument and the rule set:
// every definition states its source and licence; an active one carries neither references to files
// outside the repository nor internal working notes.
func TestShownTextIsClean(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)

	check := func(what, status string, fields map[string]string) {
		t.Helper()
		assert.NotEmpty(t, strings.TrimSpace(fields["citation"]), "%s: citation", what)
		assert.NotEmpty(t, strings.TrimSpace(fields["license"]), "%s: license", what)
		for name, text := range fields {
			if m := outside.FindString(text); m != "" {
				t.Errorf("%s %s names %q, a file outside the repository: %s", what, name, m, text)
			}
			if m := workingNote.FindString(text); m != "" && status == "active" {
				t.Errorf("%s %s carries a working note (%q): %s", what, name, m, text)
			}
		}
	}

	for _, info := range eng.Instruments() {
		doc, err := eng.Describe(info.ID + "@" + info.Version)
		require.NoError(t, err)
		fields := map[string]string{"title": doc.Title, "recall": doc.Recall, "citation": doc.Citation,
			"license": doc.License, "notes": doc.Notes}
		for _, it := range doc.Items {
			fields["items."+it.ID] = it.Text
			for _, o := range it.Options {
				fields["items."+it.ID+".options."+o.Label] = o.Label
			}
		}
		for _, s := range doc.Scores {
			fields["scores."+s.ID] = s.Label + " " + s.Description
		}
		for _, f := range doc.Flags {
			fields["flags."+f.ID] = f.Message
		}
		check(info.ID+"@"+info.Version, doc.Status, fields)
	}

	rs, err := eng.DescribeRuleSet()
	require.NoError(t, err)
	fields := map[string]string{"title": rs.Title, "description": rs.Description, "citation": rs.Citation,
		"license": rs.License, "notes": rs.Notes}
	for _, d := range rs.Domains {
		fields["domains."+d.ID] = d.Description
	}
	for _, tr := range rs.Tiers {
		fields["tiers."+tr.ID] = tr.Description
	}
	for _, r := range rs.Referrals {
		fields["referrals."+r.ID] = r.Text + " " + r.Rationale + " " + r.Source
		for i, a := range r.Addenda {
			fields["referrals."+r.ID+".addenda."+string(rune('0'+i))] = a.Text
		}
	}
	check(rs.ID+"@"+rs.Version, rs.Status, fields)
}
