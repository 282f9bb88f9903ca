package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
)

const scoreAbout = `Score response sets and write one output record per input record, in input order: a report, or an
error record saying why that record could not be scored. Records are read, scored and written as a
stream, so memory stays flat whatever the size of the input.

Definitions: the bundled instruments and the pain_oud rule set, plus --instruments and --rules
(--no-bundled: only those). The rule set is applied when the response set holds its required inputs;
otherwise the report says why it was not. --rules ID[@VERSION] (not a path) selects that rule set and
requires it: a record without its required inputs is then an error record.

Input: FILE... or - (stdin; also when no FILE is given). The format comes from the extension (.json,
.jsonl/.ndjson, .yaml/.yml, .csv, .tsv) or --input-format. Stdin without --input-format must be JSONL (one
JSON object per line). A JSON or YAML file holds one response set or a list of them; JSONL and CSV one
per line (row). Record numbers restart in every file. CSV as R, pandas, Excel and REDCap write it: the
delimiter (, ; or tab) is sniffed, NA cells are missing answers, --keep passes other columns through,
and the header is checked once against the loaded instruments ('painscreen template' writes one).
FHIR R4: a JSON file whose top-level object has a resourceType is read as FHIR (or say --input-format
fhir): a QuestionnaireResponse is one response set; a Bundle of them gives one response set per subject
and date (subject.reference; the date of authored). Questionnaires are matched to instruments by
canonical (painscreen's https://painscreen.dev/fhir/Questionnaire/ID[|VERSION], or a LOINC panel code)
or by their items' LOINC codes; an item or answer that maps to nothing is an error of that item in the
report, and the rest is scored.

Output (--format): jsonl (default; one report per line), json (one array), text (a readable summary
for a clinician, as wide as the terminal), brief (one line per record), csv (one row per response
set, fixed columns), long (tidy CSV: one row per subject and result, for R and pandas), fhir (one FHIR
R4 Bundle per line: an Observation per score and fired flag, LOINC-coded where the definition has a
code, derived from the QuestionnaireResponses read, and a RiskAssessment for the tier and referrals;
an OperationOutcome for a record that could not be scored). Without --format, an --output file
ending in .json, .jsonl, .ndjson, .csv or .txt picks the format. --output writes to a temporary file
that replaces FILE only when the run completes (a new FILE is readable by its owner only; an existing one
keeps its mode; a link is followed; FILE may not be an input). CSV values are written unaltered unless
--csv-safe asks to disarm cells a spreadsheet would run as formulas.

Follow-up (--follow-up): each record is reported against its subject's baseline, the subject's earliest
record with a valid date ("date": "YYYY-MM-DD") in the same input; every later visit gets a followup
block (PHQ-9/GAD-7 response and remission, PEG 30 % improvement, ...) and the follow-up referrals. The
input must hold each subject's records together (grouped, e.g. sorted by subject then date); it then
streams, one subject at a time, and a subject that comes back later stops the run (not_grouped, exit 2).
A missing or invalid date, or one before the baseline's, leaves follow-up not computed, with a note.

The summary (records read, scored, failed; counts per tier) and the first error records' positions and
messages go to stderr. Neither ever holds subject ids or answers.

Exit status: 0 every record scored; 1 some records could not be scored (error records, or records
scored with errors); 2 usage error, missing or unreadable input (a JSON/YAML syntax error, a bad CSV
header, an NA token that is a valid answer, an input with no record), or output that cannot be written;
3 invalid definitions; 4 --fail-on-tier reached, even when some records could not be scored (4 wins
over 1: a clinical alert is never hidden behind a failed record); 130 interrupted (SIGINT/SIGTERM:
reading stops, the records already read are written, and --output is not created). When the reader of
stdout goes away (score … | head), the run ends quietly with the status of the records written (4 still
wins over 1).`

const scoreExamples = `  painscreen score --format text patient.yaml
  painscreen score --jobs 4 --output reports.jsonl batch.jsonl
  painscreen score --format csv --output scores.csv site1.csv site2.csv
  cat batch.jsonl | painscreen score --fail-on-tier high > reports.jsonl
  painscreen score --rules pain_oud@1.0.0 --format json visit.json
  painscreen score --format text questionnaire-response.json
  painscreen score --format long --keep site,visit --na NA,-99 t.csv >tidy.csv
  painscreen score --follow-up --format csv --output followup.csv cohort.jsonl
  painscreen score --no-bundled --instruments my-defs/ --no-rules answers.yaml`

type scoreFlags struct {
	defFlags
	format      string
	inputFormat string
	output      string
	jobs        int
	failOnTier  string
	strict      bool
	csvSafe     bool
	followUp    bool
	csvIn       csvInFlags
	out         outFlags
}

func runScore(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("score", "painscreen score [flags] [FILE|-]...", scoreAbout, scoreExamples)
	var fl scoreFlags
	fl.register(f, true)
	f.StringVar(&fl.format, "format", "", "output `FORMAT`: jsonl, json, text, brief, csv, long or fhir (default jsonl, or from the\n--output extension)")
	f.StringVar(&fl.inputFormat, "input-format", "", "input `FORMAT` of every FILE: json, jsonl, yaml, csv, tsv or fhir (default: from the\nextension)")
	f.StringVar(&fl.output, "output", "", "write the output to `FILE` (atomically) instead of stdout")
	f.IntVar(&fl.jobs, "jobs", 0, "score and encode on `N` goroutines (one more reads, one writes); 0: GOMAXPROCS, the CPUs Go uses")
	f.StringVar(&fl.failOnTier, "fail-on-tier", "", "exit 4 when any record reaches `TIER` or a higher tier of the rule set (a fired urgent\nflag counts as the highest tier)")
	f.BoolVar(&fl.strict, "strict", false, "all or nothing: a record with any invalid or unknown answer (or an answer to an item\nskip logic does not ask) is an error record, not a report with errors")
	f.BoolVar(&fl.csvSafe, "csv-safe", false, "csv, long: prefix with ' every text cell that starts with =, +, -, @, tab or CR, so that a spreadsheet\ndoes not run it as a formula (by default values are written unaltered)")
	f.BoolVar(&fl.followUp, "follow-up", false, "report each record against its subject's baseline: the subject's earliest dated record\n(date: YYYY-MM-DD) in the same input, which must hold each subject's records together\n(grouped, e.g. sorted by subject); adds a followup block (csv: followup.* columns)")
	fl.csvIn.register(f)
	fl.out.register(f)
	files, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}

	// Flags.
	format := outJSONL
	switch {
	case fl.format != "":
		ff, err := parseOutFormat(fl.format)
		if err != nil {
			return f.fail(stderr, "--format: %v", err)
		}
		format = ff
	case fl.output != "":
		switch strings.ToLower(filepath.Ext(fl.output)) {
		case ".json":
			format = outJSON
		case ".csv":
			format = outCSV
		case ".txt":
			format = outText
		}
	}
	var inFormat respfile.Format
	if fl.inputFormat != "" {
		ff, err := respfile.ParseFormat(fl.inputFormat)
		if err != nil {
			return f.fail(stderr, "--input-format: %v", err)
		}
		inFormat = ff
	}
	if fl.jobs == 0 {
		fl.jobs = runtime.GOMAXPROCS(0)
	}
	if fl.jobs < 1 || fl.jobs > maxJobs {
		return f.fail(stderr, "--jobs must be from 1 to %d", maxJobs)
	}

	// Inputs: all checked before anything is written.
	if len(files) == 0 {
		files = []string{"-"}
	}
	stdinUsed := false
	formats := make([]respfile.Format, len(files))
	for i, name := range files {
		if name == "-" {
			if stdinUsed {
				return f.fail(stderr, "stdin (-) is named twice")
			}
			stdinUsed = true
			formats[i] = inFormat
			continue
		}
		st, err := os.Stat(name)
		if err != nil {
			return f.fail(stderr, "%v", err)
		}
		if st.IsDir() {
			return f.fail(stderr, "%s is a directory", name)
		}
		fh, err := os.Open(name)
		if err != nil {
			return f.fail(stderr, "%v", err)
		}
		_ = fh.Close()
		formats[i] = inFormat
		if formats[i] == "" {
			ff, ok := respfile.FormatFromPath(name)
			if !ok {
				return f.fail(stderr, "%s: cannot tell the format from the file name; use --input-format", name)
			}
			formats[i] = ff
		}
	}

	if in, ok := sameAsInput(fl.output, files, stdin); ok {
		return f.fail(stderr, "--output %s is the input %s: the reports would replace it", fl.output, in)
	}

	// Definitions.
	opts, ruleRef, err := fl.options()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	if ruleRef != "" {
		opts = append(opts, screen.RequireComposite())
	}
	if fl.strict {
		opts = append(opts, screen.WithStrictAnswers())
	}
	eng, err := screen.New(opts...)
	if err != nil {
		return reportLoadError(stderr, err)
	}
	enc := newEncoder(format, eng)
	if fl.followUp && enc.csv != nil {
		enc.csv.followUpCols(eng)
	}
	if format == outFHIR {
		if enc.fhir, err = fhir.NewWriter(eng); err != nil {
			return f.fail(stderr, "%v", err)
		}
	}
	csvOpt, err := fl.csvIn.options(eng)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	if err := fl.out.apply(enc, csvOpt.Keep, stdout, fl.output); err != nil {
		return f.fail(stderr, "%v", err)
	}
	if fl.csvSafe {
		switch format {
		case outCSV:
			enc.csv.safe = true
		case outLong:
			enc.long.csv.safe = true
		default:
			return f.fail(stderr, "--csv-safe applies to the CSV-shaped formats only (--format csv or long)")
		}
	}
	tiers := enc.tiers
	failTier := -1
	if fl.failOnTier != "" {
		for i, t := range tiers {
			if t == fl.failOnTier {
				failTier = i
			}
		}
		if failTier < 0 {
			if len(tiers) == 0 {
				return f.fail(stderr, "--fail-on-tier: no rule set is applied, so there are no tiers")
			}
			return f.fail(stderr, "--fail-on-tier: unknown tier %q (the rule set's tiers, highest first: %s)", fl.failOnTier, strings.Join(tiers, ", "))
		}
	}

	// Stdin: JSONL unless --input-format says otherwise.
	var stdinR io.Reader = stdin
	if stdinUsed && isTerminal(stdin) {
		fmt.Fprintln(stderr, "painscreen: reading response sets from the terminal; end with Ctrl-D")
	}
	if stdinUsed && inFormat == "" {
		br := bufio.NewReaderSize(stdin, 64<<10)
		if !looksLikeJSONL(br) {
			return f.fail(stderr, "stdin: use --input-format (json, jsonl, yaml or csv); without it, stdin must be JSONL (one JSON object per line)")
		}
		stdinR = br
		for i, name := range files {
			if name == "-" {
				formats[i] = respfile.FormatJSONL
			}
		}
	}

	// Output.
	var dst io.Writer = stdout
	var of *outFile
	if fl.output != "" {
		var stale int
		of, stale, err = createOutFile(fl.output)
		if stale > 0 {
			fmt.Fprintf(stderr, "painscreen: removed %s left in the directory of %s by a run that was killed\n", plural(stale, "temporary file"), safe(fl.output))
		}
		if err != nil {
			fmt.Fprintf(stderr, "painscreen score: --output: %s\n", safe(err.Error()))
			return exitUsage
		}
		dst = of.f
	}

	// The pipeline's live heap is small and flat (a few batches), so the collector can let the heap grow
	// to three times it instead of two: about 7% less CPU per record for some 10 MB more peak memory.
	// GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}

	out := newOutput(dst, enc, stderr)
	out.sum.failTier = failTier
	pl := newPipeline(eng, enc, fl.jobs, out)
	pl.ehr = respfile.DeclaredContext(eng) // treatment context from FHIR Bundles (screen/ehr)
	if pl.fhir, err = respfile.FHIRMapperFor(eng); err != nil {
		return f.fail(stderr, "%v", err)
	}
	pl.csv = csvOpt
	if fl.followUp {
		pl.fu = eng
	}

	// Signals: the first stops reading; what was read is scored and written, then the summary. A second
	// signal, or an output that does not take what is left within interruptGrace (a pipe nobody reads),
	// exits at once (removing the temporary file).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	finished := make(chan struct{})
	var sigWG sync.WaitGroup
	sigWG.Add(1)
	go func() {
		defer sigWG.Done()
		select {
		case <-sigs:
			cancel()
		case <-finished:
			return
		}
		why := "interrupted twice"
		select {
		case <-sigs:
		case <-time.After(interruptGrace):
			why = "the output does not take what is left"
		case <-finished:
			return
		}
		if of != nil {
			of.abort()
		}
		fmt.Fprintf(stderr, "\npainscreen: interrupted: %d records read, %d written; stopped at once (%s)\n",
			pl.nread.Load(), out.written.Load(), why)
		os.Exit(exitInterrupted)
	}()
	defer func() {
		close(finished)
		sigWG.Wait()
	}()

	prog := startProgress(stderr, &out.written)

	runErr := out.begin()
	var fatal *errFatalInput
	for i, name := range files {
		if runErr != nil {
			break
		}
		var r io.Reader
		file := false
		if name == "-" {
			r, file = stdinR, isRegularFile(stdin)
		} else {
			fh, err := os.Open(name)
			if err != nil {
				// It could be opened when checked: report it like any unreadable input, in the output too.
				r, file = errReader{err}, true
			} else {
				r, file = fh, isRegularFile(fh)
			}
		}
		tsv := isTSV(name) || strings.EqualFold(strings.TrimSpace(fl.inputFormat), "tsv")
		runErr = pl.run(ctx, source{name: name, r: r, format: formats[i], file: file, tsv: tsv})
		if c, ok := r.(io.Closer); ok && name != "-" {
			_ = c.Close()
		}
		if errors.As(runErr, &fatal) {
			break
		}
	}
	if runErr == nil || fatal != nil {
		if err := out.finish(); err != nil && runErr == nil {
			runErr = err
		}
	}
	prog.stop()
	// A reader of stdout that went away (score … | head -1) ends the run as if the input ended there,
	// quietly: no summary, and the status of the records written.
	brokenPipe := errors.Is(runErr, syscall.EPIPE)
	if !brokenPipe {
		out.errLog.finish()
	}

	interrupted := errors.Is(runErr, errInterrupted)
	if interrupted {
		// What is written is written; a partial stdout stream ends at a record boundary.
		_ = out.w.Flush()
	}
	outName := ""
	if of != nil && !of.direct {
		outName = fl.output
	}
	if !brokenPipe {
		out.sum.write(stderr, interrupted, pl.nread.Load(), outName)
		if n := pl.nskipped.Load(); n > 0 {
			fmt.Fprintf(stderr, "painscreen: %s with no answers skipped (every answer cell empty or NA, as REDCap writes rows for events and repeating instruments without answers)\n", plural(int(n), "CSV row"))
		}
	}

	switch {
	case brokenPipe:
		if of != nil {
			of.abort()
		}
		switch { // as below: a clinical alert outranks failed records
		case out.sum.tierHit:
			return exitTier
		case out.sum.failed > 0:
			return exitRecords
		}
		return exitOK
	case interrupted:
		if of != nil {
			of.abort()
		}
		return exitInterrupted
	case fatal != nil:
		if of != nil {
			of.abort()
			fmt.Fprintf(stderr, "painscreen: %s was not written: an input could not be read to its end\n", safe(fl.output))
		}
		return exitUsage
	case runErr != nil:
		if of != nil {
			of.abort()
		}
		fmt.Fprintf(stderr, "painscreen: writing the output: %s\n", safe(runErr.Error()))
		return exitUsage
	}
	if of != nil {
		if err := of.commit(); err != nil {
			fmt.Fprintf(stderr, "painscreen: writing %s: %s\n", safe(fl.output), safe(err.Error()))
			return exitUsage
		}
	}
	// A clinical alert outranks failed records (composite contract §1a rule 4).
	switch {
	case out.sum.tierHit:
		fmt.Fprintf(stderr, "painscreen: a record reached tier %s or higher (--fail-on-tier)\n", safe(fl.failOnTier))
		return exitTier
	case out.sum.failed > 0:
		return exitRecords
	}
	return exitOK
}

// sameAsInput returns the input that the regular file output is, also through links (os.SameFile):
// writing it would replace the responses with the reports. Stdin counts when it is redirected from a file.
func sameAsInput(output string, files []string, stdin io.Reader) (string, bool) {
	if output == "" {
		return "", false
	}
	ost, err := os.Stat(output)
	if err != nil || !ost.Mode().IsRegular() {
		return "", false
	}
	for _, name := range files {
		var st os.FileInfo
		if name == "-" {
			if f, ok := stdin.(*os.File); ok {
				st, err = f.Stat()
			} else {
				continue
			}
		} else {
			st, err = os.Stat(name)
		}
		if err == nil && os.SameFile(ost, st) {
			return name, true
		}
	}
	return "", false
}

// interruptGrace is how long a first signal waits for the records already read to be written before
// the run stops at once.
const interruptGrace = time.Second

// isRegularFile reports whether r is an *os.File that is a regular file.
func isRegularFile(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode().IsRegular()
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// maxJobs bounds --jobs (each scorer adds two batches of buffers).
const maxJobs = 256

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// looksLikeJSONL reports whether buffered stdin starts like JSONL: its first non-blank character is '{'
// and that line goes on after it (a lone "{" is a pretty-printed JSON document). An empty input counts as
// JSONL (and is then reported as holding no record). It reads only as far as it needs to.
func looksLikeJSONL(br *bufio.Reader) bool {
	i := 0
	peek := func() (byte, bool) {
		b, err := br.Peek(i + 1)
		if len(b) <= i || err != nil && len(b) <= i {
			return 0, false
		}
		return b[i], true
	}
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		i = 3
	}
	for {
		c, ok := peek()
		if !ok {
			return true // empty or blank
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		if c != '{' {
			return false
		}
		break
	}
	i++
	for {
		c, ok := peek()
		if !ok {
			return true
		}
		switch c {
		case ' ', '\t', '\r':
			i++
			continue
		case '\n':
			return false
		}
		return true
	}
}
