package screen

import (
	"errors"
	"strconv"
)

// RecordError is a record of an input that has no report: it could not be decoded, or could not be
// scored at all (Score returned an error), or it stands for an input that cannot be read further. It is
// the one failed-record shape of painscreen's outputs: `painscreen score` writes it in JSON and JSON
// Lines in place of the record's report, and the HTTP service answers a response set it cannot score with
// its "error" object (AppendErrorJSON), as it answers every other error.
//
// Its texts name positions, fields, instruments and items, never an answer value; the subject id is
// health data, and is in the record (not in any message) only because the output is the user's, to match
// the record to its subject.
//
// Its JSON (MarshalJSON, AppendJSON) is
//
//	{"record":7,"line":7,"file":"in.jsonl","subject":"pt-1","fatal":true,"error":{"code":"invalid_value",
//	 "message":"…","instrument":"phq9","item":"q1","line":7,"col":12}}
//
// with "subject" only when the record decoded (HasSubject), "fatal" only when set, and the error's "line"
// only when known ("col" only with it); "instrument" and "item" are always present ("" when none).
type RecordError struct {
	// Record is the record's number in its input, from 1; Line the input line it starts on (0: unknown).
	Record, Line int
	// File names the input as the output shows it (a path as given, or "-").
	File string
	// Subject is the record's subject id, when the record decoded (HasSubject).
	Subject    string
	HasSubject bool
	// Fatal marks the problem that ended an input: nothing after it was read.
	Fatal bool
	// Code is the error code (ScoreError's codes, or the response-file decoder's), Message the problem in
	// words, Instrument and Item what it concerns ("" when nothing in particular).
	Code, Message, Instrument, Item string
	// ErrLine and ErrCol are where in the input the problem is, when known (decoding problems).
	ErrLine, ErrCol int
}

// RecordErrorOf returns the failed record of a response set that Score could not score: the code,
// message, instrument and item of err's *ScoreError, or, for any other error (a cancelled context), the
// code "internal" and the error's text, which is the engine's, never the data's.
func RecordErrorOf(err error) RecordError {
	var se *ScoreError
	if errors.As(err, &se) {
		return RecordError{Code: se.Code, Message: se.Message, Instrument: se.Instrument, Item: se.Item}
	}
	return RecordError{Code: "internal", Message: err.Error()}
}

// MarshalJSON encodes the failed record (see RecordError).
func (e RecordError) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// AppendJSON appends the failed record's JSON (one line, no trailing newline) to b.
func (e *RecordError) AppendJSON(b []byte) []byte {
	b = append(b, `{"record":`...)
	b = strconv.AppendInt(b, int64(e.Record), 10)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(e.Line), 10)
	b = append(b, `,"file":`...)
	b = appendString(b, e.File)
	if e.HasSubject {
		b = append(b, `,"subject":`...)
		b = appendString(b, e.Subject)
	}
	if e.Fatal {
		b = append(b, `,"fatal":true`...)
	}
	b = append(b, `,"error":`...)
	b = e.AppendErrorJSON(b)
	return append(b, '}')
}

// AppendErrorJSON appends the record's "error" object alone: {"code","message","instrument","item",
// "line"?,"col"?}. The HTTP service's error bodies are this object.
func (e *RecordError) AppendErrorJSON(b []byte) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, e.Code)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"instrument":`...)
	b = appendString(b, e.Instrument)
	b = append(b, `,"item":`...)
	b = appendString(b, e.Item)
	if e.ErrLine > 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(e.ErrLine), 10)
		if e.ErrCol > 0 {
			b = append(b, `,"col":`...)
			b = strconv.AppendInt(b, int64(e.ErrCol), 10)
		}
	}
	return append(b, '}')
}
