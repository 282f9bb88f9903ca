package respfile

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error codes. They are stable: tools may match on them.
const (
	// CodeSyntax: the record (or, for JSON and YAML, the input) is not well-formed JSON, YAML or CSV.
	CodeSyntax = "syntax"
	// CodeDuplicateKey: a key appears twice in one object or mapping.
	CodeDuplicateKey = "duplicate_key"
	// CodeInvalidDate: (in Record.DateErr) a CSV date cell that is not a date the reader can read.
	CodeInvalidDate = "invalid_date"
	// CodeEmptyKey: a key (instrument, item or context key) is the empty string.
	CodeEmptyKey = "empty_key"
	// CodeNotInteger: a number is not written as an integer (it has a fraction or exponent), or it does
	// not fit in an int64. The decoders no longer return it for an answer or a context value: such a value
	// is passed on to the engine, which reports it with the same code as an error of its item (see the
	// package documentation); it stays for tools that match on it.
	CodeNotInteger = "not_integer"
	// CodeWrongType: a value has a type that is not allowed where it stands in the record's structure (an
	// array for the context or the answers, a record that is not an object, a subject that is a number,
	// ...). A boolean, object or array as an answer or a context value is not a decoding error: the
	// engine reports it as an error of its item (or invalid_context).
	CodeWrongType = "wrong_type"
	// CodeInvalidUTF8: the record holds bytes that are not UTF-8, or a \u escape that is not a valid
	// character (a lone surrogate). Nothing is ever replaced by U+FFFD.
	CodeInvalidUTF8 = "invalid_utf8"
	// CodeTooLarge: a record, string, answer count, CSV line or whole document is over its Limits.
	CodeTooLarge = "too_large"
	// CodeTooDeep: objects or arrays are nested deeper than Limits.MaxDepth.
	CodeTooDeep = "too_deep"
	// CodeTooManyRecords: the input holds more than Limits.MaxRecords records (fatal).
	CodeTooManyRecords = "too_many_records"
	// CodeUnknownField: a top-level key other than subject, context and answers.
	CodeUnknownField = "unknown_field"
	// CodeMissingField: a record without answers, or (in Record.SubjectErr) a CSV row whose subject cell
	// is empty, white space or an NA token (CSVOptions.NA) in a file with a subject column.
	CodeMissingField = "missing_field"
	// CodeEmpty: a record with no answer at all (no instrument, or only null answers and empty
	// instruments), a CSV row whose answer cells are all empty, or an input with no content (fatal).
	CodeEmpty = "empty"
	// CodeCSVColumns: a CSV row has a different number of fields from the header.
	CodeCSVColumns = "csv_columns"
	// CodeCSVHeader: the CSV header has an empty, duplicate or unrecognised column, two columns read as
	// the same answer or context field (phq9.q9 and phq9__q9), or no answer column (fatal).
	CodeCSVHeader = "csv_header"
	// CodeCSVNA: an NA token (CSVOptions.NA) is a valid answer of an item among the file's answer
	// columns, so that reading it as missing would turn real answers into blanks (fatal; see
	// CSVOptions.IsAnswer).
	CodeCSVNA = "csv_na"
	// CodeAlias: a YAML anchor, alias or merge key.
	CodeAlias = "alias"
	// CodeFHIR: a FHIR resource breaks a rule of FHIR R4 JSON that reading it relies on (an item that is
	// not an array, a linkId that is not a string, …), or is one painscreen does not read (a top-level
	// resource other than a QuestionnaireResponse or a Bundle; a QuestionnaireResponse entered in error).
	CodeFHIR = "fhir"
)

// Error is a problem with the data: with one record (returned in Record.Err, and decoding goes on) or with
// the input as a whole (returned by Decoder.Next as a fatal error).
//
// Msg never holds answer values, subject ids or any other raw input text. It names only field paths built
// from keys (such as answers.phq9.q1 or context.age), CSV column names from the header, sizes, counts and
// positions. Keys are echoed because they are identifiers, not health data; they are shortened and quoted
// when they are long or hold unusual characters.
type Error struct {
	// Record is the 1-based ordinal of the record the problem is in, or 0 when it is not in one record.
	Record int
	// Line and Col are the 1-based line and byte column where the problem is; 0 when unknown.
	Line, Col int
	// Code is a stable machine-readable code: one of the Code constants.
	Code string
	// Msg is human-readable text about the problem, normally starting with the field path.
	Msg string
	// Instrument and Item name the answer the problem is in, when it is in one answer (Item is empty
	// when the problem is with the instrument as a whole).
	Instrument, Item string
}

// Error formats the error as "record 7 (line 7, col 40): answers.phq9.q1: number is not an integer",
// leaving out the parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.Grow(len(e.Msg) + 40)
	if e.Record > 0 {
		b.WriteString("record ")
		b.WriteString(strconv.Itoa(e.Record))
		if e.Line > 0 {
			b.WriteString(" (")
		}
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteString(", col ")
			b.WriteString(strconv.Itoa(e.Col))
		}
		if e.Record > 0 {
			b.WriteString(")")
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxKeyInMsg is the longest key echoed in a message; longer keys are cut.
const maxKeyInMsg = 64

// showKey renders a key for an error message: plain when it is a short identifier-like string, else
// quoted (Go syntax, so control characters and invalid bytes are escaped) and cut to maxKeyInMsg bytes.
func showKey(k string) string {
	plain := len(k) > 0 && len(k) <= maxKeyInMsg
	for i := 0; plain && i < len(k); i++ {
		c := k[i]
		plain = c == '_' || c == '-' || c == '@' || c == '.' || c == '+' ||
			('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
	}
	if plain {
		return k
	}
	if len(k) > maxKeyInMsg {
		cut := maxKeyInMsg
		for cut > 0 && !utf8.RuneStart(k[cut]) {
			cut--
		}
		return strconv.Quote(k[:cut]) + "…"
	}
	return strconv.Quote(k)
}

// path joins a field path for messages: path("answers", inst, item).
func path(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		if i == 0 {
			b.WriteString(p) // a fixed word: subject, context, answers, record
		} else {
			b.WriteString(showKey(p))
		}
	}
	return b.String()
}
