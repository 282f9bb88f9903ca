package load

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// readAll runs ReadFiles on one root and returns the names read and the diagnostics, failing the test
// when it does not return within seconds (a FIFO once hung the load).
func readAll(t *testing.T, fsys fs.FS, suites bool, lim def.Limits) ([]string, diag.List) {
	t.Helper()
	type result struct {
		names []string
		list  diag.List
		err   error
	}
	done := make(chan result, 1)
	go func() {
		var list diag.List
		files, err := ReadFiles([]Root{{FS: fsys, Label: "defs"}}, suites, lim, &list)
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		done <- result{names, list, err}
	}()
	select {
	case r := <-done:
		require.NoError(t, r.err)
		return r.names, r.list
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFiles did not return")
		return nil, nil
	}
}

// codes maps each diagnostic's file to "code: message".
func codes(list diag.List) map[string]string {
	m := map[string]string{}
	for _, d := range list {
		m[d.Pos.File] = d.Code + ": " + d.Message
	}
	return m
}

const okDef = "id: x\n"

// endless is a file system of one regular file that claims to be empty and never ends (as a device
// behind a file system that reports it as regular would).
type endless struct{}

func (endless) Open(name string) (fs.File, error) {
	switch name {
	case ".":
		return fstest.MapFS{"big.v1.yaml": {}}.Open(".")
	case "big.v1.yaml":
		return endlessFile{}, nil
	}
	return nil, fs.ErrNotExist
}

type endlessFile struct{}

func (endlessFile) Stat() (fs.FileInfo, error) {
	return fstest.MapFS{"f": {Mode: 0o444}}.Stat("f")
}
func (endlessFile) Read(p []byte) (int, error) { clear(p); return len(p), nil }
func (endlessFile) Close() error               { return nil }

// The read is bounded by MaxFileBytes whatever the file system says the size is.
func TestReadFilesBoundsTheReadWhateverStatSays(t *testing.T) {
	names, list := readAll(t, endless{}, false, def.DefaultLimits())
	assert.Empty(t, names)
	assert.Equal(t, map[string]string{"defs/big.v1.yaml": "limit: file is more than 1048576 bytes; the limit is 1048576"}, codes(list))
}

// Symbolic links in a file system that cannot read them are refused; in one that can (fstest.MapFS),
// they are resolved inside the root.
func TestReadFilesLinksInOtherFileSystems(t *testing.T) {
	m := fstest.MapFS{
		"a.v1.yaml":       {Data: []byte(okDef)},
		"l.v1.yaml":       {Data: []byte("a.v1.yaml"), Mode: fs.ModeSymlink},
		"out.v1.yaml":     {Data: []byte("../x.yaml"), Mode: fs.ModeSymlink},
		"suite_test.yaml": {Data: []byte(okDef)},
	}
	names, list := readAll(t, m, false, def.DefaultLimits())
	assert.Equal(t, []string{"defs/a.v1.yaml", "defs/l.v1.yaml"}, names)
	assert.Equal(t, map[string]string{"defs/out.v1.yaml": "link: symbolic link not followed: it leads out of the definitions folder"}, codes(list))

	names, list = readAll(t, struct{ fs.FS }{m}, false, def.DefaultLimits())
	assert.Equal(t, []string{"defs/a.v1.yaml"}, names)
	assert.Equal(t, "link: symbolic link not followed: this file system cannot tell where it leads", codes(list)["defs/l.v1.yaml"])

	names, _ = readAll(t, m, true, def.DefaultLimits())
	assert.Equal(t, []string{"defs/suite_test.yaml"}, names)
}

// The number of files and their total size are bounded; what is over is a diagnostic and nothing more is
// read.
func TestReadFilesTotals(t *testing.T) {
	m := fstest.MapFS{}
	for _, n := range []string{"a", "b", "c", "d"} {
		m[n+".v1.yaml"] = &fstest.MapFile{Data: []byte(strings.Repeat("#", 100))}
	}
	lim := def.DefaultLimits()
	lim.MaxFiles = 2
	names, list := readAll(t, m, false, lim)
	assert.Equal(t, []string{"defs/a.v1.yaml", "defs/b.v1.yaml"}, names)
	assert.Equal(t, map[string]string{"defs/c.v1.yaml": "limit: more than 2 definition files; the limit is 2 (no more files were read)"}, codes(list))

	lim = def.DefaultLimits()
	lim.MaxTotalBytes = 250
	names, list = readAll(t, m, false, lim)
	assert.Equal(t, []string{"defs/a.v1.yaml", "defs/b.v1.yaml"}, names)
	assert.Equal(t, map[string]string{"defs/c.v1.yaml": "limit: definition files total more than 250 bytes; the limit is 250 (no more files were read)"}, codes(list))
}
