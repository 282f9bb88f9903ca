package screen

// Reasons are kept compact in a report: a list of what each rule read (8 bytes a read, no pointers) plus
// the item and context values, resolved to names and values only when asked for (Reasons methods, JSON).
// Everything else a reason names (scores, statuses, flags, domains, the tier) is already in the report.

// xread is one recorded read, relative to the report: k is the instrument's position in
// Report.Instruments, or -1-i for rule-set input i that was absent.
type xread struct {
	kind    readKind
	rules   bool
	missing bool // a failed presence test: the reason reads has(<name>) = false
	k       int16
	idx     int32
}

type explanation struct {
	eng    *Engine
	rep    *Report
	insts  []*instrument // by report position
	vals   []int64       // item values, instrument k from valOff[k]
	valOff []int32
	ctx    []Value // context values by slot; nil when none were read
	reads  []xread
}

// why is a span of reads.
type why struct {
	ex       *explanation
	from, to int32
}

// appendTo appends the span's reasons to dst; a has() reason's name is built, the others are static.
func (w why) appendTo(dst []Reason) []Reason {
	if w.ex == nil || w.to <= w.from {
		return dst
	}
	for _, r := range w.ex.reads[w.from:w.to] {
		dst = append(dst, w.ex.reason(r))
	}
	return dst
}

func (ex *explanation) inst(r xread) *instrument {
	if r.k >= 0 {
		return ex.insts[r.k]
	}
	return ex.eng.rules.inputs[-1-int(r.k)].inst
}

// name returns the reason's name: the path the expression used (answers.q9 in an instrument,
// phq9.answers.q9 in a rule set).
func (ex *explanation) name(r xread) string {
	switch r.kind {
	case readItem:
		if r.rules {
			return ex.inst(r).itemQName[r.idx]
		}
		return ex.inst(r).items[r.idx].name
	case readScore:
		if r.rules {
			return ex.inst(r).scoreQName[r.idx]
		}
		return ex.inst(r).scores[r.idx].name
	case readContext:
		return ex.eng.ctxFields[r.idx].name
	case readStatus:
		return ex.inst(r).statusQName
	case readFlag:
		return ex.inst(r).flagQName[r.idx]
	case readDomain:
		return ex.eng.rules.domains[r.idx].name
	case readTier:
		return "tier"
	}
	return ""
}

func (ex *explanation) value(r xread) Value {
	switch r.kind {
	case readItem:
		return IntValue(ex.vals[int(ex.valOff[r.k])+int(r.idx)])
	case readScore:
		res := &ex.rep.Instruments[r.k]
		id := ex.insts[r.k].scores[r.idx].id
		v, _ := res.Score(id)
		return v
	case readContext:
		if int(r.idx) < len(ex.ctx) {
			return ex.ctx[r.idx]
		}
	case readStatus:
		if r.k < 0 {
			return StringValue("absent")
		}
		return StringValue(ex.rep.Instruments[r.k].Status)
	case readFlag:
		id := ex.insts[r.k].flags[r.idx].id
		for _, f := range ex.rep.Instruments[r.k].Flags {
			if f.ID == id {
				return BoolValue(true)
			}
		}
		return BoolValue(false)
	case readDomain:
		return ex.rep.Composite.Domains[r.idx].Value
	case readTier:
		return StringValue(ex.rep.Composite.Tier)
	}
	return Value{}
}

func (ex *explanation) reason(r xread) Reason {
	if r.missing {
		return Reason{Name: "has(" + ex.name(r) + ")", Value: BoolValue(false)}
	}
	return Reason{Name: ex.name(r), Value: ex.value(r)}
}

// appendWhyJSON writes the reasons of a span as a JSON array without building Reason values.
func appendWhyJSON(b []byte, w why) []byte {
	b = append(b, '[')
	if w.ex != nil {
		for i, r := range w.ex.reads[w.from:w.to] {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			if r.missing {
				b = append(b, `"has(`...)
				b = appendStringBody(b, w.ex.name(r))
				b = append(b, `)","value":false}`...)
				continue
			}
			b = appendString(b, w.ex.name(r))
			b = append(b, `,"value":`...)
			b = appendValue(b, w.ex.value(r))
			b = append(b, '}')
		}
	}
	return append(b, ']')
}
