package render

import (
	"strconv"

	"github.com/painscreen/painscreen/screen/respfile"
)

// What the FHIR reader did with the resources a record was read from (respfile.Source.Notes: answers
// declined, a version or questionnaire read as another, a preliminary status, conflicting answers) is part
// of the record's output in every format: the results depend on it. Notes never hold an answer value.

// sourceNotes calls f with each note of the record's sources, in input order.
func sourceNotes(rec *respfile.Record, f func(src *respfile.Source, n *respfile.SourceNote)) {
	if rec == nil {
		return
	}
	for i := range rec.Sources {
		s := &rec.Sources[i]
		for j := range s.Notes {
			f(s, &s.Notes[j])
		}
	}
}

// noteOwner is the instrument and item a note is about, dotted ("phq9.q9"); the instrument alone for a
// note about the whole resource.
func noteOwner(src *respfile.Source, n *respfile.SourceNote) string {
	if src.Instrument == "" {
		return dotted("input", n.Item)
	}
	return dotted(src.Instrument, n.Item)
}

// appendSourceNotesJSON adds "input_notes":[{"code","instrument","item"?,"source"?,"line","message"}] at
// the end of a JSON report when the record's sources have notes.
func appendSourceNotesJSON(b []byte, rec *respfile.Record) []byte {
	if len(b) == 0 || b[len(b)-1] != '}' {
		return b
	}
	first := true
	sourceNotes(rec, func(src *respfile.Source, n *respfile.SourceNote) {
		if first {
			b = append(b[:len(b)-1], `,"input_notes":[`...)
			first = false
		} else {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = appendJSONString(b, n.Code)
		b = append(b, `,"instrument":`...)
		b = appendJSONString(b, src.Instrument)
		if n.Item != "" {
			b = append(b, `,"item":`...)
			b = appendJSONString(b, n.Item)
		}
		if src.Reference != "" {
			b = append(b, `,"source":`...)
			b = appendJSONString(b, src.Reference)
		}
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(src.Line), 10)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, n.Message)
		b = append(b, '}')
	})
	if !first {
		b = append(b, "]}"...)
	}
	return b
}

// sourceNotes writes the record's input notes in the text format.
func (t *textBuf) sourceNotes(rec *respfile.Record) {
	first := true
	sourceNotes(rec, func(src *respfile.Source, n *respfile.SourceNote) {
		if first {
			t.raw("Input notes (how the FHIR responses were read):")
			t.nl()
			first = false
		}
		t.raw("  - ")
		t.safe(noteOwner(src, n))
		t.raw(" ")
		t.safe(n.Code)
		t.raw(": ")
		t.words(n.Message, 6)
		t.nl()
	})
}
