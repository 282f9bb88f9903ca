package def

import (
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/screen/diag"
)

// Sink collects diagnostics for one file, filling in the source line of each position once the file is
// Recognised as a definition or suite. A file that is not one (a stray YAML file, a copy of /etc/passwd)
// never has its lines quoted in a diagnostic.
type Sink struct {
	File       string
	src        []byte
	lines      []string // src split into lines, on first use
	List       *diag.List
	Recognised bool
}

// NewSink returns a sink that appends to list, reading source lines from src.
func NewSink(file string, src []byte, list *diag.List) *Sink {
	return &Sink{File: file, src: src, List: list}
}

// Lines returns the file's lines (split at \n), made on first use.
func (s *Sink) Lines() []string {
	if s.lines == nil {
		s.lines = strings.Split(string(s.src), "\n")
	}
	return s.lines
}

// At returns the position line:col in the sink's file.
func (s *Sink) At(line, col int) diag.Pos { return diag.Pos{File: s.File, Line: line, Col: col} }

// Line returns the source text of a 1-based line, or "".
func (s *Sink) Line(n int) string {
	lines := s.Lines()
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

// Warnf records a warning at line:col.
func (s *Sink) Warnf(line, col int, code, format string, args ...any) {
	s.add(diag.Warning, line, col, code, fmt.Sprintf(format, args...))
}

// Errorf records an error at line:col.
func (s *Sink) Errorf(line, col int, code, format string, args ...any) {
	s.add(diag.Error, line, col, code, fmt.Sprintf(format, args...))
}

func (s *Sink) add(sev diag.Severity, line, col int, code, msg string) {
	src := ""
	if s.Recognised {
		src = s.Line(line)
	}
	*s.List = append(*s.List, diag.Diagnostic{Pos: s.At(line, col), Severity: sev, Code: code, Message: msg, Source: src})
}
