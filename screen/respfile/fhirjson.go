package respfile

import (
	"strconv"
)

// jnode is one JSON value of a FHIR document, with the byte offset where it starts. FHIR resources are read
// whole into this small tree (a document is bounded by Limits.MaxDocumentBytes) because a Bundle is grouped
// by subject and date before any record is returned; the tree keeps positions for error messages, which
// encoding/json does not.
type jnode struct {
	kind byte   // 'o' object, 'a' array, 's' string, 'L' string over MaxStringBytes (not kept), 'n' number, 'b' boolean, 'z' null
	off  int    // offset of the value's first byte in the document
	str  string // a string's value, or a number's literal text
	b    bool   // a boolean's value
	keys []string
	kids []*jnode // object member values (parallel to keys) or array elements
}

// get returns the member named key of an object node, or nil.
func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != 'o' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

// fhirMaxDepth is the nesting a FHIR document may have when Limits.MaxDepth is lower: nested item groups
// of a QuestionnaireResponse inside a Bundle need more levels than a native record.
const fhirMaxDepth = 128

// domParser builds a jnode tree. It reuses jparser's scanning of strings, numbers and white space, so
// syntax errors read as they do for the other JSON formats.
type domParser struct {
	p        jparser
	lim      Limits
	maxDepth int
	long     bool // the last string read was over MaxStringBytes (not kept)
	// topItems: skip the "item" member of the resource being read, noting its offset in itemOff: the
	// top-level object's (resDepth 0), or a Bundle entry's resource, the object at depth resDepth that is
	// the value of a member "resource".
	topItems bool
	itemOff  int
	resDepth int
	markRes  bool     // the container about to be parsed is an entry's resource
	nodes    []jnode  // allocation slab
	keys     []string // member names of the open objects (a stack)
	kids     []*jnode
	keyArena []string // slabs the closed containers' members are copied into
	kidArena []*jnode
}

// parseDOM parses doc as one JSON value (surrounding white space allowed). Members that are never read
// (skipKey) and members whose key is over MaxStringBytes are skipped; a string value over MaxStringBytes
// is a node of kind 'L' without its text. On failure it returns the problem: a syntax error, too_deep,
// invalid_utf8 or duplicate_key; the
// tree is returned too after a duplicate key (the only problem that does not stop the parse), so the
// caller can still tell what the document is.
func parseDOM(doc []byte, lim *Limits, in *interner) (*jnode, *problem) {
	dp := newDOMParser(doc, lim, in)
	dp.p.ws()
	n := dp.value(0)
	if !dp.p.abort {
		dp.p.ws()
		if dp.p.i < len(doc) {
			dp.p.syntax(dp.p.i, "unexpected data after the top-level JSON value")
		}
	}
	return dp.result(n)
}

// newDOMParser returns a parser of doc; parse values with value, one after another (parseValueAt).
func newDOMParser(doc []byte, lim *Limits, in *interner) *domParser {
	dp := &domParser{maxDepth: max(lim.MaxDepth, fhirMaxDepth)}
	dp.lim = *lim
	dp.lim.MaxDepth = dp.maxDepth // skipValue's bound, for the members skipped
	dp.p.lim = &dp.lim
	dp.p.in = in
	dp.p.reset(doc)
	return dp
}

func (dp *domParser) result(n *jnode) (*jnode, *problem) {
	if dp.p.abort {
		pr := dp.p.prob
		return nil, &pr
	}
	if dp.p.hasProb {
		pr := dp.p.prob
		return n, &pr
	}
	return n, nil
}

// parseValueAt parses the value at offset off of the document, at nesting depth, reusing the memory of
// the trees parsed before (they must no longer be used): a Bundle is read one entry at a time, so its
// tree is never bigger than one entry. It returns the tree and the offset after the value.
func (dp *domParser) parseValueAt(off, depth int) (*jnode, int, *problem) {
	dp.nodes, dp.kidArena, dp.keyArena = dp.nodes[:0], dp.kidArena[:0], dp.keyArena[:0]
	dp.p.i = off
	dp.p.hasProb, dp.p.abort, dp.p.prob = false, false, problem{}
	n := dp.value(depth)
	n, pr := dp.result(n)
	return n, dp.p.i, pr
}

func (dp *domParser) node(kind byte, off int) *jnode {
	if len(dp.nodes) == cap(dp.nodes) {
		dp.nodes = make([]jnode, 0, min(max(2*cap(dp.nodes), 16), 1024))
	}
	dp.nodes = append(dp.nodes, jnode{kind: kind, off: off})
	return &dp.nodes[len(dp.nodes)-1]
}

// str parses a string at p.i and returns its unescaped value.
func (dp *domParser) str() (string, bool) {
	p := &dp.p
	off := p.i
	raw, esc, ok := p.str()
	if !ok {
		return "", false
	}
	if esc {
		var good bool
		raw, good = p.unescape(raw)
		if !good {
			p.fail(off, CodeInvalidUTF8, "string holds an escaped lone surrogate (not valid UTF-8)", "", "")
			p.abort = true
			return "", false
		}
	}
	if len(raw) > p.lim.MaxStringBytes {
		// Not kept, and not an error of the document: a string is read only where painscreen needs it
		// (linkIds, codes, dates, references), and there a string this long is an error of its resource.
		dp.long = true
		return "", true
	}
	return p.in.bytes(raw), true
}

// skipKey reports whether a member is never read, so its value is skipped without being kept: narratives
// (a generated one can be far larger than the answers), metadata, contained resources, display texts and
// the extensions of primitives.
func skipKey(k string) bool {
	switch k {
	case "text", "div", "meta", "contained", "modifierExtension", "display", "definition", "language", "implicitRules":
		return true
	}
	return len(k) > 0 && k[0] == '_'
}

func (dp *domParser) value(depth int) *jnode {
	p := &dp.p
	if p.i >= len(p.b) {
		p.syntax(p.i, "unexpected end of input, expected a value")
		return nil
	}
	off := p.i
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if depth+1 > dp.maxDepth {
			p.prob = problem{off: off, code: CodeTooDeep, msg: "resource: nested deeper than " + strconv.Itoa(dp.maxDepth) + " levels"}
			p.hasProb, p.abort = true, true
			return nil
		}
		return dp.container(c, off, depth+1)
	case c == '"':
		dp.long = false
		s, ok := dp.str()
		if !ok {
			return nil
		}
		if dp.long {
			return dp.node('L', off) // a string over MaxStringBytes, not kept
		}
		n := dp.node('s', off)
		n.str = s
		return n
	case c == '-' || ('0' <= c && c <= '9'):
		if _, _, _, ok := p.number(); !ok {
			return nil
		}
		n := dp.node('n', off)
		n.str = string(p.b[off:p.i])
		return n
	case c == 't' || c == 'f':
		if !p.literal("true") && !p.literal("false") {
			return nil
		}
		n := dp.node('b', off)
		n.b = c == 't'
		return n
	case c == 'n':
		if !p.literal("null") {
			return nil
		}
		return dp.node('z', off)
	}
	p.syntax(p.i, "unexpected character, expected a value")
	return nil
}

func (dp *domParser) container(c byte, off, depth int) *jnode {
	p := &dp.p
	kind, closer := byte('o'), byte('}')
	if c == '[' {
		kind, closer = 'a', ']'
	}
	n := dp.node(kind, off)
	isRes := dp.markRes
	dp.markRes = false
	p.i++
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == closer {
		p.i++
		return n
	}
	// Members are gathered on a stack shared by all levels, then copied into slabs when the container
	// closes: a handful of allocations per document instead of two per object.
	mark, kmark := len(dp.kids), len(dp.keys)
	defer func() {
		dp.kids, dp.keys = dp.kids[:mark], dp.keys[:kmark]
	}()
	for {
		p.ws()
		if kind == 'o' {
			koff := p.i
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				p.syntax(p.i, p.unexpected("expected a string key"))
				return nil
			}
			dp.long = false
			k, ok := dp.str()
			if !ok || !p.expect(':', "expected ':' after an object key") {
				return nil
			}
			p.ws()
			skipItems := dp.topItems && k == "item" && !dp.long && ((dp.resDepth == 0 && depth == 1) || isRes)
			if skipItems {
				dp.itemOff = p.i // read later, one element at a time (streamedItems)
			}
			if dp.long || skipKey(k) || skipItems {
				p.depth = depth
				if !p.skipValue() {
					return nil
				}
				goto next
			}
			for _, seen := range dp.keys[kmark:] {
				if seen == k {
					p.fail(koff, CodeDuplicateKey, "key "+showKey(k)+" appears twice in one object", "", "")
					break
				}
			}
			dp.keys = append(dp.keys, k)
		}
		{
			// The value of an entry's "resource" member is the resource whose items are streamed.
			dp.markRes = kind == 'o' && dp.resDepth > 0 && depth == dp.resDepth-1 && dp.keys[len(dp.keys)-1] == "resource"
			v := dp.value(depth)
			dp.markRes = false
			if p.abort {
				return nil
			}
			dp.kids = append(dp.kids, v)
		}
	next:
		p.ws()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == closer {
			p.i++
			m := len(dp.kids) - mark
			n.kids = dp.kidSlab(m)
			copy(n.kids, dp.kids[mark:])
			if kind == 'o' {
				n.keys = dp.keySlab(m)
				copy(n.keys, dp.keys[kmark:])
			}
			return n
		}
		if kind == 'o' {
			p.syntax(p.i, p.unexpected("expected ',' or '}' after an object member"))
		} else {
			p.syntax(p.i, p.unexpected("expected ',' or ']' after an array element"))
		}
		return nil
	}
}

const slabSize = 1024

func (dp *domParser) kidSlab(n int) []*jnode {
	if cap(dp.kidArena)-len(dp.kidArena) < n {
		dp.kidArena = make([]*jnode, 0, max(slabSize, n))
	}
	l := len(dp.kidArena)
	dp.kidArena = dp.kidArena[:l+n]
	return dp.kidArena[l : l+n : l+n]
}

func (dp *domParser) keySlab(n int) []string {
	if cap(dp.keyArena)-len(dp.keyArena) < n {
		dp.keyArena = make([]string, 0, max(slabSize, n))
	}
	l := len(dp.keyArena)
	dp.keyArena = dp.keyArena[:l+n]
	return dp.keyArena[l : l+n : l+n]
}
