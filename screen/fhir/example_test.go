package fhir_test

import (
	"context"
	"fmt"
	"io"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
)

// An instrument's Questionnaire, for a FHIR renderer (LHC-Forms, a SMART app) to show and fill.
func ExampleNewQuestionnaire() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	doc, err := eng.Describe("phq2")
	if err != nil {
		panic(err)
	}
	q := fhir.NewQuestionnaire(doc)
	fmt.Println(q.URL, q.Version, len(q.Item), q.Item[0].Code[0].Code, q.Item[0].AnswerOption[3].ValueCoding.Code)
	// Output: https://painscreen.dev/fhir/Questionnaire/phq2 1.0.0 2 44250-9 LA6571-9
}

// A report as a FHIR Bundle: an Observation per score and fired flag, and a RiskAssessment for the
// composite. Build the Writer once per engine; it is safe for concurrent use.
func ExampleWriter_WriteBundle() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	w, err := fhir.NewWriter(eng)
	if err != nil {
		panic(err)
	}
	resp := &screen.Response{Subject: "Patient/1", Date: "2026-03-04",
		Answers: map[string]map[string]any{"phq2": {"q1": 3, "q2": 2}}}
	rep, err := eng.Score(context.Background(), resp)
	if err != nil {
		panic(err)
	}
	b := w.NewBundle(rep, fhir.Input{Subject: rep.Subject, Date: resp.Date, Seed: "visit-1",
		Responses: []fhir.ResponseRef{{Reference: "QuestionnaireResponse/qr-1", Instrument: "phq2"}}})
	for _, e := range b.Entry {
		if o, ok := e.Resource.(*fhir.Observation); ok {
			fmt.Println(o.Code.Coding[0].Code, o.DerivedFrom[0].Reference, o.EffectiveDateTime)
		}
	}
	_ = w.WriteBundle(io.Discard, rep, fhir.Input{}) // the same, as one line of JSON
	// Output:
	// 55758-7 QuestionnaireResponse/qr-1 2026-03-04
	// phq2.positive QuestionnaireResponse/qr-1 2026-03-04
}
