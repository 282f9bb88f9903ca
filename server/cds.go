package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// CDS Hooks 2.0: discovery and the patient-view service.

// hookPatientView is the hook the service answers: a clinician opens a patient's record, and the latest
// screening questionnaires the patient completed are scored into cards.
const hookPatientView = "patient-view"

// prefetchKey names the prefetched search of the patient's QuestionnaireResponses.
const prefetchKey = "questionnaireResponses"

// patientPrefetchKey names the prefetched Patient (optional): its US Core birth sex is the context sex
// that sex-specific cut-points read, its birthDate gives the age at the response date.
const patientPrefetchKey = "patient"

// patientPrefetchTemplate reads the patient.
const patientPrefetchTemplate = "Patient/{{context.patientId}}"

// prefetchTemplate is the FHIR search the EHR runs before calling: every QuestionnaireResponse of the
// patient, whatever its status (an in-progress PHQ-9 with item 9 endorsed must arrive; entered-in-error
// ones are left out when read).
const prefetchTemplate = "QuestionnaireResponse?patient={{context.patientId}}"

// prefetchSpec is one prefetch key of the service: discovery asks for it, a call reads it from the
// prefetch or, when the EHR did not or could not prefetch it, from fhirServer. Adding a prefetch (say
// MedicationRequest) is one more entry here and one more reader of its documents.
type prefetchSpec struct {
	key      string
	template string // with {{context.patientId}}
	search   bool   // a search (a searchset Bundle, possibly paged) rather than a read
	required bool   // without it and without fhirServer, the call is refused with 412
}

var prefetchSpecs = []prefetchSpec{
	{key: prefetchKey, template: prefetchTemplate, search: true, required: true},
	{key: patientPrefetchKey, template: patientPrefetchTemplate},
}

func prefetchTemplates() map[string]string {
	m := map[string]string{}
	for _, p := range prefetchSpecs {
		m[p.key] = p.template
	}
	return m
}

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
		Prefetch: ehrPrefetch(prefetchTemplates()),
		UsageRequirements: "The EHR sends the prefetch " + prefetchKey + " (a searchset Bundle of the patient's QuestionnaireResponses), " +
			"or fhirServer and fhirAuthorization to read it, and a signed JWT; " +
			"the prefetch " + patientPrefetchKey + " is optional (its US Core birth sex selects sex-specific cut-points, its birthDate gives the age)." + ehrUsage,
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

	auth *fhirAuthorization // parsed fhirAuthorization; nil when none
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
	f, err := h.newFetcher(req.FHIRServer, req.auth)
	if err != nil {
		writeError(w, http.StatusBadRequest, apiError{Code: "bad_fhir_server", Message: err.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.FetchTimeout)
	defer cancel()
	data := map[string]*prefetchData{}
	for _, spec := range prefetchSpecs {
		d, e := h.prefetchFor(ctx, req, spec, pctx.PatientID, f)
		if e != nil {
			writeError(w, e.status, e.apiError)
			return
		}
		data[spec.key] = d
	}
	pre, e := h.readPrefetch(data[prefetchKey], pctx.PatientID)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	pat, e := h.readPatient(data[patientPrefetchKey], pctx.PatientID)
	if e != nil {
		writeError(w, e.status, e.apiError)
		return
	}
	out := cdsResponse{Cards: []card{}}
	var rep *screen.Report
	if pre.resp != nil {
		h.applyPatient(pre, pat)
		ehrCtx := h.deriveEHRContext(prefetchEHRInput(req.Prefetch), pctx.PatientID, pre.resp)
		rep, err = h.eng.Score(r.Context(), pre.resp)
		if rep == nil { // nothing to score; invalid answers alone give a report (and a card about them)
			status, ae := scoreError(err)
			writeError(w, status, ae)
			return
		}
		out.Cards = h.ehrCards(h.cards.cards(rep), rep, ehrCtx)
	}
	out.Cards = append(out.Cards, h.inputCards(pre, rep, data)...)
	if len(pre.problems) > 0 {
		out.Cards = append(out.Cards, h.cards.unreadCard(pre.problems))
	}
	sortCards(out.Cards)
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

// The members of the CDS Hooks request objects painscreen reads; parseCDSRequest refuses another spelling
// of one of them (JSON member names are case-sensitive) and any member given twice.
var (
	requestMembers = []string{"hook", "hookInstance", "fhirServer", "fhirAuthorization", "context", "prefetch"}
	contextMembers = []string{"userId", "patientId", "encounterId"}
	authMembers    = []string{"access_token", "token_type", "expires_in", "scope", "subject", "patient"}
)

// parseCDSRequest decodes and checks a patient-view call. The envelope is read strictly: a member given
// twice, or a known member spelt in another case ("Hook", "PatientId"), is refused rather than read
// last-wins or case-insensitively as encoding/json would.
func parseCDSRequest(body []byte) (*cdsRequest, *patientViewContext, *httpError) {
	var req cdsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, nil, badRequest("bad_json", "the request is not a CDS Hooks request (JSON object with hook, hookInstance, context)")
	}
	if e := strictMembers(body, "the request", requestMembers); e != nil {
		return nil, nil, e
	}
	if len(req.Prefetch) > 0 {
		keys := make([]string, 0, len(prefetchSpecs))
		for _, p := range prefetchSpecs {
			keys = append(keys, p.key)
		}
		if e := strictMembers(memberValue(body, "prefetch"), "prefetch", keys); e != nil {
			return nil, nil, e
		}
	}
	switch {
	case req.Hook == "":
		return nil, nil, badRequest("missing_field", "the request has no hook")
	case req.Hook != hookPatientView:
		return nil, nil, badRequest("unsupported_hook", "this service answers the "+hookPatientView+" hook only")
	case req.HookInstance == "":
		return nil, nil, badRequest("missing_field", "the request has no hookInstance")
	case len(req.FHIRAuthorization) > 0 && !isNull(req.FHIRAuthorization) && req.FHIRServer == "":
		return nil, nil, badRequest("missing_field", "fhirAuthorization is given without fhirServer")
	}
	if len(req.FHIRAuthorization) > 0 && !isNull(req.FHIRAuthorization) {
		var a fhirAuthorization
		if json.Unmarshal(req.FHIRAuthorization, &a) != nil || a.AccessToken == "" {
			return nil, nil, badRequest("bad_authorization", "fhirAuthorization must be an object with an access_token")
		}
		if e := strictMembers(req.FHIRAuthorization, "fhirAuthorization", authMembers); e != nil {
			return nil, nil, e
		}
		if a.TokenType != "" && !strings.EqualFold(a.TokenType, "Bearer") {
			return nil, nil, badRequest("bad_authorization", "fhirAuthorization.token_type must be Bearer")
		}
		req.auth = &a
	}
	var pctx patientViewContext
	if len(req.Context) == 0 || json.Unmarshal(req.Context, &pctx) != nil {
		return nil, nil, badRequest("bad_context", "context must be an object with userId and patientId strings")
	}
	if e := strictMembers(req.Context, "context", contextMembers); e != nil {
		return nil, nil, e
	}
	if strings.TrimSpace(pctx.PatientID) == "" {
		return nil, nil, badRequest("missing_field", "context.patientId is required")
	}
	return &req, &pctx, nil
}

// strictMembers checks the members of the JSON object raw (a no-op for another value): none may be given
// twice, and none may be another spelling (case) of a known member. The message names the member (a
// field name of the protocol, never a value). raw must be valid JSON (json.Unmarshal checked it): the
// values are skipped without being decoded, so a large prefetch is not copied again.
func strictMembers(raw []byte, where string, known []string) *httpError {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil
	}
	var seen []string
	i = skipWS(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		end := skipString(raw, i)
		var k string
		if json.Unmarshal(raw[i:end], &k) != nil {
			return nil
		}
		if slices.Contains(seen, k) {
			return badRequest("duplicate_key", where+" has a member given twice"+memberName(k, known))
		}
		seen = append(seen, k)
		for _, m := range known {
			if k != m && strings.EqualFold(k, m) {
				return badRequest("bad_member", where+": member names are case-sensitive; write "+m)
			}
		}
		i = skipWS(raw, end)
		i = skipWS(raw, i+1) // ':'
		i = skipWS(raw, skipJSONValue(raw, i))
		if i < len(raw) && raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the offset after the JSON string starting at b[i] ('"').
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipJSONValue returns the offset after the (valid) JSON value starting at b[i].
func skipJSONValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// memberValue is the raw value of the member named key of the (valid) JSON object raw, or nil.
func memberValue(raw []byte, key string) []byte {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil
	}
	i = skipWS(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		end := skipString(raw, i)
		var k string
		_ = json.Unmarshal(raw[i:end], &k)
		i = skipWS(raw, skipWS(raw, end)+1)
		v := skipJSONValue(raw, i)
		if k == key {
			return raw[i:v]
		}
		i = skipWS(raw, v)
		if i < len(raw) && raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	return nil
}

// memberName names a duplicated member when it is one of the protocol's (other names could be anything).
func memberName(k string, known []string) string {
	for _, m := range known {
		if k == m {
			return " (" + m + ")"
		}
	}
	return ""
}
