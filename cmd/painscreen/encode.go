package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/jsonenc"

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
	switch e.format {
	case outJSON:
		b = append(b, ",\n"...)
		b = appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec)
	case outJSONL:
		b = appendEHRJSON(e.appendKeptJSON(rep.AppendJSON(b), sc), rec)
		b = append(b, '\n')
	case outCSV:
		b = e.csv.appendReport(b, file, rec, rep, sc)
	case outText:
		sc.width, sc.keep = e.width, e.keep
		b = appendTextReport(b, file, rec, rep, e.labels, sc)
	case outFHIR:
		b = e.appendFHIRReport(b, file, rec, rep)
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

// --- CSV --------------------------------------------------------------------------------------------

// csvLayout is the fixed CSV header of an engine: the same engine always gives the same columns, so
// files written by separate runs concatenate.
type csvLayout struct {
	cols    []string
	safe    bool // --csv-safe: text cells that a spreadsheet would take for a formula get a leading '
	ruleSet string
	domain  map[string]int // domain id -> column
	inst    map[string]*instCols
	keep    []string // kept columns, last in every row
	// --follow-up: the column of followup.baseline_date (followup.days next) and of each measure.
	fuDate int
	fu     map[string]int
}

type instCols struct {
	status, flags int
	scores        map[string]int
}

// Fixed leading columns.
const (
	colFile = iota
	colRecord
	colLine
	colSubject
	colStatus
	colErrCode
	colErrInst
	colErrItem
	colErrMsg
	colApplied
	colTier
	colReferrals
	colNotAssessed
	colPossibleTiers
	colPossibleReferrals
	colPossibleDomains
	colMissing          // required items not answered: inst.item;…
	colNotes            // note codes: inst.about=code;… (rule set notes as ruleset.about=code)
	colNotAppliedReason // why the rule set was not applied
	nFixedCols
)

var fixedCols = [nFixedCols]string{"file", "record", "line", "subject", "status", "error_code", "error_instrument",
	"error_item", "error_message", "composite_applied", "tier", "referrals", "not_assessed", "possible_tiers",
	"possible_referrals", "possible_domains", "missing", "notes", "not_applied_reason"}

func newCSVLayout(eng *screen.Engine) *csvLayout {
	l := &csvLayout{cols: fixedCols[:], domain: map[string]int{}, inst: map[string]*instCols{}}
	l.cols = append([]string(nil), l.cols...)
	if doc, err := eng.DescribeRuleSet(); err == nil {
		l.ruleSet = doc.ID
		for _, d := range doc.Domains {
			l.domain[d.ID] = len(l.cols)
			l.cols = append(l.cols, doc.ID+"."+d.ID)
		}
	}
	// Instruments by id (the engine lists them by id, then version); the score columns of an id are the
	// union over its versions, in definition order, the default version first.
	infos := eng.Instruments()
	var ids []string
	byID := map[string][]screen.InstrumentInfo{}
	for _, in := range infos {
		if byID[in.ID] == nil {
			ids = append(ids, in.ID)
		}
		if in.Default {
			byID[in.ID] = append([]screen.InstrumentInfo{in}, byID[in.ID]...)
		} else {
			byID[in.ID] = append(byID[in.ID], in)
		}
	}
	for _, id := range ids {
		ic := &instCols{scores: map[string]int{}}
		l.inst[id] = ic
		ic.status = len(l.cols)
		l.cols = append(l.cols, id+".status")
		for _, in := range byID[id] {
			doc, err := eng.Describe(in.ID + "@" + in.Version)
			if err != nil {
				continue
			}
			for _, s := range doc.Scores {
				if _, dup := ic.scores[s.ID]; !dup {
					ic.scores[s.ID] = len(l.cols)
					l.cols = append(l.cols, id+"."+s.ID)
				}
			}
		}
		ic.flags = len(l.cols)
		l.cols = append(l.cols, id+".flags")
	}
	return l
}

func (l *csvLayout) header() []byte {
	var b []byte
	for i, c := range l.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, c)
	}
	return append(b, '\n')
}

// appendCSVField writes one field, quoted when it holds a comma, a quote, a line end, or starts with a
// space or tab (as encoding/csv does). Values are never altered otherwise.
func appendCSVField(b []byte, s string) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[0] == '\t')
	for i := 0; !quote && i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			quote = true
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// formulaLike reports whether a spreadsheet would read a cell starting like s as a formula (or strip
// what starts it): =, +, -, @, tab or carriage return.
func formulaLike(s string) bool {
	return len(s) > 0 && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// text writes a text cell: with --csv-safe, one that looks like a formula is prefixed with '; otherwise it
// is written as it is (quoted as RFC 4180 requires). Cells written from numbers never go through here.
func (l *csvLayout) text(b []byte, s string) []byte {
	if l.safe && formulaLike(s) {
		return appendCSVField(b, "'"+s)
	}
	return appendCSVField(b, s)
}

// appendFixed writes the first columns of a row, up to status.
func (l *csvLayout) appendFixed(b []byte, file string, n, line int, subject, status string) []byte {
	b = l.text(b, file)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ',')
	if line > 0 {
		b = strconv.AppendInt(b, int64(line), 10)
	}
	b = append(b, ',')
	b = l.text(b, subject)
	b = append(b, ',')
	return append(b, status...)
}

func (l *csvLayout) appendError(b []byte, file string, st *recStat, subject string, sc *scratch) []byte {
	b = l.appendFixed(b, file, st.n, st.line, subject, "error")
	for _, s := range []string{st.code, st.inst, st.item, st.msg} {
		b = append(b, ',')
		b = l.text(b, s)
	}
	for i := colErrMsg + 1; i < len(l.cols)-len(l.keep); i++ {
		b = append(b, ',')
	}
	b = l.keptCells(b, sc)
	return append(b, '\n')
}

func (l *csvLayout) appendReport(b []byte, file string, rec *respfile.Record, rep *screen.Report, sc *scratch) []byte {
	status := "ok"
	if len(rep.Errors) > 0 {
		status = "partial" // scored, with errors: what the usable answers settle
	}
	b = l.appendFixed(b, file, rec.N, rec.Line, rep.Subject, status)
	// Error columns: each the record's errors joined with ';' (messages with "; ").
	for k := range 4 {
		b = append(b, ',')
		sc.tmp = sc.tmp[:0]
		for i := range rep.Errors {
			e := &rep.Errors[i]
			if i > 0 {
				sc.tmp = append(sc.tmp, ';')
				if k == 3 {
					sc.tmp = append(sc.tmp, ' ')
				}
			}
			sc.tmp = append(sc.tmp, [4]string{e.Code, e.Instrument, e.Item, e.Message}[k]...)
		}
		if len(sc.tmp) > 0 {
			b = l.text(b, string(sc.tmp)) // keys and messages from the input: --csv-safe applies
		}
	}
	b = append(b, ',')
	c := rep.Composite
	if c != nil {
		b = strconv.AppendBool(b, c.Applied)
	}
	b = append(b, ',')
	if c != nil && c.Applied {
		b = l.text(b, string(c.Tier))
	}
	b = append(b, ',')
	if c != nil {
		sc.tmp = joined(sc.tmp[:0], len(c.Referrals), func(i int) string { return c.Referrals[i].ID })
		b = appendCSVBytes(b, sc.tmp)
	}
	b = append(b, ',')
	if c != nil {
		sc.tmp = joined(sc.tmp[:0], len(c.NotAssessed), func(i int) string { return c.NotAssessed[i] })
		b = appendCSVBytes(b, sc.tmp)
	}
	// What the answers leave possible: tiers and referrals joined with ';', domains as
	// domain=value|value;… .
	b = append(b, ',')
	if c != nil {
		sc.tmp = joined(sc.tmp[:0], len(c.PossibleTiers), func(i int) string { return string(c.PossibleTiers[i]) })
		b = appendCSVBytes(b, sc.tmp)
	}
	b = append(b, ',')
	if c != nil {
		sc.tmp = joined(sc.tmp[:0], len(c.PossibleReferrals), func(i int) string { return c.PossibleReferrals[i].ID })
		b = appendCSVBytes(b, sc.tmp)
	}
	b = append(b, ',')
	if c != nil {
		sc.tmp = sc.tmp[:0]
		for i := range c.Domains {
			d := &c.Domains[i]
			if len(d.Possible) == 0 {
				continue
			}
			if len(sc.tmp) > 0 {
				sc.tmp = append(sc.tmp, ';')
			}
			sc.tmp = append(sc.tmp, d.ID...)
			sc.tmp = append(sc.tmp, '=')
			for j, v := range d.Possible {
				if j > 0 {
					sc.tmp = append(sc.tmp, '|')
				}
				sc.tmp = appendValue(sc.tmp, v, "")
			}
		}
		b = appendCSVBytes(b, sc.tmp)
	}
	b = l.appendAnalystCells(b, rep, sc)
	// Variable columns.
	n := len(l.cols) - len(l.keep)
	if cap(sc.vals) < n {
		sc.vals = make([]screen.Value, n)
		sc.set = make([]uint8, n)
	}
	vals, set := sc.vals[:n], sc.set[:n]
	clear(set)
	if c != nil && c.Applied && c.ID == l.ruleSet {
		for i := range c.Domains {
			if col, ok := l.domain[c.Domains[i].ID]; ok {
				vals[col], set[col] = c.Domains[i].Value, cellValue
			}
		}
	}
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		ic := l.inst[in.ID]
		if ic == nil {
			continue
		}
		vals[ic.status], set[ic.status] = screen.StringValue(in.Status), cellValue
		for j := range in.Scores {
			if col, ok := ic.scores[in.Scores[j].ID]; ok {
				vals[col], set[col] = in.Scores[j].Value, cellValue
			}
		}
		if len(in.Flags) > 0 {
			set[ic.flags] = cellFlags
		}
	}
	l.followUpCells(rep, vals, set)
	for col := nFixedCols; col < n; col++ {
		b = append(b, ',')
		switch set[col] {
		case cellUnset:
			continue
		case cellFlags:
			b = l.appendFlags(b, rep, col, sc)
			continue
		}
		if s, ok := vals[col].Str(); ok {
			b = l.text(b, s) // a band label, a domain value, a status
			continue
		}
		sc.tmp = appendValue(sc.tmp[:0], vals[col], "")
		b = appendCSVBytes(b, sc.tmp)
	}
	b = l.keptCells(b, sc)
	return append(b, '\n')
}

// joined appends n strings separated by ';'.
func joined(b []byte, n int, at func(i int) string) []byte {
	for i := range n {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, at(i)...)
	}
	return b
}

// appendFlags writes the ids of the fired flags of the instrument whose flags column is col.
func (l *csvLayout) appendFlags(b []byte, rep *screen.Report, col int, sc *scratch) []byte {
	for i := range rep.Instruments {
		in := &rep.Instruments[i]
		if ic := l.inst[in.ID]; ic != nil && ic.flags == col {
			sc.tmp = sc.tmp[:0]
			for j := range in.Flags {
				if j > 0 {
					sc.tmp = append(sc.tmp, ';')
				}
				sc.tmp = append(sc.tmp, in.Flags[j].ID...)
			}
			return appendCSVBytes(b, sc.tmp)
		}
	}
	return b
}

func appendCSVBytes(b, s []byte) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[0] == '\t')
	for i := 0; !quote && i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			quote = true
		}
	}
	if !quote {
		return append(b, s...)
	}
	return appendCSVField(b, string(s))
}

// --- helpers ----------------------------------------------------------------------------------------

func parseOutFormat(s string) (outFormat, error) {
	if f, ok := outFormatNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return f, nil
	}
	return 0, fmt.Errorf("unknown output format %q (want jsonl, json, text, brief, csv, long or fhir)", s)
}
