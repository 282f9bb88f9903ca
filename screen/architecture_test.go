package screen_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/painscreen/painscreen/"

// allowedImports is the stage graph of docs/architecture.md: which of the module's packages each package
// of the engine may import (non-test files). Data flows one way: load → def → compile → plan → eval →
// trace → the facade's report. A package missing here may import none of the module's packages but
// those listed for "*".
var allowedImports = map[string][]string{
	"internal/jsonenc":            {},
	"internal/suggest":            {},
	"internal/yamlint":            {},
	"screen/diag":                 {},
	"screen/catalog":              {},
	"screen/internal/semver":      {},
	"screen/internal/celenv":      {},
	"screen/internal/value":       {"internal/jsonenc"},
	"screen/internal/def":         {"internal/suggest", "internal/yamlint", "screen/diag", "screen/internal/semver"},
	"screen/internal/load":        {"screen/diag", "screen/internal/def"},
	"screen/internal/plan":        {"screen/internal/def", "screen/internal/semver", "screen/internal/value"},
	"screen/internal/eval":        {"screen/internal/celenv", "screen/internal/plan", "screen/internal/value"},
	"screen/internal/trace":       {"screen/internal/eval", "screen/internal/plan", "screen/internal/value"},
	"screen/internal/compile":     {"screen/diag", "screen/internal/celenv", "screen/internal/def", "screen/internal/eval", "screen/internal/lint", "screen/internal/load", "screen/internal/plan", "screen/internal/semver", "screen/internal/value"},
	"screen/internal/lint":        {"screen/diag", "screen/internal/def", "screen/internal/plan", "screen/internal/value"},
	"screen":                      {"internal/jsonenc", "screen/catalog", "screen/diag", "screen/internal/compile", "screen/internal/def", "screen/internal/eval", "screen/internal/load", "screen/internal/plan", "screen/internal/trace", "screen/internal/value"},
	"screen/respfile":             {"internal/suggest", "internal/yamlint", "screen", "screen/catalog", "screen/ehr", "screen/fhir"},
	"screen/cds":                  {"screen", "screen/catalog"},
	"screen/fhir":                 {"internal/jsonenc", "screen", "screen/catalog", "screen/cds"},
	"screen/suite":                {"screen", "screen/catalog", "screen/diag", "screen/internal/def", "screen/internal/load"},
	"screen/diff":                 {"screen", "screen/catalog", "screen/suite"},
	"screentest":                  {"screen", "screen/suite"},
	"bundled":                     {"instruments", "rules", "screen"},
	"instruments":                 {},
	"rules":                       {},
	"cmd/painscreen/internal/gen": {},
	"server":                      {"screen", "screen/cds", "screen/ehr", "screen/fhir", "screen/respfile"},
	"screen/ehr":                  {},
	"screen/ehr/internal/gen":     {},
	"screen/ehr/internal/mmegen":  {"screen/ehr/internal/gen"},
	"internal/safetext":           {},
	"internal/csvenc":             {},
	"internal/textfmt":            {"internal/safetext"},
	"screen/render":               {"internal/csvenc", "internal/jsonenc", "internal/safetext", "internal/textfmt", "screen", "screen/catalog", "screen/cds", "screen/ehr", "screen/fhir", "screen/respfile"},
	"screen/batch":                {"screen", "screen/render", "screen/respfile"},
	"internal/naive":              {},
	"internal/naive/naivescore":   {"internal/naive"},
}

// TestImportRules keeps the package graph the architecture document draws: every stage imports only the
// stages before it, screen never imports the CLI or the bundled content, and only programs (cmd/,
// examples/) and tests import package bundled.
func TestImportRules(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
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
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, ok := strings.CutPrefix(p, module)
			if !ok {
				continue
			}
			seen++
			if dep == "bundled" {
				assert.True(t, strings.HasPrefix(pkg, "cmd/") || strings.HasPrefix(pkg, "examples"), "%s imports bundled: only programs and tests may", path)
				continue
			}
			if strings.HasPrefix(pkg, "cmd/") || strings.HasPrefix(pkg, "examples") {
				assert.False(t, strings.Contains(dep, "/internal/") && strings.HasPrefix(dep, "screen/"), "%s reaches into the engine's internals (%s)", path, dep)
				continue
			}
			allowed, known := allowedImports[pkg]
			assert.True(t, known, "package %s is not in the architecture's import table", pkg)
			assert.True(t, slices.Contains(allowed, dep), "%s: %s may not import %s (see docs/architecture.md)", path, pkg, dep)
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, seen, 30, "the walk found the module's imports")
	_, err = os.Stat(filepath.Join(root, "docs", "architecture.md"))
	assert.NoError(t, err, "docs/architecture.md draws the graph this test enforces")
}
