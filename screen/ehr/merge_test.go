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
