package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// CDS Hooks 2.0: discovery and the patient-view service.

// hookPatientView is the hook the service answers: a clinician opens a patient's record, and the latest
// screening questionnaires the patient completed are scored into cards.
const hookPatientView = "patient-view"

// prefetchKey names the prefetched search of the patient's completed QuestionnaireResponses.
const prefetchKey = "questionnaireResponses"

// patientPrefetchKey names the prefetched Patient (optional): its US Core birth sex is the context sex
// that sex-specific cut-points read.
const patientPrefetchKey = "patient"

// patientPrefetchTemplate reads the patient.
const patientPrefetchTemplate = "Patient/{{context.patientId}}"

// prefetchTemplate is the FHIR search the EHR runs before calling: the patient's completed
// QuestionnaireResponses.
const prefetchTemplate = "QuestionnaireResponse?subject={{context.patientId}}&status=completed"

type discoveryDoc struct {
	Services []discoveryService `json:"services"`
}

// discoveryService is one CDS service of discovery, with the 2.0 specification's field names.
type discoveryService struct {
	Hook              string            `json:"hook"`
	Title             string            `json:"title,omitempty"`
	Description       string            `json:"description"`
	ID                string            `json:"id"`
	Prefetch          map[string]string `json:"prefetch,omitempty"`
	UsageRequirements string            `json:"usageRequirements,omitempty"`
}

func (h *Handler) discoveryJSON() []byte {
	title := "Chronic pain and opioid use disorder screen"
	if rs, ok := h.eng.RuleSet(); ok && rs.Title != "" {
		title = rs.Title
	}
	doc := discoveryDoc{Services: []discoveryService{{
		Hook:  hookPatientView,
		Title: title,
		Description: "Scores the patient's completed screening questionnaires (pain impact, opioid use disorder, drug use, " +
			"depression, anxiety, alcohol, PTSD) into a risk tier and referrals with the reasons behind them. " +
			"Decision support for a clinician, not a diagnosis.",
		ID:       h.cfg.ServiceID,
		Prefetch: ehrPrefetch(map[string]string{prefetchKey: prefetchTemplate, patientPrefetchKey: patientPrefetchTemplate}),
		UsageRequirements: "The EHR sends the prefetch " + prefetchKey + " (a searchset Bundle of the patient's completed QuestionnaireResponses) and a signed JWT; " +
			"the prefetch " + patientPrefetchKey + " is optional (its US Core birth sex selects sex-specific cut-points)." + ehrUsage,
	}}}
	b, _ := json.Marshal(doc)
	return append(b, '\n')
}

func (h *Handler) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.disco)
}

// cdsRequest is the body of a CDS service call (CDS Hooks 2.0 "HTTP Request").
type cdsRequest struct {
	Hook              string                     `json:"hook"`
	HookInstance      string                     `json:"hookInstance"`
	FHIRServer        string                     `json:"fhirServer,omitempty"`
	FHIRAuthorization json.RawMessage            `json:"fhirAuthorization,omitempty"`
	Context           json.RawMessage            `json:"context"`
	Prefetch          map[string]json.RawMessage `json:"prefetch,omitempty"`
}

// patientViewContext is the context of patient-view.
type patientViewContext struct {
	UserID      string `json:"userId"`
	PatientID   string `json:"patientId"`
	EncounterID string `json:"encounterId,omitempty"`
}

type cdsResponse struct {
	Cards []card `json:"cards"`
}

func badRequest(code, msg string) *httpError {
	return &httpError{http.StatusBadRequest, apiError{Code: code, Message: msg}}
}

// cdsCall serves POST /cds-services/{id}.
func (h *Handler) cdsCall(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != h.cfg.ServiceID {
		writeError(w, http.StatusNotFound, apiError{Code: "unknown_service", Message: "no CDS service has this id (see GET /cds-services)"})
		return
	}
	body, e := readBody(r)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	req, pctx, e := parseCDSRequest(body)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	raw, ok := req.Prefetch[prefetchKey]
	if !ok || isNull(raw) {
		// CDS Hooks: 412 when the service cannot get the data it needs. Fetching from fhirServer with
		// fhirAuthorization is not implemented: the EHR must prefetch.
		writeError(w, http.StatusPreconditionFailed, apiError{Code: "no_prefetch",
			Message: "the request has no prefetch " + prefetchKey + " (" + prefetchTemplate + "); this service does not query the EHR's FHIR server, so the EHR must send it"})
		return
	}
	pre, e := h.prefetchResponses(raw, pctx.PatientID)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	out := cdsResponse{Cards: []card{}}
	if raw, ok := req.Prefetch[patientPrefetchKey]; ok && pre.resp != nil && !isNull(raw) && h.contextSex {
		sex, e := patientSex(raw, pctx.PatientID)
		if e != nil {
			writeError(w, e.status, e.apiError)
			return
		}
		if _, given := pre.resp.Context["sex"]; sex != "" && !given {
			if pre.resp.Context == nil {
				pre.resp.Context = map[string]any{}
			}
			pre.resp.Context["sex"] = sex
		}
	}
	if pre.resp != nil {
		ehrCtx := h.deriveEHRContext(prefetchEHRInput(req.Prefetch), pctx.PatientID, pre.resp)
		rep, err := h.eng.Score(r.Context(), pre.resp)
		if rep == nil { // nothing to score; invalid answers alone give a report (and a card about them)
			status, ae := scoreError(err)
			writeError(w, status, ae)
			return
		}
		out.Cards = h.ehrCards(h.cards.cards(rep), rep, ehrCtx)
	}
	if len(pre.problems) > 0 {
		out.Cards = append(out.Cards, h.cards.unreadCard(pre.problems))
		sortCards(out.Cards)
	}
	if rec, ok := w.(*recorder); ok {
		rec.cards = len(out.Cards)
	}
	if h.metrics != nil {
		for _, c := range out.Cards {
			h.metrics.CardsIssued(c.Indicator, 1)
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, http.StatusInternalServerError, apiError{Code: "internal", Message: "the cards could not be encoded"})
		return
	}
	writeJSON(w, http.StatusOK, append(b, '\n'))
}

func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// parseCDSRequest decodes and checks a patient-view call.
func parseCDSRequest(body []byte) (*cdsRequest, *patientViewContext, *httpError) {
	var req cdsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, badRequest("bad_json", "the request is not a CDS Hooks request (JSON object with hook, hookInstance, context)")
	}
	switch {
	case req.Hook == "":
		return nil, nil, badRequest("missing_field", "the request has no hook")
	case req.Hook != hookPatientView:
		return nil, nil, badRequest("unsupported_hook", "this service answers the "+hookPatientView+" hook only")
	case req.HookInstance == "":
		return nil, nil, badRequest("missing_field", "the request has no hookInstance")
	case len(req.FHIRAuthorization) > 0 && !bytes.Equal(req.FHIRAuthorization, []byte("null")) && req.FHIRServer == "":
		return nil, nil, badRequest("missing_field", "fhirAuthorization is given without fhirServer")
	}
	var pctx patientViewContext
	if len(req.Context) == 0 || json.Unmarshal(req.Context, &pctx) != nil {
		return nil, nil, badRequest("bad_context", "context must be an object with userId and patientId strings")
	}
	if strings.TrimSpace(pctx.PatientID) == "" {
		return nil, nil, badRequest("missing_field", "context.patientId is required")
	}
	return &req, &pctx, nil
}
