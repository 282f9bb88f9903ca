package main

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
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
          "value, label | ..."), an integer text field per range item, and
          the record id field "subject"

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
	insts, err := templateInstruments(eng, refs)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	var b []byte
	switch format {
	case "csv":
		b = templateCSV(insts)
	case "jsonl":
		b = templateJSONL(insts)
	case "yaml", "yml":
		b = templateYAML(insts)
	case "redcap":
		if b, err = templateREDCap(insts); err != nil {
			return f.fail(stderr, "%v", err)
		}
	}
	_, _ = stdout.Write(b)
	return exitOK
}

// tmplInst is one instrument of a template: its description and the answers key that names it.
type tmplInst struct {
	key string // "phq9", or "phq9@1.0.0" when pinned
	doc *catalog.InstrumentDoc
}

// templateInstruments resolves the instruments named, or picks the rule set's inputs (all instruments
// without a rule set), in id order.
func templateInstruments(eng *screen.Engine, refs []string) ([]tmplInst, error) {
	if len(refs) == 0 {
		if rs, ok := eng.RuleSet(); ok {
			for id := range rs.Inputs {
				refs = append(refs, id)
			}
		} else {
			for _, in := range eng.Instruments() {
				if in.Default {
					refs = append(refs, in.ID)
				}
			}
		}
		sort.Strings(refs)
	}
	var out []tmplInst
	seen := map[string]bool{}
	for _, ref := range refs {
		doc, err := eng.Describe(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", ref, unknownInstrumentHint(eng, ref))
		}
		if seen[doc.ID] {
			return nil, fmt.Errorf("%s is named twice", doc.ID)
		}
		seen[doc.ID] = true
		out = append(out, tmplInst{key: ref, doc: doc})
	}
	return out, nil
}

// unknownInstrumentHint says that an instrument is not loaded, with a suggestion.
func unknownInstrumentHint(eng *screen.Engine, ref string) string {
	id, _, _ := strings.Cut(ref, "@")
	var ids []string
	for _, in := range eng.Instruments() {
		ids = append(ids, in.ID)
	}
	msg := "no such instrument is loaded"
	if s := closest(id, ids); s != "" && s != id {
		msg += " (did you mean " + s + "?)"
	} else if s == id {
		msg = "no such version is loaded"
	}
	return msg
}

// contextFields returns the context fields the instruments read, in order of first use.
func contextFields(insts []tmplInst) []catalog.ContextDoc {
	var out []catalog.ContextDoc
	seen := map[string]bool{}
	for _, in := range insts {
		for _, c := range in.doc.Context {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func templateCSV(insts []tmplInst) []byte {
	cols := []string{"subject"}
	for _, c := range contextFields(insts) {
		cols = append(cols, "context."+c.ID)
	}
	for _, in := range insts {
		for _, it := range in.doc.Items {
			cols = append(cols, in.key+"."+it.ID)
		}
	}
	var b []byte
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, c)
	}
	return append(b, '\n')
}

func templateJSONL(insts []tmplInst) []byte {
	b := []byte(`{"subject":null`)
	if ctx := contextFields(insts); len(ctx) > 0 {
		b = append(b, `,"context":{`...)
		for i, c := range ctx {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, c.ID)
			b = append(b, ":null"...)
		}
		b = append(b, '}')
	}
	b = append(b, `,"answers":{`...)
	for i, in := range insts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, in.key)
		b = append(b, ":{"...)
		for j, it := range in.doc.Items {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, it.ID)
			b = append(b, ":null"...)
		}
		b = append(b, '}')
	}
	return append(b, "}}\n"...)
}

func templateYAML(insts []tmplInst) []byte {
	var sb strings.Builder
	comment := func(indent int, text string) {
		t := textBuf{width: 100}
		pad := strings.Repeat(" ", indent)
		t.raw(pad + "# ")
		for _, w := range strings.Fields(text) {
			if t.col > indent+2 && t.col+1+len(w) > 100 {
				t.nl()
				t.raw(pad + "# ")
			} else if t.col > indent+2 {
				t.raw(" ")
			}
			t.raw(w)
		}
		t.nl()
		sb.Write(t.b)
	}
	sb.WriteString("# A painscreen response set. Fill in each answer with an option's value (or its code); leave an\n")
	sb.WriteString("# answer empty (null) when it was not given. Score it with: painscreen score FILE.yaml\n")
	sb.WriteString("subject: \"\"\n")
	if ctx := contextFields(insts); len(ctx) > 0 {
		sb.WriteString("context:\n")
		for _, c := range ctx {
			fmt.Fprintf(&sb, "  %s:    # %s\n", c.ID, c.Type)
		}
	}
	sb.WriteString("answers:\n")
	for _, in := range insts {
		d := in.doc
		fmt.Fprintf(&sb, "  %s:\n", yamlKey(in.key))
		comment(4, fmt.Sprintf("%s %s: %s", d.ID, d.Version, d.Title))
		if d.Recall != "" {
			comment(4, "Recall period: "+d.Recall)
		}
		if d.ItemText != "verbatim" {
			comment(4, "Item texts are a paraphrase (see the licence in 'painscreen show "+d.ID+"').")
		}
		for _, it := range d.Items {
			if it.Text != "" {
				comment(4, it.Text)
			}
			switch {
			case len(it.Options) > 0:
				var opts []string
				for _, o := range it.Options {
					s := strconv.FormatInt(o.Value, 10)
					if o.Label != "" && o.Label != s {
						s += " " + o.Label
					}
					opts = append(opts, s)
				}
				comment(4, strings.Join(opts, "; "))
			case it.Min != nil && it.Max != nil:
				comment(4, fmt.Sprintf("a whole number from %d to %d", *it.Min, *it.Max))
			}
			if it.EnableWhen != "" {
				comment(4, "asked only when: "+it.EnableWhen)
			}
			fmt.Fprintf(&sb, "    %s:\n", yamlKey(it.ID))
		}
	}
	return []byte(sb.String())
}

// yamlKey quotes a key that plain YAML would not read as itself.
func yamlKey(k string) string {
	if regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@+-]*$`).MatchString(k) && k != "null" && k != "true" && k != "false" {
		return k
	}
	return strconv.Quote(k)
}

// redcapColumns is the header of a REDCap data dictionary.
var redcapColumns = []string{"Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
	"Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
	"Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
	"Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
	"Matrix Ranking?", "Field Annotation"}

// redcapName is what REDCap accepts as a variable or form name.
var redcapName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func templateREDCap(insts []tmplInst) ([]byte, error) {
	var rows [][]string
	row := func(cells ...string) {
		r := make([]string, len(redcapColumns))
		copy(r, cells)
		rows = append(rows, r)
	}
	name := func(parts ...string) (string, error) {
		n := strings.Join(parts, respfile.REDCapSeparator)
		for _, p := range parts {
			if !redcapName.MatchString(p) || strings.Contains(p, respfile.REDCapSeparator) {
				return "", fmt.Errorf("redcap: %q cannot be part of a REDCap variable name (lowercase letters, digits and single underscores)", p)
			}
		}
		if len(n) > 100 {
			return "", fmt.Errorf("redcap: variable name %s is longer than REDCap's 100 characters", n)
		}
		return n, nil
	}
	for _, in := range insts {
		if in.key != in.doc.ID {
			if !in.doc.Default {
				return nil, fmt.Errorf("redcap: %s: a REDCap variable name cannot pin a version; load only that version, or use the default one", in.key)
			}
		}
	}
	if len(insts) == 0 {
		return nil, fmt.Errorf("redcap: no instrument")
	}
	first := insts[0].doc.ID
	row("subject", first, "", "text", "Subject ID", "", "", "", "", "", "y")
	for _, c := range contextFields(insts) {
		n, err := name("context", c.ID)
		if err != nil {
			return nil, err
		}
		valid := ""
		if c.Type == "int" {
			valid = "integer"
		}
		row(n, first, "", "text", c.ID, "", "painscreen context field ("+c.Type+")", valid)
	}
	for _, in := range insts {
		d := in.doc
		if !redcapName.MatchString(d.ID) {
			return nil, fmt.Errorf("redcap: %q cannot be a REDCap form name", d.ID)
		}
		for k, it := range d.Items {
			n, err := name(d.ID, it.ID)
			if err != nil {
				return nil, err
			}
			section := ""
			if k == 0 {
				section = d.Title
				if d.Recall != "" {
					section += " (" + d.Recall + ")"
				}
			}
			label := it.Text
			if label == "" {
				label = it.ID
			}
			note := ""
			if it.EnableWhen != "" {
				note = "painscreen asks this item only when: " + it.EnableWhen
			}
			req := ""
			if it.Required {
				req = "y"
			}
			switch {
			case len(it.Options) > 0:
				var ch []string
				for _, o := range it.Options {
					l := o.Label
					if l == "" {
						l = strconv.FormatInt(o.Value, 10)
					}
					ch = append(ch, strconv.FormatInt(o.Value, 10)+", "+strings.ReplaceAll(l, "|", "/"))
				}
				row(n, d.ID, section, "radio", label, strings.Join(ch, " | "), note, "", "", "", "", "", req)
			default:
				lo, hi := "", ""
				if it.Min != nil {
					lo = strconv.FormatInt(*it.Min, 10)
				}
				if it.Max != nil {
					hi = strconv.FormatInt(*it.Max, 10)
				}
				row(n, d.ID, section, "text", label, "", note, "integer", lo, hi, "", "", req)
			}
		}
	}
	var b []byte
	for i, c := range redcapColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVField(b, c)
	}
	b = append(b, '\n')
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCSVField(b, c)
		}
		b = append(b, '\n')
	}
	return b, nil
}
