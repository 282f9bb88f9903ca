package main

import (
	"os"

	"golang.org/x/term"

	"github.com/painscreen/painscreen/internal/termsafe"
)

// Terminal safety: every string that comes from input (response keys, file names, subjects, context
// values) or from definitions (titles, labels, flag messages, referral texts, expressions, case names) goes
// through appendSafe or safe before it reaches stdout or stderr as text, so that it cannot act on the
// terminal (package internal/termsafe says what is escaped, and how). Machine formats (JSON, JSONL, CSV)
// are data and keep their values byte for byte.

// needsEscape reports whether s holds anything appendSafe would escape.
func needsEscape(s string) bool { return termsafe.Needs(s) }

// appendSafe appends s to b with what could act on a terminal escaped.
func appendSafe(b []byte, s string) []byte { return termsafe.Append(b, s) }

// safe is appendSafe for a string; it returns s itself when nothing needs escaping.
func safe(s string) string { return termsafe.String(s) }

// isTerminal reports whether f is a terminal (golang.org/x/term: a character device such as /dev/null
// is not one).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}
