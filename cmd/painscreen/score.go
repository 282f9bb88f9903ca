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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/batch"
	"github.com/painscreen/painscreen/screen/render"
	"github.com/painscreen/painscreen/screen/respfile"
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
	r := &scoreRun{f: f, stdin: stdin, stdout: stdout, stderr: stderr}
	r.fl.register(f)
	files, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	r.files = files
	for _, step := range []func() int{r.parseFlags, r.checkInputs, r.load, r.newWriter, r.openStdin, r.openOutput} {
		if code := step(); code >= 0 {
			return code
		}
	}
	return r.run()
}

func (fl *scoreFlags) register(f *cmdFlags) {
	fl.defFlags.register(f, true)
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
}

// scoreRun is one run of score: its flags, inputs, engine and output. Each step of runScore returns -1 to
// go on, or the exit status to stop with (having said why on stderr).
type scoreRun struct {
	f      *cmdFlags
	fl     scoreFlags
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer

	files     []string
	formats   []respfile.Format // of each file
	format    render.Format
	inFormat  respfile.Format // --input-format ("": from the extension)
	stdinUsed bool
	stdinR    io.Reader // stdin, buffered when it was sniffed

	eng     *screen.Engine
	csvOpt  respfile.CSVOptions
	enc     *render.Encoder // the output's encoder; openOutput makes w of it
	w       *render.Writer
	of      *outFile // --output, nil for stdout
	sum     summary
	elog    errorLog
	runner  *batch.Runner
	runErr  error
	fatal   *batch.FatalInputError
	outName string // --output as the summary names it ("" for stdout or a device)
}

const goOn = -1

// parseFlags reads --format, --input-format and --jobs.
func (r *scoreRun) parseFlags() int {
	fl, f := &r.fl, r.f
	r.format = render.JSONL
	switch {
	case fl.format != "":
		ff, err := render.ParseFormat(fl.format)
		if err != nil {
			return f.fail(r.stderr, "--format: %v", err)
		}
		r.format = ff
	case fl.output != "":
		switch strings.ToLower(filepath.Ext(fl.output)) {
		case ".json":
			r.format = render.JSON
		case ".csv":
			r.format = render.CSV
		case ".txt":
			r.format = render.Text
		}
	}
	if fl.inputFormat != "" {
		ff, err := respfile.ParseFormat(fl.inputFormat)
		if err != nil {
			return f.fail(r.stderr, "--input-format: %v", err)
		}
		r.inFormat = ff
	}
	if fl.jobs == 0 {
		fl.jobs = runtime.GOMAXPROCS(0)
	}
	if fl.jobs < 1 || fl.jobs > batch.MaxJobs {
		return f.fail(r.stderr, "--jobs must be from 1 to %d", batch.MaxJobs)
	}
	return goOn
}

// checkInputs checks every input before anything is written, and tells each one's format.
func (r *scoreRun) checkInputs() int {
	f := r.f
	if len(r.files) == 0 {
		r.files = []string{"-"}
	}
	r.formats = make([]respfile.Format, len(r.files))
	for i, name := range r.files {
		r.formats[i] = r.inFormat
		if name == "-" {
			if r.stdinUsed {
				return f.fail(r.stderr, "stdin (-) is named twice")
			}
			r.stdinUsed = true
			continue
		}
		st, err := os.Stat(name)
		if err != nil {
			return f.fail(r.stderr, "%v", err)
		}
		if st.IsDir() {
			return f.fail(r.stderr, "%s is a directory", name)
		}
		fh, err := os.Open(name)
		if err != nil {
			return f.fail(r.stderr, "%v", err)
		}
		_ = fh.Close()
		if r.formats[i] == "" {
			ff, ok := respfile.FormatFromPath(name)
			if !ok {
				return f.fail(r.stderr, "%s: cannot tell the format from the file name; use --input-format", name)
			}
			r.formats[i] = ff
		}
	}
	if in, ok := sameAsInput(r.fl.output, r.files, r.stdin); ok {
		return f.fail(r.stderr, "--output %s is the input %s: the reports would replace it", r.fl.output, in)
	}
	return goOn
}

// load loads the definitions.
func (r *scoreRun) load() int {
	opts, ruleRef, err := r.fl.options()
	if err != nil {
		return r.f.fail(r.stderr, "%v", err)
	}
	if ruleRef != "" {
		opts = append(opts, screen.RequireComposite())
	}
	if r.fl.strict {
		opts = append(opts, screen.WithStrictAnswers())
	}
	if r.eng, err = newEngine(opts...); err != nil {
		return reportLoadError(r.stderr, err)
	}
	return goOn
}

// newWriter builds the output's encoder from the output flags, and --fail-on-tier's tier.
func (r *scoreRun) newWriter() int {
	f, fl := r.f, &r.fl
	var err error
	var csvEng *screen.Engine // the instruments' items, for CSV inputs' columns
	for _, ff := range r.formats {
		if ff == respfile.FormatCSV || ff == "" { // "": stdin, told later
			csvEng = r.eng
		}
	}
	if r.csvOpt, err = fl.csvIn.options(csvEng); err != nil {
		return f.fail(r.stderr, "%v", err)
	}
	width, err := fl.out.textWidth(r.format, r.stdout, fl.output)
	if err != nil {
		return f.fail(r.stderr, "%v", err)
	}
	if fl.csvSafe && r.format != render.CSV && r.format != render.Long {
		return f.fail(r.stderr, "--csv-safe applies to the CSV-shaped formats only (--format csv or long)")
	}
	enc, err := render.NewEncoder(r.eng, r.format, render.Options{Width: width, Keep: r.csvOpt.Keep,
		CSVSafe: fl.csvSafe, FollowUp: fl.followUp})
	if err != nil {
		return f.fail(r.stderr, "%v", err)
	}
	r.sum.failTier = -1
	if fl.failOnTier != "" {
		var tiers []string
		if doc, err := r.eng.DescribeRuleSet(); err == nil {
			for _, t := range doc.Tiers {
				tiers = append(tiers, t.ID)
			}
		}
		r.sum.failTier = slices.Index(tiers, fl.failOnTier)
		if r.sum.failTier < 0 {
			if len(tiers) == 0 {
				return f.fail(r.stderr, "--fail-on-tier: no rule set is applied, so there are no tiers")
			}
			return f.fail(r.stderr, "--fail-on-tier: unknown tier %q (the rule set's tiers, highest first: %s)", fl.failOnTier, strings.Join(tiers, ", "))
		}
	}
	r.enc = enc // the writer, with its 256 KiB buffer, is made once the destination is open (openOutput)
	return goOn
}

// openStdin makes stdin JSONL unless --input-format says otherwise.
func (r *scoreRun) openStdin() int {
	r.stdinR = r.stdin
	if !r.stdinUsed {
		return goOn
	}
	if isTerminal(r.stdin) {
		fmt.Fprintln(r.stderr, "painscreen: reading response sets from the terminal; end with Ctrl-D")
	}
	if r.inFormat != "" {
		return goOn
	}
	br := bufio.NewReaderSize(r.stdin, 64<<10)
	if !looksLikeJSONL(br) {
		return r.f.fail(r.stderr, "stdin: use --input-format (json, jsonl, yaml or csv); without it, stdin must be JSONL (one JSON object per line)")
	}
	r.stdinR = br
	for i, name := range r.files {
		if name == "-" {
			r.formats[i] = respfile.FormatJSONL
		}
	}
	return goOn
}

// openOutput opens --output (a temporary file that replaces it when the run completes) or takes stdout.
func (r *scoreRun) openOutput() int {
	var dst io.Writer = r.stdout
	if r.fl.output != "" {
		of, stale, err := createOutFile(r.fl.output)
		if stale > 0 {
			fmt.Fprintf(r.stderr, "painscreen: removed %s left in the directory of %s by a run that was killed\n", plural(stale, "temporary file"), safe(r.fl.output))
		}
		if err != nil {
			fmt.Fprintf(r.stderr, "painscreen score: --output: %s\n", safe(err.Error()))
			return exitUsage
		}
		r.of, dst = of, of.f
		if !of.direct {
			r.outName = r.fl.output
		}
	}
	r.w = r.enc.NewWriter(dst)
	return goOn
}

// run scores the inputs, says what was written and returns the exit status.
func (r *scoreRun) run() int {
	// The pipeline's live heap is small and flat (a few batches), so the collector can let the heap grow
	// to three times it instead of two: about 7% less CPU per record for some 10 MB more peak memory.
	// GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	// FHIR is read from FHIR inputs and JSON ones (a JSON document may be a FHIR resource); JSONL, YAML
	// and CSV inputs never need the mapper, which a one-record run would notice.
	var fhirMap *respfile.FHIRMapper
	var ehrContext map[string]bool
	for _, ff := range r.formats {
		if fhirMap == nil && (ff == respfile.FormatFHIR || ff == respfile.FormatJSON || ff == "") { // "": stdin, told later
			var err error
			if fhirMap, err = respfile.FHIRMapperFor(r.eng); err != nil {
				return r.f.fail(r.stderr, "%v", err)
			}
			ehrContext = respfile.DeclaredContext(r.eng) // treatment context from FHIR Bundles (screen/ehr)
		}
	}
	r.elog = errorLog{w: r.stderr, max: 10}
	var err error
	r.runner, err = batch.NewRunner(r.eng, r.w, batch.Options{Jobs: r.fl.jobs, CSV: r.csvOpt, FHIR: fhirMap,
		EHRContext: ehrContext, FollowUp: r.fl.followUp, OnFailure: r.elog.add})
	if err != nil {
		return r.f.fail(r.stderr, "%v", err)
	}

	ctx, stop := r.handleSignals()
	defer stop()
	prog := startProgress(r.stderr, r.runner.Written)
	r.scoreInputs(ctx)
	prog.stop()
	return r.finish()
}

// handleSignals: the first signal stops reading; what was read is scored and written, then the summary. A
// second signal, or an output that does not take what is left within interruptGrace (a pipe nobody reads),
// exits at once (removing the temporary file). stop ends the handling.
func (r *scoreRun) handleSignals() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
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
		if r.of != nil {
			r.of.abort()
		}
		fmt.Fprintf(r.stderr, "\npainscreen: interrupted: %d records read, %d written; stopped at once (%s)\n",
			r.runner.Read(), r.runner.Written(), why)
		os.Exit(exitInterrupted)
	}()
	return ctx, func() {
		close(finished)
		sigWG.Wait()
		signal.Stop(sigs)
		cancel()
	}
}

// scoreInputs scores the inputs one after the other, until one cannot be read to its end.
func (r *scoreRun) scoreInputs(ctx context.Context) {
	r.runErr = r.w.Begin()
	tsvFlag := strings.EqualFold(strings.TrimSpace(r.fl.inputFormat), "tsv")
	for i, name := range r.files {
		if r.runErr != nil {
			break
		}
		var in io.Reader
		file := false
		if name == "-" {
			in, file = r.stdinR, isRegularFile(r.stdin)
		} else {
			fh, err := os.Open(name)
			if err != nil {
				// It could be opened when checked: report it like any unreadable input, in the output too.
				in, file = errReader{err}, true
			} else {
				in, file = fh, isRegularFile(fh)
			}
		}
		r.runErr = r.runner.Run(ctx, batch.Source{Name: name, R: in, Format: r.formats[i], Live: !file, TSV: isTSV(name) || tsvFlag})
		if c, ok := in.(io.Closer); ok && name != "-" {
			_ = c.Close()
		}
		if errors.As(r.runErr, &r.fatal) {
			break
		}
	}
	if r.runErr == nil || r.fatal != nil {
		if err := r.w.Close(); err != nil && r.runErr == nil {
			r.runErr = err
		}
	}
}

// finish says what was written on stderr, commits or removes --output, and returns the exit status.
func (r *scoreRun) finish() int {
	// A reader of stdout that went away (score … | head -1) ends the run as if the input ended there,
	// quietly: no summary, and the status of the records written.
	brokenPipe := errors.Is(r.runErr, syscall.EPIPE)
	if !brokenPipe {
		r.elog.finish()
	}
	interrupted := errors.Is(r.runErr, batch.ErrInterrupted)
	if interrupted {
		// What is written is written; a partial stdout stream ends at a record boundary.
		_ = r.w.Flush()
	}
	r.sum.Summary = r.runner.Summary()
	if !brokenPipe {
		r.sum.write(r.stderr, interrupted, r.runner.Read(), r.outName)
		if n := r.runner.Skipped(); n > 0 {
			fmt.Fprintf(r.stderr, "painscreen: %s with no answers skipped (every answer cell empty or NA, as REDCap writes rows for events and repeating instruments without answers)\n", plural(int(n), "CSV row"))
		}
	}
	switch {
	case brokenPipe:
		r.abort()
		return r.sum.status()
	case interrupted:
		r.abort()
		return exitInterrupted
	case r.fatal != nil:
		if r.of != nil {
			r.of.abort()
			fmt.Fprintf(r.stderr, "painscreen: %s was not written: an input could not be read to its end\n", safe(r.fl.output))
		}
		return exitUsage
	case r.runErr != nil:
		r.abort()
		fmt.Fprintf(r.stderr, "painscreen: writing the output: %s\n", safe(r.runErr.Error()))
		return exitUsage
	}
	if r.of != nil {
		if err := r.of.commit(); err != nil {
			fmt.Fprintf(r.stderr, "painscreen: writing %s: %s\n", safe(r.fl.output), safe(err.Error()))
			return exitUsage
		}
	}
	if r.sum.tierHit() {
		fmt.Fprintf(r.stderr, "painscreen: a record reached tier %s or higher (--fail-on-tier)\n", safe(r.fl.failOnTier))
	}
	return r.sum.status()
}

// abort removes --output's temporary file.
func (r *scoreRun) abort() {
	if r.of != nil {
		r.of.abort()
	}
}

// status is the exit status of the records written: a clinical alert outranks failed records (composite
// contract §1a rule 4).
func (s *summary) status() int {
	switch {
	case s.tierHit():
		return exitTier
	case s.Failed > 0:
		return exitRecords
	}
	return exitOK
}
