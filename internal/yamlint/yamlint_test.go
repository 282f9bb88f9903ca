package yamlint_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/internal/yamlint"
)

// TestParse pins the rule: plain decimal with an optional sign; everything YAML 1.1 and 1.2 read
// differently refused.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"7", 7, nil},
		{"+3", 3, nil},
		{"-3", -3, nil},
		{"-0", 0, nil},
		{"9223372036854775807", 9223372036854775807, nil},
		{"-9223372036854775808", -9223372036854775808, nil},
		{"9223372036854775808", 0, yamlint.ErrRange},
		{"010", 0, yamlint.ErrLeadingZero},
		{"-007", 0, yamlint.ErrLeadingZero},
		{"0x10", 0, yamlint.ErrForm},
		{"0o17", 0, yamlint.ErrForm},
		{"0b11", 0, yamlint.ErrForm},
		{"1_000", 0, yamlint.ErrForm},
		{"1e2", 0, yamlint.ErrForm},
		{"3.0", 0, yamlint.ErrForm},
		{"+-3", 0, yamlint.ErrForm},
		{"+", 0, yamlint.ErrForm},
		{"", 0, yamlint.ErrForm},
		{" 3", 0, yamlint.ErrForm},
		{"٣", 0, yamlint.ErrForm}, // an Arabic-Indic digit
	} {
		got, err := yamlint.Parse(tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		assert.ErrorIs(t, err, tc.err, "%q", tc.in)
		if tc.err == nil {
			assert.NoError(t, err, "%q", tc.in)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = yamlint.Parse("-1234567") }))
}

func ExampleParse() {
	for _, s := range []string{"+3", "010", "1_000"} {
		v, err := yamlint.Parse(s)
		fmt.Println(s, v, err)
	}
	// Output:
	// +3 3 <nil>
	// 010 0 a whole number with a leading zero
	// 1_000 0 not a whole number in plain decimal
}

// FuzzParse: what Parse accepts is exactly the canonical decimal spelling of an int64, with an optional
// leading +, and -0; it never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "-0", "+3", "010", "0x10", "1_000", "9223372036854775808", "-9223372036854775808", "", "+", "1e2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := yamlint.Parse(s)
		canon := strconv.FormatInt(v, 10)
		if err != nil {
			if n, perr := strconv.ParseInt(s, 10, 64); perr == nil && strconv.FormatInt(n, 10) == s {
				t.Fatalf("%q is a canonical int64 but was refused: %v", s, err)
			}
			return
		}
		body := strings.TrimPrefix(s, "+")
		if body != canon && body != "-0" {
			t.Fatalf("%q accepted as %d, which is not its spelling", s, v)
		}
	})
}
