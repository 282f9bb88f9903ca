package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// FHIR input and output: the mapping itself (QuestionnaireResponse → response set, report → Bundle)
// is screen/respfile's FHIRMapper and screen/fhir's Writer; this file adapts them to HTTP and CDS Hooks.

// decoded is one response set read from a request, with the resources it came from.
type decoded struct {
	resp    *screen.Response
	sources []respfile.Source
	ehr     *ehr.Context // treatment context derived from the Bundle (ehrcontext.go)
}

// decodeOne reads exactly one response set: native JSON, or FHIR (a QuestionnaireResponse or a Bundle
// of them, detected by its resourceType, or named by the media type application/fhir+json).
func (h *Handler) decodeOne(contentType string, body []byte) (*decoded, *httpError) {
	format := respfile.FormatJSON
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/fhir+json" {
		format = respfile.FormatFHIR
	}
	dec := respfile.NewDecoder(bytes.NewReader(body), format, h.cfg.Limits)
	dec.UseFHIR(h.mapper)
	dec.UseEHRContext(h.acceptEHR)
	rec, err := dec.Next()
	if err != nil {
		return nil, inputError(err)
	}
	if rec.Err != nil {
		return nil, inputError(rec.Err)
	}
	switch _, err := dec.Next(); {
	case errors.Is(err, io.EOF):
		return &decoded{resp: rec.Response, sources: rec.Sources, ehr: rec.EHR}, nil
	case err != nil:
		return nil, inputError(err)
	}
	return nil, &httpError{http.StatusBadRequest, apiError{Code: "too_many_records",
		Message: "send one response set per request (FHIR: the QuestionnaireResponses of one subject on one date)"}}
}

// fhirBundle writes a report as a FHIR R4 Bundle (Observations and a RiskAssessment). The Bundle's ids
// derive from the request body, so the same request gives the same Bundle.
func (h *Handler) fhirBundle(dst []byte, rep *screen.Report, d *decoded, body []byte) []byte {
	sum := sha256.Sum256(body)
	in := fhir.Input{Subject: rep.Subject, Date: d.resp.Date, Seed: hex.EncodeToString(sum[:])}
	for _, s := range d.sources {
		in.Responses = append(in.Responses, fhir.ResponseRef{Reference: s.Reference, Instrument: s.Instrument, Preliminary: s.Preliminary()})
	}
	return append(h.writer.AppendBundle(dst, rep, in), '\n')
}
