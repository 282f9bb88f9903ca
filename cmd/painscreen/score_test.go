package main

import (
	"bufio"
	"bytes"
	"os"
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

// stdin redirected from the null device is a character device but not a terminal: score does not say it
// is reading from the terminal (it reads an empty input).
func TestScoreDevNullIsNotATerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	var out, errb bytes.Buffer
	code := run([]string{"score"}, null, &out, &errb)
	require.Equal(t, exitUsage, code, errb.String())
	require.NotContains(t, errb.String(), "terminal")
	require.Contains(t, errb.String(), "no response records")
}
