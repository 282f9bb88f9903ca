package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/jsonenc"

	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// outFormat is an output format of score.
type outFormat int

const (
	outJSONL outFormat = iota
	outJSON
	outText
	outCSV
	outFHIR  // one FHIR R4 Bundle (or OperationOutcome) per line: see fhirout.go
	outLong  // tidy CSV: one row per subject × result (analyst.go)
	outBrief // one line of text per record (analyst.go)
)

var outFormatNames = map[string]outFormat{"jsonl": outJSONL, "ndjson": outJSONL, "json": outJSON, "text": outText, "csv": outCSV,
	"long": outLong, "brief": outBrief, "fhir": outFHIR}

func (f outFormat) String() string {
	switch f {
	case outJSON:
		return "json"
	case outText:
		return "text"
	case outCSV:
		return "csv"
	case outFHIR:
		return "fhir"
	case outLong:
		return "long"
	case outBrief:
		return "brief"
	}
	return "jsonl"
}

// Tier indexes in recStat for records without a tier.
const (
	tierNone       = -1 // no rule set, or an error record
	tierNotApplied = -2 // the rule set was not applied (a required input is absent)
)

// recStat is what the writer needs to know about one encoded record: the summary counts, and an error to
// mention on stderr. Error texts come from screen (InputError.Msg, ScoreError.Message), which never hold
// answers or subject ids.
type recStat struct {
	n, line int
	ok      bool
	partial bool // a report was written, but the record has errors (ok is false)
	nerrs   int  // how many errors the record has
	fatal   bool // the input cannot be read further (not a record of the input)
	tier    int
	code    string
	msg     string
	inst    string
	item    string
	col     int      // input errors: column of the problem, 0 when unknown
	errLine int      // input errors: line of the problem
	codes   []string // a scored record with several errors: every error's code (for the summary)
}

// encoder turns reports and errors into output bytes. It is read-only once built, so the scorer
// goroutines share it; per-goroutine state lives in a scratch.
type encoder struct {
	format  outFormat
	tiers   []string // the rule set's tiers, highest first
	tierIdx map[string]int
	csv     *csvLayout
	labels  textLabels
	namer   *cds.Namer // text and brief: names for what a clinician is asked (§1b)
	fhir    *fhir.Writer
	long    *longLayout
	keep    []string // --keep: the kept CSV columns, echoed in every format
	width   int      // text: wrap at this column
}

func newEncoder(f outFormat, eng *screen.Engine) *encoder {
	e := &encoder{format: f, tierIdx: map[string]int{}}
	if doc, err := eng.DescribeRuleSet(); err == nil {
		for i, t := range doc.Tiers {
			e.tierIdx[t.ID] = i
			e.tiers = append(e.tiers, t.ID)
		}
	}
	switch f {
	case outCSV:
		e.csv = newCSVLayout(eng)
	case outText:
		e.labels = newTextLabels(eng)
		e.namer = cds.NewNamer(eng)
	case outBrief:
		e.namer = cds.NewNamer(eng)
	case outLong:
		e.long = newLongLayout(eng)
	}
	return e
}

// scratch is per-goroutine encoding state, reused from record to record.
type scratch struct {
	rep   *screen.Report // reused by ScoreTo
	vals  []screen.Value
	set   []uint8 // cellUnset, cellValue, cellFlags
	tmp   []byte
	kept  []string // the record's kept cells (Record.Kept)
	keep  []string // text: the kept columns' names
	width int      // text: wrap at this column (0: textWidth)
	// baseSrc: --follow-up with --format fhir, the responses of the record's baseline (derivedFrom).
	baseSrc []respfile.Source
	// rec is the record being encoded (its input notes go to the CSV notes column).
	rec *respfile.Record
}

// Cell kinds in scratch.set.
const (
	cellUnset uint8 = iota
	cellValue
	cellFlags
)

// header is written once at the start of the output.
func (e *encoder) header() []byte {
	switch e.format {
	case outCSV:
		return e.csv.header()
	case outLong:
		return e.long.header(e.keep)
	}
	return nil
}

// report encodes a report (JSON records start with ",\n", which the writer drops before the first one)
// and fills st with its tier.
func (e *encoder) report(b []byte, file string, rec *respfile.Record, rep *screen.Report, st *recStat, sc *scratch) []byte {
	st.ok = true
	st.tier = tierNone
	if c := rep.Composite; c != nil {
		st.tier = tierNotApplied
		if c.Applied {
			if i, ok := e.tierIdx[string(c.Tier)]; ok {
				st.tier = i
			}
		}
	}
	// Safety first (composite contract §1a rule 4): an urgent flag that fired counts as the rule set's
	// highest tier for the summary and --fail-on-tier, whatever else happened to the record.
	if len(e.tiers) > 0 && hasUrgentFlag(rep) {
		st.tier = 0
	}
	sc.rec = rec
	switch e.format {
	case outJSON:
		b = append(b, ",\n"...)
		b = appendSourceNotesJSON(appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec), rec)
	case outJSONL:
		b = appendSourceNotesJSON(appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec), rec)
		b = append(b, '\n')
	case outCSV:
		b = e.csv.appendReport(b, file, rec, rep, sc)
	case outText:
		sc.width, sc.keep = e.width, e.keep
		b = appendTextReport(b, file, rec, rep, e.labels, e.namer, sc)
	case outFHIR:
		b = e.appendFHIRReport(b, file, rec, rep, sc.baseSrc)
	case outLong:
		b = e.long.appendReport(b, file, rec, rep, len(e.keep), sc)
	case outBrief:
		b = e.appendBriefReport(b, file, rec, rep, sc)
	}
	return b
}

// errorRecord encodes an error record. subject is written when the record decoded (hasSubject).
func (e *encoder) errorRecord(b []byte, file string, st *recStat, subject string, hasSubject bool, sc *scratch) []byte {
	switch e.format {
	case outJSON, outJSONL:
		if e.format == outJSON {
			b = append(b, ",\n"...)
		}
		b = append(b, `{"record":`...)
		b = strconv.AppendInt(b, int64(st.n), 10)
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(st.line), 10)
		b = append(b, `,"file":`...)
		b = appendJSONString(b, file)
		if hasSubject {
			b = append(b, `,"subject":`...)
			b = appendJSONString(b, subject)
		}
		if st.fatal {
			b = append(b, `,"fatal":true`...)
		}
		b = append(b, `,"error":{"code":`...)
		b = appendJSONString(b, st.code)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, st.msg)
		b = append(b, `,"instrument":`...)
		b = appendJSONString(b, st.inst)
		b = append(b, `,"item":`...)
		b = appendJSONString(b, st.item)
		if st.errLine > 0 {
			b = append(b, `,"line":`...)
			b = strconv.AppendInt(b, int64(st.errLine), 10)
			if st.col > 0 {
				b = append(b, `,"col":`...)
				b = strconv.AppendInt(b, int64(st.col), 10)
			}
		}
		b = append(b, "}}"...)
		b = e.appendKeptJSON(b, sc)
		if e.format == outJSONL {
			b = append(b, '\n')
		}
	case outCSV:
		b = e.csv.appendError(b, file, st, subject, sc)
	case outText:
		sc.width, sc.keep = e.width, e.keep
		b = appendTextError(b, file, st, subject, hasSubject, sc)
	case outFHIR:
		b = appendFHIRError(b, file, st)
	case outLong:
		b = e.long.appendError(b, file, st, subject, len(e.keep), sc)
	case outBrief:
		b = e.appendBriefError(b, file, st, subject, hasSubject, sc)
	}
	return b
}

// fillInputError records a decoding problem.
func fillInputError(st *recStat, ie *respfile.Error) {
	st.ok, st.tier = false, tierNone
	st.code, st.msg, st.inst, st.item = ie.Code, ie.Msg, ie.Instrument, ie.Item
	st.errLine, st.col = ie.Line, ie.Col
}

// hasUrgentFlag reports whether any instrument's urgent flag fired.
func hasUrgentFlag(rep *screen.Report) bool {
	for i := range rep.Instruments {
		for _, f := range rep.Instruments[i].Flags {
			if f.Level == screen.LevelUrgent {
				return true
			}
		}
	}
	return false
}

// fillResponseErrors records the errors of a record that was scored (its report is written).
func fillResponseErrors(st *recStat, re *screen.ResponseErrors) {
	st.ok, st.partial, st.nerrs = false, true, len(re.Errors)
	if len(re.Errors) > 1 {
		st.codes = make([]string, len(re.Errors))
		for i, e := range re.Errors {
			st.codes[i] = e.Code
		}
	}
	se := re.Errors[0]
	st.code, st.msg, st.inst, st.item = se.Code, se.Message, se.Instrument, se.Item
}

// fillScoreError records a scoring problem.
func fillScoreError(st *recStat, err error) {
	st.ok, st.tier = false, tierNone
	var se *screen.ScoreError
	if errors.As(err, &se) {
		st.code, st.msg, st.inst, st.item = se.Code, se.Message, se.Instrument, se.Item
		return
	}
	// Not a response problem (for example a cancelled context). The text is the engine's, not the data's.
	st.code, st.msg = "internal", err.Error()
}

// fillFatal records a problem that ends the input. The decoder's *InputError never holds response data;
// other errors are I/O errors about the file.
func fillFatal(st *recStat, err error) {
	st.ok, st.tier, st.fatal = false, tierNone, true
	var ie *respfile.Error
	if errors.As(err, &ie) {
		st.code, st.msg = ie.Code, "the input cannot be read further: "+ie.Msg
		st.errLine, st.col = ie.Line, ie.Col
		if st.line == 0 {
			st.line = ie.Line
		}
		return
	}
	st.code, st.msg = "io", "the input cannot be read further: "+err.Error()
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

// --- helpers ----------------------------------------------------------------------------------------

func parseOutFormat(s string) (outFormat, error) {
	if f, ok := outFormatNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("unknown output format %q (want jsonl, json, text, brief, csv, long or fhir)", s)
}
