package respfile

import (
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/internal/suggest"
)

// readHeader reads and checks the header row.
func (d *Decoder) readHeader() error {
	s := d.csv
	row, err := d.readRow()
	if err == io.EOF {
		return &Error{Code: CodeEmpty, Msg: "input is empty (no CSV header row)"}
	}
	if err != nil {
		return err
	}
	switch {
	case row.synMsg != "":
		return &Error{Line: row.synLine, Col: row.synCol, Code: CodeSyntax, Msg: strings.Replace(row.synMsg, "record:", "header:", 1)}
	case row.tooLarge:
		return &Error{Line: row.line, Code: CodeTooLarge,
			Msg: "header: row is larger than " + strconv.Itoa(d.lim.MaxRecordBytes) + " bytes"}
	}
	s.subjectAt, s.dateAt = -1, -1
	var probs headerProblems
	opt0 := &d.csvOpt
	subjectName, dateName := opt0.subjectColumn(), opt0.dateColumn()
	if !validDateFormat(opt0.DateFormat) {
		return &Error{Line: row.line, Code: CodeCSVHeader, Msg: "date format " + strconv.Quote(opt0.DateFormat) + " is not one of " + strings.Join(DateFormats, ", ")}
	}
	bad := func(i int, msg string) {
		probs.add(s.pos[i].line, s.pos[i].col, "column "+strconv.Itoa(i+1)+" "+msg)
	}
	opt := &d.csvOpt
	keep := make(map[string]int, len(opt.Keep))
	for k, name := range opt.Keep {
		if _, dup := keep[name]; !dup {
			keep[name] = k
		}
	}
	s.nkeep = len(opt.Keep)
	keptAt := make([]int, len(opt.Keep)) // column+1 of each kept name
	seen := make(map[string]int, len(s.ends))
	// named maps what a column is read as (an answer: instrument and item; a context key) to its column,
	// so that two spellings of one name (phq9.q9 and phq9__q9) are a header error, never a later column
	// silently overwriting an earlier one.
	named := make(map[csvName]int, len(s.ends))
	sameAs := func(i int, n csvName) bool {
		if j, dup := named[n]; dup {
			bad(i, showKey(s.cols[i].name)+" is read as the same "+n.what()+" as column "+strconv.Itoa(j+1)+" ("+showKey(s.cols[j].name)+")")
			return true
		}
		named[n] = i
		return false
	}
	instIdx := map[string]int{}
	instBase := map[string]int{} // instrument id without a version -> the first column naming it
	var maybeBookkeeping []int   // columns <x>_complete / <x>_timestamp, checked once the instruments are known
	var names []string           // every well-formed column name, for suggestions
	answers := 0
	redcapStyle := false // some answer column is named <instrument>__<item>: suggest names in that style
	hasSubject, hasDate := false, false
	for i := range s.ends {
		hasSubject = hasSubject || string(s.field(i)) == subjectName
		hasDate = hasDate || string(s.field(i)) == dateName
	}
	for i := range s.ends {
		if f := s.field(i); bytes.Contains(f, []byte(REDCapSeparator)) && !bytes.ContainsRune(f, '.') {
			redcapStyle = true
			break
		}
	}
	for i := range s.ends {
		f := s.field(i)
		s.cols = append(s.cols, csvCol{kind: colSkip, name: string(f)})
		if !utf8.Valid(f) {
			bad(i, "is not valid UTF-8")
			continue
		}
		if len(f) > d.lim.MaxStringBytes {
			bad(i, "is longer than "+strconv.Itoa(d.lim.MaxStringBytes)+" bytes")
			continue
		}
		name := string(f)
		if name == "" {
			if i == 0 && len(s.ends) > 1 {
				// R's write.csv (and pandas' to_csv) write the row names (index) under an empty first header cell.
				bad(i, "is empty: row names? write the file without them (write.csv(..., row.names = FALSE) in R, to_csv(..., index=False) in pandas)")
				continue
			}
			bad(i, "is empty")
			continue
		}
		if t := strings.TrimSpace(name); t != name {
			// " phq9.q1" would be an instrument " phq9" that no definition has, in every row: say so once.
			bad(i, showKey(name)+" has white space at its start or end (header names are not trimmed)")
			continue
		}
		if j, dup := seen[name]; dup {
			bad(i, showKey(name)+" repeats column "+strconv.Itoa(j+1))
			continue
		}
		seen[name] = i
		names = append(names, name)
		col := csvCol{name: name}
		if k, kept := keep[name]; kept {
			keptAt[k] = i + 1
			_, _, answer := splitAnswerColumn(name)
			switch {
			case name == subjectName:
				bad(i, showKey(name)+" is read as the subject; it cannot also be a kept column")
			case name == dateName:
				bad(i, showKey(name)+" is read as the record's date; it cannot also be a kept column")
			case strings.HasPrefix(name, "context.") || strings.HasPrefix(name, "context"+REDCapSeparator):
				bad(i, showKey(name)+" is read as context; it cannot also be a kept column")
			case answer:
				bad(i, showKey(name)+" is read as an answer; it cannot also be a kept column")
			default:
				col.kind, col.inst = colKeep, k
				s.cols[i] = col
			}
			continue
		}
		switch {
		case name == subjectName:
			col.kind = colSubject
			s.subjectAt = i
		case name == dateName:
			col.kind = colDate
			s.dateAt = i
		case strings.HasPrefix(name, "context.") || strings.HasPrefix(name, "context"+REDCapSeparator):
			col.kind = colContext
			col.key = strings.TrimPrefix(strings.TrimPrefix(name, "context."), "context"+REDCapSeparator)
			if col.key == "" {
				bad(i, showKey(name)+" has an empty context key")
				continue
			}
			if sameAs(i, csvName{key: col.key}) {
				continue
			}
		case redcapSystem[name]:
			col.kind = colSkip
		default:
			inst, item, ok := splitAnswerColumn(name)
			if !ok {
				if !strings.Contains(name, ".") && (strings.HasSuffix(name, "_complete") || strings.HasSuffix(name, "_timestamp")) {
					col.kind = colSkip
					maybeBookkeeping = append(maybeBookkeeping, i)
					break
				}
				hint := ""
				if m := separatorMixup(opt.Items, name, redcapStyle); m != "" {
					hint = didYouMean(m)
				} else if strings.EqualFold(strings.Map(func(r rune) rune {
					if r == ' ' || r == '_' || r == '-' {
						return -1
					}
					return r
				}, name), "subjectid") {
					hint = " (did you mean subject?)"
				} else if h := redcapHint(name, opt0, hasSubject, hasDate); h != "" {
					hint = h
				} else {
					hint = keepHint(name)
				}
				bad(i, showKey(name)+" is not subject, context.<key>, <instrument>.<item> or a kept column"+hint)
				continue
			}
			if inst == "" || item == "" {
				bad(i, showKey(name)+" has an empty instrument or item id")
				continue
			}
			if opt.Items != nil {
				if msg := checkAnswerColumn(opt.Items, inst, item); msg != "" {
					bad(i, showKey(name)+": "+msg)
					continue
				}
			}
			if sameAs(i, csvName{inst: inst, key: item}) {
				continue
			}
			col.kind = colAnswer
			col.key = item
			k, ok := instIdx[inst]
			if !ok {
				// phq9 and phq9@1.0.0 in one file select the same instrument twice: the engine would
				// score one key and drop the other's answers (duplicate_instrument) in every row.
				base, _, _ := strings.Cut(inst, "@")
				if j, twice := instBase[base]; twice {
					bad(i, showKey(name)+" names instrument "+showKey(base)+" as "+showKey(inst)+", and column "+
						strconv.Itoa(j+1)+" ("+showKey(s.cols[j].name)+") names it as "+showKey(s.insts[s.cols[j].inst])+
						": write every column of an instrument with the same key")
					continue
				}
				instBase[base] = i
				k = len(s.insts)
				instIdx[inst] = k
				s.insts = append(s.insts, inst)
				s.instItems = append(s.instItems, 0)
			}
			col.inst = k
			s.instItems[k]++
			answers++
		}
		s.cols[i] = col
	}
	// A REDCap export (its own columns, or its record_id as the subject) has a completion column for every
	// form, also one that holds no instrument (a visit form with the date field).
	redcapExport := s.subjectAt >= 0 && s.cols[s.subjectAt].name == "record_id"
	for name := range redcapSystem {
		_, has := seen[name]
		redcapExport = redcapExport || has
	}
	for _, i := range maybeBookkeeping {
		name := s.cols[i].name
		base := strings.TrimSuffix(strings.TrimSuffix(name, "_complete"), "_timestamp")
		if _, ok := instIdx[base]; !ok && !redcapExport {
			bad(i, showKey(name)+" is not subject, context.<key>, <instrument>.<item> or a kept column"+keepHint(name))
		}
	}
	for k, at := range keptAt {
		if at == 0 && keep[opt.Keep[k]] == k {
			probs.add(row.line, 0, "kept column "+showKey(opt.Keep[k])+" is not in the header"+didYouMean(suggest.Closest(opt.Keep[k], names)))
		}
	}
	if opt0.SubjectColumn != "" && s.subjectAt < 0 {
		probs.add(row.line, 0, "subject column "+showKey(opt0.SubjectColumn)+" is not in the header"+didYouMean(suggest.Closest(opt0.SubjectColumn, names)))
	}
	if opt0.DateColumn != "" && s.dateAt < 0 {
		probs.add(row.line, 0, "date column "+showKey(opt0.DateColumn)+" is not in the header"+didYouMean(suggest.Closest(opt0.DateColumn, names)))
	}
	if answers == 0 && len(probs.msgs) == 0 {
		probs.add(row.line, 0, "no answer columns (<instrument>.<item>)")
	}
	if err := probs.err(); err != nil {
		return err
	}
	if answers > d.lim.MaxAnswers {
		return &Error{Line: row.line, Code: CodeTooLarge,
			Msg: "header: " + strconv.Itoa(answers) + " answer columns, more than the limit of " + strconv.Itoa(d.lim.MaxAnswers)}
	}
	if opt.IsAnswer != nil {
		return d.checkNA(row.line)
	}
	return nil
}

// checkNA checks every NA token against every answer column (CSVOptions.IsAnswer): a token that is a
// valid answer of a column's item would turn that answer into a blank in every row.
func (d *Decoder) checkNA(line int) error {
	s := d.csv
	tokens := d.csvOpt.NA
	if tokens == nil {
		tokens = DefaultNA
	}
	var msgs []string
	for _, t := range tokens {
		if t == "" {
			continue
		}
		var v any = t
		if n, kind := classifyCell([]byte(t)); kind == cellInt {
			v = n // an integer token matches cells by value (-99, -99.0)
		}
		for i, c := range s.cols {
			if c.kind != colAnswer || !d.csvOpt.IsAnswer(s.insts[c.inst], c.key, v) {
				continue
			}
			msgs = append(msgs, "NA token "+strconv.Quote(t)+" is a valid answer of "+showKey(s.insts[c.inst])+"."+showKey(c.key)+
				" (column "+strconv.Itoa(i+1)+")")
			break
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &Error{Line: line, Code: CodeCSVNA,
		Msg: strings.Join(msgs, "; ") + ": reading it as missing would turn real answers into blanks (choose NA tokens that no answer column accepts)"}
}

// csvName is what a column is read as: an answer (inst and key, the item) or a context key (inst empty).
type csvName struct{ inst, key string }

func (n csvName) what() string {
	if n.inst == "" {
		return "context field"
	}
	return "answer"
}

// splitAnswerColumn splits an answer column's name: <instrument>.<item> at the last dot, or, for a name
// without a dot, <instrument>__<item> at the first "__" (REDCap). ok is false for any other name.
func splitAnswerColumn(name string) (inst, item string, ok bool) {
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		return name[:dot], name[dot+1:], true
	}
	if i := strings.Index(name, REDCapSeparator); i >= 0 {
		return name[:i], name[i+len(REDCapSeparator):], true
	}
	return "", "", false
}

// checkAnswerColumn checks an answer column against the loaded instruments; it returns a message, or "".
func checkAnswerColumn(items map[string][]string, inst, item string) string {
	ids, ok := items[inst]
	if !ok {
		base, version, pinned := strings.Cut(inst, "@")
		if _, ok := items[base]; ok && pinned {
			return "no loaded version of " + showKey(base) + " is " + showKey(version)
		}
		var cands []string
		for k := range items {
			if !strings.Contains(k, "@") {
				cands = append(cands, k)
			}
		}
		sort.Strings(cands)
		return "no instrument " + showKey(inst) + " is loaded" + didYouMean(suggest.Closest(inst, cands))
	}
	for _, id := range ids {
		if id == item {
			return ""
		}
	}
	for _, id := range ids {
		if id == "q"+item { // phq9.1 for phq9.q1: items are named q1..q9
			return showKey(inst) + " has no item " + showKey(item) + didYouMean(id)
		}
	}
	return showKey(inst) + " has no item " + showKey(item) + didYouMean(suggest.Closest(item, ids))
}

// keepHint tells how to pass a column that is not read (site, visit) through to the output.
func keepHint(name string) string {
	return " (to pass it through to the output, keep it: --keep " + showKey(name) + ")"
}

// separatorMixup returns the answer column a name without a dot or "__" was probably meant to be:
// phq9_1, phq9-q1 or phq9q1 → phq9.q1 (phq9__q1 when the file names its answer columns REDCap's way),
// when the instrument has that item (also with a "q" added: items named q1..q9); "" otherwise.
func separatorMixup(items map[string][]string, name string, redcap bool) string {
	if items == nil {
		return ""
	}
	sep := "."
	if redcap {
		sep = REDCapSeparator
	}
	best, bestInst := "", 0
	for inst, ids := range items {
		rest, ok := strings.CutPrefix(name, inst)
		if !ok || len(inst) <= bestInst { // the longest instrument id that is a prefix wins
			continue
		}
		rest = strings.TrimLeft(rest, "_-")
		if rest == "" {
			continue
		}
		for _, id := range ids {
			if id == rest || id == "q"+rest {
				best, bestInst = inst+sep+id, len(inst)
				break
			}
		}
	}
	return best
}

// redcapLabels are the headers of REDCap's own columns in an export with labels as headers ("CSV (labels)").
var redcapLabels = map[string]bool{"Record ID": true, "Event Name": true, "Repeat Instrument": true,
	"Repeat Instance": true, "Data Access Group": true, "Survey Identifier": true, "Survey Timestamp": true, "Complete?": true}

// redcapHint says how to read a column of a REDCap export that is not read as it stands: record_id (the
// subject), a date field (the record's date), or an export with labels as headers. "" for other names.
func redcapHint(name string, opt *CSVOptions, hasSubject, hasDate bool) string {
	switch {
	case name == "record_id" && opt.SubjectColumn == "" && !hasSubject:
		return " (did you mean --subject-column record_id? or keep it: --keep record_id)"
	case redcapLabels[name]:
		return " (a REDCap export with labels as headers: export the raw data, with variable names as headers)"
	case opt.DateColumn == "" && !hasDate && strings.Contains(strings.ToLower(name), "date"):
		return " (did you mean --date-column " + showKey(name) + "? or keep it: --keep " + showKey(name) + ")"
	}
	return ""
}
