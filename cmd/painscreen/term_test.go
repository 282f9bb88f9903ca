package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
)

// An error record's position, code, key and message reach stderr on one line, whatever the input file
// name or response key holds.
func TestErrorLogIsOneSafeLine(t *testing.T) {
	var b strings.Builder
	l := errorLog{w: &b, max: 10}
	l.add(&batch.Status{File: "in\n\x1b[2J.jsonl", N: 3, Line: 3, Errors: 1,
		Failure: screen.RecordError{Code: "unknown_item", Instrument: "phq9", Item: "q\u202e1", Message: "no such item"}})
	assert.Equal(t, "painscreen: in\\n\\x1b[2J.jsonl:3: record 3: unknown_item: phq9.q\\u202e1: no such item\n", b.String())
}
