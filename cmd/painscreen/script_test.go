package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
)

// Script tests drive the painscreen binary. Each testdata/script/*.txt file is a testscript archive
// (github.com/rogpeppe/go-internal/testscript): the commands, then the files they use, each after a
// "-- name --" line. The work directory also holds defs/, a copy of testdata/defs (the test battery and
// rule set). Besides testscript's own commands (stdin FILE, cmp, stdout/stderr/grep REGEX, exists, ...;
// a line starting with # is a comment, a leading ! negates), scripts use:
//
//	painscreen ARG...            run the binary; it must exit 0
//	status N painscreen ARG...   run the binary; it must exit with status N (the exit codes are part of
//	                             the CLI's contract, so there is no "! painscreen": it would accept any)
//	lines stdout|stderr|FILE N   has exactly N lines
//	[!] glob PATTERN             a work file matches the glob (with !: none does); exists takes names only
//	gen N FILE                   write N generated full-battery JSONL records (internal/gen)
//	chomp FILE                   remove the final line end of FILE (archive files always end in one)
//
// go test -update rewrites the archive file named as the second argument of a failing cmp (the golden
// outputs: cmp stdout want.csv).
var update = flag.Bool("update", false, "rewrite the golden sections of script tests")

var binary string // the painscreen binary, built by TestMain

// TestMain builds the binary once, with go build, rather than letting testscript.Main run the test
// binary as painscreen. The scripts then run what users run, and go test -race ./... stays fast: under
// -race the test binary is race-instrumented, which makes each of the scripts' 150-odd runs several
// times slower (on two cores, this package took a minute instead of ten seconds), while the concurrency
// it would check is race-tested directly (pipeline_test.go, screen's TestConcurrentScoring). It also
// leaves the name painscreen free for a script command that checks the exact exit status.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "painscreen-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "painscreen")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", binary, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building painscreen:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	lintScripts(t, "testdata/script")
	testscript.Run(t, testscript.Params{
		Dir:                "testdata/script",
		UpdateScripts:      *update,
		RequireUniqueNames: true,
		ContinueOnError:    true, // report every failed assertion of a script, not just the first
		Setup: func(env *testscript.Env) error {
			env.Setenv("PAINSCREEN", binary) // for exec sh -c '"$PAINSCREEN" … | head -1'
			return copyDefs(env.WorkDir)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"painscreen": cmdPainscreen,
			"status":     cmdStatus,
			"lines":      cmdLines,
			"glob":       cmdGlob,
			"gen":        cmdGen,
			"repeat":     cmdRepeat,
			"chomp":      cmdChomp,
			"maxwidth":   cmdMaxWidth,
		},
	})
}

// copyDefs copies testdata/defs to dir/defs.
func copyDefs(dir string) error {
	return os.CopyFS(filepath.Join(dir, "defs"), os.DirFS("testdata/defs"))
}

// lintRE finds exists given a glob: it takes literal names, so "! exists .x.tmp-*" would always pass.
var lintRE = regexp.MustCompile(`(?m)^!?\s*exists\s.*[*?[]`)

func lintScripts(t *testing.T, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", dir, err)
	}
	for _, file := range files {
		a, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lintRE.FindAll(a.Comment, -1) {
			t.Errorf("%s: %q: exists takes file names: use glob", file, m)
		}
	}
}

// painscreen ARG... runs the binary and requires exit status 0.
func cmdPainscreen(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! painscreen (use status N painscreen)")
	}
	runStatus(ts, 0, args)
}

// status N painscreen ARG... runs the binary and requires exit status N.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || args[1] != "painscreen" {
		ts.Fatalf("usage: status N painscreen [arg...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 {
		ts.Fatalf("status: bad exit status %q", args[0])
	}
	runStatus(ts, want, args[2:])
}

// runStatus runs the binary (with the stdin of a preceding stdin command; its output is what stdout,
// stderr and cmp then read) and requires exit status want.
func runStatus(ts *testscript.TestScript, want int, args []string) {
	got := 0
	if err := ts.Exec(binary, args...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("painscreen: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("painscreen: exit status %d, want %d", got, want)
	}
}

// lines stdout|stderr|FILE N: the text has exactly N line ends.
func cmdLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lines stdout|stderr|file N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := strings.Count(ts.ReadFile(args[0]), "\n"); got != want {
		ts.Fatalf("%s: %d lines, want %d", args[0], got, want)
	}
}

// maxwidth stdout|stderr|FILE N: no line is wider than N characters (runes).
func cmdMaxWidth(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: maxwidth stdout|stderr|file N")
	}
	limit, err := strconv.Atoi(args[1])
	ts.Check(err)
	for i, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		if n := utf8.RuneCountInString(line); n > limit {
			ts.Fatalf("%s: line %d is %d wide, more than %d: %s", args[0], i+1, n, limit, line)
		}
	}
}

// [!] glob PATTERN: some work file matches (with !: none does).
func cmdGlob(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] glob pattern")
	}
	m, err := filepath.Glob(ts.MkAbs(args[0]))
	ts.Check(err)
	if neg && len(m) > 0 {
		ts.Fatalf("%s: %d files match: %v", args[0], len(m), m)
	}
	if !neg && len(m) == 0 {
		ts.Fatalf("%s: no file matches", args[0])
	}
}

// gen N FILE writes N generated full-battery JSONL records.
func cmdGen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gen N file")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	var b bytes.Buffer
	ts.Check(gen.Write(&b, n, 1, 0))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o666))
}

// repeat N SRC DST appends SRC's content N times to DST (a subject with many rows).
func cmdRepeat(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: repeat N src dst")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	src, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	f, err := os.OpenFile(ts.MkAbs(args[2]), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o666)
	ts.Check(err)
	_, err = f.Write(bytes.Repeat(src, n))
	ts.Check(err)
	ts.Check(f.Close())
}

// chomp FILE removes the final line end of FILE.
func cmdChomp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: chomp file")
	}
	p := ts.MkAbs(args[0])
	b, err := os.ReadFile(p)
	ts.Check(err)
	ts.Check(os.WriteFile(p, bytes.TrimSuffix(b, []byte("\n")), 0o666))
}
