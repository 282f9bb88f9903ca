// Package load finds and reads definition files: it walks file systems for YAML files, enforces the size
// limits, parses each file (package def), and reduces what it found to one set of definitions —
// identical copies of a definition are loaded once, conflicting ones (same id and version, different
// content) are errors, and an id may not name both an instrument and a rule set.
package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// Root is one file system of definitions; Label prefixes file names in diagnostics.
type Root struct {
	FS    fs.FS
	Label string
}

// Source is one definition file as loaded.
type Source struct {
	Name string
	Src  []byte
	File def.File
}

// File is one definition or suite file as read, before parsing.
type File struct {
	Name string // as diagnostics name it: the root's label joined to the path
	Src  []byte
}

// ReadFiles reads every YAML file under the roots, in order and in lexical path order within each: test
// suites (*_test.yaml) when suites is set, definitions otherwise. Hidden directories and testdata
// directories are skipped. A folder may come from someone else, so nothing in it is trusted: a file that
// is not a regular file (a device, FIFO or socket), a symbolic link that leads out of its root (or that
// cannot be resolved), a name that is not UTF-8, a file over lim.MaxFileBytes, and files beyond
// lim.MaxFiles or lim.MaxTotalBytes in all are not read; each is a diagnostic in list. Every read is
// bounded whatever the file system reports for the file's size. The error is for a root that could not be
// read at all.
func ReadFiles(roots []Root, suites bool, lim def.Limits, list *diag.List) ([]File, error) {
	r := &reader{lim: lim, list: list}
	var out []File
	for _, root := range roots {
		err := fs.WalkDir(root.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if !utf8.ValidString(p) {
				// The name cannot be opened (fs paths are UTF-8), nor printed as it is.
				r.errf(Name(root.Label, quoteName(p)), "encoding", "file name is not valid UTF-8; rename it")
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
					return fs.SkipDir
				}
				return nil
			}
			if !def.IsYAMLFile(p) || def.IsSuiteFile(p) != suites {
				return nil
			}
			src, ok := r.read(root.FS, p, d, Name(root.Label, p))
			if ok {
				out = append(out, File{Name: Name(root.Label, p), Src: src})
			}
			if r.full {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			where := map[bool]string{false: "definitions", true: "test suites"}[suites]
			if root.Label != "" {
				where += fmt.Sprintf(" in %q", root.Label)
			}
			return nil, fmt.Errorf("reading %s: %w", where, err)
		}
		if r.full {
			break
		}
	}
	return out, nil
}

// Name is the file name diagnostics use: the path under its root, joined to the root's label.
func Name(label, p string) string {
	if label != "" {
		return path.Join(label, p)
	}
	return p
}

// quoteName writes a name that is not valid UTF-8 with Go escapes (x\xff.yaml).
func quoteName(p string) string {
	q := strconv.Quote(p)
	return q[1 : len(q)-1]
}

// reader reads the files of one load, keeping the totals.
type reader struct {
	lim   def.Limits
	list  *diag.List
	files int
	bytes int64
	full  bool // a total was reached: nothing more is read
}

func (r *reader) errf(name, code, format string, args ...any) {
	*r.list = append(*r.list, diag.Diagnostic{Pos: diag.Pos{File: name}, Code: code, Message: fmt.Sprintf(format, args...)})
}

// read returns the content of the file at p (entry d) when it may be read, and reports why when not.
func (r *reader) read(fsys fs.FS, p string, d fs.DirEntry, name string) ([]byte, bool) {
	if r.files++; r.files > r.lim.MaxFiles {
		r.errf(name, "limit", "more than %d definition files; the limit is %d (no more files were read)", r.lim.MaxFiles, r.lim.MaxFiles)
		r.full = true
		return nil, false
	}
	// Nothing is opened before it is known to be a regular file: opening a FIFO blocks.
	var info fs.FileInfo
	var err error
	if d.Type()&fs.ModeSymlink != 0 {
		if p, info, err = resolve(fsys, p); err != nil {
			r.errf(name, "link", "symbolic link not followed: %v", err)
			return nil, false
		}
	} else {
		info, err = d.Info()
	}
	switch {
	case err != nil:
		r.errf(name, "io", "cannot read the file: %v", cause(err))
		return nil, false
	case !info.Mode().IsRegular():
		r.errf(name, "not_regular", "not a regular file (%s); definitions are read from regular files only", kind(info.Mode()))
		return nil, false
	case info.Size() > int64(r.lim.MaxFileBytes):
		r.errf(name, "limit", "file is %d bytes; the limit is %d", info.Size(), r.lim.MaxFileBytes)
		return nil, false
	case r.bytes+info.Size() > r.lim.MaxTotalBytes:
		r.overTotal(name)
		return nil, false
	}
	src, err := readBounded(fsys, p, r.lim.MaxFileBytes)
	switch {
	case errors.Is(err, errTooLarge):
		r.errf(name, "limit", "file is more than %d bytes; the limit is %d", r.lim.MaxFileBytes, r.lim.MaxFileBytes)
		return nil, false
	case errors.Is(err, errNotRegular):
		r.errf(name, "not_regular", "not a regular file; definitions are read from regular files only")
		return nil, false
	case err != nil:
		r.errf(name, "io", "cannot read the file: %v", cause(err))
		return nil, false
	}
	if r.bytes += int64(len(src)); r.bytes > r.lim.MaxTotalBytes {
		r.overTotal(name)
		return nil, false
	}
	return src, true
}

func (r *reader) overTotal(name string) {
	r.errf(name, "limit", "definition files total more than %d bytes; the limit is %d (no more files were read)", r.lim.MaxTotalBytes, r.lim.MaxTotalBytes)
	r.full = true
}

// cause is what went wrong, without the path (the diagnostic names the file).
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var (
	errTooLarge   = errors.New("file too large")
	errNotRegular = errors.New("not a regular file")
)

// readBounded reads at most max bytes of the file at p: one byte more means errTooLarge, whatever the
// file system said the size was (a device reports 0). The file is checked again once open, in case it
// was replaced since it was looked at.
func readBounded(fsys fs.FS, p string, max int) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, errNotRegular
	}
	src, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: p, Err: err}
	}
	if len(src) > max {
		return nil, errTooLarge
	}
	return src, nil
}

// kind names the type of a file that is not regular.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "a special file"
}

// maxLinkHops bounds the links followed to resolve one path (as the kernel's 40).
const maxLinkHops = 40

// resolve follows the symbolic links of p, component by component, inside fsys, and returns the path
// they lead to and what is there (not opened). A link whose target is absolute or climbs above the root
// leads out of the folder and is an error, as is a file system that cannot read links.
func resolve(fsys fs.FS, p string) (string, fs.FileInfo, error) {
	rl, ok := fsys.(fs.ReadLinkFS)
	if !ok {
		return "", nil, errors.New("this file system cannot tell where it leads")
	}
	var done []string
	todo := strings.Split(p, "/")
	for hops := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", nil, errors.New("it leads out of the definitions folder")
			}
			done = done[:len(done)-1]
			continue
		}
		cur := path.Join(path.Join(done...), c)
		info, err := rl.Lstat(cur)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", nil, errors.New("it leads to a file that does not exist")
			}
			return "", nil, cause(err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c)
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", nil, fmt.Errorf("more than %d links in a row (a loop?)", maxLinkHops)
		}
		target, err := rl.ReadLink(cur)
		if err != nil {
			return "", nil, cause(err)
		}
		target = filepath.ToSlash(target)
		if path.IsAbs(target) || filepath.IsAbs(target) || filepath.VolumeName(target) != "" {
			return "", nil, errors.New("it leads out of the definitions folder (an absolute path)")
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	if len(done) == 0 {
		return "", nil, errors.New("it leads to the folder itself")
	}
	final := path.Join(done...)
	info, err := rl.Lstat(final)
	if err != nil || info.Mode()&fs.ModeSymlink != 0 {
		return "", nil, errors.New("the file changed while it was read")
	}
	return final, info, nil
}

// Read parses every definition file under the roots (see ReadFiles). Problems go to list; the error is
// for a root that could not be read at all.
func Read(roots []Root, lim def.Limits, list *diag.List) ([]Source, error) {
	return ReadWith(roots, lim, list, nil)
}

// Known returns, for a file whose exact content is known to hold a rule set that parses cleanly, that rule
// set deferred (def.NewDeferredRuleSet), so that it is parsed only if it is chosen.
type Known func(name string, src []byte) (*def.RuleSet, bool)

// ReadWith is Read, taking the files known is true for as deferred rule sets; known may be nil.
func ReadWith(roots []Root, lim def.Limits, list *diag.List, known Known) ([]Source, error) {
	files, err := ReadFiles(roots, false, lim, list)
	if err != nil {
		return nil, err
	}
	out := make([]Source, len(files))
	parse := files[:0:0]
	var at []int
	for i, f := range files {
		if known != nil {
			if rs, ok := known(f.Name, f.Src); ok {
				out[i] = Source{Name: f.Name, Src: f.Src, File: def.File{RuleSet: rs}}
				continue
			}
		}
		parse = append(parse, f)
		at = append(at, i)
	}
	if len(parse) < len(files) {
		parsed, err := parseFiles(parse, lim, list)
		if err != nil {
			return nil, err
		}
		for k, s := range parsed {
			out[at[k]] = s
		}
		return out, nil
	}
	return parseFiles(files, lim, list)
}

// parseFiles parses the files, on every core.
func parseFiles(files []File, lim def.Limits, list *diag.List) ([]Source, error) {
	out := make([]Source, len(files))
	procs := min(runtime.GOMAXPROCS(0), len(files))
	if procs <= 1 {
		for i, f := range files {
			out[i] = Source{Name: f.Name, Src: f.Src, File: def.Parse(f.Name, f.Src, lim, list)}
		}
		return out, nil
	}
	// Parsing the YAML is a quarter of an engine's construction and each file stands alone: parse them on
	// every core, each into its own diagnostics, kept in file order as a sequential parse would give them.
	lists := make([]diag.List, len(files))
	next := make(chan int, len(files))
	for i := range files {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range procs {
		wg.Go(func() {
			for i := range next {
				f := files[i]
				out[i] = Source{Name: f.Name, Src: f.Src, File: def.Parse(f.Name, f.Src, lim, &lists[i])}
			}
		})
	}
	wg.Wait()
	for _, l := range lists {
		*list = append(*list, l...)
	}
	return out, nil
}

// Set is the definitions that parsed, each once.
type Set struct {
	// Instruments are sorted by id, then version (oldest first).
	Instruments []*def.Instrument
	// RuleSets are in the order found.
	RuleSets []*def.RuleSet
}

// Dedupe reduces sources to a Set: an identical copy (same id, version and digest) is dropped; the same id
// and version with different content, and an id used by both an instrument and a rule set, are errors.
func Dedupe(sources []Source, list *diag.List) Set {
	errAt := func(pos diag.Pos, code, format string, args ...any) {
		*list = append(*list, diag.Diagnostic{Pos: pos, Severity: diag.Error, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	var set Set
	seen := map[string]*def.Header{}
	first := func(h *def.Header) bool {
		if prev, ok := seen[h.Key()]; ok {
			if prev.Digest != h.Digest {
				errAt(h.IDPos, "conflicting_definition", "%s is also defined at %s with different content; change the version when the content changes", h.Key(), prev.IDPos)
				errAt(prev.IDPos, "conflicting_definition", "%s is also defined at %s with different content", h.Key(), h.IDPos)
			}
			return false
		}
		seen[h.Key()] = h
		return true
	}
	for _, s := range sources {
		switch {
		case s.File.Instrument != nil && s.File.Instrument.ID != "":
			if first(&s.File.Instrument.Header) {
				set.Instruments = append(set.Instruments, s.File.Instrument)
			}
		case s.File.RuleSet != nil && s.File.RuleSet.ID != "":
			if first(&s.File.RuleSet.Header) {
				set.RuleSets = append(set.RuleSets, s.File.RuleSet)
			}
		}
	}
	ruleIDs := map[string]bool{}
	for _, r := range set.RuleSets {
		ruleIDs[r.ID] = true
	}
	for _, d := range set.Instruments {
		if ruleIDs[d.ID] {
			errAt(d.IDPos, "duplicate_id", "%q names both an instrument and a rule set", d.ID)
		}
	}
	sort.SliceStable(set.Instruments, func(i, j int) bool {
		a, b := set.Instruments[i], set.Instruments[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Version.Compare(b.Version) < 0
	})
	return set
}

// Lines returns a function that gives the text of a line of a source, for diagnostics' snippets. Only
// files that parsed as definitions have lines: the content of anything else is never quoted.
func Lines(sources []Source) func(diag.Pos) string {
	lines := map[string][]string{}
	for _, s := range sources {
		if s.File.Instrument != nil || s.File.RuleSet != nil {
			lines[s.Name] = strings.Split(string(s.Src), "\n")
		}
	}
	return func(p diag.Pos) string {
		ls := lines[p.File]
		if p.Line < 1 || p.Line > len(ls) {
			return ""
		}
		return strings.TrimRight(ls[p.Line-1], "\r")
	}
}

// DropLocators releases what only compiling needed: the maps from expression offsets to file positions.
func DropLocators(sources []Source) {
	for _, s := range sources {
		s.File.DropLocators()
	}
}
