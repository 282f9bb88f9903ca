package respfile

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/csvenc"
	"github.com/painscreen/painscreen/internal/jsonenc"
	"github.com/painscreen/painscreen/internal/suggest"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
)

// TemplateFormats are the formats WriteTemplate writes.
var TemplateFormats = []string{"csv", "jsonl", "yaml", "redcap"}

// WriteTemplate writes an empty response file to fill in and score, for the instruments named (an id,
// or id@version to pin one) or, when none is, for the inputs of eng's rule set (every instrument's
// default version when eng applies none), in id order. format is one of TemplateFormats ("yml" is
// "yaml"):
//
//   - csv: the header row: subject, the context fields the instruments read (context.<key>), then
//     <instrument>.<item>;
//   - jsonl: one record with every item (and context field) null;
//   - yaml: a skeleton with the item texts, options, ranges and skip logic as comments;
//   - redcap: a REDCap data dictionary (the 18 columns REDCap imports): the record id field "subject",
//     the response date "date" (date_ymd), one form per instrument, a radio field per option item
//     (choices "value, label | ..."), an integer text field per range item. REDCap variable names cannot
//     hold dots, so a field is <instrument>__<item> (a context field context__<key>); the CSV decoder
//     reads REDCap's raw export of it as it is.
//
// An error names an instrument that is not loaded (with a "did you mean"), one named twice, or what a
// REDCap dictionary cannot hold (a pinned version that is not the default, an id that is not a REDCap
// name); nothing is written then.
func WriteTemplate(w io.Writer, eng *screen.Engine, format string, instruments ...string) error {
	format = strings.ToLower(strings.TrimSpace(format))
	switch format {
	case "csv", "jsonl", "yaml", "yml", "redcap":
	default:
		return fmt.Errorf("unknown template format %q (want csv, jsonl, yaml or redcap)", format)
	}
	insts, err := templateInstruments(eng, instruments)
	if err != nil {
		return err
	}
	var b []byte
	switch format {
	case "csv":
		b = templateCSV(insts)
	case "jsonl":
		b = templateJSONL(insts)
	case "yaml", "yml":
		b = templateYAML(insts)
	default:
		if b, err = templateREDCap(insts); err != nil {
			return err
		}
	}
	_, err = w.Write(b)
	return err
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
	if s := suggest.Closest(id, ids); s != "" && s != id {
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
		b = csvenc.AppendField(b, c)
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
			b = jsonenc.AppendString(b, c.ID)
			b = append(b, ":null"...)
		}
		b = append(b, '}')
	}
	b = append(b, `,"answers":{`...)
	for i, in := range insts {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, in.key)
		b = append(b, ":{"...)
		for j, it := range in.doc.Items {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, it.ID)
			b = append(b, ":null"...)
		}
		b = append(b, '}')
	}
	return append(b, "}}\n"...)
}

func templateYAML(insts []tmplInst) []byte {
	var sb strings.Builder
	// comment writes text as YAML comment lines at indent, its words wrapped before column 100.
	comment := func(indent int, text string) {
		lead := strings.Repeat(" ", indent) + "# "
		line := lead
		for _, w := range strings.Fields(text) {
			if len(line) > len(lead) && len(line)+1+len(w) > 100 {
				sb.WriteString(strings.TrimRight(line, " ") + "\n")
				line = lead
			} else if len(line) > len(lead) {
				line += " "
			}
			line += w
		}
		sb.WriteString(strings.TrimRight(line, " ") + "\n")
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

var plainYAMLKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.@+-]*$`)

// yamlKey quotes a key that plain YAML would not read as itself.
func yamlKey(k string) string {
	if plainYAMLKey.MatchString(k) && k != "null" && k != "true" && k != "false" {
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
		n := strings.Join(parts, REDCapSeparator)
		for _, p := range parts {
			if !redcapName.MatchString(p) || strings.Contains(p, REDCapSeparator) {
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
	// The response set's date (the visit), which follow-up pairs visits by: REDCap's date_ymd, exported
	// raw as YYYY-MM-DD, the form score reads in the date column.
	row("date", first, "", "text", "Date of the response set (visit date)", "", "painscreen response date (YYYY-MM-DD)", "date_ymd")
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
		b = csvenc.AppendField(b, c)
	}
	b = append(b, '\n')
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b = append(b, ',')
			}
			b = csvenc.AppendField(b, c)
		}
		b = append(b, '\n')
	}
	return b, nil
}
