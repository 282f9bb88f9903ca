package respfile

// Converting one YAML record's node tree into a screen.Response.

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/internal/yamlint"
	"github.com/painscreen/painscreen/screen"
)

// yamlWalker converts one record's node tree, stopping at the first problem.
type yamlWalker struct {
	d        *Decoder
	err      *Error
	nAnswers int
	given    int
}

func (w *yamlWalker) fail(n *yaml.Node, code, msg, inst, item string) {
	if w.err == nil {
		w.err = &Error{Line: n.Line, Col: n.Column, Code: code, Msg: msg, Instrument: inst, Item: item}
	}
}

// yamlKind names the kind of a node for messages.
func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.Tag {
	case "!!str":
		return "a string"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a float"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "a timestamp (quote it to make it a string)"
	case "!!binary":
		return "binary data"
	}
	return "a value with a tag"
}

// plain checks that n is neither an alias nor anchored; where is its path for messages.
func (w *yamlWalker) plain(n *yaml.Node, where, inst, item string) bool {
	switch {
	case n.Kind == yaml.AliasNode:
		w.fail(n, CodeAlias, where+": YAML aliases are not allowed in response files", inst, item)
		return false
	case n.Anchor != "":
		w.fail(n, CodeAlias, where+": YAML anchors are not allowed in response files", inst, item)
		return false
	}
	return true
}

func isNullNode(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// key returns the text of a mapping key; where is the mapping's path for messages.
func (w *yamlWalker) key(k *yaml.Node, where, inst string) (string, bool) {
	if !w.plain(k, where, inst, "") {
		return "", false
	}
	if k.Kind != yaml.ScalarNode {
		w.fail(k, CodeWrongType, where+": key is "+yamlKind(k)+", not a string", inst, "")
		return "", false
	}
	if k.Tag == "!!merge" {
		w.fail(k, CodeAlias, where+": YAML merge keys (<<) are not allowed in response files", inst, "")
		return "", false
	}
	if !utf8.ValidString(k.Value) {
		w.fail(k, CodeInvalidUTF8, where+": key is not valid UTF-8", inst, "")
		return "", false
	}
	if len(k.Value) > w.d.lim.MaxStringBytes {
		w.fail(k, CodeTooLarge, where+": key is longer than "+strconv.Itoa(w.d.lim.MaxStringBytes)+" bytes", inst, "")
		return "", false
	}
	return k.Value, true
}

func (w *yamlWalker) record(n *yaml.Node) *screen.Response {
	if !w.plain(n, "record", "", "") {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		w.fail(n, CodeWrongType, "record: expected a mapping, got "+yamlKind(n), "", "")
		return nil
	}
	resp := &screen.Response{}
	var seenSubject, seenContext, seenAnswers, seenDate bool
	for i := 0; i+1 < len(n.Content) && w.err == nil; i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := w.key(k, "record", "")
		if !ok {
			break
		}
		dup := func(seen *bool) bool {
			if *seen {
				w.fail(k, CodeDuplicateKey, key+": duplicate key", "", "")
				return true
			}
			*seen = true
			return false
		}
		switch key {
		case "subject":
			if !dup(&seenSubject) {
				w.subject(v, resp)
			}
		case "date":
			if !dup(&seenDate) {
				w.date(v, resp)
			}
		case "context":
			if !dup(&seenContext) {
				w.context(v, resp)
			}
		case "answers":
			if !dup(&seenAnswers) {
				w.answers(v, resp)
			}
		default:
			w.fail(k, CodeUnknownField, showKey(key)+": unknown field (a record has only subject, date, context and answers)", "", "")
		}
	}
	if w.err == nil && !seenAnswers {
		w.fail(n, CodeMissingField, "answers: missing (a record needs at least one answer)", "", "")
	}
	if w.err != nil {
		return nil
	}
	return resp
}

// date reads the date as written (an unquoted 2026-01-05 is a YAML timestamp; follow-up checks the text).
func (w *yamlWalker) date(v *yaml.Node, resp *screen.Response) {
	if !w.plain(v, "date", "", "") || isNullNode(v) {
		return
	}
	if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!timestamp") || !utf8.ValidString(v.Value) || len(v.Value) > w.d.lim.MaxStringBytes {
		w.fail(v, CodeWrongType, "date: expected a date (YYYY-MM-DD), got "+yamlKind(v), "", "")
		return
	}
	resp.Date = dateOfDateTime(v.Value)
}

func (w *yamlWalker) subject(v *yaml.Node, resp *screen.Response) {
	if !w.plain(v, "subject", "", "") {
		return
	}
	switch {
	case isNullNode(v):
	case v.Kind == yaml.ScalarNode && v.Tag == "!!str":
		if !utf8.ValidString(v.Value) {
			w.fail(v, CodeInvalidUTF8, "subject: string is not valid UTF-8", "", "")
			return
		}
		if len(v.Value) > w.d.lim.MaxStringBytes {
			w.fail(v, CodeTooLarge, "subject: string is longer than "+strconv.Itoa(w.d.lim.MaxStringBytes)+" bytes", "", "")
			return
		}
		resp.Subject = v.Value
	default:
		w.fail(v, CodeWrongType, "subject: expected a string, got "+yamlKind(v)+" (quote it to make it a string)", "", "")
	}
}

func (w *yamlWalker) context(v *yaml.Node, resp *screen.Response) {
	if !w.plain(v, "context", "", "") || isNullNode(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		w.fail(v, CodeWrongType, "context: expected a mapping, got "+yamlKind(v), "", "")
		return
	}
	for i := 0; i+1 < len(v.Content) && w.err == nil; i += 2 {
		kn, vn := v.Content[i], v.Content[i+1]
		k, ok := w.key(kn, "context", "")
		if !ok {
			return
		}
		if k == "" {
			w.fail(kn, CodeEmptyKey, "context: empty key", "", "")
			return
		}
		if resp.Context == nil {
			resp.Context = make(map[string]any, len(v.Content)/2)
		}
		if _, dup := resp.Context[k]; dup {
			w.fail(kn, CodeDuplicateKey, path("context", k)+": duplicate key", "", "")
			return
		}
		val, ok := w.contextScalar(vn, path("context", k))
		if !ok {
			return
		}
		resp.Context[k] = val
	}
}

func (w *yamlWalker) answers(v *yaml.Node, resp *screen.Response) {
	if !w.plain(v, "answers", "", "") {
		return
	}
	if v.Kind != yaml.MappingNode {
		w.fail(v, CodeWrongType, "answers: expected a mapping, got "+yamlKind(v), "", "")
		return
	}
	if len(v.Content) == 0 {
		w.fail(v, CodeEmpty, "answers: no instruments (a record needs at least one answer)", "", "")
		return
	}
	resp.Answers = make(map[string]map[string]any, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content) && w.err == nil; i += 2 {
		kn, in := v.Content[i], v.Content[i+1]
		inst, ok := w.key(kn, "answers", "")
		if !ok {
			return
		}
		if inst == "" {
			w.fail(kn, CodeEmptyKey, "answers: empty instrument key", "", "")
			return
		}
		inst = w.d.in.str(inst)
		if _, dup := resp.Answers[inst]; dup {
			w.fail(kn, CodeDuplicateKey, path("answers", inst)+": duplicate instrument", inst, "")
			return
		}
		where := path("answers", inst)
		if !w.plain(in, where, inst, "") {
			return
		}
		if in.Kind != yaml.MappingNode {
			w.fail(in, CodeWrongType, where+": expected a mapping of answers, got "+yamlKind(in), inst, "")
			return
		}
		m := make(map[string]any, len(in.Content)/2)
		resp.Answers[inst] = m
		for j := 0; j+1 < len(in.Content) && w.err == nil; j += 2 {
			ikn, ivn := in.Content[j], in.Content[j+1]
			item, ok := w.key(ikn, where, inst)
			if !ok {
				return
			}
			if item == "" {
				w.fail(ikn, CodeEmptyKey, where+": empty item id", inst, "")
				return
			}
			old, dup := m[item]
			w.nAnswers++
			if w.nAnswers > w.d.lim.MaxAnswers {
				w.fail(ikn, CodeTooLarge, "answers: more than "+strconv.Itoa(w.d.lim.MaxAnswers)+" answers", inst, item)
				return
			}
			val, ok := w.scalar(ivn, path("answers", inst, item), inst, item)
			if !ok {
				return
			}
			if val != nil {
				w.given++
			}
			if dup {
				val = appendAnswer(old, val) // answered twice: conflicting answers (jsonparse.go)
			}
			m[w.d.in.str(item)] = val
		}
	}
	if w.err == nil && w.given == 0 {
		w.fail(v, CodeEmpty, "answers: no answers (every instrument is empty or all its answers are null)", "", "")
	}
}

// contextScalar converts a context value: by the same rule as an answer (see scalar.go); the engine checks
// it against the field's declared type.
func (w *yamlWalker) contextScalar(n *yaml.Node, where string) (any, bool) {
	return w.scalar(n, where, "", "")
}

// scalar converts an answer or context value by the rule of scalar.go: !!int and !!float that are whole
// numbers within int64 to int64, other numbers to json.Number, !!bool to bool, !!str (and !!timestamp,
// which is text the engine will not accept) to string, !!null to nil, a mapping or sequence to an empty
// one. Only what YAML painscreen does not read (an alias, an anchor, a binary or custom tag) or a string
// it cannot keep (invalid UTF-8, too long) is an error of the record.
func (w *yamlWalker) scalar(n *yaml.Node, where, inst, item string) (any, bool) {
	if !w.plain(n, where, inst, item) {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		return objectValue(), true
	case yaml.SequenceNode:
		return arrayValue(), true
	case yaml.ScalarNode:
	default:
		w.fail(n, CodeWrongType, where+": expected an integer, a string or null, got "+yamlKind(n), inst, item)
		return nil, false
	}
	switch n.Tag {
	case "!!null":
		return nil, true
	case "!!str", "!!timestamp":
		if !utf8.ValidString(n.Value) {
			w.fail(n, CodeInvalidUTF8, where+": string is not valid UTF-8", inst, item)
			return nil, false
		}
		if len(n.Value) > w.d.lim.MaxStringBytes {
			w.fail(n, CodeTooLarge, where+": string is longer than "+strconv.Itoa(w.d.lim.MaxStringBytes)+" bytes", inst, item)
			return nil, false
		}
		return w.d.in.boxedStr(n.Value), true
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b, true
		}
		return badNumber, true // !!bool on text that is neither true nor false: no reading of it is passed on
	case "!!int":
		v, err := yamlint.Parse(n.Value)
		if err == nil {
			return v, true
		}
		if errors.Is(err, yamlint.ErrRange) {
			return otherNumber([]byte(n.Value), &w.d.lim), true // out of the int64 range
		}
		// 0x1F, 0o17, 007, 1_000: YAML 1.1 and 1.2 read some of them differently, so no reading of one is
		// passed on (the engine would take 007 as 7).
		return badNumber, true
	case "!!float":
		// 2.0, 2.00 and !!float 2 are whole numbers; 2.5, 1e3, .inf and .nan are not.
		if v, err := yamlint.Parse(n.Value); err == nil {
			return v, true
		}
		if whole, frac, ok := strings.Cut(n.Value, "."); ok && frac != "" && strings.Trim(frac, "0") == "" {
			if v, err := yamlint.Parse(whole); err == nil {
				return v, true
			}
		}
		return otherNumber([]byte(n.Value), &w.d.lim), true
	}
	w.fail(n, CodeWrongType, where+": expected an integer, a string or null, got "+yamlKind(n), inst, item)
	return nil, false
}
