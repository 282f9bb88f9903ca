package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/respfile"
)

// csvInFlags are score's flags for CSV input as analysts' tools write it.
type csvInFlags struct {
	delimiter string
	na        []string
	naSet     bool
	keep      []string
	// subjectCol, dateCol and dateFormat: --subject-column, --date-column, --date-format.
	subjectCol, dateCol, dateFormat string
}

func (fl *csvInFlags) register(f *cmdFlags) {
	f.StringVar(&fl.delimiter, "delimiter", "", "CSV input: field `DELIM`: , ; or tab (default: tab for .tsv, else sniffed\nfrom the header row)")
	f.Func("na", "CSV input: comma-separated `TOKENS` read as a missing answer, besides the\nempty cell (default NA,N/A,#N/A,NaN,nan; --na '' for none); a token that is a\nvalid answer of an item among the file's columns is refused", func(s string) error {
		fl.naSet = true
		fl.na = fl.na[:0]
		if s == "" {
			return nil
		}
		fl.na = append(fl.na, strings.Split(s, ",")...)
		return nil
	})
	f.StringVar(&fl.subjectCol, "subject-column", "", "CSV input: the subject `COLUMN` (default subject; REDCap: record_id)")
	f.StringVar(&fl.dateCol, "date-column", "", "CSV input: the `COLUMN` of the record's date (default date; REDCap: a date\nfield such as visit_date)")
	f.StringVar(&fl.dateFormat, "date-format", "", "CSV input: the date column's `LAYOUT`: YYYY-MM-DD, DD.MM.YYYY, MM/DD/YYYY or\nDD/MM/YYYY (default: ISO dates, also with a time, DD.MM.YYYY, and slash\ndates when the file's own dates settle the layout; never guessed)")
	f.Func("keep", "CSV input: pass the `COLUMNS` (comma-separated, e.g. site,visit) through to\nevery output format", func(s string) error {
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c == "" {
				return fmt.Errorf("empty column name")
			}
			for _, k := range fl.keep {
				if k == c {
					return fmt.Errorf("%s is named twice", c)
				}
			}
			fl.keep = append(fl.keep, c)
		}
		return nil
	})
}

// options returns the CSV options for the engine: answer columns are checked against its instruments,
// and NA tokens against the answers their items accept. eng is nil when no input is CSV: the flags are
// checked all the same, and the instruments are not described (a few per cent of a one-record run).
func (fl *csvInFlags) options(eng *screen.Engine) (respfile.CSVOptions, error) {
	opt := respfile.CSVOptions{Keep: fl.keep, SubjectColumn: fl.subjectCol, DateColumn: fl.dateCol, DateFormat: fl.dateFormat}
	if eng != nil {
		items, docs := engineItems(eng)
		opt.Items, opt.IsAnswer = items, docs.isAnswer
	}
	if !slices.Contains(respfile.DateFormats, fl.dateFormat) && fl.dateFormat != "" {
		return opt, fmt.Errorf("--date-format: %q is not one of %s", fl.dateFormat, strings.Join(respfile.DateFormats, ", "))
	}
	dateCol := fl.dateCol
	if dateCol == "" {
		dateCol = "date"
	}
	if slices.Contains(fl.keep, dateCol) {
		return opt, fmt.Errorf("--keep %s: the record's date is written in every format already (csv and long: the date column; brief: date=; JSON: \"date\"): drop it from --keep", dateCol)
	}
	if fl.naSet {
		opt.NA = append([]string{}, fl.na...)
	}
	switch strings.ToLower(fl.delimiter) {
	case "":
	case ",", "comma":
		opt.Delimiter = ','
	case ";", "semicolon":
		opt.Delimiter = ';'
	case "tab", `\t`, "\t":
		opt.Delimiter = '\t'
	default:
		return opt, fmt.Errorf("--delimiter: %q is not , ; or tab", fl.delimiter)
	}
	return opt, nil
}

// itemDocs maps an instrument key (as engineItems) and an item id to the item's description.
type itemDocs map[string]map[string]*catalog.ItemDoc

// isAnswer reports whether v (an int64 or a string) is a valid answer of the item: an option value or a
// value in its range, or an option code (respfile.CSVOptions.IsAnswer).
func (m itemDocs) isAnswer(inst, item string, v any) bool {
	it := m[inst][item]
	if it == nil {
		return false
	}
	switch v := v.(type) {
	case int64:
		if it.Options == nil {
			return (it.Min == nil || v >= *it.Min) && (it.Max == nil || v <= *it.Max)
		}
		for _, o := range it.Options {
			if o.Value == v {
				return true
			}
		}
	case string:
		for _, o := range it.Options {
			if o.Code != "" && o.Code == v {
				return true
			}
		}
	}
	return false
}

// engineItems maps each instrument key an answers column may name (the id, and id@version of every
// loaded version) to its item ids, and to its items' descriptions.
func engineItems(eng *screen.Engine) (map[string][]string, itemDocs) {
	m := map[string][]string{}
	docs := itemDocs{}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			continue
		}
		ids := make([]string, len(doc.Items))
		byID := make(map[string]*catalog.ItemDoc, len(doc.Items))
		for i := range doc.Items {
			ids[i] = doc.Items[i].ID
			byID[doc.Items[i].ID] = &doc.Items[i]
		}
		m[in.ID+"@"+in.Version] = ids
		docs[in.ID+"@"+in.Version] = byID
		if in.Default {
			m[in.ID] = ids
			docs[in.ID] = byID
		}
	}
	return m, docs
}

// isTSV reports whether a file name says tab-separated.
func isTSV(name string) bool { return strings.EqualFold(filepath.Ext(name), ".tsv") }
