package main

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"text/template"
)

// The scaffold's templates: a definition and its suite for each kind, every feature shown once.
//
//go:embed scaffold/*.tmpl
var scaffoldFS embed.FS

const newAbout = `Write a new definition and its test suite, to start from: an instrument (a questionnaire: items,
option scales, skip logic, scores with proration, bands, a lookup table, flags, conditional notes) or a
rule set (inputs, domains from sources, tiers, referrals with addenda; it reads the bundled PHQ-2 and
GAD-2). Every part of the format appears once, with a comment saying what it does; the clinical content
is placeholder, to be replaced with the published instrument's or the guideline's.

The files go to DIR/ID/ (DIR is --dir, the current directory by default): ID.v1.yaml and ID.v1_test.yaml.
Existing files are never overwritten. Both pass validate (with a warning: the definition is a draft) and
test as written:

  painscreen validate DIR/ID    (a rule set: validate --bundled DIR/ID)
  painscreen test DIR/ID        (a rule set: test --bundled DIR/ID)

Editors that use yaml-language-server (VS Code's YAML extension, …) complete and check the files as they
are typed: the first line of each names its JSON Schema.

Exit status: 0 the files were written; 2 a usage error (an unknown kind, an invalid id), or a file that
exists already or cannot be written.`

const newExamples = `  painscreen new instrument phq4
  painscreen new ruleset my_composite --dir rules/`

var newIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`) })

func runNew(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("new", "painscreen new [--dir DIR] instrument|ruleset ID", newAbout, newExamples)
	dir := f.String("dir", ".", "write into `DIR`/ID/")
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return f.fail(stderr, "want a kind (instrument or ruleset) and an id, got %d arguments", len(pos))
	}
	kind, id := pos[0], pos[1]
	if kind != "instrument" && kind != "ruleset" {
		return f.fail(stderr, "unknown kind %q (want instrument or ruleset)", kind)
	}
	if !newIDRE().MatchString(id) {
		return f.fail(stderr, "%q is not a valid id: lower_snake_case, starting with a letter, at most 64 characters", id)
	}
	files, err := scaffold(kind, id)
	if err != nil {
		fmt.Fprintf(stderr, "painscreen new: %v\n", err)
		return exitUsage
	}
	out := filepath.Join(*dir, id)
	if err := os.MkdirAll(out, 0o755); err != nil {
		fmt.Fprintf(stderr, "painscreen new: %s\n", safe(err.Error()))
		return exitUsage
	}
	names := []string{id + ".v1.yaml", id + ".v1_test.yaml"}
	for _, name := range names {
		if _, err := os.Lstat(filepath.Join(out, name)); err == nil {
			fmt.Fprintf(stderr, "painscreen new: %s exists already; nothing was written\n", safe(filepath.Join(out, name)))
			return exitUsage
		} else if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "painscreen new: %s\n", safe(err.Error()))
			return exitUsage
		}
	}
	for i, name := range names {
		p := filepath.Join(out, name)
		// O_EXCL: a file that appeared since the check is not overwritten either.
		w, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, err = w.Write(files[i])
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "painscreen new: %s\n", safe(err.Error()))
			return exitUsage
		}
		fmt.Fprintf(stdout, "wrote %s\n", safe(p))
	}
	bundledFlag := ""
	if kind == "ruleset" {
		bundledFlag = "--bundled "
	}
	fmt.Fprintf(stdout, "next: edit them, then\n  painscreen validate %s%s\n  painscreen test %s%s\n", bundledFlag, safe(out), bundledFlag, safe(out))
	return exitOK
}

// scaffold renders the definition and the suite of a kind for id.
func scaffold(kind, id string) ([2][]byte, error) {
	var out [2][]byte
	for i, name := range []string{kind + ".yaml.tmpl", kind + "_test.yaml.tmpl"} {
		t, err := template.ParseFS(scaffoldFS, "scaffold/"+name)
		if err != nil {
			return out, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, struct{ ID string }{id}); err != nil {
			return out, err
		}
		out[i] = b.Bytes()
	}
	return out, nil
}
