package respfile_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// A decoder reads one record at a time; a record that cannot be read is an error of that record, and
// decoding goes on. An answer that is wrong for any item (1.5, true, an object) does not spoil its record:
// it is passed on, and the engine reports it as an error of that item while it scores the rest.
func ExampleNewDecoder() {
	in := strings.NewReader(`{"subject":"pt-1","answers":{"sisq_drug":{"times":2}}}
{"subject":"pt-2","answers":{"sisq_drug":{"times":1.5}}}
{"subject":"pt-3","answers":{"sisq_drug":{"times":}}}
`)
	dec := respfile.NewDecoder(in, respfile.FormatJSONL, respfile.DefaultLimits())
	for {
		rec, err := dec.Next()
		if err != nil {
			break // io.EOF, or a problem that ends the input
		}
		if rec.Err != nil {
			fmt.Println(rec.N, rec.Err.Code)
			continue
		}
		fmt.Println(rec.N, rec.Response.Subject, rec.Response.Answers["sisq_drug"]["times"])
	}
	// Output:
	// 1 pt-1 2
	// 2 pt-2 1.5
	// 3 syntax
}

// A decoder with a FHIRMapper reads FHIR R4 QuestionnaireResponses: the instrument, items and answers are
// recognised by their LOINC codes, and subject and authored become the response set's subject and date.
func ExampleDecoder_UseFHIR() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	m, err := respfile.FHIRMapperFor(eng) // once; safe to share between decoders and goroutines
	if err != nil {
		panic(err)
	}
	in := strings.NewReader(`{"resourceType": "QuestionnaireResponse", "id": "qr1", "status": "completed",
	  "subject": {"reference": "Patient/1"}, "authored": "2026-03-04T09:30:00Z",
	  "item": [{"linkId": "/44250-9", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6571-9"}}]},
	           {"linkId": "/44255-8", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]}]}`)
	dec := respfile.NewDecoder(in, respfile.FormatJSON, respfile.DefaultLimits())
	dec.UseFHIR(m)
	rec, err := dec.Next()
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Response.Subject, rec.Response.Date, rec.Response.Answers, rec.Sources[0].Reference)
	rep, _ := eng.Score(context.Background(), rec.Response)
	total, _ := rep.Instrument("phq2").Score("total")
	fmt.Println("PHQ-2 total", total.Value)
	// Output:
	// Patient/1 2026-03-04 map[phq2:map[q1:LA6571-9 q2:LA6569-3]] QuestionnaireResponse/qr1
	// PHQ-2 total 4
}

// A batch loop that is done with each response set once it is scored gives it back to the decoder, which
// reads the next record into its maps: reading then allocates little per record.
func ExampleDecoder_Recycle() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		panic(err)
	}
	in := strings.NewReader(`{"subject":"pt-1","answers":{"sisq_drug":{"times":2}}}
{"subject":"pt-2","answers":{"sisq_drug":{"times":0}}}
`)
	dec := respfile.NewDecoder(in, respfile.FormatJSONL, respfile.DefaultLimits())
	var rep screen.Report
	for {
		rec, err := dec.Next()
		if err != nil {
			break
		}
		if rec.Err != nil {
			continue
		}
		if err := eng.ScoreTo(context.Background(), rec.Response, &rep); err != nil {
			continue
		}
		positive, _ := rep.Instrument("sisq_drug").Score("positive")
		fmt.Println(rep.Subject, positive.Value)
		dec.Recycle(rec.Response) // rec.Response is not used after this
	}
	// Output:
	// pt-1 true
	// pt-2 false
}
