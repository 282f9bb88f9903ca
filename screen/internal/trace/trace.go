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
// span, so deduplicating is linear in the span and never clears anything. A Tracer belongs to one goroutine.
//
// A span's reasons are collected as
//
//	t.Begin()
//	for _, r := range st.Reads[sp.From:sp.To] {
//		if t.First(r) {
//			keep(r, Value(st, r)) // as a Field, named by Field.Name(plan) when asked
//		}
//	}
type Tracer struct {
	Layout
	marks []uint32
	epoch uint32
}

// Layout numbers every field a read can name, from 0 to N-1: Global gives, per read kind, where the
// fields of that kind start for the context, domains, tier and days; Inst, per instrument (by
// Instrument.Index), where its items, scores, baseline and current scores, follow-up measures, flags and
// status start. The Tracer's marks and the report encoder's per-field caches are laid out by it.
type Layout struct {
	Global [plan.NumReadKinds]int32
	Inst   [][plan.NumReadKinds]int32
	N      int32
}

// NewLayout lays out the fields of p.
func NewLayout(p *plan.Plan) Layout {
	l := Layout{Inst: make([][plan.NumReadKinds]int32, len(p.Insts))}
	n := int32(0)
	l.Global[plan.ReadContext] = n
	n += int32(len(p.Ctx))
	l.Global[plan.ReadDomain] = n
	if p.Rules != nil {
		n += int32(len(p.Rules.Domains))
	}
	l.Global[plan.ReadTier] = n
	n++
	l.Global[plan.ReadDays] = n
	n++
	for i, in := range p.Insts {
		o := &l.Inst[i]
		*o = l.Global
		o[plan.ReadItem] = n
		n += int32(len(in.Items))
		o[plan.ReadScore] = n
		n += int32(len(in.Scores))
		o[plan.ReadBaseline] = n
		n += int32(len(in.Scores))
		o[plan.ReadCurrent] = n
		n += int32(len(in.Scores))
		o[plan.ReadFollowup] = n
		n += int32(len(in.FollowUps))
		o[plan.ReadFlag] = n
		n += int32(len(in.Flags))
		o[plan.ReadStatus] = n
		n++
	}
	l.N = n
	return l
}

// New returns a tracer for states of p.
func New(p *plan.Plan) *Tracer {
	t := &Tracer{Layout: NewLayout(p)}
	t.marks = make([]uint32, t.N)
	return t
}

// Begin starts a span: every field counts as not yet read.
func (t *Tracer) Begin() {
	t.epoch++
	if t.epoch == 0 { // wrapped: clear every mark so no stale one matches
		clear(t.marks)
		t.epoch = 1
	}
}

// First reports whether r is the first read of its field since Begin.
func (t *Tracer) First(r eval.Read) bool {
	off := t.Global[r.Kind]
	if r.IE != nil {
		off = t.Inst[r.IE.Inst.Index][r.Kind]
	}
	m := &t.marks[off+r.Idx]
	if *m == t.epoch {
		return false
	}
	*m = t.epoch
	return true
}

// Field is what a read names, in a compact, pointer-free form a report can keep: its kind, the instrument
// (by Plan.Insts index; -1 for domains and the tier), the field's index, whether a rule set read it (names are
// then qualified by instrument) and whether it was a failed presence test.
type Field struct {
	Idx     int32
	Inst    int16
	Kind    plan.ReadKind
	Rules   bool
	Missing bool
}

// Name is the field's name as the expression wrote it: answers.q9 in an instrument, phq9.answers.q9 in a
// rule set, has(…) for a failed presence test.
func (f Field) Name(p *plan.Plan) string {
	switch f.Kind {
	case plan.ReadItem:
		return p.Insts[f.Inst].Items[f.Idx].Names.Name(f.Rules, f.Missing)
	case plan.ReadScore:
		return p.Insts[f.Inst].Scores[f.Idx].Names.Name(f.Rules, f.Missing)
	case plan.ReadContext:
		return p.Ctx[f.Idx].Names.Name(f.Rules, f.Missing)
	case plan.ReadStatus:
		return p.Insts[f.Inst].Status.Name(true, f.Missing)
	case plan.ReadFlag:
		return p.Insts[f.Inst].Flags[f.Idx].Names.Name(true, f.Missing)
	case plan.ReadDomain:
		return p.Rules.Domains[f.Idx].Names.Name(false, f.Missing)
	case plan.ReadBaseline:
		return p.Insts[f.Inst].Scores[f.Idx].Base.Name(f.Rules, f.Missing)
	case plan.ReadCurrent:
		return p.Insts[f.Inst].Scores[f.Idx].Cur.Name(false, f.Missing)
	case plan.ReadFollowup:
		return p.Insts[f.Inst].FollowUps[f.Idx].Names.Name(f.Rules, f.Missing)
	case plan.ReadDays:
		n := plan.NewNames("days", "followup.days")
		return n.Name(f.Rules, f.Missing)
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
	case plan.ReadBaseline, plan.ReadCurrent:
		return r.IE.SV[r.Idx]
	case plan.ReadFollowup:
		return r.IE.FUV[r.Idx]
	case plan.ReadDays:
		return value.OfInt(st.Days)
	}
	return st.Comp.TierVal
}
