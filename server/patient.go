package server

import (
	"encoding/json"
	"time"

	"github.com/painscreen/painscreen/screen/respfile"
)

// birthSexURL is the US Core birth sex extension of Patient (valueCode F, M, or UNK and others).
const birthSexURL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"

// patientInfo is what the service reads of the Patient.
type patientInfo struct {
	sex       string // "female", "male" or "" (unknown)
	birthDate string // as written: YYYY, YYYY-MM or YYYY-MM-DD; "" when absent
}

// readPatient reads the Patient prefetch (or the Patient read from fhirServer). The context sex comes from
// its US Core birth sex extension ("" when it has none or another value): Patient.gender is administrative
// gender, not the sex a cut-point such as AUDIT-C's depends on, so it is not read. A prefetched value that
// is not a Patient is refused (400), one read from fhirServer is said on the incomplete-data card; a
// Patient whose id is not context.patientId is refused.
func (h *Handler) readPatient(d *prefetchData, patientID string) (*patientInfo, *httpError) {
	for i, raw := range d.docs {
		var p struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
			BirthDate    string `json:"birthDate"`
			Extension    []struct {
				URL       string `json:"url"`
				ValueCode string `json:"valueCode"`
			} `json:"extension"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || p.ResourceType != "Patient" {
			if d.fetched[i] {
				d.incomplete = append(d.incomplete, "fhirServer did not answer the read of the patient with a Patient resource")
				return nil, nil
			}
			return nil, badRequest("fhir", "prefetch "+patientPrefetchKey+" must be a FHIR Patient resource")
		}
		if p.ID != "" && p.ID != patientID {
			return nil, badRequest("wrong_patient", "prefetch "+patientPrefetchKey+" is another patient than context.patientId")
		}
		info := &patientInfo{birthDate: p.BirthDate}
		for _, e := range p.Extension {
			if e.URL != birthSexURL {
				continue
			}
			switch e.ValueCode {
			case "F":
				info.sex = "female"
			case "M":
				info.sex = "male"
			}
		}
		return info, nil
	}
	return nil, nil
}

// applyPatient sets the context the Patient gives, where the responses did not: sex, and age at the
// response date (the call's date when no response is dated) from birthDate.
func (h *Handler) applyPatient(pre *prefetched, pat *patientInfo) {
	if pat == nil || pre.resp == nil {
		return
	}
	set := func(k string, v any) {
		if _, given := pre.resp.Context[k]; given {
			return
		}
		if pre.resp.Context == nil {
			pre.resp.Context = map[string]any{}
		}
		pre.resp.Context[k] = v
	}
	if pat.sex != "" && h.contextSex {
		set("sex", pat.sex)
	}
	if !h.contextAge || pat.birthDate == "" {
		return
	}
	at := h.cfg.now().UTC()
	if pre.resp.Date != "" {
		if t, err := time.Parse(time.DateOnly, pre.resp.Date); err == nil {
			at = t
		}
	}
	if age, ok := respfile.AgeAt(pat.birthDate, at); ok {
		set("age", int64(age))
	}
}
