package ehr_test

import (
	"fmt"
	"time"

	"github.com/painscreen/painscreen/screen/ehr"
)

func Example() {
	bundle := []byte(`{"resourceType": "Bundle", "type": "collection", "entry": [
	  {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1968-03-14",
	    "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": "F"}]}},
	  {"resource": {"resourceType": "MedicationRequest", "id": "oxy", "status": "active", "intent": "order",
	    "subject": {"reference": "Patient/p1"},
	    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1049683"}]},
	    "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}],
	      "timing": {"repeat": {"frequency": 4, "period": 1, "periodUnit": "d"}}}]}},
	  {"resource": {"resourceType": "MedicationRequest", "id": "alp", "status": "active", "intent": "order",
	    "subject": {"reference": "Patient/p1"},
	    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "308048"}]}}}
	]}`)
	var rs ehr.Resources
	if err := rs.Add(bundle); err != nil {
		fmt.Println(err)
		return
	}
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	c, err := ehr.Derive(&rs, ehr.Options{AsOf: day, MedicationsComplete: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range c.Fields {
		if !f.Known {
			fmt.Printf("%s: unknown\n", f.Name)
			continue
		}
		fmt.Printf("%s: %v\n", f.Name, f.Value)
		for _, r := range f.Reasons {
			if r.Resource != "" {
				fmt.Printf("  %s: %s\n", r.Resource, r.Text)
			}
		}
	}
	// Output:
	// age: 58
	//   Patient/p1: birthDate 1968-03-14 → age 58 on 2026-12-07
	// sex: female
	//   Patient/p1: US Core birth sex F
	// opioid_mme: 60
	//   MedicationRequest/oxy: oxycodone hydrochloride 10 MG Oral Tablet: 1 tablet, 4 per 1 d → 40 mg/day oxycodone × 1.5 = 60 MME/day
	// benzodiazepine: true
	//   MedicationRequest/alp: alprazolam 0.5 MG Oral Tablet
	// moud_current: false
	// naloxone_current: false
	// prior_overdose: unknown
}
