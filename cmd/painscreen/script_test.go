package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
)

// Script tests drive the real binary. Each testdata/script/*.txt file is a small txtar-like archive:
//
//	# comments
//	<commands, one per line>
//	-- name --
//	file content (written into the script's work directory before the commands run)
//	-- other --
//	...
//
// The work directory also holds defs/, a copy of testdata/defs (the test battery and rule set).
// Commands (arguments split like a shell: 'single' and "double" quotes, no expansion):
//
//	[exit=N] painscreen ARG... [< FILE]   run the binary (expected exit status N, default 0)
//	cmp stdout|stderr NAME                 the last run's stdout/stderr equals archive file NAME (golden:
//	                                       go test -update rewrites NAME in the script)
//	cmp FILE1 FILE2                        two work files are byte-identical
//	[!] grep stdout|stderr|FILE REGEX      some line matches (with !: no line matches)
//	[!] exists GLOB                        a work file matches (with !: none does)
//	lines stdout|stderr|FILE N             has exactly N lines
//	gen N FILE                             write N generated full-battery JSONL records (internal/gen)
//	chomp FILE                             remove the final line end of FILE (archives always end in one)
var update = flag.Bool("update", false, "rewrite the golden sections of script tests")

var binary string // the painscreen binary, built by TestMain

func TestMain(m *testing.M) {
	flag.Parse()
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
	files, err := filepath.Glob("testdata/script/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runScript(t, file)
		})
	}
}

// archive is a parsed script.
type archive struct {
	script string
	files  []archiveFile
}

type archiveFile struct {
	name string
	data []byte
}

var markerRE = regexp.MustCompile(`^-- (.+) --$`)

func parseArchive(data []byte) *archive {
	a := &archive{}
	lines := strings.SplitAfter(string(data), "\n")
	var cur *archiveFile
	var script strings.Builder
	for _, l := range lines {
		if m := markerRE.FindStringSubmatch(strings.TrimRight(l, "\r\n")); m != nil {
			a.files = append(a.files, archiveFile{name: m[1]})
			cur = &a.files[len(a.files)-1]
			continue
		}
		if cur == nil {
			script.WriteString(l)
		} else {
			cur.data = append(cur.data, l...)
		}
	}
	a.script = script.String()
	return a
}

func (a *archive) get(name string) ([]byte, bool) {
	for _, f := range a.files {
		if f.name == name {
			return f.data, true
		}
	}
	return nil, false
}

func (a *archive) set(name string, data []byte) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, archiveFile{name: name, data: data})
}

func (a *archive) format() []byte {
	var b bytes.Buffer
	b.WriteString(a.script)
	for _, f := range a.files {
		fmt.Fprintf(&b, "-- %s --\n", f.name)
		b.Write(f.data)
		if len(f.data) > 0 && f.data[len(f.data)-1] != '\n' {
			// Only golden outputs can lack a final line end; they are compared as written.
			b.WriteString("\n")
		}
	}
	return b.Bytes()
}

// splitArgs splits a command line like a shell, without expansion.
func splitArgs(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote")
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inArg = true
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func runScript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(data)
	work := t.TempDir()
	copyDir(t, "testdata/defs", filepath.Join(work, "defs"))
	for _, f := range a.files {
		p := filepath.Join(work, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr []byte
	ran := false
	updated := false
	readTarget := func(lineNo int, what string) []byte {
		switch what {
		case "stdout", "stderr":
			if !ran {
				t.Fatalf("%s:%d: %s before any painscreen command", file, lineNo, what)
			}
			if what == "stdout" {
				return stdout
			}
			return stderr
		}
		b, err := os.ReadFile(filepath.Join(work, what))
		if err != nil {
			t.Fatalf("%s:%d: %v", file, lineNo, err)
		}
		return b
	}
	for i, line := range strings.Split(a.script, "\n") {
		lineNo := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		args, err := splitArgs(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", file, lineNo, err)
		}
		neg := false
		if args[0] == "!" {
			neg, args = true, args[1:]
		}
		where := fmt.Sprintf("%s:%d: %s", file, lineNo, line)
		wantExit := 0
		if strings.HasPrefix(args[0], "exit=") {
			wantExit, err = strconv.Atoi(strings.TrimPrefix(args[0], "exit="))
			if err != nil {
				t.Fatalf("%s: bad exit status", where)
			}
			args = args[1:]
		}
		switch args[0] {
		case "painscreen":
			cargs := args[1:]
			var stdin io.Reader = strings.NewReader("")
			if n := len(cargs); n >= 2 && cargs[n-2] == "<" {
				f, err := os.Open(filepath.Join(work, cargs[n-1]))
				if err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				defer f.Close()
				stdin, cargs = f, cargs[:n-2]
			}
			cmd := exec.Command(binary, cargs...)
			cmd.Dir = work
			cmd.Stdin = stdin
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				code = ee.ExitCode()
			case err != nil:
				t.Fatalf("%s: %v", where, err)
			}
			stdout, stderr, ran = o.Bytes(), e.Bytes(), true
			if code != wantExit {
				t.Errorf("%s: exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", where, code, wantExit, clip(stdout), clip(stderr))
			}
		case "cmp":
			if len(args) != 3 {
				t.Fatalf("%s: want cmp A B", where)
			}
			if args[1] == "stdout" || args[1] == "stderr" {
				got := readTarget(lineNo, args[1])
				want, ok := a.get(args[2])
				if *update {
					if !ok || !bytes.Equal(got, want) {
						a.set(args[2], got)
						updated = true
						if err := os.WriteFile(filepath.Join(work, args[2]), got, 0o644); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				if !ok {
					t.Errorf("%s: no archive file %s (run go test -update)", where, args[2])
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: %s differs from %s:\n%s", where, args[1], args[2], lineDiff(want, got))
				}
				continue
			}
			x, y := readTarget(lineNo, args[1]), readTarget(lineNo, args[2])
			if !bytes.Equal(x, y) {
				t.Errorf("%s: files differ (%d and %d bytes):\n%s", where, len(x), len(y), lineDiff(x, y))
			}
		case "grep":
			if len(args) != 3 {
				t.Fatalf("%s: want grep TARGET REGEX", where)
			}
			re, err := regexp.Compile("(?m)" + args[2])
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			got := readTarget(lineNo, args[1])
			if re.Match(got) == neg {
				if neg {
					t.Errorf("%s: %s matches %q:\n%s", where, args[1], args[2], clip(got))
				} else {
					t.Errorf("%s: %s does not match %q:\n%s", where, args[1], args[2], clip(got))
				}
			}
		case "exists":
			m, _ := filepath.Glob(filepath.Join(work, args[1]))
			if (len(m) > 0) == neg {
				t.Errorf("%s: exists=%v (%v)", where, len(m) > 0, m)
			}
		case "lines":
			n, err := strconv.Atoi(args[2])
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			got := bytes.Count(readTarget(lineNo, args[1]), []byte("\n"))
			if got != n {
				t.Errorf("%s: %d lines, want %d", where, got, n)
			}
		case "gen":
			n, err := strconv.Atoi(args[1])
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			f, err := os.Create(filepath.Join(work, args[2]))
			if err != nil {
				t.Fatal(err)
			}
			if err := gen.Write(f, n, 1); err != nil {
				t.Fatal(err)
			}
			f.Close()
		case "chomp":
			p := filepath.Join(work, args[1])
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, bytes.TrimSuffix(b, []byte("\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("%s: unknown command %q", where, args[0])
		}
	}
	if updated {
		if err := os.WriteFile(file, a.format(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", file)
	}
}

func clip(b []byte) string {
	const max = 4000
	if len(b) > max {
		return string(b[:max]) + "\n…"
	}
	return string(b)
}

// lineDiff shows the first differing lines.
func lineDiff(want, got []byte) string {
	w := strings.Split(string(want), "\n")
	g := strings.Split(string(got), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		fmt.Fprintf(&b, "line %d:\n  want: %q\n  got:  %q\n", i+1, wl, gl)
		if shown++; shown == 5 {
			b.WriteString("  …\n")
			break
		}
	}
	return b.String()
}
