package def

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// Limits bound what one definition file may contain; definitions may come from outside and be hostile.
type Limits struct {
	MaxFileBytes  int   // size of one definition or suite file
	MaxDepth      int   // YAML nesting depth
	MaxItems      int   // items, scores, flags, domains, referrals... of one kind in one definition
	MaxExprBytes  int   // length of one CEL expression
	MaxTextBytes  int   // length of one text field
	MaxTests      int   // test cases in one suite
	MaxNodeCount  int   // YAML nodes in one file
	MaxScaleItems int   // options in one scale, rows in one lookup table
	MaxFiles      int   // definition (or suite) files read by one load
	MaxTotalBytes int64 // their total size
}

// DefaultLimits are generous for real instruments and small enough to stop abuse.
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 1 << 20, MaxDepth: 24, MaxItems: 500, MaxExprBytes: 4096, MaxTextBytes: 8192,
		MaxTests: 5000, MaxNodeCount: 200000, MaxScaleItems: 1000, MaxFiles: 1000, MaxTotalBytes: 8 << 20}
}

// ValidID reports whether s is a valid id: lower_snake_case, starting with a letter, at most 64 bytes
// (^[a-z][a-z0-9_]{0,63}$).
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// parser walks one file's YAML and records every problem in its sink.
type parser struct {
	sink *Sink
	lim  Limits
	src  []byte
}

func (p *parser) pos(n *yaml.Node) Pos { return p.sink.At(n.Line, n.Column) }

func (p *parser) errf(n *yaml.Node, code, format string, args ...any) {
	p.sink.Errorf(n.Line, n.Column, code, format, args...)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// parseDocument parses src into its single YAML document node, checking size, aliases and depth.
func (p *parser) parseDocument() *yaml.Node {
	if len(p.src) > p.lim.MaxFileBytes {
		p.sink.Errorf(0, 0, "limit", "file is %d bytes; the limit is %d", len(p.src), p.lim.MaxFileBytes)
		return nil
	}
	if !utf8.Valid(p.src) {
		p.sink.Errorf(0, 0, "encoding", "file is not valid UTF-8")
		return nil
	}
	if line, col, what := strayBreak(p.src); line > 0 {
		// YAML reads these as line breaks and editors mostly do not: positions would point at other lines.
		p.sink.Errorf(line, col, "encoding", "%s: lines must end in \\n or \\r\\n", what)
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(p.src)))
	if err := dec.Decode(&doc); err != nil {
		ye := locateYAMLError(p.src, err)
		p.sink.Recognised = looksLikeDefinition(p.src)
		p.sink.Errorf(ye.Line, ye.Col, "yaml", "%s", ye.Msg)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errf(&extra, "yaml", "a definition file holds one YAML document; found a second")
	}
	if len(doc.Content) != 1 {
		p.sink.Errorf(0, 0, "yaml", "file is empty")
		return nil
	}
	count := 0
	ok := true
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		count++
		if !ok {
			return
		}
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			p.errf(n, "yaml", "anchors and aliases are not allowed in definitions")
			ok = false
			return
		}
		if depth > p.lim.MaxDepth {
			p.errf(n, "limit", "nesting deeper than %d levels", p.lim.MaxDepth)
			ok = false
			return
		}
		if count > p.lim.MaxNodeCount {
			p.errf(n, "limit", "more than %d YAML nodes", p.lim.MaxNodeCount)
			ok = false
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(doc.Content[0], 0)
	if !ok {
		return nil
	}
	return doc.Content[0]
}

// strayBreak finds the first character YAML takes for a line break other than \n and \r\n: a carriage
// return on its own, NEL (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029). It returns
// its 1-based line and byte column (lines split at \n) and a description, or line 0.
func strayBreak(src []byte) (line, col int, what string) {
	line, start := 1, 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			line, start = line+1, i+1
		case c == '\r' && (i+1 == len(src) || src[i+1] != '\n'):
			return line, i - start + 1, "a carriage return (\\r) that does not end a line"
		case c == 0xc2 && i+1 < len(src) && src[i+1] == 0x85:
			return line, i - start + 1, "a next-line character (U+0085)"
		case c == 0xe2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xa8 || src[i+2] == 0xa9):
			return line, i - start + 1, "a line or paragraph separator (U+2028, U+2029)"
		}
	}
	return 0, 0, ""
}

// fields is a checked mapping: key -> value node, in file order.
type fields struct {
	keys  []*yaml.Node
	vals  map[string]*yaml.Node
	owner *yaml.Node
}

func (f *fields) get(k string) *yaml.Node {
	if f == nil {
		return nil
	}
	return f.vals[k]
}

// mappingHook, when set (by a test), sees every mapping the parser reads and the keys it allows: the
// JSON Schema test checks the schema's objects against them.
var mappingHook func(what string, allowed []string)

// mapping checks that n is a mapping whose keys are all in allowed (nil allows any key) and unique.
// Unknown keys are errors; "did you mean" helps with typos.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) *fields {
	if n == nil {
		return nil
	}
	if mappingHook != nil {
		mappingHook(what, allowed)
	}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "schema", "%s must be a mapping, found %s", what, kindName(n))
		return nil
	}
	f := &fields{vals: map[string]*yaml.Node{}, owner: n}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errf(k, "schema", "%s: keys must be plain names", what)
			continue
		}
		if prev, dup := f.vals[k.Value]; dup {
			_ = prev
			p.errf(k, "duplicate_key", "%s: key %q appears twice", what, k.Value)
			continue
		}
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			msg := ""
			if s := Suggest(k.Value, allowed); s != "" {
				msg = "; did you mean " + strconv.Quote(s) + "?"
			}
			p.errf(k, "unknown_field", "%s: unknown field %q%s", what, k.Value, msg)
			continue
		}
		f.keys = append(f.keys, k)
		f.vals[k.Value] = v
	}
	return f
}

// require reports required keys that are absent.
func (p *parser) require(f *fields, what string, keys ...string) bool {
	if f == nil {
		return false
	}
	ok := true
	for _, k := range keys {
		if f.vals[k] == nil {
			p.errf(f.owner, "missing_field", "%s: missing required field %q", what, k)
			ok = false
		}
	}
	return ok
}

// Suggest returns the candidate within an edit distance of 2 of k (for "did you mean"), or "".
func Suggest(k string, allowed []string) string { return suggest.Near(k, allowed) }

// str reads a text scalar. Numbers are accepted as text (a code such as 123456 is text).
func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "schema", "%s must be text, found %s", what, kindName(n))
		return "", false
	}
	if len(n.Value) > p.lim.MaxTextBytes {
		p.errf(n, "limit", "%s is %d bytes; the limit is %d", what, len(n.Value), p.lim.MaxTextBytes)
		return "", false
	}
	return n.Value, true
}

// optStr reads an optional text field.
func (p *parser) optStr(f *fields, key, what string) string {
	if n := f.get(key); n != nil {
		s, _ := p.str(n, what+"."+key)
		return s
	}
	return ""
}

// label reads an optional clinician-facing name (label, short): one that is given but blank warns
// empty_label, since a clinician would read nothing where the author meant a name (the fallback, an id or
// a longer text, stands in).
func (p *parser) label(f *fields, key, what string) string {
	n := f.get(key)
	if n == nil {
		return ""
	}
	s, ok := p.str(n, what+"."+key)
	if ok && strings.TrimSpace(s) == "" {
		p.sink.Warnf(n.Line, n.Column, "empty_label", "%s %s is empty: a clinician would read nothing here; give words or leave it out", what, key)
		return ""
	}
	return s
}

// id reads an id scalar.
func (p *parser) id(n *yaml.Node, what string) (string, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return "", false
	}
	if !ValidID(s) {
		p.errf(n, "invalid_id", "%s %q is not a valid id (lower_snake_case: a letter, then letters, digits or _, at most 64)", what, s)
		return s, false
	}
	return s, true
}

// integer reads an exact integer scalar.
func (p *parser) integer(n *yaml.Node, what string) (int64, bool) {
	if n == nil {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.errf(n, "schema", "%s must be a whole number, found %s", what, describeScalar(n))
		return 0, false
	}
	v, err := scalarInt(n)
	if err != nil {
		p.errf(n, "schema", "%s %v", what, err)
		return 0, false
	}
	return v, true
}

// number reads an int or float scalar.
func (p *parser) number(n *yaml.Node, what string) (float64, bool) {
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!int" {
		v, ok := p.integer(n, what)
		if ok && (v > 1<<53 || v < -(1<<53)) {
			p.errf(n, "schema", "%s is too large to compare exactly", what)
			return 0, false
		}
		return float64(v), ok
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!float" {
		p.errf(n, "schema", "%s must be a number, found %s", what, describeScalar(n))
		return 0, false
	}
	v, err := scalarFloat(n)
	if err != nil {
		p.errf(n, "schema", "%s %v", what, err)
		return 0, false
	}
	return v, true
}

func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	if n == nil {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errf(n, "schema", "%s must be true or false, found %s", what, describeScalar(n))
		return false, false
	}
	return scalarBool(n), true
}

func describeScalar(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return kindName(n)
	}
	switch n.Tag {
	case "!!str":
		return "text"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a decimal number"
	case "!!bool":
		return "true/false"
	case "!!null":
		return "null"
	}
	return "a scalar"
}

// seq checks that n is a list and returns its elements, bounded by MaxItems.
func (p *parser) seq(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "schema", "%s must be a list, found %s", what, kindName(n))
		return nil
	}
	if len(n.Content) > p.lim.MaxItems {
		p.errf(n, "limit", "%s has %d entries; the limit is %d", what, len(n.Content), p.lim.MaxItems)
		return nil
	}
	return n.Content
}

// expr reads a CEL expression scalar and records how to map offsets inside it back to the file.
func (p *parser) expr(n *yaml.Node, what string) *Expr {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "schema", "%s must be a CEL expression (text), found %s", what, kindName(n))
		return nil
	}
	if strings.TrimSpace(n.Value) == "" {
		p.errf(n, "schema", "%s is empty", what)
		return nil
	}
	if len(n.Value) > p.lim.MaxExprBytes {
		p.errf(n, "limit", "%s is %d bytes; the limit is %d", what, len(n.Value), p.lim.MaxExprBytes)
		return nil
	}
	e := &Expr{Src: n.Value, Pos: p.pos(n)}
	e.locate = locator(p.sink.Lines(), p.sink.File, n)
	e.Pos = e.locate(0)
	return e
}
