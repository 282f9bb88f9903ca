// Package respfile reads response files: it turns JSON, JSON Lines, YAML, CSV and FHIR R4 files into screen.Response
// values, one record at a time, strictly (nothing is guessed, merged, replaced or silently dropped) and safely (memory, nesting
// and string sizes are bounded by Limits, and no input makes them panic).
//
// # Records
//
// Every record of the input yields exactly one Record from Decoder.Next: either a screen.Response or an *Error
// for that record alone, after which decoding goes on. A problem that leaves the rest of the input
// unreadable (a JSON or YAML syntax error, a bad CSV header, a limit on the whole input, an I/O error) is
// returned by Next as an error, and ends the input; records already returned stay valid.
//
//	format  a record is                                   Record.Line            fatal
//	JSONL   each non-blank line (blank: only spaces,      the line               nothing about the
//	        tabs, CR); a bad line is an error record                             data
//	JSON    the whole input if it is not an array, else   the line of the        syntax errors, empty
//	        each array element ([] holds no record)       element's first byte   input, too_large input
//	YAML    each document's mapping, or each element of   the line of the        syntax errors, empty
//	        a document's sequence; empty documents hold   mapping                input, too_large input
//	        no record                                                            or document
//	CSV     each row after the header; blank lines are    the line where the     header errors, empty
//	        not rows                                      row starts             input
//	FHIR    the QuestionnaireResponses of one subject     the line of its first  any JSON problem,
//	        and date (see FHIR R4 below)                  response               other resources
//
// In every format, I/O errors and going over Limits.MaxRecords are fatal too.
//
// A loop that is done with each response set before it reads the next (score, write, forget) may give it
// back with Decoder.Recycle: the next JSON and JSON Lines records are read into its emptied maps, which
// saves most of the decoder's allocations. A recycled response set belongs to the decoder again and must
// not be kept or read afterwards.
//
// # FHIR R4
//
// FHIR input is one JSON resource: a QuestionnaireResponse (one record) or a Bundle whose entries hold
// QuestionnaireResponses (other resources in it are not answers and are passed over). The responses of
// one subject (subject.reference, else subject.identifier.value) on one date (the calendar date of
// authored, as written) are one record, in the order their first response appears; a second response
// to the same instrument on the same date starts a record of its own, so both are scored. A FHIRMapper
// (see its documentation for the mapping rules) says which instrument, item and answer each part
// stands for; Decoder.UseFHIR gives it to a decoder. Record.Sources names the responses merged into a
// record. With FormatJSON, an object with a "resourceType" member among those that begin in its first 64
// KiB is FHIR (FHIR writers put resourceType first). A FHIR document is read whole (at most
// MaxFHIRDocumentBytes, and Limits.MaxDocumentBytes) since a Bundle is grouped before its first record is
// returned; JSON problems anywhere in it (syntax, a duplicate key, invalid
// UTF-8) are fatal. A QuestionnaireResponse that breaks the FHIR structure painscreen reads (an item
// that is not an object, a missing linkId, a linkId or status longer than Limits.MaxStringBytes), that
// has more than Limits.MaxAnswers answers, or that is entered-in-error is an error record of its own
// (code fhir, or too_large), and the other responses of its subject and date are read as usual; an item
// or answer that maps to nothing is not a decoding error but an error of that item in the report, so the
// record is still scored (see FHIRMapper). Members painscreen never reads (narratives, meta, contained
// resources, display texts, primitive extensions) are skipped without being kept, and a long string
// elsewhere is never an error of the document. A Bundle is parsed one entry at a time: decoding a
// document allocates a few times its size at most, the records included (TestFHIRMemory: at most 4 ×
// for 1 MiB Bundles of every shape tested). Record.Sources also carries each response's authored
// instant, status and notes (SourceNote: a declined answer, a version or questionnaire it was read as, a
// preliminary status, conflicting answers). Nesting may be as deep as the larger of Limits.MaxDepth and
// 128.
//
// With Decoder.UseEHRContext, the Patient, MedicationRequest, Medication and Condition resources of a
// Bundle are read too: each record's patient gets the treatment context derived from them (package
// screen/ehr), added to the record's context where it declares no value of its own, and Record.EHR says
// what was derived and from which resources.
//
// # screen.Response shape
//
// A record is an object (a YAML mapping) with the keys subject (a string or null; optional), context (an
// object of key -> integer, string or null; optional, null is the same as absent) and answers (required:
// instrument key -> object of item id -> answer). Any other top-level key is an unknown_field error;
// it is never ignored. Keys are not checked against any instrument catalogue (the engine does that), but
// an empty key is an empty_key error. A CSV file carries the same shape in columns: subject,
// context.<key>, and <instrument>.<item>, where the instrument is everything before the last dot, so
// phq9@1.0.0.q1 is instrument phq9@1.0.0, item q1.
//
// An answer, or a context value, is one of:
//
//	written as                                       decoded as        notes
//	an integer: 3, -1, 2.0 (JSON/YAML number, CSV    int64             a fraction of zeros is whole (2.0)
//	cell)
//	a string: "LA6568-5"; a CSV cell that is not     string            an option code, kept byte for byte
//	a number                                                           (never trimmed or normalised)
//	null (JSON), ~ or null or nothing (YAML), an     nil               not answered; the item stays in its
//	empty CSV cell                                                     instrument's map with a nil value
//	absent                                           no key            not answered
//	any other number: 2.5, 1e2, 1e400,               json.Number       its text; the engine reports it as
//	99999999999999999999, YAML 0x1F or .inf                            not_integer of its item, and reads it
//	                                                                   for a context field declared a number
//	true/false (a CSV context cell true/false too)   bool              wrong_type of its item
//	an array or object (YAML sequence or mapping)    []any{} or        wrong_type of its item; the content is
//	                                                 map[string]any{}  checked for syntax but not kept
//
// A bad answer spoils only itself (composite contract §1a rule 1): whatever is wrong with a value that
// parses, the record is still returned as a screen.Response, and the engine lists the problem as an error
// of that item (code, instrument and item, never the value) or, for a context value, as invalid_context,
// and scores everything else. Only a record that cannot be read at all (a syntax error, a CSV row with the
// wrong number of fields, a string that is not UTF-8 or is over Limits.MaxStringBytes, a YAML alias or
// custom tag, a record over a limit) is an error record. All decoders apply the one rule in scalar.go.
//
// Decisions in detail:
//   - Numbers must be whole. A fraction of zeros is accepted (2.0, 2.00: pandas writes integer columns
//     that hold NaN that way, and the value is exact); anything else with a fraction or an exponent (1.5,
//     1e1), NaN and infinities and integers outside the int64 range are passed on as json.Number, which no
//     item accepts (a number's text longer than Limits.MaxStringBytes is passed on as json.Number("NaN")).
//   - CSV cells: a cell is an integer when it is a JSON integer literal (an optional '-', digits, no
//     leading zeros, no '+', no spaces), optionally with a fraction of zeros (2.0); a cell that is some
//     other JSON number (1.5, 1e3) is a json.Number; any other non-empty cell is a string, so "01", "+1"
//     and " 1" are option codes that the engine will reject unless an item has them. The empty cell and
//     the NA tokens (CSVOptions.NA, by default DefaultNA: NA, N/A, #N/A, NaN, nan) are nil; "null" is a
//     string.
//   - CSV context cells follow the same rules, and true and false are booleans; an empty one gives the
//     key a nil value (as JSON null does), so JSON, YAML and CSV files with the same content give the same
//     screen.Response.
//   - YAML: !!int in plain decimal (an optional sign, no leading zeros) is an integer; any other !!int
//     (0x, 0o, 0b, underscores, which yaml.v3 would read with YAML 1.1 rules) and any !!float that is not
//     a whole number with a fraction of zeros (2.5, .inf, .nan) is a json.Number; !!bool is a boolean; a
//     !!timestamp is its text, a string (no item has such a code); !!binary and other tags are wrong_type
//     errors of the record (quote the value to make it a string). Mapping keys are taken as their text,
//     whatever their tag.
//   - The subject must be a string (a number would lose leading zeros or precision and break record
//     linkage); null or absent means no subject.
//   - A record with no answers key is missing_field; an answers object with no instrument, or whose
//     instruments are all empty or hold only null answers, is empty ("a response set with no answers at
//     all is an error"); a CSV row whose answer cells are all empty is empty. An empty instrument next
//     to others that have answers is kept as an empty map.
//   - Duplicate keys at any level (and duplicate CSV header columns) are errors, never "last one wins",
//     except an item answered twice in one record: it is read, with its answers in order as a list, which
//     the engine reports as conflicting answers (an error of that item only, code conflicting_answers,
//     that still surfaces a flag one of the answers fires). FHIR items with more than one answer, repeated
//     linkIds and Codings whose code and ordinal value disagree are read the same way.
//
// # CSV files from spreadsheets, R, pandas and REDCap
//
// The delimiter is ',', ';' (the default of Excel in much of Europe) or tab: CSVOptions.Delimiter, or
// sniffed from the header row. NA tokens are read as missing answers (see above). Columns other than
// subject, context.<key> and answers (a site, a visit) are passed through when CSVOptions.Keep names them:
// their cells come back in Record.Kept. REDCap data exports are read as they are: an answer column may be
// named <instrument>__<item> (REDCap variable names cannot hold dots) and REDCap's bookkeeping columns are
// skipped (see REDCapSeparator).
//
// Everything about a column is decided once, from the header, and every problem with the header is
// listed in one fatal csv_header error, each with its column number: an empty, padded, duplicate or
// unrecognised name, two columns read as the same answer or context field in different spellings
// (phq9.q9 and phq9__q9, context.age and context__age: both columns are named, since a later column
// would otherwise overwrite an earlier one, even with an empty cell), one instrument named under two keys
// (phq9.q1 and phq9@1.0.0.q9: the engine would score one key and drop the other's answers), a kept
// column that is missing or
// is read as something else, and — when
// CSVOptions.Items lists the loaded instruments — an instrument or item that is not loaded, with "did you
// mean". When CSVOptions.IsAnswer is set, an NA token that is a valid answer of an item among the answer
// columns (NA 3 for a 0-3 item, an option code) is a fatal csv_na error naming the token and the column.
// Per record are only the problems of a cell's bytes (invalid_utf8, too_large), a row with the wrong
// number of fields (csv_columns) and a row without any answer (empty); a cell whose value is wrong for its
// item is that item's error in the report.
//
// # Bytes
//
// Input must be UTF-8. A byte sequence that is not UTF-8 anywhere in a record, or a JSON \u escape that is
// a lone surrogate, makes that record an invalid_utf8 error; nothing is ever replaced by U+FFFD, since a
// mangled subject id breaks linkage. (For YAML, invalid UTF-8 in an item of a block list is that
// record's error; elsewhere in a YAML document it is fatal.) A UTF-8 byte order mark at the start of the
// input is skipped, and CRLF line ends are accepted everywhere. An input that starts with a UTF-16 byte
// order mark, or with an ASCII character written in two bytes, is fatal in every format (invalid_utf8:
// "input is UTF-16"). Line and column numbers are 1-based; columns count bytes, not characters, and the byte
// order mark is not counted.
//
// # Limits
//
// Limits bounds one record's bytes, the whole document for JSON and YAML, nesting depth, string length,
// answers per record and records per input; see Limits and DefaultLimits. A record over a per-record limit
// is an error record (too_large, too_deep) and decoding goes on: an over-long JSONL line or CSV row is
// skipped without being buffered. JSON arrays are streamed element by element, so memory does not grow
// with the number of records. A YAML block list (a document of "- …" items, the usual shape of a batch)
// is streamed item by item too: each item is parsed on its own by go.yaml.in/yaml/v3 (small items a
// group at a time), so memory holds about one record, whatever the size of the list; an item that does
// not parse on its own (a multi-line quoted string can hold a line that looks like the start of the next
// item) is parsed again with the items after it. Any other YAML document (one mapping, a flow list) is
// parsed whole and may be at most MaxRecordBytes long. A syntax error in a YAML document is fatal; the
// records before it stay returned. YAML
// anchors, aliases and merge keys are rejected (code alias), which also rules out "billion laughs"
// inputs.
//
// # Privacy of error messages
//
// screen.Response files hold health data. Error messages (Error.Msg) never contain answer values, subject ids or
// raw input text: only field paths built from keys (answers.phq9.q1, context.age), CSV column names from
// the header, sizes, counts, line and column numbers. Keys are treated as identifiers and echoed, quoted
// and shortened when unusual. Messages of the YAML parser are passed on only when they are plain words.
package respfile
