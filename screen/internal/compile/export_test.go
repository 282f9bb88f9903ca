package compile

import "cel.dev/cel-go/common/types"

// DecodeAll decodes every checked expression of c (as if each were used), for the fuzz tests.
func DecodeAll(c *Cache) {
	for _, b := range c.checked {
		_, _ = decodeChecked(b, "x", map[string]*types.Type{})
	}
}

// DecodeChecked decodes one encoded checked expression.
func DecodeChecked(b []byte) error {
	_, err := decodeChecked(b, "x", map[string]*types.Type{})
	return err
}
