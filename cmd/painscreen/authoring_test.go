package main

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screentest"
)

// The authoring guide (docs/authoring.md) is executable: TestAuthoringGuide replays it in an empty folder.
//
//   - A fenced block whose info string names a file (```yaml file=site_phq2/site_phq2.v1.yaml) is written
//     to that path, replacing what was there.
//   - A ```console block holds commands ("$ painscreen …") each followed by its output (stdout and stderr,
//     as a terminal shows them) and, when it is not 0, a last line "[exit status N]". Each command is run
//     in process and its output must match.
//   - A ```go file=… block is written too, must parse, and the suites of its folder are run with
//     screentest.Run, as the file would under go test.
//
// go test ./cmd/painscreen -run TestAuthoringGuide -update rewrites the outputs in the guide.

const guidePath = "../../docs/authoring.md"

// guideBlock is one fenced block of the guide.
type guideBlock struct {
	info  string   // the info string after ```
	lines []string // the content
	start int      // index of the first content line in the document's lines
}

// file returns the path named by file=PATH in the info string.
func (b guideBlock) file() string {
	for _, f := range strings.Fields(b.info) {
		if p, ok := strings.CutPrefix(f, "file="); ok {
			return p
		}
	}
	return ""
}

func (b guideBlock) lang() string {
	if f := strings.Fields(b.info); len(f) > 0 {
		return f[0]
	}
	return ""
}

func guideBlocks(lines []string) ([]guideBlock, error) {
	var out []guideBlock
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := guideBlock{info: strings.TrimSpace(info), start: i + 1}
		j := i + 1
		for ; j < len(lines) && lines[j] != "```"; j++ {
			b.lines = append(b.lines, lines[j])
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: the block is not closed", i+1)
		}
		out = append(out, b)
		i = j
	}
	return out, nil
}

// shellWords splits a command line as a POSIX shell would for the simple forms the guide uses: words
// separated by blanks, 'single' and "double" quoted words.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '|' || r == '>' || r == '<' || r == '&' || r == ';' || r == '$' || r == '`' || r == '\\':
			return nil, fmt.Errorf("shell syntax %q is not supported in the guide's commands", r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// runConsole runs a console block's commands and returns the block as it should read.
func runConsole(t *testing.T, b guideBlock) []string {
	t.Helper()
	var out []string
	for _, line := range b.lines {
		cmd, ok := strings.CutPrefix(line, "$ ")
		if !ok {
			continue // an output line: replaced by what the command writes
		}
		words, err := shellWords(cmd)
		require.NoError(t, err, "guide line %d: %s", b.start+1, cmd)
		require.True(t, len(words) > 0 && words[0] == "painscreen", "guide line %d: only painscreen commands run: %s", b.start+1, cmd)
		var buf bytes.Buffer
		code := run(words[1:], strings.NewReader(""), &buf, &buf)
		out = append(out, line)
		if s := strings.TrimRight(buf.String(), "\n"); s != "" {
			out = append(out, strings.Split(s, "\n")...)
		}
		if code != 0 {
			out = append(out, fmt.Sprintf("[exit status %d]", code))
		}
	}
	return out
}

func TestAuthoringGuide(t *testing.T) {
	guide, err := filepath.Abs(guidePath)
	require.NoError(t, err)
	src, err := os.ReadFile(guide)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	blocks, err := guideBlocks(lines)
	require.NoError(t, err)
	t.Chdir(t.TempDir())

	commands, files, goFiles := 0, 0, 0
	replaced := map[int][]string{} // block start → new content
	for _, b := range blocks {
		switch {
		case b.lang() == "console":
			got := runConsole(t, b)
			commands++
			if *update {
				replaced[b.start] = got
				continue
			}
			assert.Equal(t, strings.Join(b.lines, "\n"), strings.Join(got, "\n"),
				"docs/authoring.md line %d: the documented output is stale (go test ./cmd/painscreen -run TestAuthoringGuide -update)", b.start)
		case b.file() != "":
			p := filepath.FromSlash(b.file())
			require.False(t, filepath.IsAbs(p) || strings.HasPrefix(filepath.Clean(p), ".."), "guide line %d: a file inside the folder", b.start)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(strings.Join(b.lines, "\n")+"\n"), 0o644))
			files++
			if b.lang() == "go" {
				goFiles++
				_, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
				require.NoError(t, err, "guide line %d: the Go file parses", b.start)
				dir := filepath.Dir(p)
				screentest.Run(t, os.DirFS(dir), filepath.ToSlash(dir))
			}
		}
	}
	require.Positive(t, commands, "the guide has commands")
	require.Positive(t, files, "the guide writes files")
	require.Positive(t, goFiles, "the guide runs the suites under go test")
	if !*update {
		return
	}
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		b.WriteString(lines[i])
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
		if got, ok := replaced[i+1]; ok {
			for _, l := range got {
				b.WriteString(l + "\n")
			}
			for i+1 < len(lines) && lines[i+1] != "```" {
				i++
			}
		}
	}
	require.NoError(t, os.WriteFile(guide, []byte(b.String()), 0o644))
}
