package ehr

import (
	"encoding/json"
	"strings"
)

// NoteDisagrees says that a response set gives a context field itself and that its value differs from the
// one derived from the EHR; the response's own value is used (see Merge).
const NoteDisagrees = "context_disagrees"

// Merge adds the known derived fields to a response context and returns it (a new map when ctx is nil).
// A field ctx already holds is explicit and wins: when it differs from the derived value, Merge returns a
// note NoteDisagrees naming the field (never either value). accept, when not nil, limits the fields added
// to those it accepts (for example the context fields the loaded rule set declares).
func (c *Context) Merge(ctx map[string]any, accept func(field string) bool) (map[string]any, []Note) {
	var notes []Note
	for _, f := range c.Fields {
		if !f.Known || (accept != nil && !accept(f.Name)) {
			continue
		}
		if ctx == nil {
			ctx = make(map[string]any, len(c.Fields))
		}
		v, ok := ctx[f.Name]
		if !ok || v == nil {
			ctx[f.Name] = f.Value
			continue
		}
		if !sameValue(v, f.Value) {
			notes = append(notes, Note{Code: NoteDisagrees, Field: f.Name,
				Text: "the response set gives " + f.Name + " itself and it differs from the value derived from the EHR: the response's value is used"})
		}
	}
	return ctx, notes
}

// sameValue compares an explicit context value (as a decoder gives it) with a derived one.
func sameValue(explicit, derived any) bool {
	switch d := derived.(type) {
	case bool:
		b, ok := explicit.(bool)
		return ok && b == d
	case string:
		s, ok := explicit.(string)
		s = strings.ToLower(strings.TrimSpace(s))
		return ok && (s == d || (len(s) == 1 && len(d) > 0 && s[0] == d[0]))
	case int:
		x, ok := number(explicit)
		return ok && x == float64(d)
	case float64:
		x, ok := number(explicit)
		return ok && x == d
	}
	return false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
