package respfile

// Limits bounds the resources one Decoder spends on its input, so that a hostile or broken file cannot
// exhaust memory or the stack. A field that is zero or negative takes its DefaultLimits value, so the zero
// Limits is the defaults; DefaultLimits' MaxRecords is 0, which means no limit on the number of records.
// To lift another limit, set it to a very large value.
type Limits struct {
	// MaxRecordBytes bounds the bytes of one record: a JSONL line (without its line end), one element of
	// a JSON array (or the whole JSON object), one CSV row (all its physical lines), or one item of a YAML
	// block list. A record over it is a too_large error record; its bytes are skipped without being
	// buffered. A CSV header over it, a JSON element over it whose brackets do not balance, and a YAML
	// document over it that is not a block list (one mapping, a flow list [ … ]: these are parsed whole)
	// are fatal.
	MaxRecordBytes int
	// MaxDocumentBytes bounds the bytes of the whole input for JSON and YAML. Going over it is a fatal
	// too_large error. It does not apply to JSONL and CSV, which are read one record at a time. For YAML it
	// is further capped at MaxYAMLDocumentBytes, for FHIR at MaxFHIRDocumentBytes.
	MaxDocumentBytes int64
	// MaxDepth bounds the nesting of objects and arrays (mappings and sequences) within one record; the
	// record's own object is level 1 and a valid record needs 3 (record, answers, instrument), so values
	// below 3 are raised to 3; values above 1000 are lowered to 1000 (the parser recurses per level).
	// YAML records are never walked past level 3 (a deeper value is an object or array answer, which the
	// engine rejects as wrong_type of its item); yaml.v3's own limits
	// bound the parse.
	MaxDepth int
	// MaxStringBytes bounds the bytes of any one string (key, subject, option code, CSV cell) after
	// unescaping. A longer string is a too_large error record. In FHIR input a longer string is not kept
	// and fails only the resource that needs it (a linkId, a status), never the document: narratives and
	// other members painscreen does not read may be of any length.
	MaxStringBytes int
	// MaxAnswers bounds the number of answers in one record, counted over all its instruments (null
	// answers count). More is a too_large error record; for CSV, a header with more answer columns is a
	// fatal too_large error. In FHIR input it bounds one QuestionnaireResponse (more: an error record of
	// that response only); a record that would grow past it starts a new record.
	MaxAnswers int
	// MaxRecords bounds the number of records in the input; 0 means no limit. The record after the last
	// allowed one is not returned: Next returns a fatal too_many_records error instead.
	MaxRecords int
}

// Defaults, as returned by DefaultLimits.
const (
	DefaultMaxRecordBytes   = 1 << 20   // 1 MiB
	DefaultMaxDocumentBytes = 256 << 20 // 256 MiB
	DefaultMaxDepth         = 16
	DefaultMaxStringBytes   = 4096
	DefaultMaxAnswers       = 10000
	// MaxYAMLDocumentBytes caps YAML input whatever MaxDocumentBytes says. (Memory does not depend on
	// it: block lists are read one item at a time, other documents are at most MaxRecordBytes.)
	MaxYAMLDocumentBytes = 32 << 20 // 32 MiB
	// MaxFHIRDocumentBytes caps a FHIR document whatever MaxDocumentBytes says: it is read whole, since a
	// Bundle is grouped by subject and date before its first record (a Bundle is parsed one entry at a time,
	// another resource whole).
	MaxFHIRDocumentBytes = 64 << 20 // 64 MiB
)

// minDepth is the nesting a valid record needs: the record object, answers, one instrument; maxDepth
// bounds the parser's recursion.
const (
	minDepth = 3
	maxDepth = 1000
)

// DefaultLimits returns the limits used for any Limits field that is zero or negative: records of at most
// 1 MiB, JSON and YAML documents of at most 256 MiB, nesting depth 16, strings of at most 4096 bytes, at
// most 10000 answers per record, and no limit on the number of records.
func DefaultLimits() Limits {
	return Limits{
		MaxRecordBytes:   DefaultMaxRecordBytes,
		MaxDocumentBytes: DefaultMaxDocumentBytes,
		MaxDepth:         DefaultMaxDepth,
		MaxStringBytes:   DefaultMaxStringBytes,
		MaxAnswers:       DefaultMaxAnswers,
		MaxRecords:       0,
	}
}

// withDefaults returns l with every unset (zero or negative) field replaced by its default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxDocumentBytes <= 0 {
		l.MaxDocumentBytes = d.MaxDocumentBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	l.MaxDepth = min(max(l.MaxDepth, minDepth), maxDepth)
	if l.MaxStringBytes <= 0 {
		l.MaxStringBytes = d.MaxStringBytes
	}
	if l.MaxAnswers <= 0 {
		l.MaxAnswers = d.MaxAnswers
	}
	if l.MaxRecords < 0 {
		l.MaxRecords = 0
	}
	return l
}
