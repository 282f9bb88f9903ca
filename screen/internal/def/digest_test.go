package def

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
)

// Loading and digesting read scalars through one decoder, so equal digests mean equal definitions: a
// number spelled two ways either loads alike and digests alike, or is refused.
func TestDigestFollowsWhatLoads(t *testing.T) {
	load := func(src string) (File, diag.List) {
		var list diag.List
		f := Parse("x.v1.yaml", []byte(src), DefaultLimits(), &list)
		return f, list
	}
	withMax := func(max string) string {
		return strings.Replace(miniInstrument, "max: 10", "max: "+max, 1)
	}
	base, list := load(withMax("10"))
	require.False(t, list.HasErrors(), "%v", list)

	// 010 is 8 to YAML 1.1 and 10 to YAML 1.2: refused, never silently one of them.
	_, list = load(withMax("010"))
	require.True(t, list.HasErrors())
	assert.Contains(t, list.Error(), "leading zeros")
	for _, spelled := range []string{"0x0a", "0o12"} {
		_, list = load(withMax(spelled))
		assert.True(t, list.HasErrors(), spelled)
	}

	// 1_0 loads as 10; it digests unlike 10 (a text field would read "1_0"), which is safe: equal digests
	// still mean equal content.
	under, list := load(withMax("1_0"))
	require.False(t, list.HasErrors(), "%v", list)
	require.NotNil(t, under.Instrument)
	assert.NotEqual(t, base.Instrument.Digest, under.Instrument.Digest)
	assert.Equal(t, *base.Instrument.Items[1].Max, *under.Instrument.Items[1].Max)
}
