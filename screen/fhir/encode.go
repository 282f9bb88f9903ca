package fhir

import (
	"encoding/json"
	"strconv"

	"github.com/painscreen/painscreen/internal/jsonenc"
)

// The Bundle encoder: it writes exactly the bytes encoding/json writes for these structs (field order,
// omitempty, string escaping with SetEscapeHTML(false), json.Number as is), without reflection. Anything
// it does not know — a resource type other than Observation and RiskAssessment, an extension on a Coding,
// a json.Number that is not a JSON number — makes it give up, and the Bundle goes through encoding/json
// (appendJSON): the output is the same either way, only slower. encode_test.go checks the two byte for byte
// on every example and on random Bundles (FuzzEncodeBundle).

// encoder appends JSON to b; bad is set when it met something only encoding/json should write.
type encoder struct {
	b   []byte
	bad bool
}

// appendBundle appends b's JSON (as appendJSON would) to dst.
func appendBundle(dst []byte, bd *Bundle) []byte {
	if cap(dst) == 0 {
		dst = make([]byte, 0, bundleSizeHint)
	}
	e := encoder{b: dst}
	e.bundle(bd)
	if e.bad {
		return appendJSON(dst, bd)
	}
	return e.b
}

// bundleSizeHint is room for the Bundle of a full battery (about 17 KB), allocated once instead of grown
// when the caller gives no buffer; a caller's buffer grows as append grows it.
const bundleSizeHint = 24 << 10

// key writes the separator and "k": — a comma unless the object was just opened.
func (e *encoder) key(k string) {
	if n := len(e.b); n > 0 && e.b[n-1] != '{' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) strField(k, v string) {
	e.key(k)
	e.b = appendString(e.b, v)
}

func (e *encoder) optStr(k, v string) {
	if v != "" {
		e.strField(k, v)
	}
}

func (e *encoder) bundle(bd *Bundle) {
	e.b = append(e.b, '{')
	e.strField("resourceType", bd.ResourceType)
	e.strField("type", bd.Type)
	if len(bd.Entry) > 0 {
		e.key("entry")
		e.b = append(e.b, '[')
		for i := range bd.Entry {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			en := &bd.Entry[i]
			e.b = append(e.b, '{')
			e.optStr("fullUrl", en.FullURL)
			e.key("resource")
			switch r := en.Resource.(type) {
			case *Observation:
				if r == nil {
					e.b = append(e.b, "null"...)
				} else {
					e.observation(r)
				}
			case *RiskAssessment:
				if r == nil {
					e.b = append(e.b, "null"...)
				} else {
					e.riskAssessment(r)
				}
			case nil:
				e.b = append(e.b, "null"...)
			default:
				e.bad = true
				return
			}
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

func (e *encoder) observation(o *Observation) {
	e.b = append(e.b, '{')
	e.strField("resourceType", o.ResourceType)
	e.strField("status", o.Status)
	e.concepts("category", o.Category)
	e.key("code")
	e.concept(&o.Code)
	e.optRef("subject", o.Subject)
	e.optStr("effectiveDateTime", o.EffectiveDateTime)
	if p := o.EffectivePeriod; p != nil {
		e.key("effectivePeriod")
		e.b = append(e.b, '{')
		e.optStr("start", p.Start)
		e.optStr("end", p.End)
		e.b = append(e.b, '}')
	}
	if q := o.ValueQuantity; q != nil {
		e.key("valueQuantity")
		e.b = append(e.b, '{')
		e.key("value")
		e.number(q.Value)
		e.optStr("unit", q.Unit)
		e.optStr("system", q.System)
		e.optStr("code", q.Code)
		e.b = append(e.b, '}')
	}
	if o.ValueInteger != nil {
		e.key("valueInteger")
		e.b = strconv.AppendInt(e.b, *o.ValueInteger, 10)
	}
	if o.ValueBoolean != nil {
		e.key("valueBoolean")
		e.b = strconv.AppendBool(e.b, *o.ValueBoolean)
	}
	if o.ValueString != nil {
		e.strField("valueString", *o.ValueString)
	}
	e.optConcept("dataAbsentReason", o.DataAbsentReason)
	e.concepts("interpretation", o.Interpretation)
	e.notes(o.Note)
	e.optConcept("method", o.Method)
	e.refs("derivedFrom", o.DerivedFrom)
	e.b = append(e.b, '}')
}

func (e *encoder) riskAssessment(r *RiskAssessment) {
	e.b = append(e.b, '{')
	e.strField("resourceType", r.ResourceType)
	e.strField("status", r.Status)
	e.optConcept("method", r.Method)
	e.optConcept("code", r.Code)
	e.key("subject")
	e.ref(&r.Subject)
	e.optStr("occurrenceDateTime", r.OccurrenceDateTime)
	e.refs("basis", r.Basis)
	if len(r.Prediction) > 0 {
		e.key("prediction")
		e.b = append(e.b, '[')
		for i := range r.Prediction {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			p := &r.Prediction[i]
			e.b = append(e.b, '{')
			e.optConcept("outcome", p.Outcome)
			e.optConcept("qualitativeRisk", p.QualitativeRisk)
			e.optStr("rationale", p.Rationale)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.optStr("mitigation", r.Mitigation)
	e.notes(r.Note)
	e.b = append(e.b, '}')
}

func (e *encoder) notes(ns []Annotation) {
	if len(ns) == 0 {
		return
	}
	e.key("note")
	e.b = append(e.b, '[')
	for i := range ns {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, `{"text":`...)
		e.b = appendString(e.b, ns[i].Text)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *encoder) optConcept(k string, c *CodeableConcept) {
	if c != nil {
		e.key(k)
		e.concept(c)
	}
}

func (e *encoder) concepts(k string, cs []CodeableConcept) {
	if len(cs) == 0 {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	for i := range cs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.concept(&cs[i])
	}
	e.b = append(e.b, ']')
}

func (e *encoder) concept(c *CodeableConcept) {
	e.b = append(e.b, '{')
	if len(c.Coding) > 0 {
		e.key("coding")
		e.b = append(e.b, '[')
		for i := range c.Coding {
			cd := &c.Coding[i]
			if len(cd.Extension) > 0 {
				e.bad = true // not written into Bundles; encoding/json knows Extension
				return
			}
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, '{')
			e.optStr("system", cd.System)
			e.optStr("code", cd.Code)
			e.optStr("display", cd.Display)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.optStr("text", c.Text)
	e.b = append(e.b, '}')
}

func (e *encoder) optRef(k string, r *Reference) {
	if r != nil {
		e.key(k)
		e.ref(r)
	}
}

func (e *encoder) refs(k string, rs []Reference) {
	if len(rs) == 0 {
		return
	}
	e.key(k)
	e.b = append(e.b, '[')
	for i := range rs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.ref(&rs[i])
	}
	e.b = append(e.b, ']')
}

func (e *encoder) ref(r *Reference) {
	e.b = append(e.b, '{')
	e.optStr("reference", r.Reference)
	e.optStr("type", r.Type)
	if id := r.Identifier; id != nil {
		e.key("identifier")
		e.b = append(e.b, '{')
		e.optStr("system", id.System)
		e.optStr("value", id.Value)
		e.b = append(e.b, '}')
	}
	e.optStr("display", r.Display)
	e.b = append(e.b, '}')
}

// number writes a json.Number as encoding/json does: "" as 0, a valid number as is; anything else is an
// encoding/json error, left to it.
func (e *encoder) number(n json.Number) {
	switch {
	case n == "":
		e.b = append(e.b, '0')
	case validNumber(n):
		e.b = append(e.b, n...)
	default:
		e.bad = true
	}
}

// validNumber reports whether s is a JSON number (RFC 8259 §6), as encoding/json checks a json.Number.
func validNumber[T ~string | ~[]byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if len(s) == 0 {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if len(s) == 0 {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return len(s) == 0
}

// appendString appends s quoted as encoding/json does with HTML escaping off (jsonenc.AppendStringStd).
func appendString(b []byte, s string) []byte { return jsonenc.AppendStringStd(b, s) }
