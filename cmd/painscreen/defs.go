package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diag"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

// defSource is a set of definition files named on the command line: a directory, or one file.
type defSource struct {
	fsys  fs.FS
	label string // prefix of file names in diagnostics: the path as the user wrote it
	// bundled marks the bundled definitions added by --bundled: their suites are not the user's.
	bundled bool
}

// openDefs turns a path into a definitions source. A directory is read recursively (as
// screen.WithDefinitions does); a file is read on its own, through the same checks (a regular file, its
// size bounded), following links since the user named it. The label keeps the user's spelling of the path
// so that diagnostics point at files the user can open.
func openDefs(p string) (defSource, error) {
	st, err := os.Stat(p)
	if err != nil {
		return defSource{}, err
	}
	clean := filepath.ToSlash(filepath.Clean(p))
	if st.IsDir() {
		return defSource{fsys: os.DirFS(p), label: clean}, nil
	}
	if ext := strings.ToLower(filepath.Ext(p)); ext != ".yaml" && ext != ".yml" {
		return defSource{}, fmt.Errorf("%s: not a definition file (a name ending in .yaml or .yml) nor a directory", p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return defSource{}, err
	}
	if filepath.Clean(real) != filepath.Clean(p) {
		clean = filepath.ToSlash(filepath.Clean(real)) // a link: diagnostics name the file read
	}
	dir := path.Dir(clean)
	label := dir
	if label == "." {
		label = ""
	}
	return defSource{fsys: oneFileFS{FS: os.DirFS(filepath.FromSlash(dir)), name: path.Base(clean)}, label: label}, nil
}

// oneFileFS is a directory that lists only one of its files.
type oneFileFS struct {
	fs.FS
	name string
}

func (o oneFileFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(o.FS, name)
	if err != nil || name != "." {
		return es, err
	}
	for _, e := range es {
		if e.Name() == o.name {
			return []fs.DirEntry{e}, nil
		}
	}
	return nil, nil
}

func (o oneFileFS) ReadLink(name string) (string, error) { return fs.ReadLink(o.FS, name) }

func (o oneFileFS) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(o.FS, name) }

// refPattern is a rule-set reference: an id, optionally @version (compiled on first use, not at every
// command's start).
var refPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]*(@[0-9A-Za-z.+-]+)?$`) })

// defFlags are the flags that choose definitions (score, list, show).
type defFlags struct {
	instruments multiFlag
	rules       multiFlag
	noBundled   bool
	noRules     bool
}

func (d *defFlags) register(f *cmdFlags, ruleRef bool) {
	f.Var(&d.instruments, "instruments", "load instrument definitions from `DIR` (or one file), in addition to the bundled ones;\nrepeatable")
	if ruleRef {
		f.Var(&d.rules, "rules", "load rule sets from `DIR` (or one file); repeatable. A value that is not a path is a rule set\n(id or id@version) to apply and to require: a record without its required inputs is then an error")
	} else {
		f.Var(&d.rules, "rules", "load rule sets from `DIR` (or one file); repeatable. A value that is not a path selects the rule\nset (id or id@version)")
	}
	f.BoolVar(&d.noBundled, "no-bundled", false, "do not load the bundled instruments and rule set (use only --instruments and --rules)")
	if ruleRef { // score: where applying a rule set or not makes a difference
		f.BoolVar(&d.noRules, "no-rules", false, "score instruments only: apply no rule set")
	}
}

// options builds the engine options. required reports that a rule set was named (not a path): the caller
// decides whether that makes the composite required.
func (d *defFlags) options() (opts []screen.Option, ruleRef string, err error) {
	if !d.noBundled {
		opts = append(opts, bundled.Definitions())
	}
	for _, p := range d.instruments {
		src, err := openDefs(p)
		if err != nil {
			return nil, "", fmt.Errorf("--instruments: %w", err)
		}
		opts = append(opts, screen.WithDefinitions(src.fsys, src.label))
	}
	for _, p := range d.rules {
		src, err := openDefs(p)
		if err == nil {
			opts = append(opts, screen.WithDefinitions(src.fsys, src.label))
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) || !refPattern().MatchString(p) {
			return nil, "", fmt.Errorf("--rules: %w", err)
		}
		if ruleRef != "" {
			return nil, "", fmt.Errorf("--rules: two rule sets named (%s and %s); an engine applies one", ruleRef, p)
		}
		ruleRef = p
	}
	if d.noRules {
		if ruleRef != "" {
			return nil, "", fmt.Errorf("--no-rules and --rules %s contradict each other", ruleRef)
		}
		opts = append(opts, screen.WithoutRuleSet())
	}
	if ruleRef != "" {
		opts = append(opts, screen.WithRuleSet(ruleRef))
	}
	if d.noBundled && len(d.instruments) == 0 && len(d.rules) == 0 {
		return nil, "", errors.New("--no-bundled needs --instruments or --rules")
	}
	return opts, ruleRef, nil
}

// sources lists the definition sources the flags name (for scanning rule-set files).
func (d *defFlags) sources() []defSource {
	var srcs []defSource
	if !d.noBundled {
		srcs = append(srcs, defSource{fsys: instruments.FS, label: "instruments"}, defSource{fsys: rules.FS, label: "rules"})
	}
	for _, p := range append(append([]string(nil), d.instruments...), d.rules...) {
		if s, err := openDefs(p); err == nil {
			srcs = append(srcs, s)
		}
	}
	return srcs
}

// reportLoadError prints why the engine could not be built and returns exitDefinitions. Diagnostics are
// about definition files, never about responses, so they are safe for stderr.
func reportLoadError(stderr io.Writer, err error) int {
	var diags diag.List
	if errors.As(err, &diags) {
		writeDiags(stderr, diags, true)
		nerr, nwarn := countDiags(diags)
		fmt.Fprintf(stderr, "painscreen: the definitions do not load: %s, %s\n", plural(nerr, "error"), plural(nwarn, "warning"))
		return exitDefinitions
	}
	fmt.Fprintf(stderr, "painscreen: the definitions do not load: %s\n", safe(err.Error()))
	return exitDefinitions
}

// writeDiags prints diagnostics with source snippets (diag.List.WriteText: every string escaped); one
// without a file (about the set of definitions as a whole, such as two rule sets and no choice) prints as
// "painscreen: code: message".
func writeDiags(w io.Writer, diags diag.List, snippets bool) {
	_ = diags.WriteText(w, diag.TextOptions{Snippets: snippets, Prefix: "painscreen: "})
}

func countDiags(ds diag.List) (nerr, nwarn int) {
	return len(ds.Errors()), len(ds.Warnings())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
