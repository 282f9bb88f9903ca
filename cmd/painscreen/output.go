package main

import (
	"errors"
	"fmt"
	"github.com/painscreen/painscreen/screen/batch"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// summary is what score says on stderr of the records written. It holds counts only: no subject ids, no
// values.
type summary struct {
	batch.Summary
	failTier int // --fail-on-tier: index of the tier, -1 when not asked
}

// tierHit reports whether a record reached failTier or a higher tier.
func (s *summary) tierHit() bool {
	for i := 0; i <= s.failTier && i < len(s.Tiers); i++ {
		if s.Tiers[i].Records > 0 {
			return true
		}
	}
	return false
}

// write prints the summary. read is the number of records read from the input (more than written when the
// run was interrupted).
func (s *summary) write(w io.Writer, interrupted bool, read int64, outName string) {
	var b strings.Builder
	if interrupted {
		fmt.Fprintf(&b, "painscreen: interrupted: %d records read, %d written", read, s.Records)
		if outName != "" {
			fmt.Fprintf(&b, "; %s was not written", safe(outName))
		}
		b.WriteString("\n")
	}
	if interrupted {
		// Of what was read, only what is written counts: say so, not "read".
		fmt.Fprintf(&b, "painscreen: of the %s written: %d scored, %d could not be scored", plural(s.Records, "record"), s.Scored, s.Failed-s.Partial)
	} else {
		fmt.Fprintf(&b, "painscreen: %s read: %d scored, %d could not be scored", plural(s.Records, "record"), s.Scored, s.Failed-s.Partial)
	}
	if s.Failed-s.Partial > 0 {
		b.WriteString(" (see the error records in the output)")
	}
	if s.Partial > 0 {
		fmt.Fprintf(&b, "; %d scored with errors (answers that could not be used, or a definition bug: see \"errors\" in the output)", s.Partial)
	}
	b.WriteString("\n")
	if len(s.Tiers) > 0 {
		b.WriteString("painscreen: tiers:")
		for i, t := range s.Tiers {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %s %d", safe(t.Tier), t.Records)
		}
		if s.NotApplied > 0 {
			fmt.Fprintf(&b, "; rule set not applied %d", s.NotApplied)
		}
		b.WriteString("\n")
	}
	writeCodes(&b, s.Codes)
	_, _ = io.WriteString(w, b.String())
}

// errorLog prints the first error records on stderr: position, code and message (screen's messages never
// hold answers or subject ids). The output has all of them.
type errorLog struct {
	w      io.Writer
	max    int
	n      int
	buf    []byte
	silent bool
}

func (l *errorLog) add(st *batch.Status) {
	l.n++
	if l.silent || l.n > l.max {
		return
	}
	b := l.buf[:0]
	b = append(b, "painscreen: "...)
	f := &st.Failure
	b = appendSafe(b, st.File)
	if st.Line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(st.Line), 10)
	}
	if f.Fatal {
		b = append(b, ": "...)
	} else {
		b = append(b, ": record "...)
		b = strconv.AppendInt(b, int64(st.N), 10)
		b = append(b, ": "...)
	}
	b = appendSafe(b, f.Code)
	b = append(b, ": "...)
	if f.Instrument != "" || f.Item != "" {
		b = appendSafe(b, f.Instrument)
		if f.Instrument != "" && f.Item != "" {
			b = append(b, '.')
		}
		b = appendSafe(b, f.Item)
		b = append(b, ": "...)
	}
	b = appendMessage(b, f)
	if st.Errors > 1 {
		b = append(b, " (and "...)
		b = strconv.AppendInt(b, int64(st.Errors-1), 10)
		b = append(b, " more in this record)"...)
	}
	if st.Partial {
		b = append(b, "; the record was scored without it"...)
	}
	if f.ErrLine > 0 && f.ErrCol > 0 && !listsProblems(f) {
		b = append(b, " (line "...)
		b = strconv.AppendInt(b, int64(f.ErrLine), 10)
		b = append(b, ", col "...)
		b = strconv.AppendInt(b, int64(f.ErrCol), 10)
		b = append(b, ')')
	}
	b = append(b, '\n')
	l.buf = b
	_, _ = l.w.Write(b)
}

func (l *errorLog) finish() {
	if !l.silent && l.n > l.max {
		fmt.Fprintf(l.w, "painscreen: ... and %d more error records (see the output)\n", l.n-l.max)
	}
}

// --- the output file --------------------------------------------------------------------------------

// outFile is the destination of --output. A regular file is written atomically: into a temporary file in
// the same directory, which is synced and renamed over the destination only when the run completes, so
// an interrupted or failed run never leaves a file that looks complete. A device or pipe (/dev/null, a
// FIFO) is written directly.
//
// The temporary file is named .<FILE>.tmp-<random> and, where the system has advisory locks (unix), is
// locked while the run lasts: a run killed outright (kill -9, a power cut) leaves it behind unlocked, and
// the next run writing FILE removes it. A symbolic link FILE is followed: the file it points to is
// replaced (the link stays a link); a link to nothing is an error. A new file is created readable by its
// owner only (0600, whatever the umask: the output is health data); a file that exists keeps its
// permission bits.
type outFile struct {
	f      *os.File
	final  string
	direct bool
	mu     sync.Mutex // commit and abort may race (a second signal aborts from another goroutine)
	done   bool
}

func createOutFile(path string) (of *outFile, stale int, err error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, 0, fmt.Errorf("%s is a symbolic link to a file that does not exist", path)
		}
		path = target
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return nil, 0, fmt.Errorf("%s is a directory", path)
	case err == nil && !st.Mode().IsRegular():
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, 0, err
		}
		return &outFile{f: f, final: path, direct: true}, 0, nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, 0, err
	}
	dir, pattern := filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"
	stale = removeStaleTemps(dir, pattern)
	// CreateTemp makes the file readable by its owner only (0600), which suits health data.
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, stale, err
	}
	lockTemp(f)
	if st != nil && st.Mode().Perm() != 0o600 {
		_ = f.Chmod(st.Mode().Perm())
	}
	return &outFile{f: f, final: path}, stale, nil
}

// staleAge is how old a temporary file must be, besides unlocked, to count as left by a killed run.
const staleAge = time.Minute

// removeStaleTemps removes the temporary files of earlier runs writing the same file that were killed
// (unlocked, and not changed for staleAge), and returns how many it removed.
func removeStaleTemps(dir, pattern string) int {
	matches, _ := filepath.Glob(filepath.Join(dir, pattern))
	n := 0
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < staleAge || !unlocked(m) {
			continue
		}
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// commit makes the output visible under its final name.
func (o *outFile) commit() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return nil
	}
	o.done = true
	if o.direct {
		return o.f.Close()
	}
	if err := o.f.Sync(); err != nil {
		o.removeTemp()
		return err
	}
	if err := o.f.Close(); err != nil {
		_ = os.Remove(o.f.Name())
		return err
	}
	if err := os.Rename(o.f.Name(), o.final); err != nil {
		_ = os.Remove(o.f.Name())
		return err
	}
	// Make the rename durable too (best effort: not every file system supports syncing a directory).
	if d, err := os.Open(filepath.Dir(o.final)); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// abort removes the temporary file; the destination is left as it was.
func (o *outFile) abort() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return
	}
	o.done = true
	if o.direct {
		_ = o.f.Close()
		return
	}
	o.removeTemp()
}

func (o *outFile) removeTemp() {
	_ = o.f.Close()
	_ = os.Remove(o.f.Name())
}
