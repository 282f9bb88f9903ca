package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/painscreen/painscreen/screen"
)

// FHIR input and output. The FHIR mapping itself (QuestionnaireResponse → response set, report → Bundle)
// belongs to the FHIR support of painscreen; this file adapts it to HTTP.

// isFHIR reports whether a body is FHIR: by its media type (application/fhir+json), or, for plain JSON,
// by a top-level "resourceType" member (a native response set has none).
func isFHIR(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/fhir+json" {
		return true
	}
	if !bytes.Contains(body, []byte(`"resourceType"`)) {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return false
	}
	_, ok := top["resourceType"]
	return ok
}

var errNoFHIR = &httpError{http.StatusNotImplemented, apiError{Code: "fhir_unsupported",
	Message: "FHIR input is not supported by this build; send a native response set (application/json)"}}

// decodeFHIRResponse reads a QuestionnaireResponse, or a Bundle of them, into one response set.
func decodeFHIRResponse(body []byte) (*screen.Response, *httpError) {
	return nil, errNoFHIR
}

// prefetchResponses reads the prefetched searchset Bundle of a patient's QuestionnaireResponses into the
// response sets to score.
func prefetchResponses(raw []byte, patientID string) ([]*screen.Response, *httpError) {
	return nil, errNoFHIR
}

// encodeFHIRReport writes a report as a FHIR Bundle.
func encodeFHIRReport(rep *screen.Report) ([]byte, *httpError) {
	return nil, &httpError{http.StatusNotAcceptable, apiError{Code: "fhir_unsupported",
		Message: "FHIR output (format=fhir) is not supported by this build; ask for the JSON report"}}
}
