package compile

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// syntaxHint is one piece of non-CEL syntax: its byte offset and what to write instead.
type syntaxHint struct {
	off       int
	bad, good string
}

func (h syntaxHint) msg() string {
	return fmt.Sprintf("%q is not an operator in CEL; did you mean %q? (CEL compares with == != < <= > >= and combines with && || !)", h.bad, h.good)
}

// syntaxHints looks, in an expression that does not parse, for a piece of syntax from other languages
// that authors often write for CEL's — "=>" or "=<" for ">=" and "<=", "=" or "===" for "==", "<>" or "≠"
// for "!=", and/or/not for && || ! — and returns its byte offset and a message saying what CEL writes
// instead, for every one found. The parser's own messages for these ("token recognition error at: '=>'",
// then "mismatched input") name neither. Text inside string literals is skipped.
func syntaxHints(src string) []syntaxHint {
	var out []syntaxHint
	hint := func(i int, bad, good string) int {
		out = append(out, syntaxHint{i, bad, good})
		return i + len(bad)
	}
	ops := []struct{ bad, good string }{{"===", "=="}, {"==", ""}, {"!=", ""}, {"<=", ""}, {">=", ""},
		{"=>", ">="}, {"=<", "<="}, {"<>", "!="}, {"=", "=="}, {"≥", ">="}, {"≤", "<="}, {"≠", "!="}}
next:
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\'':
			i = skipString(src, i)
			continue
		case isIdentStart(c):
			j := i
			for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			good := map[string]string{"and": "&&", "or": "||", "not": "!"}[strings.ToLower(src[i:j])]
			if good != "" && (i == 0 || src[i-1] != '.') {
				hint(i, src[i:j], good)
			}
			i = j
			continue
		}
		for _, op := range ops {
			if strings.HasPrefix(src[i:], op.bad) {
				if op.good == "" { // CEL's own operator
					i += len(op.bad)
				} else {
					i = hint(i, op.bad, op.good)
				}
				continue next
			}
		}
		_, n := utf8.DecodeRuneInString(src[i:])
		i += n
	}
	return out
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// skipString returns the offset just past the string literal that starts at i (an unterminated one ends
// the source). Escapes are skipped; triple-quoted and raw strings end at their closing quotes too.
func skipString(src string, i int) int {
	q := src[i]
	if strings.HasPrefix(src[i:], strings.Repeat(string(q), 3)) {
		if end := strings.Index(src[i+3:], strings.Repeat(string(q), 3)); end >= 0 {
			return i + 3 + end + 3
		}
		return len(src)
	}
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(src)
}
