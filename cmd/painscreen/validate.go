package main

import (
	"fmt"
	"io"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

const validateAbout = `Load definitions (instrument and rule-set YAML files; directories are read recursively) and the
test suites beside them (*_test.yaml), and print every problem as

  file:line:col: code: message
      <the source line>
      ^

warnings included. With no PATH the bundled definitions and suites are checked. When several rule sets
are loaded, each is compiled in turn. Every load checks YAML syntax, the shape of each file, CEL syntax
and types, references, bands, and the static checks (a band past a score's range, a flag, tier or
referral that can never fire, ...): an error here is an error for score, test and serve too. validate
also checks the suites — unknown fields, a target that is not loaded, a want that names a score, flag,
item, domain, value, tier or referral the definition does not have, answers to items it does not have —
warns about a new version of a bundled instrument that no suite tests, and says when a PATH holds no
definitions (error) or only test suites (warning: their definitions must come from another PATH or
--bundled).

--format text (default) writes the problems to stderr and "ok: N instruments, M rule sets; K test
suites" to stdout. --format json writes one JSON object to stdout: {"ok", "instruments", "rule_sets",
"suites", "errors", "warnings", "diagnostics": [{"file", "line", "col", "severity", "code", "message",
"source"}]}. --format github writes GitHub Actions workflow commands to stdout, one per problem
("::error file=F,line=L,col=C,title=painscreen CODE::MESSAGE", ::warning for warnings), which a
workflow step turns into annotations on the pull request. --format sarif writes a SARIF 2.1.0 log to
stdout (for GitHub code scanning's upload-sarif and other analysis dashboards).

Exit status: 0 when the definitions and suites load (warnings allowed), 2 for a usage error or a missing
PATH, 3 when there is at least one error.`

const validateExamples = `  painscreen validate
  painscreen validate my-instruments/ my-rules/pain_oud.v2.yaml
  painscreen validate --bundled my-rules/    # over the bundled instruments
  painscreen validate --format github defs/  # annotations in GitHub Actions`

// definitionSources are the definition sources of validate and test: PATHs, plus the bundled set when asked.
func definitionSources(paths []string, bundled bool) ([]defSource, error) {
	var srcs []defSource
	if len(paths) == 0 || bundled {
		b := len(paths) > 0 // --bundled beside PATHs: definitions to read, suites that are not the user's
		srcs = append(srcs, defSource{fsys: instruments.FS, label: "instruments", bundled: b}, defSource{fsys: rules.FS, label: "rules", bundled: b})
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
	f := newFlags("validate", "painscreen validate [--bundled] [--format FORMAT] [PATH]...", validateAbout, validateExamples)
	bundled := f.Bool("bundled", false, "also load the bundled definitions when PATHs are given")
	snippets := f.Bool("snippets", true, "print the source line and a caret under each problem")
	format := f.String("format", "text", "output `FORMAT`: text, json, github (GitHub Actions annotations) or sarif (SARIF 2.1.0)")
	paths, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	switch *format {
	case "text", "json", "github", "sarif":
	default:
		return f.fail(stderr, "--format: unknown format %q (want text, json, github or sarif)", *format)
	}
	srcs, err := definitionSources(paths, *bundled)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	v, err := validateAll(srcs, len(paths) > 0)
	if err != nil {
		fmt.Fprintf(stderr, "painscreen: %s\n", safe(err.Error()))
		return exitDefinitions
	}
	nerr, nwarn := countDiags(v.diags)
	switch *format {
	case "json":
		writeValidateJSON(stdout, v, nerr, nwarn)
	case "github":
		_ = v.diags.WriteGitHub(stdout)
	case "sarif":
		_ = v.diags.WriteSARIF(stdout)
	default:
		writeDiags(stderr, v.diags, *snippets)
	}
	if nerr > 0 {
		if *format == "text" {
			fmt.Fprintf(stderr, "painscreen: the definitions do not load: %s, %s\n", plural(nerr, "error"), plural(nwarn, "warning"))
		}
		return exitDefinitions
	}
	if *format == "text" {
		fmt.Fprintf(stdout, "ok: %s, %s", plural(len(v.instruments), "instrument"), plural(len(v.ruleSets), "rule set"))
		if v.suites > 0 {
			fmt.Fprintf(stdout, "; %s", plural(v.suites, "test suite"))
		}
		if nwarn > 0 {
			fmt.Fprintf(stdout, " (%s)", plural(nwarn, "warning"))
		}
		fmt.Fprintln(stdout)
	}
	return exitOK
}

// ruleSetRefs lists "id@version" of every rule set in the sources that compiles.
func ruleSetRefs(srcs []defSource) []string {
	res, err := screen.Check(sourceOptions(srcs)...)
	if err != nil {
		return nil
	}
	return res.RuleSets
}
