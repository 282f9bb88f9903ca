package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/painscreen/painscreen/screen/respfile"
)

// prefetchData is what one prefetch key yields: the documents to read (a search's pages, or one
// resource), whether the EHR said there is no data (null), and why the data are incomplete.
type prefetchData struct {
	docs       [][]byte
	fetched    []bool // docs[i] came from fhirServer (not from the prefetch)
	null       bool
	incomplete []string // said on a card: the results may miss data
}

// fhirEnvelope is what the service reads of a prefetched or fetched document before decoding it.
type fhirEnvelope struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
}

func envelopeOf(doc []byte) fhirEnvelope {
	var env fhirEnvelope
	_ = json.Unmarshal(doc, &env) // a document that is not this shape is left to the decoder to refuse
	return env
}

// nextLink is the url of a searchset's "next" link, or "".
func (env fhirEnvelope) nextLink() string {
	if env.ResourceType != "Bundle" {
		return ""
	}
	for _, l := range env.Link {
		if l.Relation == "next" && l.URL != "" {
			return l.URL
		}
	}
	return ""
}

// prefetchFor gathers the data of one prefetch key (CDS Hooks 2.0): the prefetched value; or, when the
// key is absent, the EHR reported a failed prefetch (an OperationOutcome) or sent one page of a paged
// search, what fhirServer gives (f, nil when the call has no fhirServer). Without fhirServer a missing
// required key is refused with 412; a failed prefetch or a paged search is answered with what there is,
// and the incomplete data are said on a card. null is the EHR's "no data".
func (h *Handler) prefetchFor(ctx context.Context, req *cdsRequest, spec prefetchSpec, patientID string, f *fetcher) (*prefetchData, *httpError) {
	d := &prefetchData{}
	raw, present := req.Prefetch[spec.key]
	switch {
	case present && isNull(raw):
		d.null = true
		return d, nil
	case !present && f == nil:
		if spec.required {
			return nil, &httpError{http.StatusPreconditionFailed, apiError{Code: "no_prefetch",
				Message: "the request has no prefetch " + spec.key + " (" + spec.template + ") and no fhirServer to read it from"}}
		}
		return d, nil
	case !present:
		h.fetchAll(ctx, d, spec, patientID, f, "")
		return d, nil
	}
	if envelopeOf(raw).ResourceType == "OperationOutcome" {
		if f == nil {
			d.incomplete = append(d.incomplete, "the EHR reported that it could not prefetch "+spec.key+", and gave no fhirServer to read it from")
			return d, nil
		}
		h.fetchAll(ctx, d, spec, patientID, f, "the EHR reported that it could not prefetch "+spec.key+"; ")
		return d, nil
	}
	d.docs, d.fetched = append(d.docs, raw), append(d.fetched, false)
	if spec.search {
		h.followNext(ctx, d, spec, raw, f)
	}
	return d, nil
}

// fetchAll reads spec's query from fhirServer, every page of it.
func (h *Handler) fetchAll(ctx context.Context, d *prefetchData, spec prefetchSpec, patientID string, f *fetcher, why string) {
	ref := strings.ReplaceAll(spec.template, "{{context.patientId}}", url.QueryEscape(patientID))
	if !spec.search {
		ref = strings.ReplaceAll(spec.template, "{{context.patientId}}", url.PathEscape(patientID))
	}
	doc, err := f.get(ctx, ref)
	if err != nil {
		d.incomplete = append(d.incomplete, why+spec.key+" could not be read from fhirServer: "+err.Error())
		return
	}
	if envelopeOf(doc).ResourceType == "OperationOutcome" {
		d.incomplete = append(d.incomplete, why+"fhirServer answered the read of "+spec.key+" with an OperationOutcome")
		return
	}
	d.docs, d.fetched = append(d.docs, doc), append(d.fetched, true)
	if spec.search {
		h.followNext(ctx, d, spec, doc, f)
	}
}

// followNext reads the next pages of a paged searchset from fhirServer.
func (h *Handler) followNext(ctx context.Context, d *prefetchData, spec prefetchSpec, doc []byte, f *fetcher) {
	for next := envelopeOf(doc).nextLink(); next != ""; next = envelopeOf(doc).nextLink() {
		if f == nil {
			d.incomplete = append(d.incomplete, "the prefetch "+spec.key+" is one page of a longer search, and the call gave no fhirServer to read the rest from")
			return
		}
		var err error
		if doc, err = f.get(ctx, next); err != nil {
			d.incomplete = append(d.incomplete, "the next page of "+spec.key+" could not be read from fhirServer: "+err.Error())
			return
		}
		if envelopeOf(doc).ResourceType != "Bundle" {
			d.incomplete = append(d.incomplete, "fhirServer answered a next page of "+spec.key+" with something other than a Bundle")
			return
		}
		d.docs, d.fetched = append(d.docs, doc), append(d.fetched, true)
	}
}

// readPrefetch decodes the QuestionnaireResponse documents and merges them (merge.go).
func (h *Handler) readPrefetch(d *prefetchData, patientID string) (*prefetched, *httpError) {
	pre := &prefetched{incomplete: d.incomplete}
	var entries []*qrEntry
	for i, doc := range d.docs {
		dec := respfile.NewDecoder(bytes.NewReader(doc), respfile.FormatFHIR, h.cfg.Limits)
		dec.UseFHIR(h.mapper)
		for {
			rec, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var ie *respfile.Error
			if errors.As(err, &ie) && ie.Code == respfile.CodeEmpty {
				break // a Bundle with no QuestionnaireResponse: nothing to say
			}
			if err != nil {
				if d.fetched[i] {
					pre.incomplete = append(pre.incomplete, "a page read from fhirServer could not be read: "+inputError(err).Message)
					break
				}
				e := inputError(err)
				e.Message = "prefetch " + prefetchKey + ": " + e.Message
				return nil, e
			}
			if rec.Err != nil {
				pre.problems = append(pre.problems, *rec.Err)
				continue
			}
			if !samePatient(rec.Response.Subject, patientID) {
				return nil, badRequest("wrong_patient", "prefetch "+prefetchKey+" holds a QuestionnaireResponse of another subject than context.patientId")
			}
			entries = append(entries, h.entriesOf(rec)...)
		}
	}
	h.merge(pre, entries, patientID)
	return pre, nil
}

// samePatient reports whether a QuestionnaireResponse's subject may be the patient. A reference must
// name the patient ("Patient/ID", "Patient/ID/_history/N", or an absolute URL ending in either); a
// subject given as an identifier (no "/") cannot be compared with the FHIR id and is taken as the EHR's
// patient-scoped search returned it, as is an empty subject.
func samePatient(subject, patientID string) bool {
	if subject == "" || !strings.Contains(subject, "/") {
		return true
	}
	if i := strings.Index(subject, "/_history/"); i >= 0 {
		subject = subject[:i]
	}
	return subject == "Patient/"+patientID || strings.HasSuffix(subject, "/Patient/"+patientID)
}
