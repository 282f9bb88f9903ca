package ehr

import (
	"math"
	"strings"
	"testing"
)

// FuzzDerive: any input is read without a panic, errors carry no input, and every derived value is of its
// field's type and in range.
func FuzzDerive(f *testing.F) {
	f.Add(bundle(pat(), mr("o", "1049683", qid), mr("alp", "308048", qid), mr("nal", "1725059")))
	f.Add(bundle(pat(), mr("f", "197696", line(qty(1, "patch"), perDayRepeat(1, 72, "h")))))
	f.Add(bundle(pat(), obj{"resourceType": "Condition", "id": "c", "code": obj{"coding": []obj{{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "T40.1X1A"}}}}))
	f.Add([]byte(`{"resourceType":"MedicationRequest","status":"active","medicationReference":{"reference":"#m"},"contained":[{"resourceType":"Medication","id":"m","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1049683"}]}}],"dosageInstruction":[{"sequence":1,"doseAndRate":[{"doseRange":{"high":{"value":2,"unit":"mL"}}}],"timing":{"repeat":{"frequencyMax":1e308,"period":-1,"periodUnit":"h"}}}]}`))
	f.Add([]byte(`{"resourceType":"Patient","birthDate":"1970-02","extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex","valueCode":"M"}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Bundle","entry":[{"resource":null}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rs Resources
		if err := rs.Add(data); err != nil {
			if len(data) > 8 && strings.Contains(err.Error(), string(data)) {
				t.Fatalf("error carries the input: %v", err)
			}
			return
		}
		for _, complete := range []bool{false, true} {
			c, err := Derive(&rs, Options{AsOf: asOf, MedicationsComplete: complete, ConditionsComplete: complete})
			if err != nil {
				continue // several patients
			}
			if len(c.Fields) != len(fieldOrder) {
				t.Fatalf("fields: %d", len(c.Fields))
			}
			for _, fl := range c.Fields {
				if !fl.Known {
					if fl.Value != nil {
						t.Fatalf("%s: unknown with a value", fl.Name)
					}
					continue
				}
				switch v := fl.Value.(type) {
				case float64:
					if fl.Name != FieldOpioidMME || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("%s = %v", fl.Name, v)
					}
				case int:
					if fl.Name != FieldAge || v < 0 || v > 150 {
						t.Fatalf("%s = %v", fl.Name, v)
					}
				case string:
					if fl.Name != FieldSex || (v != "male" && v != "female") {
						t.Fatalf("%s = %v", fl.Name, v)
					}
				case bool:
					if fl.Name == FieldOpioidMME || fl.Name == FieldAge || fl.Name == FieldSex {
						t.Fatalf("%s = %v", fl.Name, v)
					}
				default:
					t.Fatalf("%s has type %T", fl.Name, v)
				}
			}
		}
	})
}
