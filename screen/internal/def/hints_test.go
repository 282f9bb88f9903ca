package def

import (
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
