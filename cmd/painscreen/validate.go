package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

const validateAbout = `Load definitions (instrument and rule-set YAML files; directories are read recursively, *_test.yaml
files are suites and are skipped) and print every problem as

  file:line:col: code: message
      <the source line>
      ^

warnings included. With no PATH the bundled definitions are checked. When several rule sets are loaded,
each is compiled in turn. The problems go to stderr; "ok: N instruments, M rule sets" goes to stdout.

Exit status: 0 when the definitions load (warnings allowed), 2 for a usage error or a missing PATH,
3 when there is at least one error.`

const validateExamples = `  painscreen validate
  painscreen validate my-instruments/ my-rules/pain_oud.v2.yaml
  painscreen validate --bundled my-rules/   # my rule set, reading the bundled instruments`

// pathFlags are the definition sources of validate and test: PATHs, plus the bundled set when asked.
func definitionSources(paths []string, bundled bool) ([]defSource, error) {
	var srcs []defSource
	if len(paths) == 0 || bundled {
		srcs = append(srcs, defSource{fsys: instruments.FS, label: "instruments"}, defSource{fsys: rules.FS, label: "rules"})
	}
	for _, p := range paths {
		s, err := openDefs(p)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, s)
	}
	return srcs, nil
}

func sourceOptions(srcs []defSource) []screen.Option {
	opts := make([]screen.Option, 0, len(srcs))
	for _, s := range srcs {
		opts = append(opts, screen.WithDefinitions(s.fsys, s.label))
	}
	return opts
}

func runValidate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("validate", "painscreen validate [--bundled] [PATH]...", validateAbout, validateExamples)
	bundled := f.Bool("bundled", false, "also load the bundled definitions when PATHs are given")
	snippets := f.Bool("snippets", true, "print the source line and a caret under each problem")
	paths, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	srcs, err := definitionSources(paths, *bundled)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	diags, ninst, nrules, err := validateSources(srcs)
	if err != nil {
		fmt.Fprintf(stderr, "painscreen: %v\n", err)
		return exitDefinitions
	}
	writeDiags(stderr, diags, *snippets)
	nerr, nwarn := countDiags(diags)
	if nerr > 0 {
		fmt.Fprintf(stderr, "painscreen: the definitions do not load: %s, %s\n", plural(nerr, "error"), plural(nwarn, "warning"))
		return exitDefinitions
	}
	fmt.Fprintf(stdout, "ok: %s, %s", plural(ninst, "instrument"), plural(nrules, "rule set"))
	if nwarn > 0 {
		fmt.Fprintf(stdout, " (%s)", plural(nwarn, "warning"))
	}
	fmt.Fprintln(stdout)
	return exitOK
}

// validateSources builds engines from the sources and collects every diagnostic. The engine compiles one
// rule set; when several are loaded, it is built once per rule set and the diagnostics are merged.
func validateSources(srcs []defSource) (diags screen.Diagnostics, ninst, nrules int, err error) {
	opts := sourceOptions(srcs)
	refs := ruleSetRefs(srcs)
	if len(refs) <= 1 {
		eng, err := screen.New(opts...)
		if err != nil {
			if !errors.As(err, &diags) {
				return nil, 0, 0, err
			}
			return diags, 0, 0, nil
		}
		if _, ok := eng.RuleSet(); ok {
			nrules = 1
		}
		return eng.Warnings(), len(eng.Instruments()), nrules, nil
	}
	seen := map[string]bool{}
	add := func(ds screen.Diagnostics) {
		for _, d := range ds {
			k := d.String()
			if !seen[k] {
				seen[k] = true
				diags = append(diags, d)
			}
		}
	}
	for _, ref := range refs {
		eng, err := screen.New(append(slices.Clone(opts), screen.WithRuleSet(ref))...)
		var ds screen.Diagnostics
		switch {
		case err == nil:
			add(eng.Warnings())
			ninst = len(eng.Instruments())
			nrules++
		case errors.As(err, &ds):
			add(ds)
		default:
			return nil, 0, 0, err
		}
	}
	slices.SortStableFunc(diags, func(a, b screen.Diagnostic) int {
		if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
			return c
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	return diags, ninst, nrules, nil
}

// ruleSetRefs lists "id@version" of every rule-set file in the sources (a YAML file with a top-level
// inputs key), in the order found. Files that do not parse are left to the engine, which reports them.
// (The screen API compiles one rule set per engine and has no call to list the rule sets in a set of
// files; this is the workaround.)
func ruleSetRefs(srcs []defSource) []string {
	var refs []string
	for _, s := range srcs {
		_ = fs.WalkDir(s.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
					return fs.SkipDir
				}
				return nil
			}
			if !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) ||
				strings.HasSuffix(p, "_test.yaml") || strings.HasSuffix(p, "_test.yml") {
				return nil
			}
			src, err := fs.ReadFile(s.fsys, p)
			if err != nil {
				return nil
			}
			var head struct {
				ID      string    `yaml:"id"`
				Version string    `yaml:"version"`
				Inputs  yaml.Node `yaml:"inputs"`
			}
			if yaml.Unmarshal(src, &head) != nil || head.Inputs.Kind == 0 || head.ID == "" {
				return nil
			}
			ref := head.ID
			if head.Version != "" {
				ref += "@" + head.Version
			}
			if !slices.Contains(refs, ref) {
				refs = append(refs, ref)
			}
			return nil
		})
	}
	return refs
}
