//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commitOutput writes data through createOutFile and commits it.
func commitOutput(t *testing.T, path, data string) {
	t.Helper()
	of, _, err := createOutFile(path)
	require.NoError(t, err)
	_, err = of.f.WriteString(data)
	require.NoError(t, err)
	require.NoError(t, of.commit())
}

// --output on a symbolic link replaces the file it points to (the link stays); a file that exists keeps
// its permission bits; a new one is 0600 whatever the umask; a link to nothing is an error.
func TestOutputLinksAndModes(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.jsonl")
	require.NoError(t, os.WriteFile(real, []byte("old\n"), 0o640))
	require.NoError(t, os.Chmod(real, 0o640))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Symlink("real.jsonl", link))

	commitOutput(t, link, "new\n")
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link stays a link")
	b, err := os.ReadFile(real)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(b))
	fi, err = os.Stat(real)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())

	old := syscall.Umask(0)
	defer syscall.Umask(old)
	fresh := filepath.Join(dir, "fresh.jsonl")
	commitOutput(t, fresh, "x\n")
	fi, err = os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, os.Symlink("nowhere.jsonl", filepath.Join(dir, "dangling.jsonl")))
	_, _, err = createOutFile(filepath.Join(dir, "dangling.jsonl"))
	assert.ErrorContains(t, err, "is a symbolic link to a file that does not exist")
}

// A temporary file left by a killed run (unlocked, not changed for a minute) is removed by the next run
// writing the same file; one a live run holds (locked), or a recent one, is not.
func TestStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.jsonl")
	mk := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("partial"), 0o600))
		at := time.Now().Add(-age)
		require.NoError(t, os.Chtimes(p, at, at))
		return p
	}
	stale := mk(".out.jsonl.tmp-111", time.Hour)
	recent := mk(".out.jsonl.tmp-222", 0)
	live := mk(".out.jsonl.tmp-333", time.Hour)
	other := mk(".other.jsonl.tmp-444", time.Hour)
	held, err := os.Open(live)
	require.NoError(t, err)
	defer held.Close()
	lockTemp(held)

	of, n, err := createOutFile(out)
	require.NoError(t, err)
	defer of.abort()
	assert.Equal(t, 1, n)
	assert.NoFileExists(t, stale)
	for _, p := range []string{recent, live, other} {
		assert.FileExists(t, p)
	}
	// The new temporary file is locked while the run lasts.
	assert.False(t, unlocked(of.f.Name()))
}

// The output may not be one of the inputs: the same file, through a link or a hard link, or stdin
// redirected from it.
func TestOutputIsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte("{}\n"), 0o600))
	require.NoError(t, os.Symlink("in.jsonl", filepath.Join(dir, "sym.jsonl")))
	require.NoError(t, os.Link(in, filepath.Join(dir, "hard.jsonl")))
	f, err := os.Open(in)
	require.NoError(t, err)
	defer f.Close()
	for _, out := range []string{in, filepath.Join(dir, "sym.jsonl"), filepath.Join(dir, "hard.jsonl")} {
		name, same := sameAsInput(out, []string{filepath.Join(dir, "other.jsonl"), in}, nil)
		assert.True(t, same, out)
		assert.Equal(t, in, name)
		name, same = sameAsInput(out, []string{"-"}, f)
		assert.True(t, same, out)
		assert.Equal(t, "-", name)
	}
	_, same := sameAsInput(filepath.Join(dir, "new.jsonl"), []string{in}, f)
	assert.False(t, same)
	_, same = sameAsInput(os.DevNull, []string{"-"}, f)
	assert.False(t, same)
}
