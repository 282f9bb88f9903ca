package ehr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The few FHIR R4 elements the derivation reads (a resource is decoded once, into anyResource, and copied
// into the struct of its type). Numbers are read as float64 and checked where they are used, so that a
// malformed number spoils only the value it is in, not the resource.

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type codeableConcept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

type reference struct {
	Reference string `json:"reference"`
}

type quantity struct {
	Value  *float64 `json:"value"`
	Unit   string   `json:"unit"`
	System string   `json:"system"`
	Code   string   `json:"code"`
}

type fhirRange struct {
	Low  *quantity `json:"low"`
	High *quantity `json:"high"`
}

type ratio struct {
	Numerator   *quantity `json:"numerator"`
	Denominator *quantity `json:"denominator"`
}

type repeat struct {
	Frequency    *float64 `json:"frequency"`
	FrequencyMax *float64 `json:"frequencyMax"`
	Period       *float64 `json:"period"`
	PeriodUnit   string   `json:"periodUnit"`
	TimeOfDay    []string `json:"timeOfDay"`
	When         []string `json:"when"`
}

type timing struct {
	Repeat *repeat          `json:"repeat"`
	Code   *codeableConcept `json:"code"`
}

type doseAndRate struct {
	DoseQuantity *quantity  `json:"doseQuantity"`
	DoseRange    *fhirRange `json:"doseRange"`
}

type dosage struct {
	Sequence                *float64         `json:"sequence"`
	Text                    string           `json:"text"`
	Timing                  *timing          `json:"timing"`
	AsNeededBoolean         *bool            `json:"asNeededBoolean"`
	AsNeededCodeableConcept *codeableConcept `json:"asNeededCodeableConcept"`
	DoseAndRate             []doseAndRate    `json:"doseAndRate"`
	MaxDosePerPeriod        *ratio           `json:"maxDosePerPeriod"`
}

func (d *dosage) asNeeded() bool {
	return (d.AsNeededBoolean != nil && *d.AsNeededBoolean) || d.AsNeededCodeableConcept != nil
}

type medication struct {
	ID   string           `json:"id"`
	Code *codeableConcept `json:"code"`
}

type medicationRequest struct {
	ID                        string
	Status                    string
	DoNotPerform              *bool
	MedicationCodeableConcept *codeableConcept
	MedicationReference       *reference
	Subject                   *reference
	ReasonCode                []codeableConcept
	ReasonReference           []reference
	DosageInstruction         []dosage

	fullURL   string
	ref       string       // "MedicationRequest/id", as reasons name it
	contained []medication // the contained Medications
}

type condition struct {
	ID                 string
	ClinicalStatus     *codeableConcept
	VerificationStatus *codeableConcept
	Code               *codeableConcept
	Subject            *reference

	fullURL string
}

type extension struct {
	URL         string      `json:"url"`
	ValueCode   string      `json:"valueCode"`
	ValueCoding *coding     `json:"valueCoding"`
	Extension   []extension `json:"extension"`
}

type patient struct {
	ID        string
	BirthDate string
	Gender    string
	Extension []extension

	fullURL string
}

// Unreadable describes a resource that could not be read. It names the resource by type and id (or its
// position in the input) and never carries a value from it.
type Unreadable struct {
	Type     string // resource type, "" when even that could not be read
	Resource string // "MedicationRequest/abc", or "entry 3" when the resource has no id
	Offset   int64  // byte offset of the problem within the resource, when known
}

// Resources holds the FHIR R4 resources of one or more patients that Derive reads: Patient,
// MedicationRequest, Medication and Condition. Other resource types are counted and ignored. The zero value
// is empty and ready to use; a Resources is not safe for concurrent modification.
type Resources struct {
	patients    []patient
	requests    []medicationRequest
	medications map[string]*medication // by "Medication/id" and by fullUrl
	conditions  []condition
	unreadable  []Unreadable
	other       int
	entries     int
}

// ErrNotFHIR is returned by Add when the data is not a JSON object with a resourceType.
var ErrNotFHIR = errors.New("ehr: not a FHIR resource (a JSON object with a resourceType)")

// Add reads one FHIR R4 resource in JSON: a Bundle (of any type: its entries are read, nested Bundles too),
// a Patient, MedicationRequest, Medication or Condition. Any other resource type is counted and ignored.
//
// A resource whose elements do not have the FHIR types (a string where a number belongs, say) is not an
// error of the whole input: it is listed as unreadable (Resources.Unreadable) and Derive treats what it
// could have said as unknown. Add returns an error only when data is not a JSON object with a
// resourceType; the error gives a byte offset, never a value from the input.
func (r *Resources) Add(data []byte) error {
	return r.add(data, "", 0)
}

// anyResource is the union of the elements read from the resource types Add takes (and a Bundle's
// entries), so that a resource is decoded once.
type anyResource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	// Bundle
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
	// Patient
	BirthDate string      `json:"birthDate"`
	Gender    string      `json:"gender"`
	Extension []extension `json:"extension"`
	// MedicationRequest
	Status                    string            `json:"status"`
	DoNotPerform              *bool             `json:"doNotPerform"`
	MedicationCodeableConcept *codeableConcept  `json:"medicationCodeableConcept"`
	MedicationReference       *reference        `json:"medicationReference"`
	Subject                   *reference        `json:"subject"`
	ReasonCode                []codeableConcept `json:"reasonCode"`
	ReasonReference           []reference       `json:"reasonReference"`
	DosageInstruction         []dosage          `json:"dosageInstruction"`
	Contained                 []json.RawMessage `json:"contained"`
	// Condition (and Medication: code)
	ClinicalStatus     *codeableConcept `json:"clinicalStatus"`
	VerificationStatus *codeableConcept `json:"verificationStatus"`
	Code               *codeableConcept `json:"code"`
}

func (r *Resources) add(data []byte, fullURL string, depth int) error {
	var u anyResource
	err := json.Unmarshal(data, &u)
	if err != nil || u.ResourceType == "" {
		// Read the type alone: a resource of another type with an element painscreen does not read in
		// the shape it expects is not a problem; one of the types it reads is unreadable.
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if herr := json.Unmarshal(data, &head); herr != nil || head.ResourceType == "" {
			var se *json.SyntaxError
			if errors.As(herr, &se) {
				return fmt.Errorf("%w: syntax error at byte %d", ErrNotFHIR, se.Offset)
			}
			return ErrNotFHIR
		}
		switch head.ResourceType {
		case "Bundle", "Patient", "MedicationRequest", "Medication", "Condition":
		default:
			r.entries++
			r.other++
			return nil
		}
		r.entries++
		u := Unreadable{Type: head.ResourceType, Resource: head.ResourceType + "/" + head.ID}
		if head.ID == "" {
			u.Resource = "entry " + strconv.Itoa(r.entries)
		}
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			u.Offset = te.Offset
		case errors.As(err, &se):
			u.Offset = se.Offset
		}
		r.unreadable = append(r.unreadable, u)
		return nil
	}
	if u.ResourceType != "Bundle" {
		r.entries++
	}
	switch u.ResourceType {
	case "Bundle":
		if depth > 4 {
			r.entries++
			r.unreadable = append(r.unreadable, Unreadable{Type: "Bundle", Resource: "entry " + strconv.Itoa(r.entries)})
			return nil
		}
		for _, e := range u.Entry {
			if len(bytes.TrimSpace(e.Resource)) == 0 || bytes.Equal(bytes.TrimSpace(e.Resource), []byte("null")) {
				continue // a search Bundle's entry without a resource
			}
			if err := r.add(e.Resource, e.FullURL, depth+1); err != nil {
				r.entries++
				r.unreadable = append(r.unreadable, Unreadable{Resource: "entry " + strconv.Itoa(r.entries)})
			}
		}
	case "Patient":
		r.patients = append(r.patients, patient{ID: u.ID, BirthDate: u.BirthDate, Gender: u.Gender, Extension: u.Extension, fullURL: fullURL})
	case "MedicationRequest":
		m := medicationRequest{ID: u.ID, Status: u.Status, DoNotPerform: u.DoNotPerform,
			MedicationCodeableConcept: u.MedicationCodeableConcept, MedicationReference: u.MedicationReference,
			Subject: u.Subject, ReasonCode: u.ReasonCode, ReasonReference: u.ReasonReference,
			DosageInstruction: u.DosageInstruction, fullURL: fullURL, ref: "MedicationRequest/" + u.ID}
		for _, c := range u.Contained {
			var cm struct {
				ResourceType string `json:"resourceType"`
				medication
			}
			if json.Unmarshal(c, &cm) == nil && cm.ResourceType == "Medication" {
				m.contained = append(m.contained, cm.medication)
			}
		}
		r.requests = append(r.requests, m)
	case "Medication":
		m := &medication{ID: u.ID, Code: u.Code}
		if r.medications == nil {
			r.medications = map[string]*medication{}
		}
		if m.ID != "" {
			r.medications["Medication/"+m.ID] = m
		}
		if fullURL != "" {
			r.medications[fullURL] = m
		}
	case "Condition":
		r.conditions = append(r.conditions, condition{ID: u.ID, ClinicalStatus: u.ClinicalStatus,
			VerificationStatus: u.VerificationStatus, Code: u.Code, Subject: u.Subject, fullURL: fullURL})
	default:
		r.other++
	}
	return nil
}

// Unreadable lists the resources that could not be read, in input order.
func (r *Resources) Unreadable() []Unreadable { return r.unreadable }

// PatientIDs lists the ids of the Patient resources read, in input order.
func (r *Resources) PatientIDs() []string {
	ids := make([]string, 0, len(r.patients))
	for _, p := range r.patients {
		ids = append(ids, p.ID)
	}
	return ids
}

// Counts reports how many resources of each kind were read (unreadable ones not included).
func (r *Resources) Counts() (patients, medicationRequests, conditions, other int) {
	return len(r.patients), len(r.requests), len(r.conditions), r.other
}

// CountFor reports how many MedicationRequests and Conditions name the patient with this id as their
// subject ("Patient/id", or a URL ending in it) or name no subject. A caller can take a document that holds
// some of the patient's requests as holding all of them (Options.MedicationsComplete), as the CLI does for a
// FHIR Bundle.
func (r *Resources) CountFor(patient string) (medicationRequests, conditions int) {
	d := &deriver{r: r, opt: Options{Patient: patient}}
	_ = d.choosePatient() // the Patient resource, when present, also matches its fullUrl
	for i := range r.requests {
		if d.mine(r.requests[i].Subject) {
			medicationRequests++
		}
	}
	for i := range r.conditions {
		if d.mine(r.conditions[i].Subject) {
			conditions++
		}
	}
	return medicationRequests, conditions
}

// ByPatient splits the resources by the patient they belong to (Patient id; the subject "Patient/id", a URL
// ending in it, or the fullUrl of a Patient in the same Bundle), so that deriving the context of each
// patient of a large Bundle reads only that patient's resources. Resources that name no patient, unreadable
// resources and Medications are in every part.
func (r *Resources) ByPatient() map[string]*Resources {
	parts := map[string]*Resources{}
	byURL := map[string]string{}
	part := func(id string) *Resources {
		p := parts[id]
		if p == nil {
			p = &Resources{medications: r.medications, unreadable: r.unreadable, other: r.other}
			parts[id] = p
		}
		return p
	}
	for _, p := range r.patients {
		part(p.ID).patients = append(part(p.ID).patients, p)
		if p.fullURL != "" {
			byURL[p.fullURL] = p.ID
		}
	}
	owner := func(s *reference) (string, bool) {
		if s == nil || s.Reference == "" {
			return "", false
		}
		if id, ok := byURL[s.Reference]; ok {
			return id, true
		}
		i := strings.LastIndex(s.Reference, "Patient/")
		if i < 0 || (i > 0 && s.Reference[i-1] != '/') || strings.ContainsRune(s.Reference[i+len("Patient/"):], '/') {
			return "", false
		}
		return s.Reference[i+len("Patient/"):], true
	}
	var sharedReq []medicationRequest
	var sharedCond []condition
	for _, m := range r.requests {
		if id, ok := owner(m.Subject); ok {
			part(id).requests = append(part(id).requests, m)
		} else {
			sharedReq = append(sharedReq, m)
		}
	}
	for _, c := range r.conditions {
		if id, ok := owner(c.Subject); ok {
			part(id).conditions = append(part(id).conditions, c)
		} else {
			sharedCond = append(sharedCond, c)
		}
	}
	for _, p := range parts {
		p.requests = append(p.requests, sharedReq...)
		p.conditions = append(p.conditions, sharedCond...)
	}
	return parts
}
