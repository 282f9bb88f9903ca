// Package fhir holds painscreen's FHIR R4 vocabulary: the canonical URLs of the Questionnaires it publishes,
// its code systems, and the extension URLs it reads and writes. The decoders of FHIR input live in
// screen/respfile (QuestionnaireResponse, Bundle); this package writes FHIR output.
package fhir

// Canonical URLs. They are stable: a QuestionnaireResponse that names one of painscreen's Questionnaires
// ("https://painscreen.dev/fhir/Questionnaire/phq9|1.0.0") is mapped to that instrument and version.
const (
	// QuestionnaireBase is the canonical base of painscreen's Questionnaires: the Questionnaire of
	// instrument ID has the canonical URL QuestionnaireBase + ID, and its version is the instrument's
	// version.
	QuestionnaireBase = "https://painscreen.dev/fhir/Questionnaire/"
	// OptionValueSystem is the code system of the answer options that have no code of their own in a
	// definition: the code is the option's value in decimal ("0", "1", …), within its item.
	OptionValueSystem = "https://painscreen.dev/fhir/CodeSystem/option-value"
	// ScoreSystem codes the scores that have no LOINC code: "ID.SCORE" (for example "gcps_r.grade").
	ScoreSystem = "https://painscreen.dev/fhir/CodeSystem/score"
	// RuleSetSystem codes the composite results: "RULESET.tier", "RULESET.referral.REFERRAL".
	RuleSetSystem = "https://painscreen.dev/fhir/CodeSystem/ruleset"
	// FollowUpSystem codes follow-up measures: "ID.MEASURE" (for example "phq9.response").
	FollowUpSystem = "https://painscreen.dev/fhir/CodeSystem/followup"
	// LOINC is the LOINC code system.
	LOINC = "http://loinc.org"
)

// Extension URLs.
const (
	// OrdinalValueURL is the R4 core extension that gives an answer option its score.
	OrdinalValueURL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
	// ItemWeightURL is the later (R5, SDC) name of the same extension; painscreen reads both.
	ItemWeightURL = "http://hl7.org/fhir/StructureDefinition/itemWeight"
)
