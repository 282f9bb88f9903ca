package render

import (
	"github.com/painscreen/painscreen/internal/csvenc"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// --- CSV --------------------------------------------------------------------------------------------

// csvLayout is the fixed CSV header of an engine: the same engine always gives the same columns, so
// files written by separate runs concatenate.
type csvLayout struct {
	cols    []string
	safe    bool // Options.CSVSafe: text cells that a spreadsheet would take for a formula get a leading '
	ruleSet string
	domain  map[string]int // domain id -> column
	inst    map[string]*instCols
	keep    []string // kept columns, last in every row
	// Options.FollowUp: the column of followup.baseline_date (followup.days next) and of each measure.
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
	colTierDecided // true when every completion of the answers gives the tier (composite contract §1b)
	colReferrals
	colNotAssessed
	colPossibleTiers
	colPossibleReferrals
	colPossibleDomains
	colSettle           // the items whose answers would settle an undecided tier: inst.item;…
	colMissing          // required items not answered: inst.item;…
	colNotes            // note codes: inst.about=code;… (rule set notes as ruleset.about=code)
	colNotAppliedReason // why the rule set was not applied
	nFixedCols
)

var fixedCols = [nFixedCols]string{"file", "record", "line", "subject", "status", "error_code", "error_instrument",
	"error_item", "error_message", "composite_applied", "tier", "tier_decided", "referrals", "not_assessed",
	"possible_tiers", "possible_referrals", "possible_domains", "settle", "missing", "notes", "not_applied_reason"}

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

// appendCSVField writes one field as RFC 4180 requires (csvenc.AppendField).
func appendCSVField(b []byte, s string) []byte { return csvenc.AppendField(b, s) }

// formulaLike reports whether a spreadsheet would read a cell starting like s as a formula (or strip
// what starts it): =, +, -, @, tab or carriage return.
func formulaLike(s string) bool {
	return len(s) > 0 && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// text writes a text cell: with Options.CSVSafe, one that looks like a formula is prefixed with '; otherwise it
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
			b = l.text(b, string(sc.tmp)) // keys and messages from the input: CSVSafe applies
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
	if c != nil && c.Applied {
		b = strconv.AppendBool(b, c.TierDecided)
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
	b = append(b, ',')
	if c != nil {
		sc.tmp = joined(sc.tmp[:0], len(c.Settle), func(i int) string { return c.Settle[i] })
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

func appendCSVBytes(b, s []byte) []byte { return csvenc.AppendFieldBytes(b, s) }
