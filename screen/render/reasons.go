package render

import (
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// Reasons in the text views are words only (screen.Reason.Text, generated from the definitions): no
// expression, field path or code reaches a clinician. The JSON formats carry both the machine fields and
// the words.

// appendReasonText appends one reason in words, escaped for a terminal.
func appendReasonText(b []byte, r *screen.Reason) []byte { return appendSafe(b, r.Text) }

// appendBecause appends ` because="…"` to a brief line: the tier's reasons in words, joined by "; " (a
// double quote in a label is written as a single one, so the field stays one quoted value).
func appendBecause(b []byte, rs []screen.Reason) []byte {
	if len(rs) == 0 {
		return b
	}
	b = append(b, ` because="`...)
	for i := range rs {
		if i > 0 {
			b = append(b, "; "...)
		}
		t := rs[i].Text
		if strings.IndexByte(t, '"') >= 0 {
			t = strings.ReplaceAll(t, `"`, `'`)
		}
		b = appendSafe(b, t)
	}
	return append(b, '"')
}
