package main

import (
	"fmt"
	"io"

	"github.com/painscreen/painscreen/screen/diag"

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
		fmt.Fprintf(stderr, "painscreen: %s\n", safe(err.Error()))
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

// validateSources compiles every definition in the sources (every rule set, each against the
// instruments it reads) and collects every diagnostic.
func validateSources(srcs []defSource) (diags diag.List, ninst, nrules int, err error) {
	res, err := screen.Check(sourceOptions(srcs)...)
	if err != nil {
		return nil, 0, 0, err
	}
	return res.Diagnostics, len(res.Instruments), len(res.RuleSets), nil
}

// ruleSetRefs lists "id@version" of every rule set in the sources that compiles.
func ruleSetRefs(srcs []defSource) []string {
	res, err := screen.Check(sourceOptions(srcs)...)
	if err != nil {
		return nil
	}
	return res.RuleSets
}
