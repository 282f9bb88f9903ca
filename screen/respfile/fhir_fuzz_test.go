package respfile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/painscreen/painscreen/internal/item9oracle"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// FuzzFHIR checks the FHIR decoder on any input: no panic; every record is a response set or an error of
// its own; a document that is not valid JSON yields no record; answers are keyed by non-empty UTF-8 strings;
// scoring what was decoded never panics; no error message (decoder's or engine's) holds the subject; and
// a PHQ-9 item 9 endorsement the input plainly holds (item9oracle) raises the suicidal ideation flag in
// some record, whatever else the input holds.
func FuzzFHIR(f *testing.F) {
	for _, s := range fhirSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(checkFHIR)
}

// fhirSeeds are the seeds of FuzzFHIR and TestFHIRMutations.
func fhirSeeds(t testing.TB) [][]byte {
	var out [][]byte
	add := func(b []byte) { out = append(out, b) }

	fixture, err := os.ReadFile("testdata/fhir/uscore-phq9-questionnaireresponse.json")
	if err != nil {
		t.Fatal(err)
	}
	add(fixture)
	lhc, err := os.ReadFile("testdata/fhir/lhcforms-gad7-loinc-questionnaireresponse.json")
	if err != nil {
		t.Fatal(err)
	}
	add(lhc)
	item := loincItem("/44250-9", "LA6569-3") + "," + loincItem("/44255-8", "LA6569-3")
	add([]byte(qr("a", "", "Patient/SECRET", "2026-01-05T09:00:00Z", item)))
	add([]byte(`{"resourceType":"Bundle","entry":[{"resource":` + qr("a", "http://loinc.org/q/44249-1", "Patient/SECRET", "2026-01-05", item) +
		`},{"resource":` + qr("b", "https://painscreen.dev/fhir/Questionnaire/pc_ptsd5|1.0.0", "Patient/SECRET", "2026-01-06",
		`{"linkId":"g","item":[{"linkId":"trauma","answer":[{"valueBoolean":true,"item":[{"linkId":"numb","answer":[{"valueInteger":1}]}]}]}]}`) + `}]}`))
	add([]byte(qr("c", "", "Patient/SECRET", "", `{"linkId":"q1","answer":[{"valueCoding":{"code":"x","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/itemWeight","valueDecimal":2.5}]}},{"valueDate":"2020"}]}`)))
	add([]byte(`{"resourceType":"QuestionnaireResponse","item":[{"linkId":"a","answer":[{"valueDecimal":1e400}]}],"item":[]}`))
	// Item 9 answered twice, one answer endorsing: an error of the item that still raises the flag.
	add([]byte(qr("d", "https://painscreen.dev/fhir/Questionnaire/phq9", "Patient/SECRET", "2026-01-07",
		`{"linkId":"q9","answer":[{"valueInteger":0},{"valueInteger":2}]}`)))
	add([]byte(`{"resourceType":"Bundle","entry":[{"resource":` + qr("a", "http://loinc.org/q/69737-5", "Patient/SECRET", "2026-01-05",
		loincItem("57541", "LA6569-3")+","+loincItem("44260-8", "LA6570-1")) + `},{"resource":` +
		qr("b", "http://loinc.org/q/44249-1", "Patient/SECRET", "", loincItem("14371", "LA6571-9")) + `}]}`))
	add([]byte(`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:p1","resource":{"resourceType":"Patient","id":"1","birthDate":"2010-03"}},` +
		`{"resource":` + qr("a", "https://painscreen.dev/fhir/Questionnaire/phq9", "urn:uuid:p1", "2026-03-04", loincItem("q9", "LA6570-1")) + `}]}`))
	return out
}

// checkFHIR is FuzzFHIR's check of one input.
func checkFHIR(t *testing.T, in []byte) {
	eng, m := engineAndMapper(t)

	d := respfile.NewDecoder(bytes.NewReader(in), respfile.FormatFHIR, respfile.Limits{MaxStringBytes: 256})
	d.UseFHIR(m)
	n := 0
	flagged, fatal := false, false
	defer func() {
		if !fatal && !flagged && len(item9oracle.Endorsements(in, 256)) > 0 {
			t.Fatalf("the input endorses PHQ-9 item 9 and no record raises the flag: %q", in)
		}
	}()
	for {
		rec, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fatal = true
			if strings.Contains(err.Error(), "SECRET") {
				t.Fatalf("fatal error holds the subject: %v", err)
			}
			break
		}
		n++
		if rec.N != n || (rec.Err == nil) == (rec.Response == nil) {
			t.Fatalf("record %d: N=%d, Err=%v, Response=%v", n, rec.N, rec.Err, rec.Response)
		}
		if rec.Err != nil {
			if strings.Contains(rec.Err.Error(), "SECRET") {
				t.Fatalf("record error holds the subject: %v", rec.Err)
			}
			continue
		}
		for inst, answers := range rec.Response.Answers {
			if inst == "" || !utf8.ValidString(inst) {
				t.Fatalf("bad instrument key %q", inst)
			}
			for item := range answers {
				if item == "" || !utf8.ValidString(item) {
					t.Fatalf("bad item key %q", item)
				}
			}
		}
		rep, err := eng.Score(context.Background(), rec.Response)
		var se *screen.ScoreError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("score: unexpected error %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("score error holds the subject: %v", err)
		}
		if rep != nil {
			if _, ok := rep.Instrument("phq9").Flag("suicidal_ideation"); ok {
				flagged = true
			}
		}
	}
	if n > 0 && !json.Valid(bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))) {
		t.Fatalf("%d records from a document that is not valid JSON", n)
	}
}

// TestFHIRMutations applies FuzzFHIR's checks to mutations of its seeds for as long as PAINSCREEN_MUTATE
// says (skipped when it is unset): PAINSCREEN_MUTATE=5m go test -run TestFHIRMutations ./screen/respfile/
func TestFHIRMutations(t *testing.T) {
	budget := item9oracle.MutationBudget()
	if budget == 0 {
		t.Skip("set PAINSCREEN_MUTATE (for example 5m) to run")
	}
	seeds := fhirSeeds(t)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	n, claimed := 0, 0
	for end := time.Now().Add(budget); time.Now().Before(end); n++ {
		in := item9oracle.Mutate(r, seeds)
		if bytes.Count(in, []byte("SECRET")) != bytes.Count(in, []byte(`"Patient/SECRET"`)) {
			// A splice copied the subject's text into another field (a linkId, a resourceType), which
			// messages may name: the privacy check would flag what is not the subject.
			continue
		}
		if len(item9oracle.Endorsements(in, 256)) > 0 {
			claimed++
		}
		if !t.Run("", func(t *testing.T) { checkFHIR(t, in) }) {
			t.Fatalf("input %q", in)
		}
	}
	t.Logf("%d mutated inputs, %d with an item 9 endorsement the oracle claims", n, claimed)
}
