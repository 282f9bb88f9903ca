package def

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Digest returns "sha256:<hex>" of the canonical form of a YAML node tree: the data it holds, as JSON with
// sorted keys and normalised scalars. Comments, key order, quoting and layout do not change it.
func Digest(n *yaml.Node) string {
	b := appendCanonical(make([]byte, 0, 8192), n)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func appendCanonical(b []byte, n *yaml.Node) []byte {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			b = appendCanonical(b, c)
		}
	case yaml.MappingNode:
		// The pairs in key order (a copy only when the file's order is not already sorted).
		pairs := n.Content[:len(n.Content)&^1]
		sorted := true
		for i := 2; i < len(pairs); i += 2 {
			if pairs[i-2].Value > pairs[i].Value {
				sorted = false
				break
			}
		}
		if !sorted {
			type kv struct {
				k string
				v *yaml.Node
			}
			kvs := make([]kv, 0, len(pairs)/2)
			for i := 0; i < len(pairs); i += 2 {
				kvs = append(kvs, kv{pairs[i].Value, pairs[i+1]})
			}
			slices.SortStableFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
			pairs = make([]*yaml.Node, 0, len(pairs))
			for _, e := range kvs {
				pairs = append(pairs, &yaml.Node{Value: e.k}, e.v)
			}
		}
		b = append(b, '{')
		for i := 0; i < len(pairs); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, pairs[i].Value)
			b = append(b, ':')
			b = appendCanonical(b, pairs[i+1])
		}
		b = append(b, '}')
	case yaml.SequenceNode:
		b = append(b, '[')
		for i, c := range n.Content {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, c)
		}
		b = append(b, ']')
	case yaml.ScalarNode:
		// A number or boolean is written as the value the loader decodes when the scalar is spelled the
		// canonical way, and as its text otherwise: a field that reads the scalar as text sees the spelling
		// (1_0, 2.0, True), so two spellings may digest alike only when they load alike everywhere.
		b = appendCanonicalScalar(b, n)
	default:
		b = append(b, "null"...)
	}
	return b
}

// appendQuoted appends strconv.Quote(s): as it is, in quotes, when every byte is printable ASCII other than
// a quote or a backslash (what strconv.Quote leaves alone), and through strconv otherwise.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
