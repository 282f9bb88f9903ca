package bundled_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

func TestFSIsAValidFileSystem(t *testing.T) {
	require.NoError(t, fstest.TestFS(bundled.FS, "instruments/phq9/phq9.v1.yaml", "rules/pain_oud/pain_oud.v1.yaml"))
}

func TestDefinitionsLoad(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	info, ok := eng.RuleSet()
	require.True(t, ok)
	require.Equal(t, "pain_oud", info.ID)
	require.Equal(t, "rules/pain_oud/pain_oud.v1.2.yaml", info.File)
	require.Equal(t, "1.2.0", info.Version)
	require.NotEmpty(t, eng.Instruments())
}
