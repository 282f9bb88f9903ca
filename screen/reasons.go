package screen

import (
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// reasonArena holds the reasons of every result of one Report in compact form: which field each reason
// names (turned into its name only when asked, from the immutable plan) and the value the field had,
// copied out of the evaluation state when the report was built. The arena is pointer-free but for the
// text of string values, so building and collecting reports stays cheap. Nothing in it points into state
// that changes after scoring: the Report owns it.
type reasonArena struct {
	plan  *plan.Plan
	items []xreason
	strs  []string // the text of string values (xreason.n indexes it)
	// dec holds the reasons of a Report read back from JSON (ReadReport), which has no plan to name
	// fields from; a span then indexes dec instead of items.
	dec []Reason
}

// xreason is one reason in 16 bytes: a field and its value (a string's text is in reasonArena.strs).
type xreason struct {
	n     uint64 // the value's payload, or for a string the index of its text
	idx   int32
	inst  int16
	field plan.ReadKind
	bits  uint8 // value kind << 2 | missing << 1 | rules
}

func (x *xreason) kind() value.Kind { return value.Kind(x.bits >> 2) }

func (x *xreason) fieldOf() trace.Field {
	return trace.Field{Idx: x.idx, Inst: x.inst, Kind: x.field, Rules: x.bits&1 != 0, Missing: x.bits&2 != 0}
}

// reasons is one result's reasons: a span of its Report's arena.
type reasons struct {
	a        *reasonArena
	from, to int32
}

func (r reasons) len() int { return int(r.to - r.from) }

// at returns reason i of the span.
func (r reasons) at(i int) Reason {
	if r.a.plan == nil {
		return r.a.dec[int(r.from)+i]
	}
	x := &r.a.items[int(r.from)+i]
	v := value.FromBits(x.kind(), x.n, "")
	if x.kind() == value.String {
		v = value.OfString(r.a.strs[x.n])
	}
	return Reason{Name: x.fieldOf().Name(r.a.plan), Value: Value(v)}
}

// appendTo appends the span's reasons to dst.
func (r reasons) appendTo(dst []Reason) []Reason {
	for i := range r.len() {
		dst = append(dst, r.at(i))
	}
	return dst
}

// collect appends the reasons of one span of reads to the arena: each field once, in the order first read.
func (a *reasonArena) collect(s *scratch, sp eval.Span, rules bool) reasons {
	from := int32(len(a.items))
	st, tr := s.st, s.tr
	tr.Begin()
	var bits uint8
	if rules {
		bits = 1
	}
	for _, r := range st.Reads[sp.From:sp.To] {
		if !tr.First(r) {
			continue
		}
		x := xreason{idx: r.Idx, inst: -1, field: r.Kind, bits: bits}
		if r.IE != nil {
			x.inst = int16(r.IE.Inst.Index)
		}
		if r.Missing {
			x.bits |= 2 | uint8(value.Bool)<<2 // has(…) = false
		} else {
			v := trace.Value(st, r)
			k, n := v.Bits()
			if k == value.String {
				n = uint64(len(a.strs))
				a.strs = append(a.strs, v.S())
			}
			x.bits |= uint8(k) << 2
			x.n = n
		}
		a.items = append(a.items, x)
	}
	return reasons{a: a, from: from, to: int32(len(a.items))}
}
