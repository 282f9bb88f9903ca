//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
)

// SIGINT while reading stdin: the run stops, prints the summary with how many records were written,
// exits 130, and leaves no --output file (nor its temporary file).
func TestInterruptOutput(t *testing.T) {
	work := t.TempDir()
	require.NoError(t, copyDefs(work))
	cmd := exec.Command(binary, "score", "--no-bundled", "--instruments", "defs", "--rules", "defs", "--output", "out.jsonl", "-")
	cmd.Dir = work
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	var batch bytes.Buffer
	require.NoError(t, gen.Write(&batch, 500, 7, 0))
	_, err = stdin.Write(batch.Bytes())
	require.NoError(t, err)
	// Stdin stays open: the reader is blocked waiting for more when the signal comes.
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob(filepath.Join(work, ".out.jsonl.tmp-*"))
		return len(m) == 1
	}, 10*time.Second, 10*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = waitTimeout(t, cmd, 10*time.Second)
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
	require.Equal(t, 130, ee.ExitCode(), "stderr: %s", stderr.String())
	_ = stdin.Close()

	require.NoFileExists(t, filepath.Join(work, "out.jsonl"))
	m, _ := filepath.Glob(filepath.Join(work, ".out.jsonl.tmp-*"))
	require.Empty(t, m, "temporary file left behind")
	require.Contains(t, stderr.String(), "painscreen: interrupted: ")
	require.Contains(t, stderr.String(), "out.jsonl was not written")
	require.NotContains(t, stderr.String(), "gen-")
	require.Empty(t, stdout.String())
}

// SIGTERM while writing to stdout: what was written is whole records, and the summary says how many.
func TestInterruptStdout(t *testing.T) {
	work := t.TempDir()
	require.NoError(t, copyDefs(work))
	cmd := exec.Command(binary, "score", "--no-bundled", "--instruments", "defs", "--rules", "defs", "--format", "csv")
	cmd.Dir = work
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	var batch bytes.Buffer
	require.NoError(t, gen.Write(&batch, 300, 8, 0))
	_, err = stdin.Write(batch.Bytes())
	require.NoError(t, err)
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(stdout)
		got <- b
	}()
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	out := <-got
	err = waitTimeout(t, cmd, 10*time.Second)
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 130, ee.ExitCode(), "stderr: %s", stderr.String())
	_ = stdin.Close()

	lines := strings.Count(string(out), "\n")
	require.True(t, len(out) == 0 || out[len(out)-1] == '\n', "output ends at a record boundary")
	written := max(lines-1, 0) // the CSV header
	require.Contains(t, stderr.String(), fmt.Sprintf("painscreen: interrupted: 300 records read, %d written", written))
}

func waitTimeout(t *testing.T, cmd *exec.Cmd, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		_ = cmd.Process.Signal(os.Kill)
		t.Fatal("painscreen did not exit")
		return nil
	}
}
