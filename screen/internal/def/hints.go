package def

import (
	"fmt"
	"strings"
)

// typeSynonyms are the type names of other languages authors write for painscreen's.
var typeSynonyms = map[string]string{
	"boolean": "bool", "integer": "int", "long": "int", "float": "double", "number": "double",
	"decimal": "double", "real": "double", "str": "string", "text": "string",
}

// typeHint is "; did you mean \"bool\"?" for a type name that is a synonym or a near miss of one of
// painscreen's (int, double, bool, string), else "".
func typeHint(t string) string {
	want := typeSynonyms[strings.ToLower(t)]
	if want == "" {
		want = Suggest(strings.ToLower(t), []string{"int", "double", "bool", "string"})
	}
	if want == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", want)
}
