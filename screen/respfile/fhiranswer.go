package respfile

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen/fhir"
)

// Reading the items and answers of one QuestionnaireResponse (see FHIRMapper for the rules).

func (r *qrReader) fail(off int, msg string) {
	if r.bad == nil {
		r.bad = &problem{off: off, code: CodeFHIR, msg: msg}
	}
}

// items reads an item array (r.path names it for messages).
func (r *qrReader) items(arr *jnode) {
	for i, it := range arr.kids {
		if r.bad != nil {
			return
		}
		r.item(i, it)
	}
}

// item reads the i-th item of an item array.
func (r *qrReader) item(i int, it *jnode) {
	r.push("", i)
	defer r.pop()
	if it.kind != 'o' {
		r.fail(it.off, r.where(" must be an object"))
		return
	}
	l := it.get("linkId")
	if l == nil || l.kind != 's' || l.str == "" {
		r.fail(it.off, r.where(".linkId must be a non-empty string"))
		return
	}
	if sub := it.get("item"); sub != nil {
		if sub.kind != 'a' {
			r.fail(sub.off, r.where(".item must be an array"))
			return
		}
		r.push("item", 0)
		r.items(sub)
		r.pop()
	}
	if ans := it.get("answer"); ans != nil {
		if ans.kind != 'a' {
			r.fail(ans.off, r.where(".answer must be an array"))
			return
		}
		r.push("answer", 0)
		r.answer(l.str, ans)
		r.pop()
	}
}

// answer reads the answers of the item with the given linkId.
func (r *qrReader) answer(link string, ans *jnode) {
	var item *fhirItem
	key := link
	dst, stray := r.answers, false
	if r.fi != nil {
		item = r.fi.item(link)
		m := r.b.m
		switch {
		case item != nil:
			key = item.id
		case r.fi.isScore(link):
			return // the form's own computed score: not an answer
		case m.safety != nil && m.safety != r.fi && m.safety.item(link) == m.safetyItem:
			// PHQ-9 item 9 by its code in a response to another instrument: it is read as what it is, the
			// suicidal ideation item, never an unknown item of the other instrument.
			if r.stray == nil {
				r.stray = map[string]any{}
			}
			item, key, dst, stray = m.safetyItem, m.safetyItem.id, r.stray, true
		}
	}
	var one any
	var vals []any
	n := 0
	for i, a := range ans.kids {
		if a.kind != 'o' {
			r.fail(a.off, r.where("["+strconv.Itoa(i)+"] must be an object"))
			return
		}
		if sub := a.get("item"); sub != nil {
			if sub.kind != 'a' {
				r.fail(sub.off, r.where("["+strconv.Itoa(i)+"].item must be an array"))
				return
			}
			r.push("", i)
			r.push("item", 0)
			r.items(sub)
			r.pop()
			r.pop()
			if r.bad != nil {
				return
			}
		}
		v, st := answerValue(a, item)
		switch st {
		case answerNone:
			continue
		case answerDeclined:
			r.note(NoteDeclined, key, "the answer is a data-absent-reason (declined or unknown): the item is missing")
			continue
		case answerConflict:
			r.note(NoteConflict, key, "the answer's code and its ordinal value disagree: the answer is invalid")
		}
		switch n {
		case 0:
			one = v
		case 1:
			vals = []any{one, v}
		default:
			vals = append(vals, v)
		}
		n++
	}
	if n == 0 {
		return
	}
	v := one
	if n > 1 {
		v = vals // more than one answer: the engine's wrong_type error (a list)
		r.note(NoteConflict, key, "the item has more than one answer: it is invalid")
	}
	if old, dup := dst[key]; dup {
		// The same item answered twice (a repeated linkId): both are kept, as a list the engine rejects.
		r.note(NoteConflict, key, "the item is answered more than once (a repeated linkId): it is invalid")
		list, _ := old.([]any)
		if list == nil {
			list = []any{old}
		}
		if n > 1 {
			v = append(list, vals...)
		} else {
			v = append(list, one)
		}
	} else if !stray {
		r.n++
	}
	dst[key] = v
}

// note adds a note about an item, once per code and item.
func (r *qrReader) note(code, item, msg string) {
	for _, n := range r.notes {
		if n.Code == code && n.Item == item {
			return
		}
	}
	r.notes = append(r.notes, SourceNote{Code: code, Item: item, Message: msg})
}

// What one FHIR answer holds.
const (
	answerNone     = iota // no value[x] (only nested items)
	answerValid           // a value (possibly one the engine rejects)
	answerDeclined        // a data-absent-reason: the item is not answered
	answerConflict        // a Coding whose code and ordinal value disagree: an invalid answer
)

// unsupported stands for a FHIR answer painscreen cannot use (a valueDate, a Coding with no code): the
// engine reports it as a wrong_type error of its item.
func unsupported() any { return map[string]any{} }

// dataAbsentSystem is the code system of data-absent-reason (asked-declined, asked-unknown, unknown …);
// dataAbsentURL is the extension that carries one where a value would be.
const (
	dataAbsentSystem = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	dataAbsentURL    = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
)

// answerValue turns one FHIR answer into an answer value and says what the answer holds.
func answerValue(a *jnode, item *fhirItem) (any, int) {
	var val *jnode
	var name string
	for i, k := range a.keys {
		if len(k) > 5 && (k[:5] == "value" || strings.EqualFold(k[:5], "value")) {
			if val != nil || k[:5] != "value" {
				// Two value[x] (not FHIR), or a misspelt one ("ValueInteger"): an answer is there, and it is
				// unusable, so it is an error of its item, never silently no answer.
				return unsupported(), answerValid
			}
			val, name = a.kids[i], k
		}
	}
	if val == nil {
		if hasExtension(a, dataAbsentURL) {
			return nil, answerDeclined
		}
		return nil, answerNone
	}
	switch name {
	case "valueCoding":
		if val.kind != 'o' {
			return unsupported(), answerValid
		}
		code, system := "", ""
		if c := val.get("code"); c != nil && c.kind == 's' {
			code = c.str
		}
		if s := val.get("system"); s != nil && s.kind == 's' {
			system = s.str
		}
		if system == dataAbsentSystem {
			return nil, answerDeclined
		}
		w, hasW := weight(val)
		if !hasW {
			w, hasW = weight(a)
		}
		if item != nil {
			if cv, ok := item.codes[code]; ok && (system == "" || system != fhir.OptionValueSystem) {
				if hasW && !sameNumber(w, cv) {
					return []any{code, w}, answerConflict
				}
				return code, answerValid
			}
			if system == fhir.OptionValueSystem {
				if n, err := strconv.ParseInt(code, 10, 64); err == nil && item.values[n] {
					if hasW && !sameNumber(w, n) {
						return []any{n, w}, answerConflict
					}
					return n, answerValid
				}
			}
		}
		if hasW {
			return w, answerValid
		}
		if code != "" {
			return code, answerValid
		}
		return unsupported(), answerValid
	case "valueInteger", "valueDecimal":
		if val.kind != 'n' {
			return unsupported(), answerValid
		}
		return numberValue(val.str), answerValid
	case "valueBoolean":
		if val.kind != 'b' {
			return unsupported(), answerValid
		}
		if item != nil && item.binary {
			if val.b {
				return int64(1), answerValid
			}
			return int64(0), answerValid
		}
		return val.b, answerValid
	case "valueString":
		if val.kind != 's' {
			return unsupported(), answerValid
		}
		return val.str, answerValid
	}
	return unsupported(), answerValid
}

// sameNumber reports whether an ordinal value (int64 or float64) equals an option value.
func sameNumber(w any, v int64) bool {
	switch w := w.(type) {
	case int64:
		return w == v
	case float64:
		return w == float64(v)
	}
	return false
}

// hasExtension reports whether n has an extension with the given url.
func hasExtension(n *jnode, url string) bool {
	ext := n.get("extension")
	if ext == nil || ext.kind != 'a' {
		return false
	}
	for _, e := range ext.kids {
		if u := e.get("url"); u != nil && u.kind == 's' && u.str == url {
			return true
		}
	}
	return false
}

// weight reads an ordinalValue or itemWeight extension of n.
func weight(n *jnode) (any, bool) {
	ext := n.get("extension")
	if ext == nil || ext.kind != 'a' {
		return nil, false
	}
	for _, e := range ext.kids {
		u := e.get("url")
		if u == nil || u.kind != 's' || (u.str != fhir.OrdinalValueURL && u.str != fhir.ItemWeightURL) {
			continue
		}
		for _, k := range []string{"valueDecimal", "valueInteger"} {
			if v := e.get(k); v != nil && v.kind == 'n' {
				return numberValue(v.str), true
			}
		}
	}
	return nil, false
}
