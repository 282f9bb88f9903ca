package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// output writes encoded batches in order: the format's framing (CSV header, JSON array brackets), the
// records, and the tallies for the summary.
type output struct {
	w       *bufio.Writer
	enc     *encoder
	started bool // a record was written (JSON: the array is open)
	sum     summary
	written atomic.Int64 // records written, for progress
	errLog  errorLog
}

func newOutput(w io.Writer, enc *encoder, stderr io.Writer) *output {
	o := &output{w: bufio.NewWriterSize(w, 256<<10), enc: enc}
	o.sum.tierNames = enc.tiers
	o.sum.tiers = make([]int, len(enc.tiers))
	o.sum.failTier = -1
	o.errLog = errorLog{w: stderr, max: 10}
	return o
}

func (o *output) begin() error {
	if h := o.enc.header(); h != nil {
		_, err := o.w.Write(h)
		return err
	}
	return nil
}

func (o *output) writeBatch(b *batch) error {
	data := b.out
	if o.enc.format == outJSON && len(data) > 0 && !o.started {
		if _, err := o.w.WriteString("[\n"); err != nil {
			return err
		}
		data = data[2:] // the first record's ",\n"
	}
	if len(data) > 0 {
		o.started = true
	}
	if _, err := o.w.Write(data); err != nil {
		return err
	}
	// Each batch goes out as it is written: records are delivered in whole batches, and a reader at the
	// other end of a pipe sees them at once; what is counted as written has been.
	if err := o.w.Flush(); err != nil {
		return err
	}
	for i := range b.stats {
		st := &b.stats[i]
		o.sum.add(st)
		if !st.ok {
			o.errLog.add(b.file, st)
		}
	}
	o.written.Add(int64(len(b.stats)))
	return nil
}

// finish closes the framing and flushes. It is not called after an interrupt, so an interrupted JSON
// array stays unterminated (it must not look complete).
func (o *output) finish() error {
	if o.enc.format == outJSON {
		s := "\n]\n"
		if !o.started {
			s = "[]\n"
		}
		if _, err := o.w.WriteString(s); err != nil {
			return err
		}
	}
	return o.w.Flush()
}

// summary tallies the records written. It holds counts only: no subject ids, no values.
type summary struct {
	records    int // input records (error records included; the error record of an unreadable input is not one)
	scored     int
	failed     int // records with errors: error records, and reports of records with errors
	partial    int // reports of records with errors
	fatal      int // inputs that could not be read to their end (or held no record)
	tierNames  []string
	tiers      []int
	notApplied int
	failTier   int  // --fail-on-tier: index of the tier, -1 when not asked
	tierHit    bool // a record reached failTier or a higher tier
	codes      errorCodes
}

func (s *summary) add(st *recStat) {
	switch {
	case st.fatal:
		s.fatal++
		return
	case st.ok:
		s.scored++
	case st.partial:
		s.scored++
		s.partial++
		s.failed++
	default:
		s.failed++
	}
	s.codes.add(st)
	s.records++
	switch {
	case st.tier >= 0:
		s.tiers[st.tier]++
		if s.failTier >= 0 && st.tier <= s.failTier {
			s.tierHit = true
		}
	case st.tier == tierNotApplied:
		s.notApplied++
	}
}

// write prints the summary. read is the number of records read from the input (more than written when the
// run was interrupted).
func (s *summary) write(w io.Writer, interrupted bool, read int64, outName string) {
	var b strings.Builder
	if interrupted {
		fmt.Fprintf(&b, "painscreen: interrupted: %d records read, %d written", read, s.records)
		if outName != "" {
			fmt.Fprintf(&b, "; %s was not written", safe(outName))
		}
		b.WriteString("\n")
	}
	if interrupted {
		// Of what was read, only what is written counts: say so, not "read".
		fmt.Fprintf(&b, "painscreen: of the %s written: %d scored, %d could not be scored", plural(s.records, "record"), s.scored, s.failed-s.partial)
	} else {
		fmt.Fprintf(&b, "painscreen: %s read: %d scored, %d could not be scored", plural(s.records, "record"), s.scored, s.failed-s.partial)
	}
	if s.failed-s.partial > 0 {
		b.WriteString(" (see the error records in the output)")
	}
	if s.partial > 0 {
		fmt.Fprintf(&b, "; %d scored with errors (answers that could not be used, or a definition bug: see \"errors\" in the output)", s.partial)
	}
	b.WriteString("\n")
	if len(s.tierNames) > 0 {
		b.WriteString("painscreen: tiers:")
		for i, name := range s.tierNames {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %s %d", safe(name), s.tiers[i])
		}
		if s.notApplied > 0 {
			fmt.Fprintf(&b, "; rule set not applied %d", s.notApplied)
		}
		b.WriteString("\n")
	}
	s.codes.write(&b)
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

func (l *errorLog) add(file string, st *recStat) {
	l.n++
	if l.silent || l.n > l.max {
		return
	}
	b := l.buf[:0]
	b = append(b, "painscreen: "...)
	b = appendSafe(b, file)
	if st.line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(st.line), 10)
	}
	if st.fatal {
		b = append(b, ": "...)
	} else {
		b = append(b, ": record "...)
		b = strconv.AppendInt(b, int64(st.n), 10)
		b = append(b, ": "...)
	}
	b = appendSafe(b, st.code)
	b = append(b, ": "...)
	if st.inst != "" || st.item != "" {
		b = appendSafe(b, st.inst)
		if st.inst != "" && st.item != "" {
			b = append(b, '.')
		}
		b = appendSafe(b, st.item)
		b = append(b, ": "...)
	}
	b = appendMessage(b, st)
	if st.nerrs > 1 {
		b = append(b, " (and "...)
		b = strconv.AppendInt(b, int64(st.nerrs-1), 10)
		b = append(b, " more in this record)"...)
	}
	if st.partial {
		b = append(b, "; the record was scored without it"...)
	}
	if st.errLine > 0 && st.col > 0 && !listsProblems(st) {
		b = append(b, " (line "...)
		b = strconv.AppendInt(b, int64(st.errLine), 10)
		b = append(b, ", col "...)
		b = strconv.AppendInt(b, int64(st.col), 10)
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
