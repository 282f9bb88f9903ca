package screen_test

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/painscreen/painscreen/"

// importGraph is the import graph docs/architecture.md states: its packages in order (each may import only
// packages before it) and, per package, exactly the module's packages it imports.
type importGraph struct {
	order   []string
	imports map[string][]string
}

var backticked = regexp.MustCompile("`([^`]+)`")

// readImportGraph parses the "## Import graph" section of docs/architecture.md: one line per package,
// "- `pkg` imports `a`, `b`" or "- `pkg` imports nothing".
func readImportGraph(t *testing.T, path string) importGraph {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	g := importGraph{imports: map[string][]string{}}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Import graph"
			continue
		}
		if !in || !strings.HasPrefix(line, "- `") {
			continue
		}
		names := backticked.FindAllStringSubmatch(line, -1)
		pkg := names[0][1]
		require.NotContains(t, g.imports, pkg, "%s is listed twice", pkg)
		deps := []string{}
		for _, m := range names[1:] {
			deps = append(deps, m[1])
		}
		require.True(t, len(deps) > 0 || strings.HasSuffix(line, " imports nothing"), "cannot read the line %q", line)
		g.order = append(g.order, pkg)
		g.imports[pkg] = deps
	}
	require.NoError(t, sc.Err())
	require.Greater(t, len(g.order), 20, "the import graph section lists the module's packages")
	return g
}

// isProgram reports whether a package directory holds a program (or a program's own packages), which the
// graph does not list.
func isProgram(pkg string) bool {
	return strings.HasPrefix(pkg, "cmd/") || strings.HasPrefix(pkg, "examples") || strings.HasPrefix(pkg, "scripts/")
}

// TestImportRules enforces the import graph docs/architecture.md states, exactly: every package of the
// module is listed, imports exactly the packages its line names, and each of those is listed above it (so
// data flows one way and the graph has no cycle). Programs (cmd/, examples/, scripts/) never reach into
// screen's internals, and only they and tests import package bundled.
func TestImportRules(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	g := readImportGraph(t, filepath.Join(root, "docs", "architecture.md"))
	for i, pkg := range g.order {
		for _, dep := range g.imports[pkg] {
			at := slices.Index(g.order, dep)
			assert.True(t, at >= 0 && at < i, "docs/architecture.md: %s imports %s, which is not listed above it", pkg, dep)
		}
	}

	actual := map[string]map[string]bool{} // package → module packages its non-test files import
	seen := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "testdata" || strings.HasPrefix(n, ".") || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		if actual[pkg] == nil {
			actual[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, ok := strings.CutPrefix(p, module)
			if !ok {
				continue
			}
			seen++
			actual[pkg][dep] = true
			if isProgram(pkg) {
				assert.False(t, strings.HasPrefix(dep, "screen/") && strings.Contains(dep, "/internal/"), "%s reaches into the engine's internals (%s)", path, dep)
				continue
			}
			assert.NotEqual(t, "bundled", dep, "%s imports bundled: only programs and tests may", path)
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, seen, 30, "the walk found the module's imports")

	for pkg, deps := range actual {
		if isProgram(pkg) || pkg == "." {
			continue
		}
		listed, ok := g.imports[pkg]
		if !assert.True(t, ok, "package %s is not in docs/architecture.md's import graph", pkg) {
			continue
		}
		for dep := range deps {
			assert.Contains(t, listed, dep, "%s imports %s, which docs/architecture.md's import graph does not list", pkg, dep)
		}
		for _, dep := range listed {
			assert.True(t, deps[dep], "docs/architecture.md says %s imports %s; it does not (update the graph)", pkg, dep)
		}
	}
	for _, pkg := range g.order {
		assert.Contains(t, actual, pkg, "docs/architecture.md lists %s, which has no Go files", pkg)
	}
}
