package respfile

import (
	"bytes"
	"math/rand"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/internal/item9oracle"
	"github.com/painscreen/painscreen/screen"
)

// TestFHIRStreamedEqualsTree is a differential test: reading a document one Bundle entry (or one item of
// a top-level QuestionnaireResponse) at a time gives the same records as reading it as one tree, for the
// fixtures and thousands of mutations of them; a document one way refuses, the other refuses too.
func TestFHIRStreamedEqualsTree(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	m, err := FHIRMapperFor(eng)
	require.NoError(t, err)
	var seeds [][]byte
	for _, f := range []string{"testdata/fhir/uscore-phq9-questionnaireresponse.json", "testdata/fhir/lhcforms-gad7-loinc-questionnaireresponse.json"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		seeds = append(seeds, b)
	}
	seeds = append(seeds,
		[]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"QuestionnaireResponse","questionnaire":"http://loinc.org/q/44249-1","subject":{"reference":"Patient/1"},"authored":"2026-11-30","item":[{"linkId":"14371","answer":[{"valueInteger":1}]},{"linkId":"g","item":[{"linkId":"14363","answer":[{"valueCoding":{"code":"LA6570-1"}}]}]}]}},{"resource":{"resourceType":"QuestionnaireResponse","status":"in-progress","item":[{"linkId":"q1","answer":[{"valueInteger":1}]}]}},{"resource":{"resourceType":"Patient"}}]}`),
		[]byte(`{"resourceType":"QuestionnaireResponse","questionnaire":"https://painscreen.dev/fhir/Questionnaire/phq9|9","item":[{"linkId":"q9","answer":[{"valueInteger":2},{"valueInteger":0}]},{"linkId":"q1","text":{"div":"x"},"answer":[{"valueString":"LA6568-5"}]}],"text":{"div":"<div/>"}}`))
	read := func(doc []byte, stream bool) ([]Record, error) {
		d := NewDecoder(bytes.NewReader(doc), FormatFHIR, Limits{MaxStringBytes: 256})
		d.UseFHIR(m)
		var err error
		if stream {
			err = d.fhirRead(doc)
		} else {
			var root *jnode
			if root, err = d.fhirParse(doc); err == nil {
				d.in.limit = fhirInterned
				err = d.fhirStart(root, doc)
			}
		}
		if err != nil {
			return nil, err
		}
		return d.fh.recs, nil
	}
	r := rand.New(rand.NewSource(7))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		doc := seeds[i%len(seeds)]
		if i >= len(seeds) {
			doc = item9oracle.Mutate(r, seeds)
		}
		a, errA := read(doc, true)
		b, errB := read(doc, false)
		require.Equal(t, errA == nil, errB == nil, "%q: streamed %v, tree %v", doc, errA, errB)
		require.Equal(t, b, a, "%q", doc)
	}
}
