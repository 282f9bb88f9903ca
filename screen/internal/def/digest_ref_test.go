package def

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
)

// refDigest is Digest as first written (strings.Builder, strconv.Quote on every key and string): the
// faster Digest must give the same bytes, or every report's digests would change.
func refDigest(n *yaml.Node) string {
	var b strings.Builder
	refCanonical(&b, n)
	sum := sha256.Sum256([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func refCanonical(b *strings.Builder, n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			refCanonical(b, c)
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
			refCanonical(b, e.v)
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			refCanonical(b, c)
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		b.WriteString(refScalar(n))
	default:
		b.WriteString("null")
	}
}

func refScalar(n *yaml.Node) string {
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!bool":
		if n.Value == "true" || n.Value == "false" {
			return n.Value
		}
	case "!!int":
		if v, err := scalarInt(n); err == nil && strconv.FormatInt(v, 10) == n.Value {
			return n.Value
		}
	case "!!float":
		if v, err := scalarFloat(n); err == nil && strconv.FormatFloat(v, 'g', -1, 64) == n.Value {
			return n.Value
		}
	}
	return strconv.Quote(n.Value)
}

func checkDigestMatchesRef(t *testing.T, src []byte) {
	t.Helper()
	var n yaml.Node
	if yaml.Unmarshal(src, &n) != nil {
		return
	}
	require.Equal(t, refDigest(&n), Digest(&n), "%q", src)
}

func TestDigestMatchesReference(t *testing.T) {
	for _, fsys := range []fs.FS{instruments.FS, rules.FS} {
		require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			src, err := fs.ReadFile(fsys, p)
			require.NoError(t, err)
			checkDigestMatchesRef(t, src)
			return nil
		}))
	}
	for _, src := range digestSeeds {
		checkDigestMatchesRef(t, []byte(src))
	}
}

var digestSeeds = []string{
	"b: 1\na: 2\nc: [x, 'y', \"z\\t\"]\n",
	"\"k\\\"ey\": v\n'é': \"\\u00e9\\x01\"\nz: ~\ny: 1.50\nx: 010\nw: 0x1F\nv: True\nu: -0\nt: 1e3\n",
	"a: {c: 1, b: [2, {e: 3, d: 4}]}\n",
	"x: \"\\u2028 line sep\"\n\"\\\\\": 1\nn: .inf\nm: .nan\n",
	"a: 1\na: 2\n",
}

func FuzzDigestMatchesReference(f *testing.F) {
	for _, s := range digestSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) { checkDigestMatchesRef(t, []byte(src)) })
}
