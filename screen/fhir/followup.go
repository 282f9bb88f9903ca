package fhir

import (
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// followUps makes one Observation per follow-up measure of the report and gives each to emit with its
// local name (the entry id's).
func (w *Writer) followUps(rep *screen.Report, in Input, subject *Reference, date string, emit func(local string, o *Observation)) {
	f := rep.FollowUp
	if f == nil || !f.Computed {
		return
	}
	var period *Period
	if dateTime.MatchString(f.BaselineDate) && date != "" {
		period = &Period{Start: f.BaselineDate, End: date}
	}
	for _, fi := range f.Instruments {
		res := rep.Instrument(fi.ID)
		cur, st1 := derivedFrom(in.Responses, fi.ID)
		base, st2 := derivedFrom(in.Baseline, fi.ID)
		status := "final"
		if st1 != "final" || st2 != "final" {
			status = "preliminary"
		}
		var method *CodeableConcept
		if res != nil {
			method = &CodeableConcept{Text: res.ID + " " + res.Version + " (" + res.Digest + ")"}
		}
		for _, m := range fi.Measures {
			label := w.followUpLabel(res, m.ID)
			o := &Observation{ResourceType: "Observation", Status: status,
				Category: []CodeableConcept{{Coding: []Coding{{System: observationCategory, Code: "survey", Display: "Survey"}}}},
				Code:     CodeableConcept{Coding: []Coding{{System: FollowUpSystem, Code: fi.ID + "." + m.ID, Display: label}}, Text: label},
				Subject:  subject, Method: method, DerivedFrom: append(append([]Reference(nil), base...), cur...)}
			if period != nil {
				o.EffectivePeriod = period
			} else {
				o.EffectiveDateTime = date
			}
			setValue(o, m.Value)
			o.Note = append(o.Note, Annotation{Text: "Since baseline (" + strconv.Itoa(f.Days) + " days): " + reasonText(m.Reasons()) + " (" + m.Rule + ")."})
			for _, n := range f.Notes {
				if n.About == m.ID || n.About == fi.ID+"."+m.ID {
					o.Note = append(o.Note, Annotation{Text: n.Message})
				}
			}
			emit("followup/"+fi.ID+"/"+m.ID, o)
		}
	}
}

// followUpLabel is a measure's label from the definition, else "INSTRUMENT measure".
func (w *Writer) followUpLabel(res *screen.InstrumentResult, id string) string {
	if res != nil {
		if info := w.insts[res.ID+"@"+res.Version]; info != nil {
			for _, fd := range info.doc.FollowUps {
				if fd.ID == id && fd.Label != "" {
					return fd.Label
				}
			}
		}
		return res.ID + " " + strings.ReplaceAll(id, "_", " ")
	}
	return id
}
