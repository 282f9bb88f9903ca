package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/painscreen/painscreen/screen/respfile"
)

const templateAbout = `Write an empty response file for the instruments named (id, or id@version to pin one), or, when
none is, for the inputs of the rule set (every loaded instrument when there is no rule set), to fill in
and score.

Formats (--format):
  csv     the header row: subject, the context fields the instruments read,
          then <instrument>.<item>
  jsonl   one record with every item (and context field) null
  yaml    a skeleton with the item texts, options and ranges as comments
  redcap  a REDCap data dictionary (the 18 columns REDCap imports): one form
          per instrument, a radio field per option item (choices
          "value, label | ..."), an integer text field per range item, the
          record id field "subject" and the response date "date" (date_ymd)

REDCap variable names cannot hold dots, so a REDCap field is named <instrument>__<item> (and a context
field context__<key>). score reads a REDCap data export (raw values) with those names as it is,
skipping REDCap's own columns (redcap_event_name, <instrument>_complete, ...).

Item texts are those of the definitions ('painscreen show ID' gives the licence and whether the text
is the instrument's own or a paraphrase).`

const templateExamples = `  painscreen template > responses.csv
  painscreen template --format yaml phq9 gad7 > visit.yaml
  painscreen template --format redcap > painscreen_dictionary.csv`

func runTemplate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("template", "painscreen template [flags] [INSTRUMENT[@VERSION]]...", templateAbout, templateExamples)
	var df defFlags
	df.register(f, false)
	format := "csv"
	f.StringVar(&format, "format", "csv", "`FORMAT`: csv, jsonl, yaml or redcap")
	refs, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	format = strings.ToLower(strings.TrimSpace(format))
	switch format {
	case "csv", "jsonl", "yaml", "yml", "redcap":
	default:
		return f.fail(stderr, "--format: unknown template format %q (want csv, jsonl, yaml or redcap)", format)
	}
	eng, code := buildEngine(f, &df, "", stderr)
	if eng == nil {
		return code
	}
	var b bytes.Buffer // nothing is written when the template cannot be made
	if err := respfile.WriteTemplate(&b, eng, format, refs...); err != nil {
		return f.fail(stderr, "%v", err)
	}
	_, _ = stdout.Write(b.Bytes())
	return exitOK
}
