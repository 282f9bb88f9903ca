//go:build unix

package suite_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/suite"
)

// Suites are read as definitions are: a sparse 3 GB suite is refused by its size before it is read, a
// FIFO is not opened (it would block), and a link out of the folder is not followed.
func TestLoadRefusesHostileSuiteFiles(t *testing.T) {
	root := t.TempDir()
	big := filepath.Join(root, "big_test.yaml")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, 3<<30))
	require.NoError(t, syscall.Mkfifo(filepath.Join(root, "fifo_test.yaml"), 0o644))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(root, "zero_test.yaml")))

	done := make(chan error, 1)
	var suites []*suite.Suite
	go func() {
		var err error
		suites, err = suite.Load(os.DirFS(root), "s")
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("suite.Load did not return")
	}
	assert.Empty(t, suites)
	var list diag.List
	require.True(t, errors.As(err, &list), "want diagnostics, got %v", err)
	var got []string
	for _, d := range list {
		got = append(got, d.String())
	}
	assert.Equal(t, []string{
		"s/big_test.yaml: limit: file is 3221225472 bytes; the limit is 1048576",
		"s/fifo_test.yaml: not_regular: not a regular file (a FIFO); definitions are read from regular files only",
		"s/zero_test.yaml: link: symbolic link not followed: it leads out of the definitions folder (an absolute path)",
	}, got)
}
