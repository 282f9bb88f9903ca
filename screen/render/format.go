package render

import (
	"fmt"
	"strings"
)

// Format is an output format.
type Format int

// The output formats.
const (
	JSONL Format = iota // one JSON report per line (the JSON contract of screen.Report)
	JSON                // one JSON array of reports
	Text                // a readable summary for a clinician, wrapped at Options.Width
	CSV                 // one row per record, fixed columns from the engine's definitions
	FHIR                // one FHIR R4 Bundle (or OperationOutcome) per line
	Long                // tidy CSV: one row per subject × result, for R and pandas
	Brief               // one line of text per record
)

var formatNames = map[string]Format{"jsonl": JSONL, "ndjson": JSONL, "json": JSON, "text": Text, "csv": CSV,
	"long": Long, "brief": Brief, "fhir": FHIR}

// ParseFormat returns the format of a name: jsonl (or ndjson), json, text, brief, csv, long or fhir, in any
// case.
func ParseFormat(name string) (Format, error) {
	if f, ok := formatNames[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("unknown output format %q (want jsonl, json, text, brief, csv, long or fhir)", name)
}

// String returns the format's name, as ParseFormat reads it.
func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case Text:
		return "text"
	case CSV:
		return "csv"
	case FHIR:
		return "fhir"
	case Long:
		return "long"
	case Brief:
		return "brief"
	}
	return "jsonl"
}
