//go:build unix

package load

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/def"
)

// A definitions folder on disk with a FIFO, links to a device and to files outside the folder, a link
// loop, a dangling link, a link that stays inside (followed) and a file name that is not UTF-8: each file
// that is not read is a diagnostic, the others are read, and nothing hangs or reads without bound.
func TestReadFilesRefusesWhatIsNotARegularFileInside(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("root:x:0:0:secret\n"), 0o600))
	root := t.TempDir()
	write := func(name, data string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(data), 0o644))
	}
	link := func(name, target string) { require.NoError(t, os.Symlink(target, filepath.Join(root, name))) }
	write("a.v1.yaml", okDef)
	write("sub/real.v1.yaml", okDef)
	link("inside.v1.yaml", "sub/real.v1.yaml")
	link("climb.v1.yaml", "sub/../sub/real.v1.yaml")
	link("zero.v1.yaml", "/dev/zero")
	link("passwd.v1.yaml", filepath.Join(outside, "secret.yaml"))
	link("up.v1.yaml", "../"+filepath.Base(outside)+"/secret.yaml")
	link("loop.v1.yaml", "loop.v1.yaml")
	link("dangling.v1.yaml", "nothing.yaml")
	link("dir.v1.yaml", "sub")
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "fifo.v1.yaml"), 0o644))
	write("x\xff.v1.yaml", okDef)

	names, list := readAll(t, os.DirFS(root), false, def.DefaultLimits())
	assert.Equal(t, []string{"defs/a.v1.yaml", "defs/climb.v1.yaml", "defs/inside.v1.yaml", "defs/sub/real.v1.yaml"}, names)
	got := codes(list)
	assert.Equal(t, map[string]string{
		"defs/zero.v1.yaml":     "link: symbolic link not followed: it leads out of the definitions folder (an absolute path)",
		"defs/passwd.v1.yaml":   "link: symbolic link not followed: it leads out of the definitions folder (an absolute path)",
		"defs/up.v1.yaml":       "link: symbolic link not followed: it leads out of the definitions folder",
		"defs/loop.v1.yaml":     "link: symbolic link not followed: more than 40 links in a row (a loop?)",
		"defs/dangling.v1.yaml": "link: symbolic link not followed: it leads to a file that does not exist",
		"defs/dir.v1.yaml":      "not_regular: not a regular file (a directory); definitions are read from regular files only",
		"defs/fifo.v1.yaml":     "not_regular: not a regular file (a FIFO); definitions are read from regular files only",
		`defs/x\xff.v1.yaml`:    "encoding: file name is not valid UTF-8; rename it",
	}, got)
	for _, d := range list {
		assert.NotContains(t, d.String(), "secret")
		assert.Empty(t, d.Source)
	}
}
