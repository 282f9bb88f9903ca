package main

import (
	"bufio"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// score's inputs: which of them is the output, which are regular files, what stdin holds.

// sameAsInput returns the input that the regular file output is, also through links (os.SameFile):
// writing it would replace the responses with the reports. Stdin counts when it is redirected from a file.
func sameAsInput(output string, files []string, stdin io.Reader) (string, bool) {
	if output == "" {
		return "", false
	}
	ost, err := os.Stat(output)
	if err != nil || !ost.Mode().IsRegular() {
		return "", false
	}
	for _, name := range files {
		var st os.FileInfo
		if name == "-" {
			if f, ok := stdin.(*os.File); ok {
				st, err = f.Stat()
			} else {
				continue
			}
		} else {
			st, err = os.Stat(name)
		}
		if err == nil && os.SameFile(ost, st) {
			return name, true
		}
	}
	return "", false
}

// interruptGrace is how long a first signal waits for the records already read to be written before
// the run stops at once.
const interruptGrace = time.Second

// isRegularFile reports whether r is an *os.File that is a regular file.
func isRegularFile(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode().IsRegular()
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// isTerminal reports whether f is an *os.File that is a terminal (not merely a character device:
// /dev/null is one too).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// looksLikeJSONL reports whether buffered stdin starts like JSONL: its first non-blank character is '{'
// and that line goes on after it (a lone "{" is a pretty-printed JSON document). An empty input counts as
// JSONL (and is then reported as holding no record). It reads only as far as it needs to.
func looksLikeJSONL(br *bufio.Reader) bool {
	i := 0
	peek := func() (byte, bool) {
		b, err := br.Peek(i + 1)
		if len(b) <= i || err != nil && len(b) <= i {
			return 0, false
		}
		return b[i], true
	}
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		i = 3
	}
	for {
		c, ok := peek()
		if !ok {
			return true // empty or blank
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		if c != '{' {
			return false
		}
		break
	}
	i++
	for {
		c, ok := peek()
		if !ok {
			return true
		}
		switch c {
		case ' ', '\t', '\r':
			i++
			continue
		case '\n':
			return false
		}
		return true
	}
}
