package respfile

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen"
	"go.yaml.in/yaml/v3"
)

// yamlState is the state of the YAML reader.
type yamlState struct {
	dec     *yaml.Decoder
	pending []*yaml.Node // records of the current document not yet returned
	content bool         // a document with content has been seen
}

func (d *Decoder) nextYAML() (Record, error) {
	if d.yml == nil {
		d.yml = &yamlState{}
		if b, _ := d.br.Peek(2); len(b) == 2 && (string(b) == "\xff\xfe" || string(b) == "\xfe\xff") {
			return Record{}, &Error{Line: 1, Col: 1, Code: CodeInvalidUTF8, Msg: "input is UTF-16; response files must be UTF-8"}
		}
		d.yml.dec = yaml.NewDecoder(d.br)
	}
	s := d.yml
	for len(s.pending) == 0 {
		var doc yaml.Node
		if err := d.yamlDecode(&doc); err != nil {
			if err == io.EOF {
				if !s.content {
					return Record{}, &Error{Code: CodeEmpty, Msg: "input is empty (no YAML document)"}
				}
				return Record{}, io.EOF
			}
			return Record{}, err
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" && root.Anchor == "" {
			continue // an empty document ("---" with nothing after it) holds no record
		}
		s.content = true
		if root.Kind == yaml.SequenceNode {
			if root.Anchor != "" {
				return Record{}, &Error{Line: root.Line, Col: root.Column, Code: CodeAlias,
					Msg: "document: YAML anchors are not allowed in response files"}
			}
			s.pending = root.Content
			continue
		}
		s.pending = []*yaml.Node{root}
	}
	n := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	rec := d.newRecord(n.Line)
	w := yamlWalker{d: d}
	resp := w.record(n)
	if w.err != nil {
		rec.Err = w.err
	} else {
		rec.Response = resp
	}
	return rec, nil
}

// yamlDecode decodes the next document, turning yaml.v3's errors (and any panic) into this package's.
func (d *Decoder) yamlDecode(doc *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Code: CodeSyntax, Msg: "YAML syntax error: the YAML parser failed on this input"}
		}
	}()
	err = d.yml.dec.Decode(doc)
	if err == nil || err == io.EOF {
		return err
	}
	return d.yamlError(err)
}

// yamlError maps an error of yaml.v3 to a fatal error. yaml.v3's own text can quote the input (an anchor
// name, a value), so only its plain-word messages are passed on.
func (d *Decoder) yamlError(err error) error {
	if d.doc != nil && d.doc.hit {
		return d.ioError(errDocTooLarge, 0)
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, convErr := strconv.Atoi(rest[:i]); convErr == nil {
				line = n
				msg = rest[i+2:]
			}
		}
	}
	if rest, ok := strings.CutPrefix(msg, "input error: "); ok {
		return fmt.Errorf("reading yaml responses: %w", errors.New(rest))
	}
	code := CodeSyntax
	switch {
	case strings.Contains(msg, "UTF-8"):
		code = CodeInvalidUTF8
	case strings.Contains(msg, "anchor") || strings.Contains(msg, "alias"):
		code = CodeAlias
	}
	text := "YAML syntax error"
	switch code {
	case CodeInvalidUTF8:
		text = "input is not valid UTF-8"
	case CodeAlias:
		text = "YAML syntax error: bad anchor or alias (anchors and aliases are not allowed in response files)"
	}
	if code != CodeAlias && plainWords(msg) {
		text += ": " + msg
	}
	return &Error{Line: line, Code: code, Msg: text}
}

// plainWords reports whether s is a short message of words only (no quotes, digits or other characters
// that could carry input text).
func plainWords(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == ' ' || c == '-' || c == ',' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '<' || c == '>') {
			return false
		}
	}
	return true
}

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
	var seenSubject, seenContext, seenAnswers bool
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
		case "context":
			if !dup(&seenContext) {
				w.context(v, resp)
			}
		case "answers":
			if !dup(&seenAnswers) {
				w.answers(v, resp)
			}
		default:
			w.fail(k, CodeUnknownField, showKey(key)+": unknown field (a record has only subject, context and answers)", "", "")
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
		val, ok := w.scalar(vn, path("context", k), "", "")
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
			if _, dup := m[item]; dup {
				w.fail(ikn, CodeDuplicateKey, path("answers", inst, item)+": duplicate item", inst, item)
				return
			}
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
			m[w.d.in.str(item)] = val
		}
	}
	if w.err == nil && w.given == 0 {
		w.fail(v, CodeEmpty, "answers: no answers (every instrument is empty or all its answers are null)", "", "")
	}
}

// scalar converts an answer or context value: !!int to int64, !!str to string, !!null to nil.
func (w *yamlWalker) scalar(n *yaml.Node, where, inst, item string) (any, bool) {
	if !w.plain(n, where, inst, item) {
		return nil, false
	}
	if n.Kind != yaml.ScalarNode {
		w.fail(n, CodeWrongType, where+": expected an integer, a string or null, got "+yamlKind(n), inst, item)
		return nil, false
	}
	switch n.Tag {
	case "!!null":
		return nil, true
	case "!!str":
		if !utf8.ValidString(n.Value) {
			w.fail(n, CodeInvalidUTF8, where+": string is not valid UTF-8", inst, item)
			return nil, false
		}
		if len(n.Value) > w.d.lim.MaxStringBytes {
			w.fail(n, CodeTooLarge, where+": string is longer than "+strconv.Itoa(w.d.lim.MaxStringBytes)+" bytes", inst, item)
			return nil, false
		}
		return w.d.in.boxedStr(n.Value), true
	case "!!int":
		v, ok := yamlInt(n.Value)
		if !ok {
			w.fail(n, CodeNotInteger, where+": integer must be written in plain decimal that fits in 64 bits (no 0x, 0o, 0b, underscores or leading zeros)", inst, item)
			return nil, false
		}
		return v, true
	case "!!float":
		// 2.0 and 2.00 are whole numbers; 2.5, 1e3, .inf and .nan are not.
		if whole, frac, ok := strings.Cut(n.Value, "."); ok && frac != "" && strings.Trim(frac, "0") == "" {
			if v, ok := yamlInt(whole); ok {
				return v, true
			}
		}
		w.fail(n, CodeNotInteger, where+": number is not a whole number (write it without a fraction or exponent)", inst, item)
		return nil, false
	}
	w.fail(n, CodeWrongType, where+": expected an integer, a string or null, got "+yamlKind(n), inst, item)
	return nil, false
}

// yamlInt parses a YAML integer written in plain decimal: an optional sign and digits without leading zeros.
func yamlInt(s string) (int64, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg = true
		s = s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	return parseInt64Digits([]byte(s), neg)
}
