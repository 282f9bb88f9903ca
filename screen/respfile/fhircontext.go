package respfile

import (
	"bytes"
	"strings"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
)

// UseEHRContext makes the decoder derive, for each record of a FHIR Bundle, the treatment context of the
// record's patient from the Patient, MedicationRequest, Medication and Condition resources of the same
// Bundle (package ehr: age from birthDate, opioid MME by the CDC 2022 method, benzodiazepine, MOUD, rescue
// naloxone, prior overdose), and add the fields accept allows (the context fields the loaded definitions
// declare) to the record's context. A field the record already has wins; Record.EHR says what was derived,
// from which resources, and notes any disagreement.
//
// A Bundle that holds MedicationRequests (or Conditions) of the patient is taken as the patient's whole
// medication (or condition) list: a product it does not hold is "not prescribed". A Bundle without any
// leaves those fields unknown. The age is computed at the record's date (else today). Sex is taken only
// from the US Core birth sex extension, as the CDS service does, not from administrative gender. Call it
// before the first Next.
func (d *Decoder) UseEHRContext(accept func(field string) bool) { d.ehrAccept = accept }

// fhirContext derives the treatment context of the records of a FHIR document (see UseEHRContext).
func (d *Decoder) fhirContext(doc []byte) {
	if d.ehrAccept == nil || d.fh == nil || !(bytes.Contains(doc, []byte(`"Patient"`)) ||
		bytes.Contains(doc, []byte(`"MedicationRequest"`)) || bytes.Contains(doc, []byte(`"Condition"`))) {
		return
	}
	var rs ehr.Resources
	if rs.Add(doc) != nil {
		return
	}
	ids := rs.PatientIDs()
	parts := rs.ByPatient() // each record reads only its patient's resources: linear in a large Bundle
	for i := range d.fh.recs {
		rec := &d.fh.recs[i]
		if rec.Response == nil {
			continue
		}
		id := patientOf(rec.Response.Subject)
		if id == "" && len(ids) == 1 {
			id = ids[0]
		}
		if id == "" {
			continue
		}
		p := parts[id]
		if p == nil {
			continue // no resource of this patient in the Bundle
		}
		meds, conds := p.CountFor(id)
		c, err := ehr.Derive(p, ehr.Options{AsOf: asOf(rec.Response.Date), Patient: id,
			MedicationsComplete: meds > 0, ConditionsComplete: conds > 0})
		if err != nil {
			continue // the Bundle holds Patients, none of them this record's
		}
		var notes []ehr.Note
		rec.Response.Context, notes = c.Merge(rec.Response.Context, func(f string) bool {
			return d.ehrAccept(f) && (f != ehr.FieldSex || !sexFromGender(c))
		})
		c.Notes = append(c.Notes, notes...)
		rec.EHR = c
	}
}

// patientOf returns the id of a "Patient/id" reference (or of a URL ending in one), else "".
func patientOf(subject string) string {
	i := strings.LastIndex(subject, "Patient/")
	if i < 0 || (i > 0 && subject[i-1] != '/') {
		return ""
	}
	id := subject[i+len("Patient/"):]
	if strings.ContainsRune(id, '/') {
		return ""
	}
	return id
}

func sexFromGender(c *ehr.Context) bool {
	for _, n := range c.Notes {
		if n.Code == ehr.NoteSexFromGender {
			return true
		}
	}
	return false
}

func asOf(date string) time.Time {
	if len(date) >= 10 {
		if t, err := time.Parse(time.DateOnly, date[:10]); err == nil {
			return t
		}
	}
	return time.Now().UTC()
}

// DeclaredContext returns the context fields the engine's definitions declare (age and sex always), for
// UseEHRContext.
func DeclaredContext(eng *screen.Engine) map[string]bool {
	f := map[string]bool{ehr.FieldAge: true, ehr.FieldSex: true}
	if d, err := eng.DescribeRuleSet(); err == nil && d != nil {
		for _, c := range d.Context {
			f[c.ID] = true
		}
	}
	for _, in := range eng.Instruments() {
		if d, err := eng.Describe(in.ID + "@" + in.Version); err == nil {
			for _, c := range d.Context {
				f[c.ID] = true
			}
		}
	}
	return f
}
