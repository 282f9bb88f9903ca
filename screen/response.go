package screen

// Response is one response set: the answers of one respondent, at one time, to one or more instruments.
//
// Answers maps an instrument key to that instrument's answers. The key is an instrument id ("phq9"), which
// selects the newest loaded version (or the version a composite rule set binds), or "id@version"
// ("phq9@1.0.0"), which pins one. Each answer is keyed by item id. An answer value is one of:
//
//   - an integer (any Go integer type; a float64 or json.Number only when it holds an exact integer): the
//     option value, or the number for an integer-range item;
//   - a string: the code of one of the item's options (for example a LOINC answer code "LA6568-5");
//   - nil: not answered (the same as leaving the item out).
//
// Context carries respondent facts that some scoring rules read (for example "age" in whole years and
// "sex"); each key must be declared by a loaded definition. Values are integers, numbers, booleans, strings or
// nil, as the field declares.
//
// Subject is opaque: it is echoed into the report and never interpreted, logged or put in error text.
//
// Date is the calendar date the answers were given, an ISO 8601 date ("2026-03-04") as the input gave it.
// Scoring does not read it; follow-up (Engine.FollowUp) and writers that date their results (FHIR) do.
// Nothing reads the clock.
type Response struct {
	Subject string                    `json:"subject,omitempty" yaml:"subject,omitempty"`
	Date    string                    `json:"date,omitempty" yaml:"date,omitempty"`
	Context map[string]any            `json:"context,omitempty" yaml:"context,omitempty"`
	Answers map[string]map[string]any `json:"answers" yaml:"answers"`
}
