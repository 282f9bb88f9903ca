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
	var b strings.Builder
	canonical(&b, n)
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func canonical(b *strings.Builder, n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			canonical(b, c)
		}
	case yaml.MappingNode:
		type kv struct {
			k string
			v *yaml.Node
		}
		var kvs []kv
		for i := 0; i+1 < len(n.Content); i += 2 {
			kvs = append(kvs, kv{n.Content[i].Value, n.Content[i+1]})
		}
		slices.SortFunc(kvs, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		b.WriteByte('{')
		for i, e := range kvs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(e.k))
			b.WriteByte(':')
			canonical(b, e.v)
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			canonical(b, c)
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		// A number or boolean is written as the value the loader decodes when the scalar is spelled the
		// canonical way, and as its text otherwise: a field that reads the scalar as text sees the spelling
		// (1_0, 2.0, True), so two spellings may digest alike only when they load alike everywhere.
		b.WriteString(canonicalScalar(n))
	default:
		b.WriteString("null")
	}
}
