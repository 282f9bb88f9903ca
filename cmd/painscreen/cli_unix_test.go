//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/cmd/painscreen/internal/gen"
)

// Every command checks its writes to stdout: when stdout cannot be written (/dev/full), it says so and
// exits 2, where it used to exit 0.
func TestEveryCommandChecksStdout(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	work := t.TempDir()
	require.NoError(t, copyDefs(work))
	require.NoError(t, os.WriteFile(work+"/in.jsonl", []byte(`{"answers":{"phq9":{"q1":1}}}`+"\n"), 0o600))
	for _, args := range [][]string{
		{"validate"},
		{"list"},
		{"show", "phq9"},
		{"show", "pain_oud"},
		{"test", "--run", "phq9@.*/no symptoms"},
		{"test", "--run", "phq9@.*/no symptoms", "--format", "json"},
		{"test", "--run", "phq9@.*/no symptoms", "--format", "junit"},
		{"version"},
		{"--help"},
		{"score", "-h"},
		{"score", "in.jsonl"},
		{"score", "--format", "text", "in.jsonl"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(binary, args...)
			cmd.Dir = work
			cmd.Stdout = full
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "exit 0 with a failed write; stderr: %s", stderr.String())
			assert.Equal(t, exitUsage, ee.ExitCode(), "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "no space left on device")
		})
	}
}

// score … | head -1: the reader going away is a normal end: exit 0 (the status of the records written),
// no summary and no error on stderr.
func TestScoreIntoClosedPipe(t *testing.T) {
	work := t.TempDir()
	require.NoError(t, copyDefs(work))
	var batch bytes.Buffer
	require.NoError(t, gen.Write(&batch, 5000, 3, 0))
	require.NoError(t, os.WriteFile(work+"/batch.jsonl", batch.Bytes(), 0o600))
	cmd := exec.Command(binary, "score", "--no-bundled", "--instruments", "defs", "--rules", "defs", "batch.jsonl")
	cmd.Dir = work
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	first, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(first, `{"subject":"gen-`), first)
	require.NoError(t, stdout.Close()) // as head does after one line
	require.NoError(t, waitTimeout(t, cmd, 20*time.Second), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
}

// startSlow starts score reading stdin (kept open) and writing stdout through pipes.
func startSlow(t *testing.T, args ...string) (cmd *exec.Cmd, stdin io.WriteCloser, stdout *bufio.Reader, stderr *bytes.Buffer) {
	t.Helper()
	work := t.TempDir()
	require.NoError(t, copyDefs(work))
	cmd = exec.Command(binary, append([]string{"score", "--no-bundled", "--instruments", "defs", "--rules", "defs"}, args...)...)
	cmd.Dir = work
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = stdin.Close(); _ = cmd.Process.Kill() })
	return cmd, stdin, bufio.NewReader(out), stderr
}

// readLines reads n lines of stdout, failing after d.
func readLines(t *testing.T, r *bufio.Reader, n int, d time.Duration) []string {
	t.Helper()
	got := make(chan []string, 1)
	go func() {
		var lines []string
		for range n {
			l, err := r.ReadString('\n')
			if err != nil {
				break
			}
			lines = append(lines, l)
		}
		got <- lines
	}()
	select {
	case lines := <-got:
		require.Len(t, lines, n)
		return lines
	case <-time.After(d):
		t.Fatalf("%d output lines did not come within %v", n, d)
		return nil
	}
}

// Output is written as soon as the input is idle, not when 128 records have come: a producer that sends a
// few records and waits sees their reports. SIGTERM then stops the run at once, with a summary that
// agrees with itself and with the output: every record read was written.
func TestSlowStdinIdleFlushAndTerm(t *testing.T) {
	cmd, stdin, stdout, stderr := startSlow(t)
	var batch bytes.Buffer
	require.NoError(t, gen.Write(&batch, 10, 4, 0))
	_, err := stdin.Write(batch.Bytes())
	require.NoError(t, err)
	lines := readLines(t, stdout, 10, 10*time.Second)
	require.True(t, strings.HasPrefix(lines[9], `{"subject":"gen-`))

	// One more record, cut short, then SIGTERM while the reader waits for its end.
	_, err = stdin.Write([]byte(`{"subject":"late","answers":`))
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	rest, _ := io.ReadAll(stdout)
	err = waitTimeout(t, cmd, 10*time.Second)
	assert.Less(t, time.Since(start), 3*time.Second, "SIGTERM took effect promptly")
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitInterrupted, ee.ExitCode())
	assert.Empty(t, rest, "nothing after the records already written")
	assert.Equal(t, "painscreen: interrupted: 10 records read, 10 written\npainscreen: of the 10 records written: 10 scored, 0 could not be scored\n",
		firstLines(stderr.String(), 2))
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

// SIGTERM while the output pipe is full (nobody reads it): the run stops within a second or two, says how
// many records were read and written, and exits 130.
func TestTermWhileOutputBlocked(t *testing.T) {
	cmd, stdin, _, stderr := startSlow(t, "--format", "text")
	var batch bytes.Buffer
	require.NoError(t, gen.Write(&batch, 3000, 5, 0))
	go func() { _, _ = stdin.Write(batch.Bytes()) }() // blocks once painscreen stops reading
	time.Sleep(1500 * time.Millisecond)               // the pipe fills, the writer blocks
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := waitTimeout(t, cmd, 10*time.Second)
	assert.Less(t, time.Since(start), 4*time.Second, "SIGTERM took effect promptly")
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, exitInterrupted, ee.ExitCode())
	assert.Regexp(t, `painscreen: interrupted: \d+ records read, \d+ written; stopped at once \(the output does not take what is left\)`, stderr.String())
	assert.NotContains(t, stderr.String(), "gen-")
}
