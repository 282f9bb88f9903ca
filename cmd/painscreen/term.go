package main

import "github.com/painscreen/painscreen/internal/safetext"

// Terminal safety: every string that comes from input (response keys, file names, subjects, context
// values) or from definitions (titles, labels, flag messages, referral texts, expressions, case names) goes
// through appendSafe or safe before it reaches stdout or stderr as text, so that it cannot act on the
// terminal (internal/safetext says what is escaped). Machine formats (JSON, JSONL, CSV) are data and keep
// their values byte for byte (JSON escapes control characters itself).

// appendSafe appends s to b with what could act on a terminal escaped.
func appendSafe(b []byte, s string) []byte { return safetext.Append(b, s) }

// safe is appendSafe for a string; it returns s itself when nothing needs escaping.
func safe(s string) string { return safetext.String(s) }
