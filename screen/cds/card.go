package cds

// The CDS Hooks 2.0 card, with the specification's field names. Only what painscreen fills is declared;
// empty optional fields are left out.

// Card is a CDS Hooks 2.0 card.
type Card struct {
	UUID      string `json:"uuid,omitempty"`
	Summary   string `json:"summary"`
	Detail    string `json:"detail,omitempty"`
	Indicator string `json:"indicator"`
	Source    Source `json:"source"`
	// Suggestions are actions the EHR can take for the clinician; SelectionBehavior is set whenever
	// there are suggestions.
	Suggestions       []Suggestion `json:"suggestions,omitempty"`
	SelectionBehavior string       `json:"selectionBehavior,omitempty"`
	// OverrideReasons the clinician may give when dismissing the card (sent back to the feedback endpoint).
	OverrideReasons []Coding `json:"overrideReasons,omitempty"`
	Links           []Link   `json:"links,omitempty"`
	// Extension carries the provenance: rule set, version, digest and the rule ids behind the card, for
	// audit; never shown to the clinician.
	Extension map[string]any `json:"extension,omitempty"`
}

// Source is a card's source; Topic names what the card is about (the rule that produced it).
type Source struct {
	Label string  `json:"label"`
	URL   string  `json:"url,omitempty"`
	Topic *Coding `json:"topic,omitempty"`
}

// Coding is a CDS Hooks Coding (system and code are required).
type Coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// Link is a CDS Hooks link: an absolute URL for the clinician to open.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
	Type  string `json:"type"` // "absolute"
}

// Suggestion is a CDS Hooks suggestion: a set of actions taken together.
type Suggestion struct {
	Label         string   `json:"label"`
	UUID          string   `json:"uuid,omitempty"`
	IsRecommended bool     `json:"isRecommended,omitempty"`
	Actions       []Action `json:"actions,omitempty"`
}

// Action is a CDS Hooks action; painscreen proposes new resources only (type "create").
type Action struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	Resource    any    `json:"resource,omitempty"`
}

// The card indicators of CDS Hooks.
const (
	IndicatorInfo     = "info"
	IndicatorWarning  = "warning"
	IndicatorCritical = "critical"
)

// MaxSummary is the length a summary must stay under (CDS Hooks: "less than 140 characters").
const MaxSummary = 140

// Systems of the codings painscreen writes on cards.
const (
	// TopicSystem codes a card's topic: the rule ("pain_oud@1.2.0#referrals.naloxone") or
	// "painscreen#…" for cards about the result itself (open tier, answers that could not be used).
	TopicSystem = "https://painscreen.dev/cds/topic"
	// OverrideReasonSystem codes the reasons a clinician may give for dismissing a card.
	OverrideReasonSystem = "https://painscreen.dev/cds/override-reason"
	// ExtensionKey is the key of the provenance object in a card's extension.
	ExtensionKey = "dev.painscreen.provenance"
)

// fhirMedicationRequest and fhirServiceRequest are the FHIR R4 resources a suggestion proposes: drafts
// the clinician completes in the EHR (intent proposal, status draft), coded by text only — the EHR maps
// them to its own order catalogue.
type fhirMedicationRequest struct {
	ResourceType              string           `json:"resourceType"`
	Status                    string           `json:"status"`
	Intent                    string           `json:"intent"`
	MedicationCodeableConcept fhirConcept      `json:"medicationCodeableConcept"`
	Subject                   fhirReference    `json:"subject"`
	Note                      []fhirAnnotation `json:"note,omitempty"`
}

type fhirServiceRequest struct {
	ResourceType string           `json:"resourceType"`
	Status       string           `json:"status"`
	Intent       string           `json:"intent"`
	Priority     string           `json:"priority,omitempty"`
	Code         fhirConcept      `json:"code"`
	Subject      fhirReference    `json:"subject"`
	Note         []fhirAnnotation `json:"note,omitempty"`
}

type fhirConcept struct {
	Text string `json:"text"`
}

type fhirReference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type fhirAnnotation struct {
	Text string `json:"text"`
}
