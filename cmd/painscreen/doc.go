// Command painscreen screens adults for co-occurring chronic pain and opioid use disorder: it scores
// validated questionnaires (YAML definitions with CEL scoring) and combines them, with the pain_oud rule
// set, into a risk tier and referrals, each with the answers and rules behind it. It is decision support
// for a clinician, not a diagnosis.
//
// It is a thin shell over the public packages: screen (scoring), screen/respfile (reading responses),
// screen/render (the output formats), screen/batch (ordered concurrent scoring, follow-up), screen/diff
// and server.
//
// Usage:
//
//	painscreen score    [flags] [FILE|-]...   score response files into reports
//	painscreen validate [--bundled] [PATH]... check definitions, print every problem with file:line:col
//	painscreen test     [flags] [PATH]...     run the test suites (*_test.yaml) of definitions
//	painscreen new      instrument|ruleset ID write a new definition and its test suite, to start from
//	painscreen diff     [flags] ID@A ID@B     compare two versions of a definition by what they give
//	painscreen list     [flags]               list the loaded instruments and the rule set
//	painscreen show     [flags] ID[@VERSION]  describe an instrument or the rule set
//	painscreen serve    [flags]               serve scoring and CDS Hooks over HTTP
//	painscreen fhir     questionnaire ID[@VERSION]  write an instrument's FHIR R4 Questionnaire
//	painscreen version                        print the version
//
// Every command takes -h (or --help) and prints its flags and examples. Flags may come before or after
// the file names; "--" ends the flags. Results go to stdout (or --output), diagnostics and summaries to
// stderr.
//
// # Health data
//
// Answers and subject ids are health data. They go to the output the user asked for and nowhere else:
// stderr gets counts, positions, codes and the engine's error messages, which never contain answers or
// subject ids. Files written with --output are created readable by their owner only (mode 0600).
//
// # Terminal safety
//
// Strings from definitions (titles, labels, flag messages, referral texts, expressions, suite case names)
// and from input (response keys, file names, subjects, context text) are escaped wherever they are
// written as text — the text report, show, list, test, and everything on stderr: control characters,
// escape sequences, C1 controls, bidirectional overrides and isolates and bytes that are not UTF-8 appear
// as \t, \n, \x1b, \u202e …, so that no definition or response can clear the screen, hide part of a
// line or forge a log line. JSON, JSONL and CSV output are data and keep values as they are.
//
// # Output errors
//
// Every command exits 2 when stdout cannot be written (a full disk). When the reader of stdout goes away
// (score … | head -1), score ends quietly, as if its input had ended there: no summary, and the exit
// status of the records it wrote (4 before 1, as always).
//
// # score
//
//	painscreen score [flags] [FILE|-]...
//
// Scores every response set of every FILE (or of stdin: "-", or no FILE) and writes exactly one output
// record per input record, in input order: a report, or an error record saying why that record could not
// be scored. Records are read, scored and written as a stream (one reader, --jobs scorers, an ordered
// writer with a bounded reorder window), so memory stays flat whatever the size of the input, and the
// output is byte-identical whatever --jobs.
//
// Flags:
//
//	--format FORMAT        jsonl (default), json, text, brief, csv, long or fhir; without --format an --output
//	                       name ending in .json, .jsonl/.ndjson, .csv or .txt picks it
//	--output FILE          write to FILE instead of stdout, atomically (see below)
//	--input-format FORMAT  json, jsonl (ndjson), yaml (yml), csv, tsv or fhir, for every FILE (default: from the
//	                       extension; stdin without it must be JSONL)
//	--delimiter DELIM      CSV input: , ; or tab (default: tab for .tsv and tsv, else sniffed from the
//	                       header row: the one of the three that occurs most outside quotes)
//	--na TOKENS            CSV input: comma-separated cell texts read as a missing answer, besides the
//	                       empty cell (default NA,N/A,#N/A,NaN,nan; --na '' for none). An integer token
//	                       (-99) matches the cells of that value (-99, -99.0). Not applied to kept
//	                       columns. A token that is a valid answer of an item among the file's columns
//	                       (--na 3, --na LA6571-9) is refused (csv_na, exit 2). An answer that fails with a
//	                       sentinel value (-99, ., 999, -9, -999) says so in its error ("if -99 marks a
//	                       missing answer, name it in --na: --na NA,-99"). A subject cell that is empty,
//	                       white space or an NA token is no subject id: the row is scored without one
//	                       (a safety flag in it still surfaces), its report has the error invalid_subject
//	                       (item subject; exit 1), and --follow-up links it to no other row.
//	--keep COLUMNS         CSV input: pass these columns (comma-separated; repeatable) through to every
//	                       output format (see "Kept columns")
//	--subject-column NAME  CSV input: the subject column (default subject; REDCap's record_id is refused
//	                       with this hint)
//	--date-column NAME     CSV input: the column of the record's date (default date; a REDCap date field
//	                       such as visit_date)
//	--date-format LAYOUT   CSV input: YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or DD/MM/YYYY. Without it, ISO
//	                       dates (also with a time: 2026-01-05T10:30:00Z, 2026-01-05 10:30) and DD.MM.YYYY
//	                       are read, and slash dates when the file's own dates settle the layout (a part
//	                       above 12); an ambiguous or unreadable date is never guessed: the record is scored
//	                       without a date, with the error invalid_date (item date; exit 1; also in the CSV
//	                       notes column). Rows whose answer cells are all empty or NA (REDCap's event rows)
//	                       are skipped, and the count is on stderr.
//	--width N              text: wrap at N columns (at least 40; default: the terminal's width when stdout
//	                       is a terminal, else 80)
//	--jobs N               scorer goroutines (default 0: GOMAXPROCS); each scores and encodes whole batches
//	--follow-up            report each record against its subject's baseline (see "Follow-up")
//	--instruments DIR      load instrument definitions from DIR (or one file) in addition to the bundled
//	                       ones; repeatable
//	--rules DIR|ID[@VER]   a path: load rule sets from it; repeatable. Not a path: apply that rule set and
//	                       require it (a record without its required inputs is an error record,
//	                       composite_not_applied)
//	--no-bundled           use only --instruments and --rules
//	--no-rules             score the instruments only
//	--fail-on-tier TIER    exit 4 when a record reaches TIER or a higher tier (tiers are ordered as the
//	                       rule set lists them, highest first: urgent, high, elevated, low for pain_oud);
//	                       a fired urgent flag counts as the highest tier; exit 4 outranks exit 1
//	--strict               all or nothing: a record with an invalid or unknown answer (or an answer to an
//	                       item skip logic does not ask) is an error record, not a report with errors
//	--csv-safe             csv, long: prefix with ' every text cell that starts with =, +, -, @, tab or CR
//
// By default the rule set is applied to every response set that holds its required inputs; for the
// others the report says it was not applied, and why (composite.applied false, composite.reason).
//
// Input formats: YAML or JSON (one response set, or a list of them), JSONL (one per line: the batch
// format), CSV (a header, then one row per response set: subject, context.<key>, <instrument>.<item>;
// .tsv is CSV separated by tabs), and FHIR R4 JSON: a .json file whose top-level object has a
// resourceType (or any file with --input-format fhir) holds a QuestionnaireResponse (one response set) or
// a Bundle of them (one response set per subject reference and authored date, in order of first
// appearance; a second response to the same instrument that day is a response set of its own). A response
// is mapped to an instrument by its questionnaire canonical (https://painscreen.dev/fhir/Questionnaire/ID,
// optionally |VERSION, which pins the version; or a canonical ending in an instrument's LOINC panel code),
// else by the LOINC codes of its items; its items by linkId = item id or LOINC item code ("/44250-9"
// too), nested groups included; answers by valueCoding (LOINC answer code, painscreen's option-value
// system, or an ordinalValue/itemWeight extension), valueInteger, valueDecimal, valueBoolean (no/yes items)
// or valueString. A linkId that names one of the instrument's scores (a form's own total) is not read.
// Anything else that maps to nothing is an error of its item in the report (unknown_item names the
// linkId; wrong_type for a valueDate or several answers), and the rest is scored. A response that breaks
// the FHIR structure painscreen reads, or is entered-in-error, is an error record (code fhir); a FHIR
// document that is not valid JSON, or a resource other than a QuestionnaireResponse or Bundle, is exit 2.
// A Bundle may also carry the patient's Patient, MedicationRequests (with Medications) and Conditions: each
// response set of that patient then gets the treatment context derived from them (age, opioid_mme by the
// CDC 2022 method, benzodiazepine, moud_current, naloxone_current, prior_overdose; see docs/ehr.md),
// unknown rather than false when the Bundle does not settle it; context given explicitly wins.
// Record numbers start at 1 in every file. Stdin is read as JSONL unless --input-format says otherwise;
// when stdin does not start like JSONL (its first non-blank character is not "{", or that "{" is alone on
// its line, as in pretty-printed JSON), score stops with exit 2 and asks for --input-format.
//
// Output formats:
//
//   - jsonl: one report per line, exactly as screen.Report.AppendJSON writes it (the JSON contract), or
//     one error record per line.
//   - json: the same records as one JSON array ("[", records separated by ",\n", "]"), streamed.
//   - csv: a header, then one row per record. The columns are fixed by the loaded definitions, so files
//     from runs with the same definitions concatenate: file, record, line, subject, status (ok or
//     error), error_code, error_instrument, error_item, error_message, composite_applied (true, false, or
//     empty without a rule set), tier, tier_decided (true when the answers decide the tier, false when
//     they leave it open; empty when the rule set is not applied), referrals (ids joined with ";"),
//     not_assessed (domains joined with ";"), then <ruleset>.<domain> for every domain of the rule set, then for every loaded instrument
//     id (sorted) <id>.status (complete, incomplete, or empty when not answered), <id>.<score> for each
//     score (the union over the loaded versions) and <id>.flags (fired flags, ";"). Values are written as
//     in the JSON report; a score that was not computed is an empty cell. Fields are quoted as RFC 4180
//     requires and are otherwise not altered: the CSV is data, and a changed subject id breaks linkage.
//     A spreadsheet, though, runs a cell that starts with =, +, -, @ (or tab, CR) as a formula: with
//     --csv-safe, such a text cell (a subject, a file name, an error message, a band label) is written
//     with a leading ', and cells written from numbers are never changed.
//   - csv (continued): after possible_domains come missing (required items not answered, as
//     <instrument>.<item> joined with ";"), notes (the notes' codes, as <instrument>.<about>=<code> and
//     <ruleset>.<about>=<code>, joined with ";") and not_applied_reason (why the rule set was not
//     applied), before the rule set's domains. The determinacy columns possible_tiers,
//     possible_referrals (ids joined with ";") and possible_domains (domain=value|value;…) say what the
//     missing answers leave open, and settle (after possible_domains: <instrument>.<item> joined with
//     ";") names the unanswered or invalid items whose answers would decide an open tier. Kept columns
//     come last, under their own names.
//   - long: tidy CSV for R's tidyverse and pandas, one row per subject and result. Columns: file,
//     record, subject, the kept columns, then kind, id, value, band, note. Kinds, in this order per
//     record: record (value ok, partial or error), error (id <instrument>.<item>, value the code, note
//     the message), tier (id the rule set, value the tier; empty with note "not applied: <reason>"),
//     possible_tier, settle (id the rule set, value an item whose answer would decide the tier),
//     referral (value the priority), possible_referral, domain (id <ruleset>.<domain>),
//     possible_domain (one row per value), note (id <owner>.<about>, value the code, note the message),
//     then per instrument: status (id the instrument), score (id <instrument>.<score>; band holds the
//     label of the band score computed from it, if any), flag (value the level, note the message),
//     missing (id <instrument>.<item>), note. An error record gives a record row and an error row.
//   - fhir: one FHIR R4 resource per line (NDJSON). A report is a Bundle of type collection: an
//     Observation per computed score (category survey; code the score's LOINC code, else
//     https://painscreen.dev/fhir/CodeSystem/score ID.SCORE; valueInteger, valueQuantity {score},
//     valueBoolean or valueString; interpretation the band when another score bands it; method the
//     definition's id, version and digest; derivedFrom the QuestionnaireResponses the answers came from;
//     subject: a FHIR reference (Patient/123) as reference, any other id as identifier.value;
//     effectiveDateTime the response set's date; notes for prorated totals, results decided despite
//     missing answers, scores not computed, flags not evaluated, unanswered items and invalid answers),
//     an Observation per fired flag (interpretation AA for urgent), with --follow-up an Observation per
//     follow-up measure (https://painscreen.dev/fhir/CodeSystem/followup ID.MEASURE, effectivePeriod
//     from the baseline's date to the current one, derivedFrom the baseline's and the current
//     QuestionnaireResponses), an Observation with no value for an urgent flag that missing answers
//     leave open (not ruled out), and a RiskAssessment for the composite
//     (qualitativeRisk the tier, status final; when missing or invalid answers leave the tier open,
//     status preliminary with a prediction per possible tier and a note naming the items to ask; basis
//     the Observations, a note per referral with its reasons, per possible referral, and why the rule
//     set was not applied). Entry fullUrls are
//     urn:uuids derived from the file, record number, subject and date, so output is reproducible. An
//     error record is an OperationOutcome (issue.details the error code, diagnostics where and why).
//   - brief: one line of text per record, for watching a batch: "FILE:RECORD SUBJECT STATUS
//     tier=TIER[(possible:T|T)] [referrals=ID,…] [flags=INST.FLAG[(URGENT)],…] [errors=CODE,…]
//     [KEPT=VALUE …]" (SUBJECT "-" when none; tier=not_applied when the rule set was not applied; info
//     flags are left out); a tier the answers leave open is "tier=not_final(LOW now, URGENT possible:
//     ask PHQ-9 item 9)", and an urgent flag left open by a missing or invalid answer is listed as
//     INST.FLAG(NOT_RULED_OUT); an error record: "FILE:RECORD SUBJECT error CODE: [INST.ITEM: ]MESSAGE".
//   - text: a summary per record for a clinician: subject, risk tier and the domain values that decided
//     it (a tier the answers leave open leads with "Risk tier: not final — LOW now, URGENT possible: ask
//     PHQ-9 item 9" and the text of each item to ask), fired flags and urgent flags left open
//     ("NOT RULED OUT"), each referral with its priority, text, addenda, rationale, source and the domain
//     values that triggered it, the domains with the instrument results they were derived from, what was
//     not assessed and why, then each instrument's scores and bands with the answers they were computed
//     from (with option labels), flags, missing items and notes. It wraps at --width, the terminal's
//     width, or 80 columns.
//
// Treatment context (a FHIR Bundle with the patient's Patient, MedicationRequests and Conditions): a JSON
// report ends with "ehr_context":{"table":{"version","digest"},"fields":[{"name","known","value",
// "reasons":[{"resource","text"}]}],"notes":[{"code","field","resource","text"}]}: every derived field,
// known or not, with the resources it was read from, and what could not be derived (docs/ehr.md).
//
// FHIR input notes (how the QuestionnaireResponses were read: answers declined, a version or questionnaire
// read as another, a preliminary status, conflicting answers): a JSON report ends with
// "input_notes":[{"code","instrument","item"?,"source"?,"line","message"}]; the text format lists them under
// "Input notes", the CSV notes column holds them as <instrument>.<item>=<code>, and the long format as note
// rows. They never hold an answer value.
//
// Kept columns (--keep site,visit): the cells of these CSV columns are echoed with the record's output
// in every format: "kept":{"site":"A","visit":"2"} at the end of a JSON report or error record (null
// for a record without them: a row with the wrong number of fields, or a record of a JSON or YAML
// input); the last CSV columns; the long format's columns after subject; "Kept: site = A; visit = 2"
// under the text format's subject; site=A visit=2 at the end of a brief line.
//
// CSV header: everything about a column is decided once, from the header, and every problem is listed
// together in one fatal csv_header error with column numbers: an empty, padded, duplicate or
// unrecognised name ("Subject ID": did you mean subject?), two columns naming the same answer or context
// field in different spellings (phq9.q9 and phq9__q9: both are named, since the later would overwrite
// the earlier), one instrument under two keys (phq9.q1 and phq9@1.0.0.q9), a --keep column that is
// missing or names an answer, and an instrument or item that is not loaded (with did you mean, also for
// separator mix-ups: phq9_1 → phq9.q1, or phq9__q1 in a file of REDCap names; phq9.1 → q1). An empty
// first header cell is R's write.csv row names (or pandas' index): the error says to write the file
// with row.names = FALSE (R) or index=False (pandas). An unrecognised column names --keep COLUMN as the
// way to pass it through. With several problems, each ends with its own (line L, col C). Per
// record are only the problems of a cell's bytes and a row's length; a cell whose value is wrong for
// its item (2.5, 1e2, text) is an error of that item in the record's report, and the rest of the record
// is scored. REDCap exports are read as they are: a column named <instrument>__<item> or context__<key>
// is an answer or context column, and REDCap's bookkeeping
// columns (redcap_event_name, redcap_repeat_instrument, redcap_repeat_instance,
// redcap_data_access_group, redcap_survey_identifier, <instrument>_complete, <instrument>_timestamp)
// are skipped.
//
// An error record in JSON/JSONL (screen.RecordError; the HTTP service answers with its "error" object):
//
//	{"record":7,"line":7,"file":"in.jsonl","subject":"pt-1","error":{"code":"invalid_value",
//	 "message":"value is not among the options (one of 0, 1, 2, 3)","instrument":"phq9","item":"q1"}}
//
// subject is present only when the record decoded. Decoding problems (syntax, duplicate_key, wrong_type
// of the record's structure, unknown_field, csv_columns, …) also give "line" and "col" of the problem
// inside "error"; an answer whose value is wrong for its item (2.5, 1e2, true, text) is not one: the
// record is scored and its report lists the item's error. Scoring
// problems use the codes of screen.ScoreError (unknown_item, invalid_value, disabled_item,
// composite_not_applied, …). When an input cannot be read further (a JSON or YAML syntax error, a bad
// CSV header, an I/O error) or holds no record at all, one more error record is written for it, with
// "fatal":true and the next record number; reading stops there (later files are not read) and the exit
// status is 2.
//
// At the end, stderr gets a summary: records, how many were scored and how many could not be, and the
// count of reports per tier (and of reports where the rule set was not applied), and the errors of the
// records written counted by code ("errors by code: invalid_value 3, csv_columns 1"); before it, the
// positions, codes and messages of the first ten error records. When stderr is a terminal and the run
// lasts more than two seconds, a progress line is updated every second.
//
// --output FILE writes a temporary file in FILE's directory (.FILE.tmp-…), syncs it and renames it over
// FILE only when the run completes with status 0, 1 or 4; after a fatal input error, invalid definitions,
// an interrupt or a write error, FILE is left as it was and the temporary file is removed. The temporary
// file is locked while the run lasts (on unix): one left by a run that was killed outright is removed by
// the next run writing FILE, which says so. A FILE that is a symbolic link is followed (the file it points
// to is replaced; a link to nothing is an error). A new FILE is created with mode 0600 whatever the umask;
// a FILE that exists keeps its permission bits. A FILE that is not a regular file (/dev/null, a FIFO) is
// written directly. FILE may not be one of the inputs (the same file, also through links): that is a
// usage error, before anything is read.
//
// Follow-up (--follow-up): each record is reported against its subject's baseline, the subject's earliest
// record in the same input with a valid date (ISO 8601, "date": "2026-01-05"; the first of them on a tie).
// The baseline record is reported as usual; every other record of the subject gets a "followup" block (the
// instruments' follow-up measures: PHQ-9/GAD-7 change, response, remission; PEG and GCPS-R change and 30 %
// improvement; PROMIS PI 4a change, each with the values it compared) and the rule set's follow-up
// referrals (treatment_adjustment, pain_treatment_review) read them. csv adds followup.baseline_date,
// followup.days and <id>.followup.<measure> columns; text adds a "Since baseline" table; brief a since=
// field. A record without a date or with an invalid one, or dated before its baseline, gets the block with
// days null and a note; nothing reads the clock. Records without a subject, and error records, are
// reported as usual where they stand. The input must hold each subject's records together (grouped, for
// example sorted by subject then date): it streams, holding one subject's records at a time (at most
// 10000), and a subject that comes back after other subjects' records stops the run with an error record
// not_grouped (exit 2) that says so; the records before it are reported. Each input is grouped on its own.
//
// Output goes out as soon as it is scored, in whole batches of records, and whenever the input has nothing
// more to read for the moment, so that a producer piping a record at a time sees each report at once.
//
// SIGINT or SIGTERM: reading stops at once (a read waiting on stdin too), the records already read are
// scored and written (the output ends at a record boundary; a JSON array is left unterminated, so it
// cannot pass for complete), the summary says how many records were read and how many written, --output
// is not created, and the exit status is 130. A second signal, or an output that does not take the
// remaining records within a second (a pipe nobody reads), stops the run at once.
//
// Exit status: 0 every record scored; 1 some records could not be scored (error records, or records
// scored with errors); 2 usage error, missing or unreadable input (missing file, fatal syntax error in a
// JSON or YAML document, bad CSV header, an NA token that is a valid answer, an input with no record) or
// output that cannot be written; 3 invalid definitions; 4 --fail-on-tier was reached, even when some
// records could not be scored (4 takes precedence over 1, also when the reader of stdout went away: a
// clinical alert is never hidden behind a failed record); 130 interrupted. A clinical result never
// changes the exit status unless --fail-on-tier asks.
//
// Examples:
//
//	painscreen score --format text patient.yaml
//	painscreen score --jobs 4 --output reports.jsonl batch.jsonl
//	painscreen score --format csv --output scores.csv site1.csv site2.csv
//	cat batch.jsonl | painscreen score --fail-on-tier high > reports.jsonl
//	painscreen score --rules pain_oud@1.1.0 --format json visit.json
//	painscreen score --follow-up --format csv --output followup.csv cohort.jsonl
//	painscreen score --no-bundled --instruments my-instruments/ --no-rules answers.yaml
//
// # validate
//
//	painscreen validate [--bundled] [--format text|json|github|sarif] [--snippets=false] [PATH]...
//
// Loads the definitions in PATHs (directories recursively; no PATH: the bundled ones; --bundled: the
// bundled ones too) and the test suites (*_test.yaml) beside them, and prints every problem, warnings
// included, to stderr as
//
//	file:line:col: code: message
//	    <source line>
//	    ^
//
// YAML syntax errors are at the token where the parser stopped (a mis-indented key at its own line and
// column). When several rule sets are loaded, each is compiled in turn. Like every load (score, test and
// serve refuse the same errors), validate runs the static checks of docs/definitions.md: a score's declared
// range against what its items
// give (score_range), bands that leave a reachable value out or can never apply (band_range,
// band_unreachable; a bound past the range is the warning band_beyond_range), lookup tables missing a
// reachable raw value (lookup_gap; an unreachable row is the warning lookup_unreachable), required items
// nothing reads and option scales no item uses (warnings unused_item, unused_scale), flags, tiers and
// referrals that can never fire or are shadowed by an earlier tier (never_fires, shadowed_tier). It checks the suites
// too: unknown fields, a target version that is not loaded (unknown_target), and every id a want names
// ("no score \"totl\" in phq4@1.0.0; did you mean \"total\"?"). A PATH that holds no definition is
// no_definitions: an error when nothing loaded at all, a warning beside another PATH (a folder of suites
// whose definitions come from elsewhere).
//
// --format text (default) prints "ok: N instruments, M rule sets; K test suites" to stdout on success.
// --format json writes one object to stdout: {"ok","instruments","rule_sets","suites","errors","warnings",
// "diagnostics":[{"file","line","col","severity","code","message","source"}]}. --format github writes
// GitHub Actions workflow commands to stdout, one per problem, which become annotations on the pull
// request: "::error file=F,line=L,col=C,title=painscreen CODE::MESSAGE" (::warning for warnings).
// --format sarif writes a SARIF 2.1.0 log (GitHub code scanning, other analysis dashboards): one result
// per problem, the code as its rule id, columns in Unicode code points.
// Exit status: 0 the definitions and suites load (warnings allowed), 2 usage error or missing PATH, 3 at
// least one error.
//
//	painscreen validate
//	painscreen validate --bundled my-rules/
//	painscreen validate --format github my-instruments/
//
// # new
//
//	painscreen new [--dir DIR] instrument|ruleset ID
//
// Writes DIR/ID/ID.v1.yaml and DIR/ID/ID.v1_test.yaml (DIR defaults to the current directory): an
// instrument (items with a named and an inline option scale, a range item, skip logic with a skipped
// note, a prorated total with a declared range, bands, a cut-point, a raw sum with a lookup table, a
// conditional score, flags, a conditional note, context) or a rule set over the bundled PHQ-2 and GAD-2
// (inputs, any_of, domains from sources with a condition, tiers, a referral with an addendum), each part
// with a comment, and a suite that passes. The content is placeholder, to be replaced. The first line of
// each file names its JSON Schema by URL, for editors (yaml-language-server). Existing files are never
// overwritten. Exit status: 0 written; 2 usage error (an unknown kind, an invalid id) or a file that exists
// or cannot be written.
//
//	painscreen new instrument phq4 && painscreen validate phq4 && painscreen test phq4
//	painscreen new ruleset my_composite && painscreen test --bundled my_composite
//
// # test
//
//	painscreen test [--bundled] [-v] [--run REGEX] [--format text|json|junit] [--coverage] [--min-coverage PERCENT] [PATH]...
//
// Runs the test suites (*_test.yaml) in PATHs against the definitions in the same PATHs (no PATH: the
// bundled suites and definitions; --bundled adds the bundled definitions, not their suites). Text output
// is like go test:
//
//	--- FAIL: phq9@1.0.0/moderate at the lower bound (instruments/phq9/phq9.v1_test.yaml:12)
//	    scores.total:
//	        want: 10
//	        got:  9
//	FAIL	phq9@1.0.0	instruments/phq9/phq9.v1_test.yaml	1 of 51 failed
//	ok  	gad7@1.0.0	instruments/gad7/gad7.v1_test.yaml	29 passed
//	FAIL: 1 of 80 cases failed
//
// A list that differs also says which elements are missing and which are unexpected. -v lists passing
// cases ("--- PASS: …"). --run selects the cases whose "target/name" matches (target as in the suite:
// phq9@1.0.0). --format json writes {"suites":[{"file","target","cases":[{"name","line","status",
// "failures"}],…}],"passed","failed","skipped"}; junit writes JUnit XML. A want that names a score, flag,
// item, domain, tier or referral its definition does not have fails its case with that message (no score
// "totl" in phq4@1.0.0; did you mean "total"?) rather than "want 6, got not computed". Exit status: 0 all
// pass, 1 some fail, 2 usage error, 3 the definitions or suites do not load (a suite whose instrument
// version is not loaded included), or the PATHs hold no suite at all (nothing was tested).
//
//	painscreen test
//	painscreen test -v --run 'phq9@.*/moderate'
//	painscreen test --format junit my-instruments/ > junit.xml
//
// Clinical coverage: --coverage adds, per loaded definition, the share of its elements that a passing case
// reaches and each element none reaches, then the total:
//
//	coverage:
//	  phq9@1.0.0      94.4%  (17 of 18)
//	      not reached: cut severity: mild|moderate, upper side: total 10 (moderate)
//	  pain_oud@1.1.0 100.0%  (60 of 60)
//	coverage: 98.7% of 78 elements
//
// The elements come from the definitions: each band and each side of each cut-point (of bands, and of each
// comparison with a constant in an expression, such as scores.total >= 3), each lookup-table row,
// each yes/no score true and false, each flag firing and evaluated without firing, each missing-data rule at
// its limit and one past it, each skip-logic condition asking and skipping, each band or yes/no score decided
// despite missing answers; each domain value, domain left open, tier, tier left open, referral, addendum and
// possible referral (go doc ./screen/suite Coverage has the rules). --min-coverage PERCENT implies --coverage
// and exits 1 when the total is below PERCENT; --format json adds "coverage":{"definitions":[{"definition",
// "kind","file","elements":[{"kind","id","name","covered","by"}],"covered","total","percent"}],"covered",
// "total","percent"}. The bundled catalogue is at 100 %.
//
//	painscreen test --min-coverage 100 my-instruments/
//
// # template
//
//	painscreen template [--format csv|jsonl|yaml|redcap] [--instruments DIR] [--rules DIR|ID] [--no-bundled] [INSTRUMENT[@VERSION]]...
//
// Writes an empty response file for the instruments named, or the rule set's inputs when none is (every
// loaded instrument without a rule set): csv, the header row (subject, the context fields the
// instruments read, <instrument>.<item>); jsonl, one record with every answer and context field null;
// yaml, a skeleton with the item texts, options, ranges and skip logic as comments; redcap, a REDCap
// data dictionary (REDCap's 18 columns, "Variable / Field Name" to "Field Annotation"): the record id
// field subject, the response date field date (date_ymd: the visit, which follow-up pairs visits by),
// context__<key> text fields, and per instrument a form of that name with a radio field
// <instrument>__<item> per option item (choices "value, label | …", the option values) or an integer
// text field with the item's range, marked required as the definition says. A REDCap data export of it
// ("raw" values) scores as it is. A pinned version that is not the default cannot be named in REDCap.
//
// # diff
//
//	painscreen diff [--instruments DIR] [--rules DIR] [--no-bundled] [--format text|json] [--missing] [--max-patterns N] [--samples N] [--examples N] ID@A ID@B
//
// Compares two versions of an instrument or rule set (from the bundled definitions and the folders given)
// by what they give. Both are replayed over the test vectors — the cases of every suite of either version
// — and over answer patterns: for an instrument, every complete answer pattern (each item answered with
// each value it allows, with each context the test vectors give; items no expression reads are held at
// one value) when there are at most --max-patterns (default 1,048,576), otherwise --samples random
// patterns (default 20,000, seed 1, so the output is reproducible; an item without an upper bound is drawn
// from its minimum up 20); --missing adds "unanswered" to each item's values, so prorating and results
// decided despite missing answers are compared too; for a rule set, --samples random response sets (each
// input present or not, each item answered or not). Each change of an outcome — an
// instrument's status, errors, scores and flags; a rule set's tier, domains and referrals (fires, possible,
// does not fire) — is counted with up to --examples examples:
//
//	instrument gad7@1.0.0 → gad7@1.0.1
//
//	test vectors: 37 cases of both versions' suites
//	  3 of 37 cases change an outcome
//	  3 of 37 cases change scores.severity: mild → moderate
//	      e.g. "total 9 is mild (top)" (instruments/gad7/gad7.v1_test.yaml:27)
//
//	answer patterns: every complete answer pattern: 16,384 (each of 7 items answered with each value it allows)
//	  1,918 of 16,384 patterns change an outcome
//	  1,918 of 16,384 patterns change scores.severity: mild → moderate
//	      e.g. q1=0 q2=0 q3=0 q4=0 q5=3 q6=3 q7=3
//
// --format json writes {"kind","from","to","vectors":{…},"patterns":{"mode" (cases, exhaustive, sampled,
// skipped),"space","note","checked","changed","changes":[{"outcome","from","to","count","examples":[{"case",
// "file","line"} or {"answers","context"}]}]}}. Exit status: 0 no outcome changes, 1 some change, 2 usage
// error or a version that is not loaded, 3 the definitions or suites do not load.
//
//	painscreen diff --instruments my-gad7/ gad7@1.0.0 gad7@1.0.1
//	painscreen diff --rules my-rules/ --format json pain_oud@1.2.0 pain_oud@1.3.0
//
// # list
//
//	painscreen list [--format text|json] [--width N] [--instruments DIR] [--rules DIR|ID] [--no-bundled]
//
// Lists the loaded instruments (id, version, status, domain, title; * marks the version an unpinned key
// selects when there are several) and the rule set, with the version each of its inputs is bound to.
// --format json writes {"instruments":[{"id","version","status","domain","title","digest","file",
// "default"}],"rule_set":{"id","version","status","title","digest","file","inputs":{id:version}} or
// null, "rule_sets":[…] when several are loaded and none chosen}. The text wraps within --width (default
// the terminal's width, 80 when stdout is not a terminal): a title continues under its column, or on
// lines of its own indented by 4 when the columns leave it too little room.
//
// # show
//
//	painscreen show [--format text|json] [--width N] [--instruments DIR] [--rules DIR|ID] [--no-bundled] ID[@VERSION]
//
// Describes an instrument: items (options with values, labels and codes, or the integer range; required
// or optional; skip logic), scores (type, expression, bands as intervals, lookup tables, codes), flags,
// context fields, recall, citation, licence and notes. The id of a rule set describes it: inputs and the
// versions bound, domains with their values and expressions, tiers in order, and referrals with their
// conditions, text, addenda, rationale and source. The text wraps within --width as list's does,
// expressions at their spaces (continued 4 columns further in); a token longer than the line (a digest)
// gets a line of its own and is never cut.
//
// --format json writes the same description as one object with snake_case keys (the fields of
// catalog.InstrumentDoc or catalog.RuleSetDoc).
//
//	painscreen show phq9
//	painscreen show pain_oud
//
// # serve
//
//	painscreen serve [--addr 127.0.0.1:8080] [--instruments DIR] [--rules DIR|ID] [--no-bundled] [--no-rules]
//	                 [--public-url URL --issuer ISS=JWKS... | --insecure-no-auth] [flags]
//
// Serves the engine over HTTP (package server) until SIGINT or SIGTERM, with the definitions chosen as
// for score:
//
//	POST /score               one response set (JSON, as score reads it) → 200 with the JSON report (with
//	                          its errors when some answers could not be used); 400 for input that cannot
//	                          be read, 413 over --max-body; ?format=fhir for a FHIR Bundle when the build
//	                          has FHIR export, else 406
//	GET  /cds-services        CDS Hooks discovery: a patient-view service with the prefetch
//	                          questionnaireResponses = QuestionnaireResponse?subject={{context.patientId}}&status=completed
//	                          and (optional) patient = Patient/{{context.patientId}} (US Core birth sex),
//	                          medications = MedicationRequest?patient={{context.patientId}}&status=active and
//	                          conditions = Condition?patient={{context.patientId}} (treatment context)
//	POST /cds-services/ID     a CDS Hooks call → {"cards": [...]}; 412 when the prefetch is missing
//	GET  /healthz, /readyz    liveness; readiness (503 while shutting down)
//	GET  /version             engine version and the digest of every loaded definition and of the MME table
//	GET  /metrics             Prometheus metrics, without health data (on --metrics-addr when given)
//
// Cards: one per urgent flag (critical) and per referral (urgent → critical, high → warning, routine →
// info); possible referrals and an open tier (missing answers) are cards that say so; answers that could
// not be used are a warning card. Each card has a summary under 140 characters, a Markdown detail with
// the chain of reasons (referral → domains → scores → answers) and the guideline source, a source and a
// uuid.
//
// Flags (besides the definition flags of score; docs/operations.md has them all, each with its
// PAINSCREEN_* environment variable, such as PAINSCREEN_MAX_BODY for --max-body):
//
//	--addr HOST:PORT        listen address (default 127.0.0.1:8080; port 0 picks a free port, logged)
//	--public-url URL        the external base URL the EHR calls: the audience (aud) tokens must name
//	--issuer ISS=JWKS       a trusted EHR and its own keys (a JWKS file or an https URL); repeatable
//	--jwks FILE             the keys of a single --issuer ISS given without =JWKS
//	--insecure-no-auth      accept calls without a token: local development only (logged as a warning),
//	                        on a loopback address only unless --insecure-allow-remote
//	--tls-cert, --tls-key   serve HTTPS (the pair is reloaded when it changes)
//	--base-path PATH        serve under a reverse proxy's prefix
//	--metrics-addr ADDR     serve /metrics there only
//	--body-timeout D        time to receive a body (default 10s; 408 after it), before a slot is taken
//	--max-conns-per-ip N    connections at once from one address (default 64; 0 no limit)
//	--drain-delay D         after SIGTERM, /readyz answers 503 this long before the listener closes (5s)
//	--max-body BYTES        largest request body (default 1 MiB); more is 413
//	--max-in-flight N       scoring and CDS calls served at once (default 16 × GOMAXPROCS); more is 503
//	                        with Retry-After: 1, at once (no queue)
//	--cors-origin ORIGIN    browser origin allowed by CORS; repeatable (default: any)
//	--service-id ID         the CDS service id (default painscreen-pain-oud)
//	--source-url URL        the url of the cards' source
//	--shutdown-grace D      how long SIGTERM waits for requests in flight (default 20s)
//	--log-format json|text  the access log on stderr (default json)
//	--replay-cache N        token ids (jti) remembered against replay (default 100000)
//
// Tokens follow CDS Hooks 2.0: a JWT signed with an asymmetric algorithm (ES384, RS384, …; never HS* or
// none) equal to its key's declared alg, iss a trusted issuer and a kid naming a key of that issuer's own
// set, aud --public-url or the URL of the endpoint called, exp at most 5 minutes after iat, and a jti not
// seen before. A key set holding a private or symmetric key is refused. Key sets are reloaded every
// --jwks-refresh, for a token naming an unknown kid (at most every 30 s), and on SIGHUP, which reloads
// the TLS pair and the definitions of --instruments and --rules too (kept when they do not load) and
// logs what changed. Without --issuer, scoring and CDS calls are refused with 401;
// health, version and discovery answer. Timeouts: 5 s to read the headers,
// 15 s the request, 30 s to write the response, 120 s idle. The access log has one JSON record per
// request (method, endpoint, status, bytes, ms, client address, error code) and never a subject or
// patient id, an answer, a token or card text.
//
// Exit status: 0 after a clean shutdown; 1 when requests were still running at the end of
// --shutdown-grace; 2 usage error (or the address cannot be listened on); 3 invalid definitions.
//
//	painscreen serve --insecure-no-auth
//	painscreen serve --addr :8443 --public-url https://cds.example.org/painscreen --issuer https://ehr.example.org=ehr.jwks.json
//
// # fhir
//
//	painscreen fhir [--instruments DIR] [--no-bundled] questionnaire ID[@VERSION]
//
// Writes the instrument's FHIR R4 Questionnaire as indented JSON: url
// https://painscreen.dev/fhir/Questionnaire/ID and version the instrument's (a QuestionnaireResponse to
// it is scored with that version), id the instrument id with '_' as '-', code the instrument's codes;
// one item per instrument item in order (linkId the item id, code its LOINC codes, required unless skip
// logic may hide it); a choice item (shown as radio buttons) has an answerOption valueCoding per option
// (its LOINC answer code, or https://painscreen.dev/fhir/CodeSystem/option-value with the value in
// decimal) with the option's value as ordinalValue; a range item is an integer item with
// minValue/maxValue; skip logic that compares one earlier item with a number becomes enableWhen ("=" per
// matching option, enableBehavior any). scripts/fhir-roundtrip renders each bundled one in LHC-Forms.
//
//	painscreen fhir questionnaire phq9 > phq9.questionnaire.json
//
// # version
//
//	painscreen version [--format text|json]
//
// Prints the module version from the build information (the version go install …@VERSION built;
// "(devel)" and the VCS revision for a build in a checkout), the engine name and version (as in every
// report) and the Go version. --format json: {"painscreen","revision","modified","engine","go"}.
package main
