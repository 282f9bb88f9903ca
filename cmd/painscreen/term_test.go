package main

import (
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAppendSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, with 'quotes' and \\ backslashes", "plain text, with 'quotes' and \\ backslashes"},
		{"\x1b[2J", `\x1b[2J`},
		{"a\nforged: line\r", `a\nforged: line\r`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202eoN\u202c \u2066x\u2069", `bidi \u202eoN\u202c \u2066x\u2069`},
		{"marks \u200e\u200f\u061c", `marks \u200e\u200f\u061c`},
		{"lines \u2028\u2029", `lines \u2028\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"café ✓ 日本", "café ✓ 日本"},
	} {
		assert.Equal(t, tc.want, string(appendSafe(nil, tc.in)), "%q", tc.in)
		assert.Equal(t, tc.want, safe(tc.in), "%q", tc.in)
		assert.Equal(t, tc.in != tc.want, needsEscape(tc.in), "%q", tc.in)
	}
}

// An error record's position, code, key and message reach stderr on one line, whatever the input file
// name or response key holds.
func TestErrorLogIsOneSafeLine(t *testing.T) {
	var b strings.Builder
	l := errorLog{w: &b, max: 10}
	l.add(&batch.Status{File: "in\n\x1b[2J.jsonl", N: 3, Line: 3, Errors: 1,
		Failure: render.Failure{Code: "unknown_item", Instrument: "phq9", Item: "q\u202e1", Message: "no such item"}})
	assert.Equal(t, "painscreen: in\\n\\x1b[2J.jsonl:3: record 3: unknown_item: phq9.q\\u202e1: no such item\n", b.String())
}
