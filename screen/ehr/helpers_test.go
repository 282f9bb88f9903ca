package ehr

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var asOf = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

type obj = map[string]any

func rx(code string) obj {
	return obj{"coding": []obj{{"system": rxnorm, "code": code}}}
}

func qty(v float64, unit string) obj {
	return obj{"value": v, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
}

// line returns a dosage line: a dose and a timing repeat.
func line(dose obj, repeat obj) obj {
	d := obj{}
	if dose != nil {
		d["doseAndRate"] = []obj{{"doseQuantity": dose}}
	}
	if repeat != nil {
		d["timing"] = obj{"repeat": repeat}
	}
	return d
}

func perDayRepeat(freq float64, period float64, unit string) obj {
	return obj{"frequency": freq, "period": period, "periodUnit": unit}
}

// mr returns an active MedicationRequest for an RxNorm code with dosage lines.
func mr(id, code string, lines ...obj) obj {
	m := obj{"resourceType": "MedicationRequest", "id": id, "status": "active", "intent": "order",
		"subject": obj{"reference": "Patient/p1"}}
	if code != "" {
		m["medicationCodeableConcept"] = rx(code)
	}
	if len(lines) > 0 {
		m["dosageInstruction"] = lines
	}
	return m
}

func pat() obj {
	return obj{"resourceType": "Patient", "id": "p1", "birthDate": "1970-05-01", "gender": "female"}
}

func bundle(res ...obj) []byte {
	var es []obj
	for _, r := range res {
		es = append(es, obj{"resource": r})
	}
	b, err := json.Marshal(obj{"resourceType": "Bundle", "type": "searchset", "entry": es})
	if err != nil {
		panic(err)
	}
	return b
}

func derive(t testing.TB, complete bool, res ...obj) *Context {
	t.Helper()
	var rs Resources
	require.NoError(t, rs.Add(bundle(res...)))
	c, err := Derive(&rs, Options{AsOf: asOf, MedicationsComplete: complete, ConditionsComplete: complete})
	require.NoError(t, err)
	return c
}

func field(t testing.TB, c *Context, name string) Field {
	t.Helper()
	f, ok := c.Field(name)
	require.True(t, ok, name)
	return f
}

func hasNote(c *Context, code, resource string) bool {
	for _, n := range c.Notes {
		if n.Code == code && (resource == "" || n.Resource == resource) {
			return true
		}
	}
	return false
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
