package fhir

import "encoding/json"

// The FHIR R4 data types and resources painscreen writes, as plain structs marshalled with encoding/json.
// They hold only the elements painscreen fills, each with its R4 JSON name; empty ones are left out.
// (Hand-written on purpose: five resources and a dozen data types are smaller and clearer than a generated
// model of all of R4, and every element here is checked against the official R4 JSON schema by the tests.)

// Coding is an R4 Coding.
type Coding struct {
	Extension []Extension `json:"extension,omitempty"`
	System    string      `json:"system,omitempty"`
	Code      string      `json:"code,omitempty"`
	Display   string      `json:"display,omitempty"`
}

// CodeableConcept is an R4 CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is an R4 Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference is an R4 Reference.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Annotation is an R4 Annotation (text only).
type Annotation struct {
	Text string `json:"text"`
}

// Period is an R4 Period.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Quantity is an R4 Quantity.
type Quantity struct {
	Value  json.Number `json:"value"`
	Unit   string      `json:"unit,omitempty"`
	System string      `json:"system,omitempty"`
	Code   string      `json:"code,omitempty"`
}

// Extension is an R4 Extension with the value types painscreen uses.
type Extension struct {
	URL                  string           `json:"url"`
	ValueDecimal         json.Number      `json:"valueDecimal,omitempty"`
	ValueInteger         *int64           `json:"valueInteger,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// Questionnaire is an R4 Questionnaire.
type Questionnaire struct {
	ResourceType string              `json:"resourceType"` // "Questionnaire"
	ID           string              `json:"id,omitempty"`
	URL          string              `json:"url"`
	Version      string              `json:"version"`
	Name         string              `json:"name,omitempty"`
	Title        string              `json:"title,omitempty"`
	Status       string              `json:"status"`
	SubjectType  []string            `json:"subjectType,omitempty"`
	Publisher    string              `json:"publisher,omitempty"`
	Description  string              `json:"description,omitempty"`
	Copyright    string              `json:"copyright,omitempty"`
	Code         []Coding            `json:"code,omitempty"`
	Item         []QuestionnaireItem `json:"item,omitempty"`
}

// QuestionnaireItem is an R4 Questionnaire.item.
type QuestionnaireItem struct {
	Extension      []Extension    `json:"extension,omitempty"`
	LinkID         string         `json:"linkId"`
	Code           []Coding       `json:"code,omitempty"`
	Prefix         string         `json:"prefix,omitempty"`
	Text           string         `json:"text,omitempty"`
	Type           string         `json:"type"`
	EnableWhen     []EnableWhen   `json:"enableWhen,omitempty"`
	EnableBehavior string         `json:"enableBehavior,omitempty"`
	Required       bool           `json:"required,omitempty"`
	AnswerOption   []AnswerOption `json:"answerOption,omitempty"`
}

// EnableWhen is an R4 Questionnaire.item.enableWhen.
type EnableWhen struct {
	Question      string  `json:"question"`
	Operator      string  `json:"operator"`
	AnswerCoding  *Coding `json:"answerCoding,omitempty"`
	AnswerInteger *int64  `json:"answerInteger,omitempty"`
}

// AnswerOption is an R4 Questionnaire.item.answerOption.
type AnswerOption struct {
	ValueCoding *Coding `json:"valueCoding"`
}

// Bundle is an R4 Bundle.
type Bundle struct {
	ResourceType string        `json:"resourceType"` // "Bundle"
	Type         string        `json:"type"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleEntry is an R4 Bundle.entry.
type BundleEntry struct {
	FullURL  string `json:"fullUrl,omitempty"`
	Resource any    `json:"resource"`
}

// Observation is an R4 Observation.
type Observation struct {
	ResourceType      string            `json:"resourceType"` // "Observation"
	Status            string            `json:"status"`
	Category          []CodeableConcept `json:"category,omitempty"`
	Code              CodeableConcept   `json:"code"`
	Subject           *Reference        `json:"subject,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	EffectivePeriod   *Period           `json:"effectivePeriod,omitempty"`
	ValueQuantity     *Quantity         `json:"valueQuantity,omitempty"`
	ValueInteger      *int64            `json:"valueInteger,omitempty"`
	ValueBoolean      *bool             `json:"valueBoolean,omitempty"`
	ValueString       *string           `json:"valueString,omitempty"`
	DataAbsentReason  *CodeableConcept  `json:"dataAbsentReason,omitempty"`
	Interpretation    []CodeableConcept `json:"interpretation,omitempty"`
	Note              []Annotation      `json:"note,omitempty"`
	Method            *CodeableConcept  `json:"method,omitempty"`
	DerivedFrom       []Reference       `json:"derivedFrom,omitempty"`
}

// RiskAssessment is an R4 RiskAssessment.
type RiskAssessment struct {
	ResourceType       string           `json:"resourceType"` // "RiskAssessment"
	Status             string           `json:"status"`
	Method             *CodeableConcept `json:"method,omitempty"`
	Code               *CodeableConcept `json:"code,omitempty"`
	Subject            Reference        `json:"subject"`
	OccurrenceDateTime string           `json:"occurrenceDateTime,omitempty"`
	Basis              []Reference      `json:"basis,omitempty"`
	Prediction         []Prediction     `json:"prediction,omitempty"`
	Mitigation         string           `json:"mitigation,omitempty"`
	Note               []Annotation     `json:"note,omitempty"`
}

// Prediction is an R4 RiskAssessment.prediction.
type Prediction struct {
	Outcome         *CodeableConcept `json:"outcome,omitempty"`
	QualitativeRisk *CodeableConcept `json:"qualitativeRisk,omitempty"`
	Rationale       string           `json:"rationale,omitempty"`
}

// OperationOutcome is an R4 OperationOutcome: what score writes for a record it could not score.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"` // "OperationOutcome"
	Issue        []Issue `json:"issue"`
}

// Issue is an R4 OperationOutcome.issue.
type Issue struct {
	Severity    string           `json:"severity"`
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}
