package respfile

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format names a response-file format.
type Format string

// The response-file formats a Decoder reads. See the package documentation for the rules of each.
const (
	// FormatJSON is one response object, or an array of them, as a single JSON text.
	FormatJSON Format = "json"
	// FormatJSONL is JSON Lines: one response object per line (the batch format).
	FormatJSONL Format = "jsonl"
	// FormatYAML is one response mapping or a sequence of them, optionally as a multi-document stream.
	FormatYAML Format = "yaml"
	// FormatCSV is RFC 4180 CSV with a header row naming the columns.
	FormatCSV Format = "csv"
	// FormatFHIR is one FHIR R4 resource as JSON: a QuestionnaireResponse, or a Bundle of them (see
	// FHIRMapper and Decoder.UseFHIR). A FormatJSON decoder with a mapper detects it by itself.
	FormatFHIR Format = "fhir"
)

// FormatFromPath picks the format from a file name's extension, ignoring case: .json, .jsonl or .ndjson,
// .yaml or .yml, and .csv or .tsv (CSV separated by tabs: see CSVOptions.Delimiter). It reports false for any other extension (including none).
func FormatFromPath(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, true
	case ".jsonl", ".ndjson":
		return FormatJSONL, true
	case ".yaml", ".yml":
		return FormatYAML, true
	case ".csv", ".tsv":
		return FormatCSV, true
	}
	return "", false
}

// ParseFormat turns a format name, as a user types it (for example in a --format flag), into a Format.
// It accepts the Format values and the aliases "ndjson", "yml" and "tsv" (CSV separated by tabs), ignoring
// case and surrounding spaces.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "json":
		return FormatJSON, nil
	case "jsonl", "ndjson":
		return FormatJSONL, nil
	case "yaml", "yml":
		return FormatYAML, nil
	case "csv", "tsv":
		return FormatCSV, nil
	case "fhir":
		return FormatFHIR, nil
	}
	return "", fmt.Errorf("unknown response format %q (want json, jsonl, yaml, csv, tsv or fhir)", s)
}
