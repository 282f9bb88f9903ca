// Package trace turns what evaluation read into reasons. Every field an expression reads is recorded by
// the eval package as a Read; a result's span of reads becomes its reasons: each field once, in the order
// first read, named as the expression wrote it (answers.q9 in an instrument, phq9.answers.q9 in a rule
// set, has(…) for a failed presence test) and valued from the evaluation state.
package trace

import (
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Tracer deduplicates reads. Repeats are found with per-field marks stamped with a fresh epoch for each
// span, so collecting is linear in the span and never clears anything. A Tracer belongs to one goroutine.
type Tracer struct {
	plan    *plan.Plan
	instOff []int32 // per instrument: where its marks start (items, scores, flags, status)
	ctxOff  int32
	domOff  int32
	tierOff int32
	marks   []uint32
	epoch   uint32
}

// New returns a tracer for states of p.
func New(p *plan.Plan) *Tracer {
	t := &Tracer{plan: p, instOff: make([]int32, len(p.Insts))}
	n := int32(0)
	for i, in := range p.Insts {
		t.instOff[i] = n
		n += int32(len(in.Items) + len(in.Scores) + len(in.Flags) + 1)
	}
	t.ctxOff = n
	n += int32(len(p.Ctx))
	t.domOff = n
	if p.Rules != nil {
		n += int32(len(p.Rules.Domains))
	}
	t.tierOff = n
	t.marks = make([]uint32, n+1)
	return t
}

func (t *Tracer) mark(r eval.Read) *uint32 {
	switch r.Kind {
	case plan.ReadContext:
		return &t.marks[t.ctxOff+r.Idx]
	case plan.ReadDomain:
		return &t.marks[t.domOff+r.Idx]
	case plan.ReadTier:
		return &t.marks[t.tierOff]
	}
	in := r.IE.Inst
	off := t.instOff[in.Index]
	switch r.Kind {
	case plan.ReadScore:
		off += int32(len(in.Items))
	case plan.ReadFlag:
		off += int32(len(in.Items) + len(in.Scores))
	case plan.ReadStatus:
		off += int32(len(in.Items) + len(in.Scores) + len(in.Flags))
	}
	return &t.marks[off+r.Idx]
}

// Collect appends to dst the reasons of the reads in sp, made by mk from each name and value. rules says
// whether the span is a rule set's (names are then qualified by instrument).
func Collect[R any](t *Tracer, st *eval.State, sp eval.Span, rules bool, dst []R, mk func(name string, v value.Value) R) []R {
	t.epoch++
	if t.epoch == 0 { // wrapped: clear every mark so no stale one matches
		clear(t.marks)
		t.epoch = 1
	}
	for _, r := range st.Reads[sp.From:sp.To] {
		m := t.mark(r)
		if *m == t.epoch {
			continue
		}
		*m = t.epoch
		dst = append(dst, mk(Name(st, r, rules), Value(st, r)))
	}
	return dst
}

// Name is the name of the field a read names.
func Name(st *eval.State, r eval.Read, rules bool) string {
	switch r.Kind {
	case plan.ReadItem:
		return r.IE.Inst.Items[r.Idx].Names.Name(rules, r.Missing)
	case plan.ReadScore:
		return r.IE.Inst.Scores[r.Idx].Names.Name(rules, r.Missing)
	case plan.ReadContext:
		return st.Plan.Ctx[r.Idx].Names.Name(rules, r.Missing)
	case plan.ReadStatus:
		return r.IE.Inst.Status.Name(true, r.Missing)
	case plan.ReadFlag:
		return r.IE.Inst.Flags[r.Idx].Names.Name(true, r.Missing)
	case plan.ReadDomain:
		return st.Plan.Rules.Domains[r.Idx].Names.Name(false, r.Missing)
	}
	return "tier"
}

// Value is the value the read saw: false for a failed presence test.
func Value(st *eval.State, r eval.Read) value.Value {
	if r.Missing {
		return value.OfBool(false)
	}
	switch r.Kind {
	case plan.ReadItem:
		return value.OfInt(r.IE.Vals[r.Idx])
	case plan.ReadScore:
		return r.IE.SV[r.Idx]
	case plan.ReadContext:
		return st.Ctx.Vals[r.Idx]
	case plan.ReadStatus:
		return r.IE.Status()
	case plan.ReadFlag:
		return value.OfBool(r.IE.FS[r.Idx] == eval.FlagFired)
	case plan.ReadDomain:
		return st.Comp.DV[r.Idx]
	}
	return st.Comp.TierVal
}
