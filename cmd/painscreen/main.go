package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"

	"github.com/painscreen/painscreen/screen"
)

// Exit codes. They are part of the command's contract (see doc.go).
const (
	exitOK          = 0   // everything scored, every test passed
	exitRecords     = 1   // some records could not be scored; some tests failed
	exitUsage       = 2   // usage error, unreadable input, or output that cannot be written
	exitDefinitions = 3   // the definitions do not load
	exitTier        = 4   // score --fail-on-tier: a record reached the tier
	exitInterrupted = 130 // SIGINT or SIGTERM
)

func main() {
	ignoreSIGPIPE()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands []command

func init() {
	commands = []command{
		{"score", "score response files (YAML, JSON, JSONL, CSV, FHIR) into reports", runScore},
		{"validate", "check definitions and print every problem with file:line:col", runValidate},
		{"test", "run the test suites (*_test.yaml) of definitions", runTest},
		{"diff", "compare two versions of an instrument or rule set by what they give", runDiff},
		{"new", "write a new instrument or rule set and its test suite, to start from", runNew},
		{"list", "list the loaded instruments and the rule set", runList},
		{"show", "describe an instrument or the rule set", runShow},
		{"fhir", "write an instrument's FHIR R4 Questionnaire", runFHIR},
		{"template", "write an empty response file, or a REDCap data dictionary", runTemplate},
		{"serve", "serve scoring and CDS Hooks over HTTP", runServe},
		{"probe", "check that a running painscreen serve is ready (container health checks)", runProbe},
		{"version", "print the version", runVersion},
	}
}

const mainUsage = `painscreen screens adults for co-occurring chronic pain and opioid use disorder:
it scores validated questionnaires and combines them into a risk tier and
referrals. It is decision support for a clinician, not a diagnosis.

Usage:
  painscreen <command> [flags] [arguments]

Commands:
%s
Run 'painscreen <command> -h' for the flags of a command.

Example:
  painscreen score --format text patient.yaml
  painscreen score --output reports.jsonl batch.jsonl
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// run is the whole program, returning the exit status, so tests can call it. It calls os.Exit itself in
// one case only: score's second interrupt (or an output that takes nothing more after the first), which
// stops the process at once. Every command's writes to
// stdout are checked: when one fails (a full disk, /dev/full), the command exits 2 and says so, unless
// the reader went away (EPIPE: score … | head), which ends it quietly.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &checkedWriter{w: stdout}
	code := dispatch(args, stdin, out, stderr)
	if out.err != nil && code != exitUsage && !errors.Is(out.err, syscall.EPIPE) {
		fmt.Fprintf(stderr, "painscreen: writing the output: %s\n", safe(out.err.Error()))
		return exitUsage
	}
	return code
}

// checkedWriter remembers the first error of the writes to it.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

func dispatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printMainUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			return dispatch([]string{args[1], "-h"}, stdin, stdout, stderr)
		}
		printMainUsage(stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "painscreen: unknown command %q\nRun 'painscreen -h' for the list of commands.\n", name)
	return exitUsage
}

// --- flags -----------------------------------------------------------------------------------------

// cmdFlags is a flag set with the command's usage text.
type cmdFlags struct {
	*flag.FlagSet
	name     string
	synopsis string // "painscreen score [flags] [FILE|-]..."
	about    string // paragraphs after the synopsis
	examples string
}

func newFlags(name, synopsis, about, examples string) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cmdFlags{FlagSet: fs, name: name, synopsis: synopsis, about: about, examples: examples}
}

// usage writes the command's help.
func (f *cmdFlags) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", f.synopsis, reflow(strings.TrimSpace(f.about), helpWidth))
	var names []*flag.Flag
	f.VisitAll(func(fl *flag.Flag) { names = append(names, fl) })
	if len(names) > 0 {
		fmt.Fprintf(w, "\nFlags:\n")
		sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
		for _, fl := range names {
			typ, text := flag.UnquoteUsage(fl)
			dash := "--"
			if len(fl.Name) == 1 {
				dash = "-"
			}
			head := "  " + dash + fl.Name
			if typ != "" {
				head += " " + typ
			}
			if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "[]" && fl.DefValue != "0" {
				text += " (default " + fl.DefValue + ")"
			}
			fmt.Fprintf(w, "%s\n%s", head, appendWrappedAt([]byte("      "), text, 6, 6))
		}
	}
	if f.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(f.examples, "\n"))
	}
}

// parse parses flags and positional arguments in any order (flags may follow file names); "--" ends the
// flags. It returns the positional arguments, or an exit code when the command should stop (-h, or a
// usage error, which it reports).
func (f *cmdFlags) parse(args []string, stdout, stderr io.Writer) ([]string, int, bool) {
	var pos []string
	for {
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			f.usage(stdout)
			return nil, exitOK, false
		}
		if err != nil {
			return nil, f.fail(stderr, "%v", f.explainParseError(err)), false
		}
		rest := f.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), 0, true
		}
		if len(rest) == 0 {
			return pos, 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// fail reports a usage error and returns exitUsage.
func (f *cmdFlags) fail(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "painscreen %s: %s\nRun 'painscreen %s -h' for usage.\n", f.name, safe(fmt.Sprintf(format, args...)), f.name)
	return exitUsage
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*m = append(*m, s)
	return nil
}

// --- version ----------------------------------------------------------------------------------------

func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("version", "painscreen version [--format json]", "Print the version of painscreen (the module version, from the build information), of its scoring\nengine, and of Go.",
		"  painscreen version\n  painscreen version --format json")
	asJSON := formatFlag(f)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return f.fail(stderr, "unexpected argument %q", pos[0])
	}
	jsonOut, err := asJSON()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	v := buildVersion()
	if jsonOut {
		return writeJSON(stdout, v)
	}
	mod := v.Painscreen
	if v.Revision != "" && mod == "(devel)" {
		mod += " " + v.Revision[:min(12, len(v.Revision))]
		if v.Modified {
			mod += "+dirty"
		}
	}
	fmt.Fprintf(stdout, "painscreen %s (engine %s %s, %s)\nMME table %s\n", mod, screen.EngineName, screen.Version, runtime.Version(), v.MMETable)
	return exitOK
}
