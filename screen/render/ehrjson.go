package render

import (
	"encoding/json"

	"github.com/painscreen/painscreen/screen/respfile"
)

// appendEHRJSON adds "ehr_context" (ehr.Context.MarshalJSON) at the end of a JSON report when the
// record's context was derived from its FHIR Bundle's treatment record.
func appendEHRJSON(b []byte, rec *respfile.Record) []byte {
	if rec == nil || rec.EHR == nil || len(b) == 0 || b[len(b)-1] != '}' {
		return b
	}
	j, err := json.Marshal(rec.EHR)
	if err != nil {
		return b
	}
	b = append(b[:len(b)-1], `,"ehr_context":`...)
	b = append(b, j...)
	return append(b, '}')
}
