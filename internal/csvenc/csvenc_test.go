package csvenc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAppendField(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"plain":      "plain",
		"a,b":        `"a,b"`,
		`say "hi"`:   `"say ""hi"""`,
		"two\nlines": "\"two\nlines\"",
		"cr\r":       "\"cr\r\"",
		" lead":      `" lead"`,
		"\tlead":     "\"\tlead\"",
		"=1+1":       "=1+1",
	} {
		require.Equal(t, want, string(AppendField(nil, in)), "%q", in)
		require.Equal(t, want, string(AppendFieldBytes(nil, []byte(in))), "%q", in)
	}
}
