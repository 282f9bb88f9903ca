package screen

import (
	"io"

	"github.com/painscreen/painscreen/screen/internal/input"
)

// Format names a response-file format.
type Format = input.Format

// The response-file formats.
const (
	FormatJSON  = input.FormatJSON
	FormatJSONL = input.FormatJSONL
	FormatYAML  = input.FormatYAML
	FormatCSV   = input.FormatCSV
)

// InputLimits bound what a response file may hold (record and document size, nesting depth, string length,
// answers and records).
type InputLimits = input.Limits

// DefaultInputLimits returns the limits the CLI uses.
func DefaultInputLimits() InputLimits { return input.DefaultLimits() }

// Record is one decoded response set, or the problem that stopped it from decoding.
type Record = input.Record

// InputError is a problem with one record of a response file (or, returned from Decoder.Next, with the file
// as a whole). It names the record, line and field, never the values.
type InputError = input.Error

// Decoder reads response sets from a stream one at a time, in constant memory.
type Decoder = input.Decoder

// NewDecoder returns a decoder for response sets in format f.
func NewDecoder(r io.Reader, f Format, lim InputLimits) *Decoder { return input.NewDecoder(r, f, lim) }

// FormatFromPath infers a format from a file name (.json, .jsonl/.ndjson, .yaml/.yml, .csv).
func FormatFromPath(path string) (Format, bool) { return input.FormatFromPath(path) }

// ParseFormat parses a format name.
func ParseFormat(s string) (Format, error) { return input.ParseFormat(s) }
