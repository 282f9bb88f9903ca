package ehr

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMerge(t *testing.T) {
	c := derive(t, true, pat(), mr("o", "1049683", qid))
	got, notes := c.Merge(nil, nil)
	assert.Equal(t, c.Values(), got)
	assert.Empty(t, notes)

	explicit := map[string]any{"opioid_mme": json.Number("90"), "sex": "F", "age": 56, "benzodiazepine": true, "naloxone_current": nil}
	got, notes = c.Merge(explicit, func(f string) bool { return f != FieldPriorOverdose })
	assert.Equal(t, json.Number("90"), got["opioid_mme"], "explicit context wins")
	assert.Equal(t, true, got["benzodiazepine"])
	assert.Equal(t, false, got["naloxone_current"], "an explicit null is filled")
	assert.NotContains(t, got, FieldPriorOverdose, "not accepted")
	assert.Equal(t, false, got["moud_current"])
	var fields []string
	for _, n := range notes {
		assert.Equal(t, NoteDisagrees, n.Code)
		assert.NotContains(t, n.Text, "90")
		fields = append(fields, n.Field)
	}
	assert.Equal(t, []string{FieldOpioidMME, FieldBenzodiazepine}, fields, "sex F and age 56 agree")
}

func TestMarshalJSON(t *testing.T) {
	c := derive(t, false, pat(), mr("alp", "308048", qid))
	b, err := json.Marshal(c)
	assert.NoError(t, err)
	s := string(b)
	assert.Contains(t, s, `{"table":{"version":"`+TableVersion()+`","digest":"`+TableDigest()+`"},"fields":[{"name":"age","known":true,"value":56,"reasons":[{"resource":"Patient/p1","text":"birthDate 1970-05-01 → age 56 on 2026-12-07"}]}`)
	assert.Contains(t, s, `{"name":"benzodiazepine","known":true,"value":true,"reasons":[{"resource":"MedicationRequest/alp","text":"alprazolam 0.5 MG Oral Tablet"}]}`)
	assert.Contains(t, s, `{"name":"opioid_mme","known":false,"value":null,"reasons":[]}`)
	assert.Contains(t, s, `"notes":[{"code":"sex_from_gender","field":"sex","resource":"Patient/p1","text":`)
}
