package screen

// Appending the words of a result's reasons straight into a buffer, for writers that show only the words
// (the FHIR Bundle's notes and rationales): each reason's Text, as Reasons()[i].Text, joined by sep, without
// building the Reason values.

// appendTexts appends the Text of every reason of the span to b, separated by sep.
func (r reasons) appendTexts(b []byte, sep string) []byte {
	for i := range r.len() {
		if i > 0 {
			b = append(b, sep...)
		}
		if r.a.plan == nil { // a report read back from JSON
			b = append(b, r.a.dec[int(r.from)+i].Text...)
			continue
		}
		f, v := r.field(i)
		b = f.AppendText(b, r.a.plan, v)
	}
	return b
}

// AppendReasonTexts appends the Text of each of the flag's reasons to b, separated by sep: the bytes of
// joining the Text fields of Reasons() with sep.
func (f Flag) AppendReasonTexts(b []byte, sep string) []byte { return f.why.appendTexts(b, sep) }

// AppendTierReasonTexts appends the Text of each of the tier's reasons to b, separated by sep.
func (c *CompositeResult) AppendTierReasonTexts(b []byte, sep string) []byte {
	return c.tierWhy.appendTexts(b, sep)
}

// AppendReasonTexts appends the Text of each of the referral's reasons to b, separated by sep.
func (r Referral) AppendReasonTexts(b []byte, sep string) []byte { return r.why.appendTexts(b, sep) }

// AppendReasonTexts appends the Text of each of the measure's reasons to b, separated by sep.
func (m FollowUpMeasure) AppendReasonTexts(b []byte, sep string) []byte {
	return m.why.appendTexts(b, sep)
}
