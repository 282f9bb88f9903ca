package screen

// The JSON of the parts of a report. A part that the report writes as one object (a flag, a referral, a
// note, an error, a reason, the engine, the follow-up block, an instrument or composite result) encodes as
// exactly that object. A part the report spreads over two places — a score's value under "scores" and its
// rule and reasons under "explain"; likewise a domain and a follow-up measure — encodes as one object
// joining them with the same field names: {"id","value","rule","reasons"} (a domain adds "possible" when
// the answers leave it open). The package documentation lists every shape.

// MarshalJSON encodes the engine as a report's "engine": {"name","version"}.
func (e EngineInfo) MarshalJSON() ([]byte, error) { return e.appendJSON(nil), nil }

func (e *EngineInfo) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, e.Name)
	b = append(b, `,"version":`...)
	b = appendString(b, e.Version)
	return append(b, '}')
}

// MarshalJSON encodes the reason as a "reasons" entry: {"name","value","kind","instrument"?,"id",
// "missing"?,"label"?,"text"}.
func (r Reason) MarshalJSON() ([]byte, error) { return r.appendJSON(nil), nil }

func (r *Reason) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, r.Name)
	b = append(b, `,"value":`...)
	b = r.Value.AppendJSON(b)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(r.Ref))
	if r.Instrument != "" {
		b = append(b, `,"instrument":`...)
		b = appendString(b, r.Instrument)
	}
	b = append(b, `,"id":`...)
	b = appendString(b, r.ID)
	if r.Missing {
		b = append(b, `,"missing":true`...)
	}
	if r.Label != "" {
		b = append(b, `,"label":`...)
		b = appendString(b, r.Label)
	}
	b = append(b, `,"text":`...)
	b = appendString(b, r.Text)
	return append(b, '}')
}

// MarshalJSON encodes the note as a "notes" entry: {"code","about","message"}.
func (n Note) MarshalJSON() ([]byte, error) { return n.appendJSON(nil, nil), nil }

func (n *Note) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"code":`...)
	b = t.appendString(b, n.Code)
	b = append(b, `,"about":`...)
	b = t.appendString(b, n.About)
	b = append(b, `,"message":`...)
	b = t.appendString(b, n.Message)
	return append(b, '}')
}

// MarshalJSON encodes the error as a report's "errors" entry: {"code","message","instrument","item"},
// the last two only when set.
func (e ScoreError) MarshalJSON() ([]byte, error) { return e.appendJSON(nil), nil }

func (e *ScoreError) appendJSON(b []byte) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, e.Code)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	if e.Instrument != "" {
		b = append(b, `,"instrument":`...)
		b = appendString(b, e.Instrument)
	}
	if e.Item != "" {
		b = append(b, `,"item":`...)
		b = appendString(b, e.Item)
	}
	return append(b, '}')
}

// MarshalJSON encodes the flag as a "flags" entry: {"id","level","message","conflict"?,"rule","reasons"}.
func (f Flag) MarshalJSON() ([]byte, error) { return f.appendJSON(nil, nil), nil }

func (f *Flag) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"id":`...)
	b = t.appendString(b, f.ID)
	b = append(b, `,"level":`...)
	b = appendString(b, string(f.Level))
	b = append(b, `,"message":`...)
	b = t.appendString(b, f.Message)
	if f.Conflict != nil {
		b = append(b, `,"conflict":`...)
		b = appendStrings(b, t, f.Conflict)
	}
	b = appendRule(b, t, f.Rule, f.why)
	return append(b, '}')
}

// MarshalJSON encodes the referral as a "referrals" entry: {"id","priority","text","addenda"?,
// "rationale","source","rule","reasons"}.
func (r Referral) MarshalJSON() ([]byte, error) { return r.appendJSON(nil, nil), nil }

func (r *Referral) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"id":`...)
	b = t.appendString(b, r.ID)
	b = append(b, `,"priority":`...)
	b = appendString(b, string(r.Priority))
	b = append(b, `,"text":`...)
	b = t.appendString(b, r.Text)
	if len(r.Addenda) > 0 {
		b = append(b, `,"addenda":`...)
		b = appendStrings(b, t, r.Addenda)
	}
	b = append(b, `,"rationale":`...)
	b = t.appendString(b, r.Rationale)
	b = append(b, `,"source":`...)
	b = t.appendString(b, r.Source)
	b = appendRule(b, t, r.Rule, r.why)
	return append(b, '}')
}

// appendValueRule writes {"id","value","rule","reasons"}, what a score or a follow-up measure encodes as.
func appendValueRule(b []byte, id string, v Value, rule string, why reasons) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"value":`...)
	b = v.AppendJSON(b)
	b = appendRule(b, nil, rule, why)
	return append(b, '}')
}

// MarshalJSON encodes the score as {"id","value","rule","reasons"}: its entry under "scores" and its
// entry under "explain" in one object.
func (s Score) MarshalJSON() ([]byte, error) {
	return appendValueRule(nil, s.ID, s.Value, s.Rule, s.why), nil
}

// MarshalJSON encodes the measure as {"id","value","rule","reasons"}: its entries under the follow-up
// block's "instruments" and "explain" in one object.
func (m FollowUpMeasure) MarshalJSON() ([]byte, error) {
	return appendValueRule(nil, m.ID, m.Value, m.Rule, m.why), nil
}

// MarshalJSON encodes the domain as {"id","value","possible"?,"rule","reasons"}: its entries under the
// composite's "domains", "possible" (only when the answers leave it open) and "explain" in one object.
func (d Domain) MarshalJSON() ([]byte, error) {
	b := append([]byte(nil), `{"id":`...)
	b = appendString(b, d.ID)
	b = append(b, `,"value":`...)
	b = d.Value.AppendJSON(b)
	if len(d.Possible) > 0 {
		b = append(b, `,"possible":`...)
		b = appendValues(b, d.Possible)
	}
	b = appendRule(b, nil, d.Rule, d.why)
	return append(b, '}'), nil
}

// MarshalJSON encodes the follow-up block as a report's "followup".
func (f FollowUpResult) MarshalJSON() ([]byte, error) { return f.appendJSON(nil, nil), nil }

// MarshalJSON encodes one instrument's follow-up as {"id","measures":[…],"possible":[…]}: the measures
// as FollowUpMeasure encodes them, the open ones as FollowUpPossible does.
func (fi FollowUpInstrument) MarshalJSON() ([]byte, error) {
	b := append([]byte(nil), `{"id":`...)
	b = appendString(b, fi.ID)
	b = append(b, `,"measures":[`...)
	for i := range fi.Measures {
		if i > 0 {
			b = append(b, ',')
		}
		m := &fi.Measures[i]
		b = appendValueRule(b, m.ID, m.Value, m.Rule, m.why)
	}
	b = append(b, `],"possible":[`...)
	for i := range fi.Possible {
		if i > 0 {
			b = append(b, ',')
		}
		b = fi.Possible[i].appendJSON(b)
	}
	return append(b, ']', '}'), nil
}

// MarshalJSON encodes an open follow-up measure as {"id","values":[…]}.
func (p FollowUpPossible) MarshalJSON() ([]byte, error) { return p.appendJSON(nil), nil }

func (p *FollowUpPossible) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, p.ID)
	b = append(b, `,"values":`...)
	b = appendValues(b, p.Values)
	return append(b, '}')
}

func appendValues(b []byte, vs []Value) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = v.AppendJSON(b)
	}
	return append(b, ']')
}
