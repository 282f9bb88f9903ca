package render

import (
	"errors"
	"fmt"

	"github.com/painscreen/painscreen/internal/jsonenc"

	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// Encoder turns records into the bytes of one output format. It is read-only once built, so any number
// of goroutines may share it, each with its own Appender; a Writer does both for one goroutine.
type Encoder struct {
	format  Format
	csv     *csvLayout
	labels  textLabels
	domains domainLabels // text: the rule set's domains by their labels
	namer   *cds.Namer   // text and brief: names for what a clinician is asked (§1b)
	fhir    *fhir.Writer
	long    *longLayout
	keep    []string // the kept input columns, echoed in every format
	width   int      // text: wrap at this column
}

// Options are the choices of an output beside its format.
type Options struct {
	// Width is the column the text format wraps at (0: 80). Other formats ignore it.
	Width int
	// Keep names the input columns passed through (respfile.CSVOptions.Keep): every format echoes the
	// record's kept cells (Record.Input.Kept) under these names, in this order.
	Keep []string
	// CSVSafe prefixes with ' every text cell of the csv and long formats that starts with =, +, -, @, tab
	// or CR, so that a spreadsheet does not run it as a formula. By default values are written unaltered.
	CSVSafe bool
	// FollowUp adds the follow-up columns to the csv format (followup.baseline_date, followup.days and
	// <instrument>.followup.<measure>), for reports scored against a baseline.
	FollowUp bool
}

// NewEncoder returns an encoder of format f for the reports of eng.
func NewEncoder(eng *screen.Engine, f Format, opts Options) (*Encoder, error) {
	if opts.Width < 0 {
		return nil, fmt.Errorf("render: negative width %d", opts.Width)
	}
	if opts.CSVSafe && f != CSV && f != Long {
		return nil, errors.New("render: CSVSafe applies to the csv and long formats only")
	}
	e := &Encoder{format: f, keep: opts.Keep, width: opts.Width}
	if e.width == 0 {
		e.width = textWidth
	}
	switch f {
	case CSV:
		e.csv = newCSVLayout(eng)
		if opts.FollowUp {
			e.csv.followUpCols(eng)
		}
		e.csv.keep = opts.Keep
		e.csv.cols = append(e.csv.cols, opts.Keep...)
		e.csv.safe = opts.CSVSafe
	case Text:
		e.labels = newTextLabels(eng)
		e.domains = newDomainLabels(eng)
		e.namer = cds.NewNamer(eng)
	case Brief:
		e.namer = cds.NewNamer(eng)
	case Long:
		e.long = newLongLayout(eng)
		e.long.csv.safe = opts.CSVSafe
	case FHIR:
		w, err := fhir.NewWriter(eng)
		if err != nil {
			return nil, err
		}
		e.fhir = w
	case JSONL, JSON:
	default:
		return nil, fmt.Errorf("render: unknown format %d", int(f))
	}
	return e, nil
}

// Format returns the encoder's format.
func (e *Encoder) Format() Format { return e.format }

// Record is one record of the output: the report of a response set, or why there is none.
type Record struct {
	// File names the input as the output shows it (a path as given, or "-").
	File string
	// N is the record's number in its input (from 1), Line the input line it starts on (0: unknown).
	N, Line int
	// Input is what was read: its kept cells, FHIR sources, treatment context and date are written with
	// the report. It may be nil (always for a Failure that ends an input); N and Line are the record's
	// position whatever Input says.
	Input *respfile.Record
	// Report is the record's report; nil when the record could not be scored (Failure says why).
	Report *screen.Report
	// Failure is why the record has no report: the one failed-record type the service answers with too.
	// Only its problem is read (Code, Message, Instrument, Item, ErrLine, ErrCol, Fatal): the record's
	// number, line, file and subject come from this Record. Ignored when Report is set (a report's own
	// errors are in Report.Errors).
	Failure *screen.RecordError
	// Baseline, for a report scored against a baseline, lists the FHIR resources the baseline was read
	// from (the fhir format's derivedFrom).
	Baseline []respfile.Source
}

// Appender encodes records for one goroutine at a time, reusing its buffers from record to record.
type Appender struct {
	e  *Encoder
	sc scratch
}

// NewAppender returns an appender of e's format. Appenders of one encoder may run concurrently.
func (e *Encoder) NewAppender() *Appender { return &Appender{e: e} }

// Append appends rec's encoding to b. The records of a JSON output each start with ",\n" (the separator
// of the array); Writer.WriteEncoded drops the first.
func (a *Appender) Append(b []byte, rec *Record) []byte {
	sc := &a.sc
	sc.kept = nil
	if rec.Input != nil {
		sc.kept = rec.Input.Kept
	}
	if rec.Report != nil {
		sc.baseSrc = rec.Baseline
		in := rec.Input
		if in == nil || in.N != rec.N || in.Line != rec.Line {
			// The record's own position wins; without an Input, only the position is known.
			sc.in = respfile.Record{}
			if in != nil {
				sc.in = *in
			}
			sc.in.N, sc.in.Line = rec.N, rec.Line
			in = &sc.in
		}
		b = a.e.report(b, rec.File, in, rec.Report, sc)
		sc.in = respfile.Record{}
		return b
	}
	f := rec.Failure
	if f == nil {
		f = &screen.RecordError{Code: "internal", Message: "no report and no failure"}
	}
	st := recStat{n: rec.N, line: rec.Line, fatal: f.Fatal, code: f.Code, msg: f.Message, inst: f.Instrument,
		item: f.Item, errLine: f.ErrLine, col: f.ErrCol}
	subject, has := "", false
	if in := rec.Input; in != nil && in.Err == nil && in.Response != nil {
		subject, has = in.Response.Subject, true
		st.date = in.Response.Date
	} else if in != nil && in.Subject != "" {
		subject, has = in.Subject, true // a CSV row that could not be read keeps its subject
	}
	return a.e.errorRecord(b, rec.File, &st, subject, has, sc)
}

// recStat is a failed record as the encoders read it.
type recStat struct {
	n, line int
	fatal   bool
	code    string
	msg     string
	inst    string
	item    string
	col     int    // column of the problem, 0 when unknown
	errLine int    // line of the problem
	date    string // the record's date, when it decoded
}

// scratch is per-goroutine encoding state, reused from record to record.
type scratch struct {
	vals  []screen.Value
	set   []uint8 // cellUnset, cellValue, cellFlags
	tmp   []byte
	kept  []string // the record's kept cells (Record.Kept)
	keep  []string // text: the kept columns' names
	width int      // text: wrap at this column (0: textWidth)
	// baseSrc: follow-up in the fhir format, the responses of the record's baseline (derivedFrom).
	baseSrc []respfile.Source
	in      respfile.Record // a Record's input when it has none, or another position
	// rec is the input record being encoded (its input notes go to the CSV notes column).
	rec *respfile.Record
}

// Cell kinds in scratch.set.
const (
	cellUnset uint8 = iota
	cellValue
	cellFlags
)

// header is written once at the start of the output.
func (e *Encoder) header() []byte {
	switch e.format {
	case CSV:
		return e.csv.header()
	case Long:
		return e.long.header(e.keep)
	}
	return nil
}

// report encodes a report (JSON records start with ",\n", which the writer drops before the first one).
func (e *Encoder) report(b []byte, file string, rec *respfile.Record, rep *screen.Report, sc *scratch) []byte {
	sc.rec = rec
	switch e.format {
	case JSON:
		b = append(b, ",\n"...)
		b = appendSourceNotesJSON(appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec), rec)
	case JSONL:
		b = appendSourceNotesJSON(appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec), rec)
		b = append(b, '\n')
	case CSV:
		b = e.csv.appendReport(b, file, rec, rep, sc)
	case Text:
		sc.width, sc.keep = e.width, e.keep
		b = appendTextReport(b, file, rec, rep, e.labels, e.domains, e.namer, sc)
	case FHIR:
		b = e.appendFHIRReport(b, file, rec, rep, sc.baseSrc)
	case Long:
		b = e.long.appendReport(b, file, rec, rep, len(e.keep), sc)
	case Brief:
		b = e.appendBriefReport(b, file, rec, rep, sc)
	}
	return b
}

// errorRecord encodes an error record. subject is written when the record decoded (hasSubject).
func (e *Encoder) errorRecord(b []byte, file string, st *recStat, subject string, hasSubject bool, sc *scratch) []byte {
	switch e.format {
	case JSON, JSONL:
		if e.format == JSON {
			b = append(b, ",\n"...)
		}
		re := screen.RecordError{Record: st.n, Line: st.line, File: file, Subject: subject, HasSubject: hasSubject,
			Fatal: st.fatal, Code: st.code, Message: st.msg, Instrument: st.inst, Item: st.item, ErrLine: st.errLine, ErrCol: st.col}
		b = re.AppendJSON(b)
		b = e.appendKeptJSON(b, sc)
		if e.format == JSONL {
			b = append(b, '\n')
		}
	case CSV:
		b = e.csv.appendError(b, file, st, subject, sc)
	case Text:
		sc.width, sc.keep = e.width, e.keep
		b = appendTextError(b, file, st, subject, hasSubject, sc)
	case FHIR:
		b = appendFHIRError(b, file, st)
	case Long:
		b = e.long.appendError(b, file, st, subject, len(e.keep), sc)
	case Brief:
		b = e.appendBriefError(b, file, st, subject, hasSubject, sc)
	}
	return b
}

// --- JSON -------------------------------------------------------------------------------------------

// appendJSONString writes s as a JSON string, escaped exactly as screen's reports are.
func appendJSONString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

// appendValue writes a value as the report's JSON does, strings unquoted and null as the given text.
func appendValue(b []byte, v screen.Value, null string) []byte {
	if v.IsNull() {
		return append(b, null...)
	}
	b, _ = v.AppendText(b) // never fails
	return b
}
