package compile

import (
	"math"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// compileBands turns cuts into intervals and checks that they are ordered and leave no gap or overlap.
func (c *compiler) compileBands(s *def.Score, integer bool) []plan.Band {
	cuts := s.Bands.Cuts
	out := make([]plan.Band, len(cuts))
	for i, cut := range cuts {
		b := plan.Band{Lo: math.Inf(-1), Hi: math.Inf(1), Label: value.OfString(cut.Label)}
		if cut.Min != nil {
			b.Lo = *cut.Min
		}
		if cut.Max != nil {
			b.Hi = *cut.Max
		}
		if cut.Min != nil && cut.Max != nil && *cut.Min > *cut.Max {
			c.errAt(cut.Pos, "band_order", "band %q: min %v is above max %v", cut.Label, *cut.Min, *cut.Max)
		}
		if integer {
			for _, v := range []*float64{cut.Min, cut.Max} {
				if v != nil && *v != math.Trunc(*v) {
					c.errAt(cut.Pos, "band_order", "band %q: %q is a whole-number score, so its bounds must be whole numbers", cut.Label, s.Bands.Of)
				}
			}
		}
		out[i] = b
	}
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		switch {
		case a.Max != nil && b.Min != nil:
			lo, hi := *a.Max, *b.Min
			switch {
			case integer && hi == lo+1:
				// contiguous whole numbers
			case hi <= lo:
				c.errAt(b.Pos, "band_overlap", "bands %q and %q overlap: %q ends at %v and %q starts at %v", a.Label, b.Label, a.Label, lo, b.Label, hi)
			case integer && hi == lo+2:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap: the value %v falls in no band", a.Label, b.Label, lo+1)
			case integer:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap: values %v to %v fall in no band", a.Label, b.Label, lo+1, hi-1)
			default:
				c.errAt(b.Pos, "band_gap", "bands %q and %q leave a gap between %v and %v; give only one of the two bounds so they share it", a.Label, b.Label, lo, hi)
			}
		case a.Max != nil:
			out[i+1].Lo, out[i+1].LoOpen = *a.Max, true
		case b.Min != nil:
			out[i].Hi, out[i].HiOpen = *b.Min, true
		default:
			c.errAt(b.Pos, "band_gap", "bands %q and %q have no boundary between them: give %q a max or %q a min", a.Label, b.Label, a.Label, b.Label)
		}
		// Order: each band must start above the previous one.
		if a.Min != nil && b.Min != nil && *b.Min <= *a.Min {
			c.errAt(b.Pos, "band_order", "bands must be in increasing order: %q starts at or below %q", b.Label, a.Label)
		}
		if a.Max != nil && b.Max != nil && *b.Max <= *a.Max {
			c.errAt(b.Pos, "band_order", "bands must be in increasing order: %q ends at or below %q", b.Label, a.Label)
		}
	}
	return out
}
