package diff

import (
	"fmt"
	"math"
)

// bigInt is a non-negative integer as float64 with an exact int64 while it fits: enough to compare with
// MaxPatterns and print.
type bigInt struct {
	exact    int64
	overflow bool
	approx   float64
}

func newBig(n int64) *bigInt { return &bigInt{exact: n, approx: float64(n)} }

func (b *bigInt) mul(n int64) {
	b.approx *= float64(n)
	if b.overflow {
		return
	}
	if n != 0 && b.exact > math.MaxInt64/n {
		b.overflow = true
		return
	}
	b.exact *= n
}

func (b *bigInt) le(n int64) bool { return !b.overflow && b.exact <= n }

func (b *bigInt) String() string {
	if b.overflow {
		return fmt.Sprintf("%.3g", b.approx)
	}
	return fmt.Sprint(b.exact)
}

// Thousands writes n with comma separators: 262,144.
func Thousands(n int64) string {
	if n < 0 {
		return "-" + Thousands(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
