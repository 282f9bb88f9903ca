// Package diag is painscreen's load-time diagnostics: problems found in definition files and test suites,
// each at a file:line:col with a stable code, a message and (when known) the source line, so that a tool can
// print a caret snippet under the column. screen.New and screen.Check return them; a List that holds an
// error is itself an error (use errors.As to get it).
package diag

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a definition file. Line and Col are 1-based; Col counts bytes. A zero Line means
// the problem concerns the file as a whole.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity tells whether a diagnostic stops the engine from being built.
type Severity int

const (
	// Error: the definitions cannot be used; New fails.
	Error Severity = iota
	// Warning: the definitions load, but something deserves attention (for example a draft instrument).
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem in the definitions.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	// Code is a stable, machine-readable kind, for example "cel_type" or "unknown_item".
	Code    string
	Message string
	// Source is the text of the line Pos points at, when known (used to print a caret snippet).
	Source string
}

// String formats the diagnostic as "file:line:col: code: message" (warnings say "warning: code: ...");
// a diagnostic about no file in particular (such as a rule set that was asked for but not loaded) is just
// "code: message".
func (d Diagnostic) String() string {
	where := ""
	if d.Pos.File != "" {
		where = d.Pos.String() + ": "
	}
	if d.Severity == Warning {
		return fmt.Sprintf("%swarning: %s: %s", where, d.Code, d.Message)
	}
	return fmt.Sprintf("%s%s: %s", where, d.Code, d.Message)
}

// List is a sorted set of diagnostics. A List that holds at least one error is itself an error.
type List []Diagnostic

// Sort orders the list by file, line, column, severity and code, and drops exact duplicates.
func (l List) Sort() List {
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(l, func(a, b Diagnostic) bool {
		return a.Pos == b.Pos && a.Severity == b.Severity && a.Code == b.Code && a.Message == b.Message
	})
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the error diagnostics.
func (l List) Errors() List {
	var out List
	for _, d := range l {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warnings.
func (l List) Warnings() List {
	var out List
	for _, d := range l {
		if d.Severity == Warning {
			out = append(out, d)
		}
	}
	return out
}

// Error joins the diagnostics one per line.
func (l List) Error() string {
	var b strings.Builder
	for i, d := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Write prints the diagnostics one per line; with snippets, each is followed by its source line and a caret
// under the column.
func (l List) Write(w io.Writer, snippets bool) error {
	for _, d := range l {
		if _, err := fmt.Fprintln(w, d.String()); err != nil {
			return err
		}
		if snippets && d.Source != "" && d.Pos.Col > 0 {
			if _, err := io.WriteString(w, Snippet(d.Source, d.Pos.Col)); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxSnippet is the most bytes of a source line a snippet shows: a longer line (a definition written on
// one line) is cut to the part around the column.
const maxSnippet = 160

// Snippet renders a source line and a caret under byte column col (1-based). Tabs in the prefix are kept so
// the caret lines up in a terminal, and a character of several bytes counts as one column. A line longer than 160 bytes is cut to the 160 around the column, the
// cuts marked "...".
func Snippet(line string, col int) string {
	line = strings.TrimRight(line, "\r\n")
	if len(line) > maxSnippet {
		start := max(0, min(col-1-maxSnippet/2, len(line)-maxSnippet))
		end := min(len(line), start+maxSnippet)
		for start > 0 && !utf8.RuneStart(line[start]) {
			start--
		}
		for end < len(line) && !utf8.RuneStart(line[end]) {
			end++
		}
		head, tail := "", ""
		if start > 0 {
			head = "..."
		}
		if end < len(line) {
			tail = "..."
		}
		line, col = head+line[start:end]+tail, col-start+len(head)
	}
	var pad strings.Builder
	for i := 0; i < col-1 && i < len(line); {
		r, n := utf8.DecodeRuneInString(line[i:])
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ') // one column per character, not per byte (é is two bytes, one column)
		}
		i += n
	}
	return fmt.Sprintf("    %s\n    %s^\n", line, pad.String())
}
