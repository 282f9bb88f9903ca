package def

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTypeHint(t *testing.T) {
	scores := []string{"int", "double", "bool", "string"}
	context := []string{"int", "number", "bool", "string"}
	for _, tc := range []struct {
		typ     string
		allowed []string
		want    string
	}{
		{"boolean", scores, `; did you mean "bool"?`},
		{"Boolean", scores, `; did you mean "bool"?`},
		{"integer", scores, `; did you mean "int"?`},
		{"float", scores, `; did you mean "double"?`},
		{"number", scores, `; did you mean "double"?`},
		{"doubel", scores, `; did you mean "double"?`},
		{"text", scores, `; did you mean "string"?`},
		{"double", context, `; did you mean "number"?`},
		{"float", context, `; did you mean "number"?`},
		{"boolean", context, `; did you mean "bool"?`},
		{"date", scores, ""},
	} {
		assert.Equal(t, tc.want, typeHint(tc.typ, tc.allowed...), "%s", tc.typ)
	}
}

func TestValidIDMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	cases := []string{"", "a", "phq9", "pain_oud", "_a", "9a", "A", "aB", "a-b", "a b", "é", "a\n", strings.Repeat("a", 64), strings.Repeat("a", 65), "a" + strings.Repeat("_", 63), "z9_"}
	for c := 0; c < 256; c++ {
		cases = append(cases, "a"+string(rune(c)), string([]byte{byte(c)}), "a"+string([]byte{byte(c)}))
	}
	for _, s := range cases {
		assert.Equal(t, re.MatchString(s), ValidID(s), "%q", s)
	}
}
