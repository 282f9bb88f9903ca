// Package render writes painscreen reports in the formats people and tools read: JSON Lines and JSON (the
// JSON contract of screen.Report), a text summary for a clinician, one line of text per record (brief), a
// wide CSV with one row per response set, a tidy long CSV with one row per subject and result, and FHIR R4
// Bundles. Every format also writes the records that could not be scored, each saying why (a screen.RecordError, the failed-record type the service answers with too), so
// that every input record has exactly one output record.
//
// A Writer writes records in order on one goroutine:
//
//	w, err := render.NewWriter(os.Stdout, eng, render.Text, render.Options{Width: 100})
//	...
//	err = w.Write(&render.Record{File: "visit.yaml", N: 1, Input: &rec, Report: rep})
//	...
//	err = w.Close()
//
// To encode on several goroutines, share one Encoder, give each goroutine an Appender, and hand the bytes
// to Writer.WriteEncoded in order (screen/batch does this).
//
// In JSON Lines and JSON, a record that could not be scored is written as
//
//	{"record":7,"line":7,"file":"in.jsonl","subject":"pt-1","error":{"code":"invalid_value",
//	 "message":"…","instrument":"phq9","item":"q1"}}
//
// with "subject" only when the record decoded, "line" and "col" of the problem inside "error" when the
// input gives them, "fatal":true for the problem that ended an input, and "kept" when Options.Keep names
// columns. In CSV it is a row with status "error" and the error_* columns; in long, one row of kind
// "error"; in FHIR, an OperationOutcome.
//
// Text formats (text, brief) escape every string from the input or the definitions so that it cannot act
// on a terminal; machine formats (JSON, CSV) keep values byte for byte. CSV cells are written unaltered
// unless Options.CSVSafe asks to disarm cells a spreadsheet would run as formulas.
package render
