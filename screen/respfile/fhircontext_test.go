package respfile_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/ehr"
	"github.com/painscreen/painscreen/screen/respfile"
)

const ehrBundle = `{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-05-01","gender":"female"}},
 {"resource":{"resourceType":"QuestionnaireResponse","status":"completed","questionnaire":"https://painscreen.dev/fhir/Questionnaire/phq9","subject":{"reference":"Patient/p1"},"authored":"2026-11-02",
  "item":[{"linkId":"q1","answer":[{"valueInteger":1}]},{"linkId":"q2","answer":[{"valueInteger":1}]},{"linkId":"q9","answer":[{"valueInteger":1}]}]}},
 {"resource":{"resourceType":"MedicationRequest","id":"oxy","status":"active","subject":{"reference":"Patient/p1"},
  "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"1049683"}]},
  "dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}}}]}},
 {"resource":{"resourceType":"MedicationRequest","id":"alp","status":"active","subject":{"reference":"Patient/p1"},
  "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"308048"}]}}}
]}`

func decodeEHR(t *testing.T, doc string, accept func(string) bool) []respfile.Record {
	t.Helper()
	_, m := engineAndMapper(t)
	dec := respfile.NewDecoder(strings.NewReader(doc), respfile.FormatJSON, respfile.Limits{})
	dec.UseFHIR(m)
	if accept != nil {
		dec.UseEHRContext(accept)
	}
	var recs []respfile.Record
	for {
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return recs
		}
		require.NoError(t, err)
		recs = append(recs, rec)
	}
}

func TestFHIRBundleTreatmentContext(t *testing.T) {
	eng, _ := engineAndMapper(t)
	declared := respfile.DeclaredContext(eng)
	assert.True(t, declared["opioid_mme"])
	assert.True(t, declared["age"])

	recs := decodeEHR(t, ehrBundle, func(f string) bool { return declared[f] })
	require.Len(t, recs, 1)
	r := recs[0]
	require.NotNil(t, r.Response)
	assert.Equal(t, 60.0, r.Response.Context["opioid_mme"])
	assert.Equal(t, true, r.Response.Context["benzodiazepine"])
	assert.Equal(t, 56, r.Response.Context["age"])
	assert.NotContains(t, r.Response.Context, "sex", "administrative gender is not read")
	require.NotNil(t, r.EHR)
	f, _ := r.EHR.Field(ehr.FieldOpioidMME)
	assert.Equal(t, "MedicationRequest/oxy", f.Reasons[0].Resource)
	pf, _ := r.EHR.Field(ehr.FieldPriorOverdose)
	assert.False(t, pf.Known, "the Bundle holds no Condition: prior_overdose unknown")

	rep, err := eng.Score(context.Background(), r.Response)
	require.NoError(t, err)
	_, fired := rep.Instrument("phq9").Flag("suicidal_ideation")
	assert.True(t, fired, "the safety flag surfaces with the derived context")

	// Without UseEHRContext nothing changes.
	recs = decodeEHR(t, ehrBundle, nil)
	assert.Empty(t, recs[0].Response.Context)
	assert.Nil(t, recs[0].EHR)
}
