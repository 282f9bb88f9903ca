package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/painscreen/painscreen/screen/fhir"
)

const fhirAbout = `Write FHIR R4 resources of the loaded definitions.

questionnaire ID[@VERSION] writes the instrument's Questionnaire as indented JSON: canonical url
https://painscreen.dev/fhir/Questionnaire/ID and the instrument's version; one item per instrument
item (linkId = item id, with its LOINC codes); answerOption Codings with the LOINC answer codes (or the
option value in the system https://painscreen.dev/fhir/CodeSystem/option-value), the option values as
ordinalValue, shown as radio buttons; integer items with min/max; enableWhen for simple skip logic. A
QuestionnaireResponse to it (from LHC-Forms, say) is read by 'score'.

Scored reports as FHIR (Observations and a RiskAssessment per response set): 'score --format fhir'.`

const fhirExamples = `  painscreen fhir questionnaire phq9 > phq9.questionnaire.json
  painscreen fhir questionnaire gcps_r@1.0.0`

func runFHIR(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("fhir", "painscreen fhir [flags] questionnaire ID[@VERSION]", fhirAbout, fhirExamples)
	var df defFlags
	df.register(f, false)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) != 2 || pos[0] != "questionnaire" {
		return f.fail(stderr, "want: questionnaire ID[@VERSION]")
	}
	df2 := df
	df2.noRules = true // a Questionnaire needs only the instrument
	if _, _, err := df2.options(); err != nil {
		return f.fail(stderr, "%v", err)
	}
	eng, err := newEngineQuiet(&df2, "")
	if err != nil {
		return reportLoadError(stderr, err)
	}
	doc, err := eng.Describe(pos[1])
	if err != nil {
		var names []string
		for _, in := range eng.Instruments() {
			names = append(names, in.ID+"@"+in.Version)
		}
		fmt.Fprintf(stderr, "painscreen fhir: no instrument %q is loaded (loaded: %s)\n", safe(pos[1]), safe(strings.Join(names, ", ")))
		return exitUsage
	}
	if err := fhir.WriteQuestionnaire(stdout, doc); err != nil {
		return exitUsage // the write error is reported by run
	}
	return exitOK
}
