package screen

import (
	"strconv"

	"github.com/painscreen/painscreen/internal/jsonenc"
)

// The whole report contract is written here, by hand, in one pass: field order is fixed, numbers are
// formatted canonically, so equal reports encode to equal bytes (and encoding allocates nothing). Every
// public type that appears in a report encodes (MarshalJSON) through the same appenders, so a part
// encodes as the report writes it; reading back is jsonread.go.
//
// encoding/json escapes <, > and & in what a MarshalJSON returns (as \u003c, \u003e, \u0026) unless
// its Encoder is told SetEscapeHTML(false); AppendJSON does not. Either way the JSON means the same.

// MarshalJSON encodes the report in the documented JSON contract. It has a value receiver, so a Report and
// a *Report encode alike with encoding/json.
func (r Report) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the report's JSON (one line, no trailing newline) to b.
func (r *Report) AppendJSON(b []byte) []byte {
	b = append(b, `{"subject":`...)
	b = appendString(b, r.Subject)
	if r.Date != "" {
		b = append(b, `,"date":`...)
		b = appendString(b, r.Date)
	}
	t := r.mem.arena.constTable()
	b = append(b, `,"engine":`...)
	b = r.Engine.appendJSON(b)
	b = append(b, `,"instruments":{`...)
	for i := range r.Instruments {
		if i > 0 {
			b = append(b, ',')
		}
		in := &r.Instruments[i]
		b = t.appendString(b, in.ID)
		b = append(b, ':')
		b = in.appendJSON(b, t)
	}
	b = append(b, '}')
	if r.Composite != nil {
		b = append(b, `,"composite":`...)
		b = r.Composite.appendJSON(b, t)
	}
	if r.FollowUp != nil {
		b = append(b, `,"followup":`...)
		b = r.FollowUp.appendJSON(b, t)
	}
	b = append(b, `,"errors":[`...)
	for i := range r.Errors {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Errors[i].appendJSON(b)
	}
	return append(b, ']', '}')
}

// MarshalJSON encodes the result as it appears in a report's "instruments".
func (in InstrumentResult) MarshalJSON() ([]byte, error) { return in.appendJSON(nil, nil), nil }

// appendJSON writes the result; t, when not nil, holds the JSON of the definition strings it repeats.
func (in *InstrumentResult) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"id":`...)
	b = t.appendString(b, in.ID)
	b = append(b, `,"version":`...)
	b = t.appendString(b, in.Version)
	b = append(b, `,"digest":`...)
	b = t.appendString(b, in.Digest)
	b = append(b, `,"status":`...)
	b = appendString(b, in.Status)
	b = append(b, `,"definition_status":`...)
	b = t.appendString(b, in.Definition)
	b = append(b, `,"scores":{`...)
	for i := range in.Scores {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.appendString(b, in.Scores[i].ID)
		b = append(b, ':')
		b = in.Scores[i].Value.AppendJSON(b)
	}
	b = append(b, `},"flags":[`...)
	for i := range in.Flags {
		if i > 0 {
			b = append(b, ',')
		}
		b = in.Flags[i].appendJSON(b, t)
	}
	b = append(b, `],"missing":`...)
	b = appendStrings(b, t, in.Missing)
	b = append(b, `,"notes":`...)
	b = appendNotes(b, t, in.Notes)
	b = append(b, `,"explain":{`...)
	for i := range in.Scores {
		if i > 0 {
			b = append(b, ',')
		}
		s := &in.Scores[i]
		b = t.appendString(b, s.ID)
		b = append(b, ':', '{')
		b = appendRule(b, t, s.Rule, s.why)
		b = append(b, '}')
	}
	return append(b, '}', '}')
}

// appendRule writes `"rule":…,"reasons":[…]`, preceded by a comma unless it opens an object.
func appendRule(b []byte, t *constJSON, rule string, why reasons) []byte {
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"rule":`...)
	b = t.appendString(b, rule)
	b = append(b, `,"reasons":[`...)
	b = why.appendAllJSON(b)
	return append(b, ']')
}

func appendNotes(b []byte, t *constJSON, notes []Note) []byte {
	b = append(b, '[')
	for i := range notes {
		if i > 0 {
			b = append(b, ',')
		}
		b = notes[i].appendJSON(b, t)
	}
	return append(b, ']')
}

// MarshalJSON encodes the result as it appears in a report's "composite".
func (c CompositeResult) MarshalJSON() ([]byte, error) { return c.appendJSON(nil, nil), nil }

func (c *CompositeResult) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"id":`...)
	b = t.appendString(b, c.ID)
	b = append(b, `,"version":`...)
	b = t.appendString(b, c.Version)
	b = append(b, `,"digest":`...)
	b = t.appendString(b, c.Digest)
	b = append(b, `,"applied":`...)
	b = strconv.AppendBool(b, c.Applied)
	if !c.Applied {
		b = append(b, `,"reason":`...)
		b = appendString(b, c.Reason)
		b = append(b, `,"notes":`...)
		b = appendNotes(b, t, c.Notes)
		return append(b, '}')
	}
	b = append(b, `,"domains":{`...)
	for i := range c.Domains {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.appendString(b, c.Domains[i].ID)
		b = append(b, ':')
		b = c.Domains[i].Value.AppendJSON(b)
	}
	b = append(b, `},"possible":{`...)
	n := 0
	for i := range c.Domains {
		if d := &c.Domains[i]; len(d.Possible) > 0 {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = t.appendString(b, d.ID)
			b = append(b, ':', '[')
			for j, v := range d.Possible {
				if j > 0 {
					b = append(b, ',')
				}
				b = v.AppendJSON(b)
			}
			b = append(b, ']')
		}
	}
	b = append(b, `},"tier":`...)
	b = appendString(b, string(c.Tier))
	b = appendRule(b, t, c.TierRule, c.tierWhy)
	b = append(b, `,"possible_tiers":[`...)
	for i, t := range c.PossibleTiers {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, string(t))
	}
	b = append(b, `],"tier_decided":`...)
	b = strconv.AppendBool(b, c.TierDecided)
	b = append(b, `,"settle":`...)
	b = appendStrings(b, t, c.Settle)
	b = append(b, `,"referrals":`...)
	b = appendReferrals(b, t, c.Referrals)
	b = append(b, `,"possible_referrals":`...)
	b = appendReferrals(b, t, c.PossibleReferrals)
	b = append(b, `,"not_assessed":`...)
	b = appendStrings(b, t, c.NotAssessed)
	b = append(b, `,"notes":`...)
	b = appendNotes(b, t, c.Notes)
	b = append(b, `,"explain":{`...)
	for i := range c.Domains {
		if i > 0 {
			b = append(b, ',')
		}
		d := &c.Domains[i]
		b = t.appendString(b, d.ID)
		b = append(b, ':', '{')
		b = appendRule(b, t, d.Rule, d.why)
		b = append(b, '}')
	}
	return append(b, '}', '}')
}

func appendStrings(b []byte, t *constJSON, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = t.appendString(b, s)
	}
	return append(b, ']')
}

func appendString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

func appendReferrals(b []byte, t *constJSON, refs []Referral) []byte {
	b = append(b, '[')
	for i := range refs {
		if i > 0 {
			b = append(b, ',')
		}
		b = refs[i].appendJSON(b, t)
	}
	return append(b, ']')
}

// appendJSON writes the follow-up block: {"baseline":{"date"},"days","instruments":{"<id>":{"<measure>":
// <value>}},"possible":{"<id>":{"<measure>":[<value>,…]}},"notes","explain":{"<id>":{"<measure>":{"rule",
// "reasons"}}}}; days is null when not computed.
func (f *FollowUpResult) appendJSON(b []byte, t *constJSON) []byte {
	b = append(b, `{"baseline":{"date":`...)
	b = appendString(b, f.BaselineDate)
	b = append(b, `},"days":`...)
	if f.Computed {
		b = strconv.AppendInt(b, int64(f.Days), 10)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"instruments":{`...)
	for i := range f.Instruments {
		if i > 0 {
			b = append(b, ',')
		}
		in := &f.Instruments[i]
		b = t.appendString(b, in.ID)
		b = append(b, ':', '{')
		for j := range in.Measures {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, in.Measures[j].ID)
			b = append(b, ':')
			b = in.Measures[j].Value.AppendJSON(b)
		}
		b = append(b, '}')
	}
	b = append(b, `},"possible":{`...)
	n := 0
	for i := range f.Instruments {
		in := &f.Instruments[i]
		if len(in.Possible) == 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = t.appendString(b, in.ID)
		b = append(b, ':', '{')
		for j := range in.Possible {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, in.Possible[j].ID)
			b = append(b, ':', '[')
			for k, v := range in.Possible[j].Values {
				if k > 0 {
					b = append(b, ',')
				}
				b = v.AppendJSON(b)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `},"notes":`...)
	b = appendNotes(b, t, f.Notes)
	b = append(b, `,"explain":{`...)
	for i := range f.Instruments {
		if i > 0 {
			b = append(b, ',')
		}
		in := &f.Instruments[i]
		b = t.appendString(b, in.ID)
		b = append(b, ':', '{')
		for j := range in.Measures {
			if j > 0 {
				b = append(b, ',')
			}
			m := &in.Measures[j]
			b = appendString(b, m.ID)
			b = append(b, ':', '{')
			b = appendRule(b, t, m.Rule, m.why)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, '}', '}')
}
