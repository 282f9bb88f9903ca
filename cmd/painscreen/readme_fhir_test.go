package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's FHIR example shows the real output of its command: run it from the repository root and
// compare.
func TestREADMEFHIRExample(t *testing.T) {
	t.Chdir("../..")
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	const cmd = "$ painscreen score --format text examples/fhir/uscore-phq9-questionnaireresponse.json\n"
	s := string(readme)
	i := strings.Index(s, cmd)
	require.GreaterOrEqual(t, i, 0, "README shows the command")
	block := s[i+len(cmd):]
	block = block[:strings.Index(block, "```")]
	var stdout, stderr bytes.Buffer
	code := run(strings.Fields(cmd)[2:], strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Equal(t, strings.TrimSpace(block), strings.TrimSpace(stdout.String()))
}
