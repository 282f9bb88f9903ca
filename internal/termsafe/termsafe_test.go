package termsafe_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/internal/termsafe"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, with 'quotes' and \\ backslashes", "plain text, with 'quotes' and \\ backslashes"},
		{"\x1b[2J", `\x1b[2J`},
		{"a\nforged: line\r", `a\nforged: line\r`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202eoN\u202c \u2066x\u2069", `bidi \u202eoN\u202c \u2066x\u2069`},
		{"marks \u200e\u200f\u061c", `marks \u200e\u200f\u061c`},
		{"lines \u2028\u2029", `lines \u2028\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"café ✓ 日本", "café ✓ 日本"},
	} {
		assert.Equal(t, tc.want, string(termsafe.Append([]byte("x"), tc.in))[1:], "%q", tc.in)
		assert.Equal(t, tc.want, termsafe.String(tc.in), "%q", tc.in)
		assert.Equal(t, tc.in != tc.want, termsafe.Needs(tc.in), "%q", tc.in)
	}
}

func ExampleString() {
	fmt.Println(termsafe.String("file\x1b[2J.yaml"))
	// Output: file\x1b[2J.yaml
}
