package respfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/respfile"
)

// memDoc builds a FHIR Bundle of about size bytes in one of the shapes an EHR sends.
func memDoc(shape string, size int) []byte {
	var b bytes.Buffer
	if shape == "single" { // one QuestionnaireResponse of many items (more than MaxAnswers: an error record)
		b.WriteString(`{"resourceType":"QuestionnaireResponse","id":"r","status":"completed","subject":{"reference":"Patient/p"},"authored":"2026-11-30","item":[`)
		for i := 0; b.Len() < size-64; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"linkId":"x%d","answer":[{"valueInteger":%d}]}`, i, i%4)
		}
		b.WriteString(`]}`)
		return b.Bytes()
	}
	if shape == "bundled-single" { // the same response as the only entry of a Bundle
		b.WriteString(`{"resourceType":"Bundle","entry":[{"resource":`)
		b.Write(memDoc("single", size-64))
		b.WriteString(`}]}`)
		return b.Bytes()
	}
	b.WriteString(`{"resourceType":"Bundle","type":"searchset","entry":[`)
	for i := 0; b.Len() < size-2048; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		date := fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28)
		switch shape {
		case "dense": // minimal JSON, integer answers: the most nodes per byte
			fmt.Fprintf(&b, `{"resource":{"resourceType":"QuestionnaireResponse","id":"r%d","questionnaire":"http://loinc.org/q/44249-1","status":"completed","subject":{"reference":"Patient/p%d"},"authored":"%s","item":[`, i, i%50, date)
			for j, l := range []string{"14363", "14364", "14365", "14366", "14367", "14368", "14369", "14370", "14371"} {
				if j > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"linkId":"%s","answer":[{"valueInteger":%d}]}`, l, (i+j)%4)
			}
			b.WriteString(`]}}`)
		case "lhc": // LHC-Forms style: codings with display and text, pretty-printed
			fmt.Fprintf(&b, "{\n  \"fullUrl\": \"urn:uuid:%08d\",\n  \"resource\": {\n    \"resourceType\": \"QuestionnaireResponse\",\n    \"id\": \"r%d\",\n"+
				"    \"meta\": {\"profile\": [\"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse\"]},\n"+
				"    \"questionnaire\": \"http://loinc.org/q/44249-1\",\n    \"status\": \"completed\",\n    \"subject\": {\"reference\": \"Patient/p%d\"},\n    \"authored\": \"%sT10:00:00Z\",\n    \"item\": [\n", i, i, i%50, date)
			for j, l := range []string{"44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"} {
				if j > 0 {
					b.WriteString(",\n")
				}
				fmt.Fprintf(&b, "      {\"linkId\": \"/%s\", \"text\": \"Item %d of the questionnaire\", \"answer\": [{\"valueCoding\": {\"system\": \"http://loinc.org\", \"code\": \"LA6568-5\", \"display\": \"Not at all\"}}]}", l, j+1)
			}
			b.WriteString("\n    ]\n  }\n}")
		case "narrative": // a generated narrative far larger than the answers
			fmt.Fprintf(&b, `{"resource":{"resourceType":"QuestionnaireResponse","id":"r%d","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">%s</div>"},"questionnaire":"http://loinc.org/q/44249-1","status":"completed","subject":{"reference":"Patient/p%d"},"authored":"%s","item":[{"linkId":"14371","answer":[{"valueInteger":1}]}]}}`,
				i, strings.Repeat("<p>answer</p>", 2000), i%50, date)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// decodeAllFHIR decodes every record of doc and returns the bytes allocated meanwhile and the records.
func decodeAllFHIR(t testing.TB, m *respfile.FHIRMapper, doc []byte) (uint64, int) {
	recs := make([]respfile.Record, 0, 4096) // the consumer's slice is not the decoder's memory
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := respfile.NewDecoder(bytes.NewReader(doc), respfile.FormatFHIR, respfile.DefaultLimits())
	d.UseFHIR(m)
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		recs = append(recs, r)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, len(recs)
}

// TestFHIRMemory: decoding a 1 MiB FHIR document allocates at most 4 × its size in total (an upper bound
// of the peak), whatever its shape, records included.
func TestFHIRMemory(t *testing.T) {
	_, m := engineAndMapper(t)
	for _, shape := range []string{"dense", "lhc", "narrative", "single", "bundled-single"} {
		t.Run(shape, func(t *testing.T) {
			doc := memDoc(shape, 1<<20)
			alloc, n := decodeAllFHIR(t, m, doc)
			t.Logf("%s: %d bytes, %d records, %d bytes allocated (%.2f × input)", shape, len(doc), n, alloc, float64(alloc)/float64(len(doc)))
			require.LessOrEqual(t, alloc, uint64(4*len(doc)))
		})
	}
}

func BenchmarkFHIRDecode(b *testing.B) {
	_, m := engineAndMapper(b)
	for _, shape := range []string{"dense", "lhc", "narrative", "single", "bundled-single"} {
		doc := memDoc(shape, 1<<20)
		b.Run(shape, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				decodeAllFHIR(b, m, doc)
			}
		})
	}
}
