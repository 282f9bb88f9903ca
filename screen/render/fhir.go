package render

import (
	"strconv"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// The fhir format: one line per record, a FHIR R4 Bundle (type collection) of Observations and a
// RiskAssessment for a report, an OperationOutcome for a record that could not be scored.

func (e *Encoder) appendFHIRReport(b []byte, file string, rec *respfile.Record, rep *screen.Report, baseline []respfile.Source) []byte {
	in := fhir.Input{Subject: rep.Subject}
	if rec != nil {
		if rec.Response != nil {
			in.Date = rec.Response.Date
		}
		for _, s := range rec.Sources {
			in.Responses = append(in.Responses, fhir.ResponseRef{Reference: s.Reference, Instrument: s.Instrument, Preliminary: s.Preliminary()})
		}
		if rep.FollowUp != nil {
			for _, s := range baseline {
				in.Baseline = append(in.Baseline, fhir.ResponseRef{Reference: s.Reference, Instrument: s.Instrument})
			}
		}
		in.Seed = file + "\x00" + strconv.Itoa(rec.N) + "\x00" + rep.Subject + "\x00" + in.Date
	}
	b = e.fhir.AppendBundle(b, rep, in)
	return append(b, '\n')
}

func appendFHIRError(b []byte, file string, st *recStat) []byte {
	where := file
	if st.n > 0 {
		where += ": record " + strconv.Itoa(st.n)
	}
	if st.errLine > 0 {
		where += " (line " + strconv.Itoa(st.errLine)
		if st.col > 0 {
			where += ", col " + strconv.Itoa(st.col)
		}
		where += ")"
	}
	if st.inst != "" {
		where += ": " + st.inst
		if st.item != "" {
			where += "." + st.item
		}
	}
	b = fhir.AppendOperationOutcome(b, st.code, st.msg, where)
	return append(b, '\n')
}
