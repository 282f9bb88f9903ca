package main

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/suite"
)

// untestedVersions warns (no_suite) about each new version of a bundled instrument among the user's
// definitions that no suite tests: the bundled version comes with a suite pinned to the manual's scoring,
// and a new version that silently becomes the default deserves one too. loaded are the "id@version"s
// that compiled; suites are the user's.
func untestedVersions(srcs []defSource, suites []*suite.Suite, loaded []string) diag.List {
	eng, err := screen.New(screen.WithDefinitions(instruments.FS, "instruments"), screen.WithoutRuleSet())
	if err != nil {
		return nil
	}
	bundled := map[string][]string{} // id -> versions
	for _, in := range eng.Instruments() {
		bundled[in.ID] = append(bundled[in.ID], in.Version)
	}
	tested := func(id, version string) bool {
		for _, s := range suites {
			tid, tver, _ := strings.Cut(s.Target(), "@")
			if tid == id && (tver == version || tver == "") {
				return true
			}
		}
		return false
	}
	var out diag.List
	for _, s := range srcs {
		if s.bundled || s.fsys == instruments.FS {
			continue
		}
		_ = fs.WalkDir(s.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil
			case d.IsDir() && p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
				return fs.SkipDir
			case d.IsDir():
				return nil
			}
			if !d.Type().IsRegular() {
				// The loader reports links, FIFOs and devices itself; opening a FIFO would block.
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() > 8<<20 {
				return nil
			}
			base := strings.ToLower(path.Base(p))
			if strings.HasSuffix(base, "_test.yaml") || strings.HasSuffix(base, "_test.yml") ||
				!(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
				return nil
			}
			id, version, line, col := definitionHeader(s.fsys, p)
			versions, isBundled := bundled[id]
			if !isBundled || slices.Contains(versions, version) || !slices.Contains(loaded, id+"@"+version) || tested(id, version) {
				return nil
			}
			file := p
			if s.label != "" {
				file = path.Join(s.label, p) // as the loader names it
			}
			out = append(out, diag.Diagnostic{Pos: diag.Pos{File: file, Line: line, Col: col}, Severity: diag.Warning, Code: "no_suite",
				Message: fmt.Sprintf("%s@%s is a new version of the bundled instrument %q (bundled: %s) and no test suite tests it: add a %s_test.yaml beside it (\"instrument: %s@%s\"; the bundled suite is a start)",
					id, version, id, strings.Join(versions, ", "), strings.TrimSuffix(strings.TrimSuffix(path.Base(p), ".yaml"), ".yml"), id, version)})
			return nil
		})
	}
	return out
}

// definitionHeader reads the id and version of a definition file, and where its version is written; all
// zero when the file is not a definition (its own diagnostics say why).
func definitionHeader(fsys fs.FS, p string) (id, version string, line, col int) {
	f, err := fsys.Open(p)
	if err != nil {
		return "", "", 0, 0
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > 8<<20 {
		return "", "", 0, 0 // checked again once open: the file may have changed since the walk
	}
	src, err := io.ReadAll(io.LimitReader(f, 8<<20))
	if err != nil {
		return "", "", 0, 0
	}
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return "", "", 0, 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "id":
			id = v.Value
		case "version":
			version, line, col = v.Value, v.Line, v.Column
		}
	}
	return id, version, line, col
}
