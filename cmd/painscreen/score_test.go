package main

import (
	"bufio"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLooksLikeJSONL(t *testing.T) {
	for in, want := range map[string]bool{
		"":                          true,
		"\n\n  ":                    true,
		`{"answers":{}}` + "\n":     true,
		"\xef\xbb\xbf{\"a\":1}":     true,
		"  {  \"a\": 1}":            true,
		"{\n  \"subject\": 1\n}\n":  false,
		"{  \r\n":                   false,
		"[{\"a\":1}]":               false,
		"subject: x\nanswers: {}\n": false,
		"subject,phq9.q1\n":         false,
	} {
		require.Equal(t, want, looksLikeJSONL(bufio.NewReader(strings.NewReader(in))), "%q", in)
	}
}

func TestAppendCSVField(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"plain":      "plain",
		"a,b":        `"a,b"`,
		`say "hi"`:   `"say ""hi"""`,
		"two\nlines": "\"two\nlines\"",
		" lead":      `" lead"`,
		"=1+1":       "=1+1",
	} {
		require.Equal(t, want, string(appendCSVField(nil, in)), "%q", in)
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 40)
	out := string(appendWrapped(nil, "    "+long, 6))
	for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		require.LessOrEqual(t, len(l), textWidth, "line %d", i)
		if i == 0 {
			require.True(t, strings.HasPrefix(l, "    word"))
		} else {
			require.True(t, strings.HasPrefix(l, "      word"), "%q", l)
		}
	}
}
