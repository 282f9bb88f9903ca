package def

import (
	"fmt"
	"slices"
	"strings"
)

// typeSynonyms are the type names of other languages authors write for painscreen's.
var typeSynonyms = map[string]string{
	"boolean": "bool", "integer": "int", "long": "int", "float": "double", "number": "double",
	"decimal": "double", "real": "double", "str": "string", "text": "string", "double": "double",
}

// typeHint is "; did you mean \"bool\"?" for a type name that is a synonym or a near miss of one of
// allowed (int, double, bool, string for scores; int, number, bool, string for context fields), else "".
func typeHint(t string, allowed ...string) string {
	lt := strings.ToLower(t)
	want := typeSynonyms[lt]
	if want == "double" && !slices.Contains(allowed, "double") && slices.Contains(allowed, "number") {
		want = "number"
	}
	if want == "" || !slices.Contains(allowed, want) {
		want = Suggest(lt, allowed)
	}
	if want == "" || want == t {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", want)
}
