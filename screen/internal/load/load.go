// Package load finds and reads definition files: it walks file systems for YAML files, enforces the size
// limits, parses each file (package def), and reduces what it found to one set of definitions —
// identical copies of a definition are loaded once, conflicting ones (same id and version, different
// content) are errors, and an id may not name both an instrument and a rule set.
package load

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// Root is one file system of definitions; Label prefixes file names in diagnostics.
type Root struct {
	FS    fs.FS
	Label string
}

// Source is one definition file as loaded.
type Source struct {
	Name string
	Src  []byte
	File def.File
}

// Walk calls fn for every YAML file under fsys, in lexical order, with its name in diagnostics (label
// joined to the path). Hidden directories and testdata directories are skipped; suites selects test
// suites (*_test.yaml) instead of definitions.
func Walk(fsys fs.FS, label string, suites bool, fn func(path, name string) error) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if !def.IsYAMLFile(p) || def.IsSuiteFile(p) != suites {
			return nil
		}
		return fn(p, Name(label, p))
	})
}

// Name is the file name diagnostics use: the path under its root, joined to the root's label.
func Name(label, p string) string {
	if label != "" {
		return path.Join(label, p)
	}
	return p
}

// Read parses every definition file under the roots, in order and in lexical path order within each.
// Problems in the files go to list; the error is for a root that could not be read at all.
func Read(roots []Root, lim def.Limits, list *diag.List) ([]Source, error) {
	var out []Source
	for _, r := range roots {
		err := Walk(r.FS, r.Label, false, func(p, name string) error {
			if info, err := fs.Stat(r.FS, p); err == nil && info.Size() > int64(lim.MaxFileBytes) {
				*list = append(*list, diag.Diagnostic{Pos: diag.Pos{File: name}, Code: "limit",
					Message: fmt.Sprintf("file is %d bytes; the limit is %d", info.Size(), lim.MaxFileBytes)})
				return nil
			}
			src, err := fs.ReadFile(r.FS, p)
			if err != nil {
				return err
			}
			out = append(out, Source{Name: name, Src: src, File: def.Parse(name, src, lim, list)})
			return nil
		})
		if err != nil {
			where := "definitions"
			if r.Label != "" {
				where = fmt.Sprintf("definitions in %q", r.Label)
			}
			return nil, fmt.Errorf("reading %s: %w", where, err)
		}
	}
	return out, nil
}

// Set is the definitions that parsed, each once.
type Set struct {
	// Instruments are sorted by id, then version (oldest first).
	Instruments []*def.Instrument
	// RuleSets are in the order found.
	RuleSets []*def.RuleSet
}

// Dedupe reduces sources to a Set: an identical copy (same id, version and digest) is dropped; the same id
// and version with different content, and an id used by both an instrument and a rule set, are errors.
func Dedupe(sources []Source, list *diag.List) Set {
	errAt := func(pos diag.Pos, code, format string, args ...any) {
		*list = append(*list, diag.Diagnostic{Pos: pos, Severity: diag.Error, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	var set Set
	seen := map[string]*def.Header{}
	first := func(h *def.Header) bool {
		if prev, ok := seen[h.Key()]; ok {
			if prev.Digest != h.Digest {
				errAt(h.IDPos, "conflicting_definition", "%s is also defined at %s with different content; change the version when the content changes", h.Key(), prev.IDPos)
				errAt(prev.IDPos, "conflicting_definition", "%s is also defined at %s with different content", h.Key(), h.IDPos)
			}
			return false
		}
		seen[h.Key()] = h
		return true
	}
	for _, s := range sources {
		switch {
		case s.File.Instrument != nil && s.File.Instrument.ID != "":
			if first(&s.File.Instrument.Header) {
				set.Instruments = append(set.Instruments, s.File.Instrument)
			}
		case s.File.RuleSet != nil && s.File.RuleSet.ID != "":
			if first(&s.File.RuleSet.Header) {
				set.RuleSets = append(set.RuleSets, s.File.RuleSet)
			}
		}
	}
	ruleIDs := map[string]bool{}
	for _, r := range set.RuleSets {
		ruleIDs[r.ID] = true
	}
	for _, d := range set.Instruments {
		if ruleIDs[d.ID] {
			errAt(d.IDPos, "duplicate_id", "%q names both an instrument and a rule set", d.ID)
		}
	}
	sort.SliceStable(set.Instruments, func(i, j int) bool {
		a, b := set.Instruments[i], set.Instruments[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Version.Compare(b.Version) < 0
	})
	return set
}

// Lines returns a function that gives the text of a line of a source, for diagnostics' snippets.
func Lines(sources []Source) func(diag.Pos) string {
	lines := map[string][]string{}
	for _, s := range sources {
		lines[s.Name] = strings.Split(string(s.Src), "\n")
	}
	return func(p diag.Pos) string {
		ls := lines[p.File]
		if p.Line < 1 || p.Line > len(ls) {
			return ""
		}
		return strings.TrimRight(ls[p.Line-1], "\r")
	}
}

// DropLocators releases what only compiling needed: the maps from expression offsets to file positions.
func DropLocators(sources []Source) {
	for _, s := range sources {
		s.File.DropLocators()
	}
}
