package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"

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
func (h *Handler) fhirBundle(rep *screen.Report, d *decoded, body []byte) []byte {
	sum := sha256.Sum256(body)
	in := fhir.Input{Subject: rep.Subject, Date: d.resp.Date, Seed: hex.EncodeToString(sum[:])}
	for _, s := range d.sources {
		in.Responses = append(in.Responses, fhir.ResponseRef{Reference: s.Reference, Instrument: s.Instrument})
	}
	return append(h.writer.AppendBundle(make([]byte, 0, 16<<10), rep, in), '\n')
}

// prefetched is what a CDS call's prefetch yields: the response set to score (nil when the patient has
// no usable responses) and the problems met reading the responses.
type prefetched struct {
	resp     *screen.Response
	problems []respfile.Error // responses that could not be read (each skipped, and said on a card)
	ignored  int              // readable responses left out: older than the lookback, or repeated
}

// prefetchResponses reads the prefetched searchset Bundle of the patient's QuestionnaireResponses into
// the one response set to score: for each instrument, its most recent answers among the responses
// authored within Lookback of the newest one (a screening battery may be spread over a few days).
// A response of another patient is refused: the cards would describe the wrong person.
func (h *Handler) prefetchResponses(raw []byte, patientID string) (*prefetched, *httpError) {
	dec := respfile.NewDecoder(bytes.NewReader(raw), respfile.FormatFHIR, h.cfg.Limits)
	dec.UseFHIR(h.mapper)
	var recs []respfile.Record
	out := &prefetched{}
	for {
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var ie *respfile.Error
		if errors.As(err, &ie) && ie.Code == respfile.CodeEmpty {
			return out, nil // a Bundle with no QuestionnaireResponse: nothing to say
		}
		if err != nil {
			e := inputError(err)
			e.Message = "prefetch " + prefetchKey + ": " + e.Message
			return nil, e
		}
		if rec.Err != nil {
			out.problems = append(out.problems, *rec.Err)
			continue
		}
		if !samePatient(rec.Response.Subject, patientID) {
			return nil, badRequest("wrong_patient", "prefetch "+prefetchKey+" holds a QuestionnaireResponse of another subject than context.patientId")
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return out, nil
	}
	// Newest first; undated responses last (their recency is unknown), in input order.
	sort.SliceStable(recs, func(i, j int) bool { return dateOf(recs[i].Response) > dateOf(recs[j].Response) })
	newest := dateOf(recs[0].Response)
	merged := &screen.Response{Subject: "Patient/" + patientID, Date: recs[0].Response.Date, Answers: map[string]map[string]any{}}
	taken := map[string]bool{} // instrument ids answered (any version)
	for _, rec := range recs {
		r := rec.Response
		if d := dateOf(r); newest != "" && (d == "" || d < earliest(newest, h.cfg.Lookback)) {
			out.ignored += len(r.Answers)
			continue
		}
		for key, answers := range r.Answers {
			id, _, _ := strings.Cut(key, "@")
			if taken[id] {
				out.ignored++
				continue
			}
			taken[id] = true
			merged.Answers[key] = answers
		}
		for k, v := range r.Context {
			if merged.Context == nil {
				merged.Context = map[string]any{}
			}
			if _, ok := merged.Context[k]; !ok {
				merged.Context[k] = v
			}
		}
	}
	out.resp = merged
	return out, nil
}

// birthSexURL is the US Core birth sex extension of Patient (valueCode F, M, or UNK and others).
const birthSexURL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"

// patientSex reads the prefetched Patient: the context sex ("female", "male") from its US Core birth sex
// extension, or "" when it has none or another value. Patient.gender is administrative gender, not the
// sex a cut-point such as AUDIT-C's depends on, so it is not read: without a birth sex, an instrument
// whose cut-point depends on sex applies the cut-point its definition chooses for an unknown sex (the
// more sensitive one) and its report says so. A Patient whose id is not context.patientId is refused.
func patientSex(raw []byte, patientID string) (string, *httpError) {
	var p struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		Extension    []struct {
			URL       string `json:"url"`
			ValueCode string `json:"valueCode"`
		} `json:"extension"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.ResourceType != "Patient" {
		return "", badRequest("fhir", "prefetch "+patientPrefetchKey+" must be a FHIR Patient resource")
	}
	if p.ID != "" && p.ID != patientID {
		return "", badRequest("wrong_patient", "prefetch "+patientPrefetchKey+" is another patient than context.patientId")
	}
	for _, e := range p.Extension {
		if e.URL != birthSexURL {
			continue
		}
		switch e.ValueCode {
		case "F":
			return "female", nil
		case "M":
			return "male", nil
		}
	}
	return "", nil
}

// dateOf is the response set's date as YYYY-MM-DD (sortable), or "" when it has none.
func dateOf(r *screen.Response) string {
	if len(r.Date) >= 10 {
		if _, err := time.Parse(time.DateOnly, r.Date[:10]); err == nil {
			return r.Date[:10]
		}
	}
	return ""
}

// earliest is the first date (YYYY-MM-DD) within lookback of newest.
func earliest(newest string, lookback time.Duration) string {
	t, err := time.Parse(time.DateOnly, newest)
	if err != nil {
		return newest
	}
	return t.Add(-lookback).Format(time.DateOnly)
}

// samePatient reports whether a QuestionnaireResponse's subject may be the patient. A reference must
// name the patient ("Patient/ID", or an absolute URL ending in /Patient/ID); a subject given as an
// identifier (no "/") cannot be compared with the FHIR id and is taken as the EHR's patient-scoped
// search returned it, as is an empty subject.
func samePatient(subject, patientID string) bool {
	if subject == "" || !strings.Contains(subject, "/") {
		return true
	}
	return subject == "Patient/"+patientID || strings.HasSuffix(subject, "/Patient/"+patientID)
}
