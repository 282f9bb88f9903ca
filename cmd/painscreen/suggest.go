package main

import (
	"errors"
	"flag"
	"strings"

	"github.com/painscreen/painscreen/internal/suggest"
)

// closest returns the candidate nearest to s (see suggest.Closest), or "".
func closest(s string, candidates []string) string { return suggest.Closest(s, candidates) }

// helpWidth is the width of the commands' help texts.
const helpWidth = 80

// reflow wraps the paragraphs of a help text at width. A paragraph (lines between blank lines) whose
// lines all start at the left margin is filled anew; an indented one (a list, a table, an example) is
// kept as it is written.
func reflow(s string, width int) string {
	var b []byte
	for i, para := range strings.Split(s, "\n\n") {
		if i > 0 {
			b = append(b, '\n')
		}
		indented := false
		for _, line := range strings.Split(para, "\n") {
			if strings.HasPrefix(line, " ") {
				indented = true
			}
		}
		if indented {
			b = append(append(b, para...), '\n')
			continue
		}
		t := textBuf{b: b, width: width}
		t.words(para, 0)
		t.nl()
		b = t.b
	}
	return strings.TrimSuffix(string(b), "\n")
}

// explainParseError adds a suggestion to the flag package's "flag provided but not defined: -nrules".
func (f *cmdFlags) explainParseError(err error) error {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	name := msg[len(prefix):]
	var names []string
	f.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	dash := func(n string) string {
		if len(n) == 1 {
			return "-" + n
		}
		return "--" + n
	}
	out := "unknown flag " + dash(name)
	if s := closest(name, names); s != "" {
		out += " (did you mean " + dash(s) + "?)"
	} else {
		for _, n := range names { // --csv for --csv-safe, --keep-columns for --keep
			if strings.HasPrefix(n, name) || strings.HasPrefix(name, n) {
				out += " (did you mean " + dash(n) + "?)"
				break
			}
		}
	}
	return errors.New(out)
}
