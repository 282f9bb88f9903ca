package screen

import (
	"github.com/painscreen/painscreen/internal/jsonenc"
	"github.com/painscreen/painscreen/screen/internal/eval"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/trace"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Reason is one input that caused a result: an answer, a context field, an earlier score, an instrument
// result, a flag, a domain, the tier, or a follow-up value. Name and Value are the machine form, as the
// expression wrote the field (answers.q9, phq9.total, context.moud_current, domains.oud; a failed presence
// test is has(…) with the value false); Ref, Instrument and ID say what it is without parsing Name; Label
// and Text are the words, generated from the definitions. Only the inputs that caused the result are
// reasons: for a || b that holds, each term that holds; for a && b, both (see the package documentation).
type Reason struct {
	Name  string `json:"name"`
	Value Value  `json:"value"`
	// Ref is what the reason refers to: one of the Ref constants.
	Ref ReasonRef `json:"kind"`
	// Instrument is the id of the instrument it belongs to; empty for context, domains, the tier and days.
	Instrument string `json:"instrument,omitempty"`
	// ID is the item, score, flag, measure, context field or domain id ("status", "tier", "days" for those).
	ID string `json:"id"`
	// Missing is true for a failed presence test: the answer, context field or result was not there
	// ("not reported" — never "false").
	Missing bool `json:"missing,omitempty"`
	// Label is the value's label: an answer's option label, a text value in words, yes or no; empty for a
	// plain number and when Missing.
	Label string `json:"label,omitempty"`
	// Text is the reason in words, for people: "PHQ-9 item 9 (thoughts that you would be better off
	// dead…): Several days", "on MOUD: not reported", "opioid dose: 90 MME/day".
	Text string `json:"text"`
}

// ReasonRef is what a reason refers to.
type ReasonRef string

// The kinds of reason.
const (
	RefAnswer   ReasonRef = "answer"   // an item's answer
	RefContext  ReasonRef = "context"  // a respondent context field
	RefScore    ReasonRef = "score"    // a score of an instrument (in a rule set: an instrument result)
	RefFlag     ReasonRef = "flag"     // whether an instrument's flag was raised
	RefStatus   ReasonRef = "status"   // an instrument's status (complete, incomplete, absent)
	RefDomain   ReasonRef = "domain"   // a rule set's domain
	RefTier     ReasonRef = "tier"     // the risk tier (referrals that read it)
	RefBaseline ReasonRef = "baseline" // a score of the baseline response set (follow-up)
	RefCurrent  ReasonRef = "current"  // a score of the current response set, as a follow-up measure reads it
	RefFollowUp ReasonRef = "followup" // a follow-up measure
	RefDays     ReasonRef = "days"     // the days from baseline to current
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
	// rc is the engine's cache of encoded reasons (reasoncache.go); nil writes every reason afresh.
	rc *reasonCache
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

// at returns reason i of the span, with its words.
func (r reasons) at(i int) Reason {
	if r.a.plan == nil { // a report read back from JSON
		return r.a.dec[int(r.from)+i]
	}
	f, v := r.field(i)
	p := r.a.plan
	return Reason{Name: f.Name(p), Value: Value(v), Ref: ReasonRef(f.Ref()), Instrument: f.Instrument(p), ID: f.ID(p),
		Missing: f.Missing, Label: f.Label(p, v), Text: f.Text(p, v)}
}

// field returns the field and value of reason i of the span and its field, without building any words.
func (r reasons) field(i int) (trace.Field, value.Value) {
	x := &r.a.items[int(r.from)+i]
	v := value.FromBits(x.kind(), x.n, "")
	if x.kind() == value.String {
		v = value.OfString(r.a.strs[x.n])
	}
	return x.fieldOf(), v
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

// appendJSON appends reason i of the span as the JSON contract writes it (doc.go), from the engine's
// cache when the reason's field and value were written before.
func (r reasons) appendJSON(b []byte, i int) []byte {
	if r.a.plan == nil { // a report read back from JSON
		return r.a.dec[int(r.from)+i].appendJSON(b)
	}
	if c := r.a.cache(); c != nil {
		if out, ok := c.appendJSON(b, r, i); ok {
			return out
		}
	}
	return r.appendJSONSlow(b, i)
}

// appendAllJSON appends the span's reasons, separated by commas, as appendJSON writes each.
func (r reasons) appendAllJSON(b []byte) []byte {
	var c *reasonCache
	if r.a != nil && r.a.plan != nil {
		c = r.a.cache()
	}
	for i := range r.len() {
		if i > 0 {
			b = append(b, ',')
		}
		if c == nil {
			b = r.appendJSON(b, i)
		} else if out, ok := c.appendJSON(b, r, i); ok {
			b = out
		} else {
			b = r.appendJSONSlow(b, i)
		}
	}
	return b
}

// appendJSONSlow appends reason i of the span (of a report with a plan): its machine fields and its words,
// built straight into b.
func (r reasons) appendJSONSlow(b []byte, i int) []byte {
	f, v := r.field(i)
	p := r.a.plan
	b = append(b, `{"name":`...)
	b = appendString(b, f.Name(p))
	b = append(b, `,"value":`...)
	b = v.AppendJSON(b)
	b = append(b, `,"kind":"`...)
	b = append(b, f.Ref()...)
	b = append(b, '"')
	if in := f.Instrument(p); in != "" {
		b = append(b, `,"instrument":`...)
		b = appendString(b, in)
	}
	b = append(b, `,"id":`...)
	b = appendString(b, f.ID(p))
	if f.Missing {
		b = append(b, `,"missing":true`...)
	}
	key := len(b)
	b = append(b, `,"label":"`...)
	if m := len(b); len(f.AppendLabel(b, p, v)) == m {
		b = b[:key] // no label
	} else {
		b = closeJSONString(f.AppendLabel(b, p, v), m)
	}
	b = append(b, `,"text":"`...)
	m := len(b)
	b = closeJSONString(f.AppendText(b, p, v), m)
	return append(b, '}')
}

// closeJSONString ends the JSON string whose raw text is b[m:]: escaped as every report string is (only
// in the rare case it needs it), and quoted.
func closeJSONString(b []byte, m int) []byte {
	if !jsonenc.Plain(b[m:]) {
		t := string(b[m:])
		b = jsonenc.AppendStringBody(b[:m], t)
	}
	return append(b, '"')
}
