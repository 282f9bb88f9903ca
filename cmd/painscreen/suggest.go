package main

import (
	"errors"
	"flag"
	"strings"
)

// closest returns the candidate nearest to s (case-insensitive edit distance of at most a third of s's
// length, and at least 1), or "".
func closest(s string, candidates []string) string {
	best, bestD := "", 0
	limit := max(1, len(s)/3)
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short strings, in bytes.
func editDistance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

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
