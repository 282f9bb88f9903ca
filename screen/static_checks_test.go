package screen_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
)

// TestNewAndCheckAgree: what New refuses and what Check calls an error are the same diagnostics, for
// every broken-definitions case (the static checks included: a band past a score's range, a flag that
// can never fire), so validate, score, test and serve agree on whether definitions load.
func TestNewAndCheckAgree(t *testing.T) {
	dirs, err := os.ReadDir("testdata/broken")
	require.NoError(t, err)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			fsys := os.DirFS(filepath.Join("testdata/broken", d.Name()))
			_, err := screen.New(screen.WithDefinitions(fsys, d.Name()))
			var fromNew diag.List
			require.True(t, errors.As(err, &fromNew), "New: %v", err)
			res, err := screen.Check(screen.WithDefinitions(fsys, d.Name()))
			require.NoError(t, err)
			assert.Equal(t, res.Diagnostics.Errors().Error(), fromNew.Errors().Error())
		})
	}
}

// TestStaticWarningsLoad: a static check's warning (a band bound past the score's range) does not stop
// New; the engine carries it as Check reports it.
func TestStaticWarningsLoad(t *testing.T) {
	src, err := os.ReadFile("testdata/broken/band_past_range/mini.v1.yaml")
	require.NoError(t, err)
	fsys := fstest.MapFS{"mini.v1.yaml": {Data: []byte(strings.Replace(string(src), "max: 11, label: severe", "max: 27, label: severe", 1))}}
	eng, err := screen.New(screen.WithDefinitions(fsys, "defs"))
	require.NoError(t, err)
	res, err := screen.Check(screen.WithDefinitions(fsys, "defs"))
	require.NoError(t, err)
	require.False(t, res.Diagnostics.HasErrors())
	require.Len(t, eng.Warnings(), 1)
	assert.Equal(t, "band_beyond_range", eng.Warnings()[0].Code)
	assert.Equal(t, res.Diagnostics.Error(), eng.Warnings().Error())
}
