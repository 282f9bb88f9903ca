package catalog_test

import (
	"os"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Print an instrument's description as `painscreen show` does (here only its first lines).
func ExampleInstrumentDoc_WriteText() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		return
	}
	doc, err := eng.Describe("phq2")
	if err != nil {
		return
	}
	doc.Items, doc.Scores, doc.Flags, doc.FollowUps, doc.Codes = nil, nil, nil, nil, nil
	doc.Citation, doc.License, doc.Notes, doc.Digest = "", "", "", ""
	_ = doc.WriteText(os.Stdout, 80)
	// Output:
	// phq2 1.0.0: Patient Health Questionnaire-2 (PHQ-2)
	//   domain: depression
	//   status: active
	//   recall: past 2 weeks
	//   file: instruments/phq2/phq2.v1.yaml
	//   item text: verbatim
	//
	// Items (0)
	//
	// Scores (0), computed in this order
}
