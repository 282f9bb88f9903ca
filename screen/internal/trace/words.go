package trace

import (
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// Reasons in words, generated from the definitions (plan labels.go): no rule has hand-written text. Words
// are built only when a reason is printed or encoded, never while scoring.

// Ref is what a field is, as the report's JSON names it: answer, context, score, flag, status, domain,
// tier, baseline, current, followup or days.
func (f Field) Ref() string {
	switch f.Kind {
	case plan.ReadItem:
		return "answer"
	case plan.ReadScore:
		return "score"
	case plan.ReadContext:
		return "context"
	case plan.ReadStatus:
		return "status"
	case plan.ReadFlag:
		return "flag"
	case plan.ReadDomain:
		return "domain"
	case plan.ReadBaseline:
		return "baseline"
	case plan.ReadCurrent:
		return "current"
	case plan.ReadFollowup:
		return "followup"
	case plan.ReadDays:
		return "days"
	}
	return "tier"
}

// Instrument is the id of the instrument the field belongs to ("" for context, domains, the tier and days).
func (f Field) Instrument(p *plan.Plan) string {
	if f.Inst < 0 || f.Kind == plan.ReadContext || f.Kind == plan.ReadDomain || f.Kind == plan.ReadTier || f.Kind == plan.ReadDays {
		return ""
	}
	return p.Insts[f.Inst].ID
}

// ID is the field's id within its instrument or rule set: the item, score, flag, measure, context field or
// domain id; "status", "tier" or "days" for those.
func (f Field) ID(p *plan.Plan) string {
	switch f.Kind {
	case plan.ReadItem:
		return p.Insts[f.Inst].Items[f.Idx].ID
	case plan.ReadScore, plan.ReadBaseline, plan.ReadCurrent:
		return p.Insts[f.Inst].Scores[f.Idx].ID
	case plan.ReadContext:
		return p.Ctx[f.Idx].ID
	case plan.ReadStatus:
		return "status"
	case plan.ReadFlag:
		return p.Insts[f.Inst].Flags[f.Idx].ID
	case plan.ReadDomain:
		return p.Rules.Domains[f.Idx].ID
	case plan.ReadFollowup:
		return p.Insts[f.Inst].FollowUps[f.Idx].ID
	case plan.ReadDays:
		return "days"
	}
	return "tier"
}

// Label is the value's label: an answer's option label, a text value in words (high_impact → high
// impact), yes or no; "" for a number without one and for a failed presence test.
func (f Field) Label(p *plan.Plan, v value.Value) string { return string(f.AppendLabel(nil, p, v)) }

// AppendLabel appends the value's label (Label) to b, without allocating.
func (f Field) AppendLabel(b []byte, p *plan.Plan, v value.Value) []byte {
	if f.Missing {
		return b
	}
	if f.Kind == plan.ReadItem {
		for _, o := range p.Insts[f.Inst].Items[f.Idx].Options {
			if v.Kind() == value.Int && o.Value == v.I() {
				return append(b, o.Label...)
			}
		}
		return b
	}
	switch v.Kind() {
	case value.String:
		if f.Kind == plan.ReadContext {
			return append(b, v.S()...)
		}
		return plan.AppendWords(b, v.S())
	case value.Bool:
		switch {
		case f.Kind == plan.ReadFlag && v.B():
			return append(b, "raised"...)
		case f.Kind == plan.ReadFlag:
			return append(b, "not raised"...)
		case v.B():
			return append(b, "yes"...)
		}
		return append(b, "no"...)
	}
	return b
}

// AppendText appends the reason in words: what was read, by its label, and the value by its label —
// "PHQ-9 item 9 (thoughts that you would be better off dead…): Several days", "on MOUD: not reported",
// "opioid dose: 90 MME/day", "Opioid use disorder: moderate".
func (f Field) AppendText(b []byte, p *plan.Plan, v value.Value) []byte {
	b = f.appendSubject(b, p)
	b = append(b, ": "...)
	if f.Missing {
		return append(b, f.absent()...)
	}
	if m := len(b); len(f.AppendLabel(b, p, v)) > m {
		return f.AppendLabel(b, p, v)
	}
	b = v.AppendText(b)
	if f.Kind == plan.ReadContext {
		if u := p.Ctx[f.Idx].Unit; u != "" {
			b = append(b, ' ')
			b = append(b, u...)
		}
	}
	return b
}

// Text is AppendText as a string.
func (f Field) Text(p *plan.Plan, v value.Value) string { return string(f.AppendText(nil, p, v)) }

// absent says what a failed presence test means for the field.
func (f Field) absent() string {
	switch f.Kind {
	case plan.ReadItem:
		return "not answered"
	case plan.ReadContext:
		return "not reported"
	case plan.ReadFlag:
		return "not evaluated"
	case plan.ReadDomain:
		return "not determined"
	case plan.ReadDays:
		return "no baseline"
	}
	return "not computed"
}

// appendSubject appends the words for what was read: the words compile made for the field (its
// FieldError's, the same in report notes), else built from the labels.
func (f Field) appendSubject(b []byte, p *plan.Plan) []byte {
	if w := f.words(p); w != "" {
		return append(b, w...)
	}
	switch f.Kind {
	case plan.ReadContext:
		cf := p.Ctx[f.Idx]
		if cf.Label != "" {
			return plan.AppendClean(b, cf.Label)
		}
		return plan.AppendWords(b, cf.ID)
	case plan.ReadDomain:
		return plan.AppendClean(b, p.Rules.Domains[f.Idx].Label)
	case plan.ReadTier:
		return append(b, "risk tier"...)
	case plan.ReadDays:
		return append(b, "days since baseline"...)
	}
	in := p.Insts[f.Inst]
	b = plan.AppendClean(b, in.Label)
	switch f.Kind {
	case plan.ReadItem:
		it := in.Items[f.Idx]
		if len(in.Items) > 1 || it.Number != 1 { // the only item of a single-item instrument goes without its number
			b = append(b, " item "...)
			b = appendInt(b, it.Number)
		}
		b = append(b, " ("...)
		b = plan.AppendClean(b, it.Label)
		return append(b, ')')
	case plan.ReadScore, plan.ReadBaseline, plan.ReadCurrent:
		b = plan.AppendLabel(b, in.Label, in.Scores[f.Idx].Named(), in.Scores[f.Idx].ID)
		switch f.Kind {
		case plan.ReadBaseline:
			b = append(b, " at baseline"...)
		case plan.ReadCurrent:
			b = append(b, " now"...)
		}
		return b
	case plan.ReadFlag:
		b = append(b, ' ')
		b = plan.AppendWords(b, in.Flags[f.Idx].ID)
		return append(b, " flag"...)
	case plan.ReadFollowup:
		return plan.AppendLabel(b, in.Label, in.FollowUps[f.Idx].Named(), in.FollowUps[f.Idx].ID)
	}
	return b // status: "PHQ-9: complete"
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// words returns the words compile made for the field, "" when it made none.
func (f Field) words(p *plan.Plan) string {
	var fe *plan.FieldError
	switch f.Kind {
	case plan.ReadItem:
		fe = p.Insts[f.Inst].Items[f.Idx].Unset
	case plan.ReadScore:
		fe = p.Insts[f.Inst].Scores[f.Idx].Unset
	case plan.ReadBaseline:
		fe = p.Insts[f.Inst].Scores[f.Idx].BaseUnset
	case plan.ReadCurrent:
		fe = p.Insts[f.Inst].Scores[f.Idx].CurUnset
	case plan.ReadFlag:
		fe = p.Insts[f.Inst].Flags[f.Idx].Unset
	case plan.ReadFollowup:
		fe = p.Insts[f.Inst].FollowUps[f.Idx].QUnset
	}
	if fe == nil {
		return ""
	}
	return fe.Words
}
