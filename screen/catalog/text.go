package catalog

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/safetext"
	"github.com/painscreen/painscreen/internal/textfmt"
)

// docWriter writes indented text wrapped at width (0: textfmt.DefaultWidth), words never broken, every
// string escaped for the terminal.
type docWriter struct {
	w     io.Writer
	out   []byte // the whole text, written at once by flush
	buf   []byte
	width int
}

// flush writes the text.
func (d *docWriter) flush() error {
	_, err := d.w.Write(d.out)
	return err
}

func (d *docWriter) line(indent int, s string) {
	d.buf = d.buf[:0]
	for i := 0; i < indent; i++ {
		d.buf = append(d.buf, ' ')
	}
	d.buf = wrapped(d.buf, s, indent, indent+2, d.width)
	d.out = append(d.out, d.buf...)
}

// field writes "name: value" when value is not empty, continuation lines under the value.
func (d *docWriter) field(indent int, name, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	d.buf = d.buf[:0]
	for i := 0; i < indent; i++ {
		d.buf = append(d.buf, ' ')
	}
	d.buf = append(d.buf, name...)
	d.buf = append(d.buf, ':')
	vi := indent + len(name) + 2
	w := d.width
	if w == 0 {
		w = textfmt.DefaultWidth
	}
	if vi > w/2 || !strings.ContainsAny(strings.TrimSpace(value), " \t\n") && vi+len(value) > w {
		vi = indent + 2 // too little room after the name (or one long token, a digest): continue under it
	}
	d.buf = wrapped(append(d.buf, ' '), value, indent+len(name)+2, vi, d.width)
	d.out = append(d.out, d.buf...)
}

// block writes an expression, keeping its own line breaks (each line escaped); a line
// longer than the width is wrapped at its spaces, continued 4 columns further in.
func (d *docWriter) block(indent int, prefix, expr string) {
	lines := strings.Split(strings.TrimSpace(expr), "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		lead := len(l) - len(strings.TrimLeft(l, " "))
		d.buf = d.buf[:0]
		for j := 0; j < indent; j++ {
			d.buf = append(d.buf, ' ')
		}
		if i == 0 {
			d.buf = append(d.buf, prefix...)
		} else {
			d.buf = append(d.buf, strings.Repeat(" ", len(prefix)+lead)...)
		}
		col := indent + len(prefix) + lead
		d.buf = wrapped(d.buf, l[lead:], col, col+4, d.width)
		d.out = append(d.out, d.buf...)
	}
}

func (d *docWriter) blank() { d.out = append(d.out, '\n') }

func codesText(cs []Code) string {
	var parts []string
	for _, c := range cs {
		s := c.System + " " + c.Code
		if c.Display != "" {
			s += " (" + c.Display + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// WriteText writes the instrument's description for people, as `painscreen show` prints it: its
// provenance, items and options, scores (expressions, bands, lookup tables), flags and follow-up measures,
// wrapped at width columns (0: 80), every string escaped for the terminal.
func (doc *InstrumentDoc) WriteText(w io.Writer, width int) error {
	d := &docWriter{w: w, width: width}
	d.line(0, doc.ID+" "+doc.Version+": "+doc.Title)
	d.field(2, "domain", doc.Domain)
	d.field(2, "status", doc.Status)
	d.field(2, "recall", doc.Recall)
	d.field(2, "file", doc.File)
	d.field(2, "digest", doc.Digest)
	d.field(2, "codes", codesText(doc.Codes))
	d.field(2, "item text", doc.ItemText)
	d.field(2, "citation", doc.Citation)
	d.field(2, "license", doc.License)
	d.field(2, "notes", doc.Notes)
	if len(doc.Context) > 0 {
		var parts []string
		for _, c := range doc.Context {
			parts = append(parts, c.ID+" ("+c.Type+")")
		}
		d.blank()
		d.field(0, "Context", strings.Join(parts, ", "))
	}

	d.blank()
	d.line(0, fmt.Sprintf("Items (%d)", len(doc.Items)))
	for _, it := range doc.Items {
		var attrs []string
		if it.Required {
			attrs = append(attrs, "required")
		} else {
			attrs = append(attrs, "optional")
		}
		if it.EnableWhen != "" {
			attrs = append(attrs, "asked only when "+it.EnableWhen)
		}
		d.line(2, it.ID+" ["+strings.Join(attrs, "; ")+"]")
		d.line(6, it.Text)
		d.field(6, "codes", codesText(it.Codes))
		if it.Options != nil {
			for _, o := range it.Options {
				s := strconv.FormatInt(o.Value, 10) + " = " + o.Label
				if o.Code != "" {
					s += " (code " + o.Code + ")"
				}
				d.line(6, s)
			}
		} else {
			lo, hi := "no minimum", "no maximum"
			if it.Min != nil {
				lo = strconv.FormatInt(*it.Min, 10)
			}
			if it.Max != nil {
				hi = strconv.FormatInt(*it.Max, 10)
			}
			d.line(6, "an integer from "+lo+" to "+hi)
		}
	}

	d.blank()
	d.line(0, fmt.Sprintf("Scores (%d), computed in this order", len(doc.Scores)))
	for _, s := range doc.Scores {
		head := s.ID
		if s.Type != "" {
			head += " (" + s.Type + ")"
		}
		if s.Label != "" {
			head += ": " + s.Label
		}
		d.line(2, head)
		d.field(6, "short", s.Short)
		d.field(6, "description", s.Description)
		if s.When != "" {
			d.block(6, "applies when: ", s.When)
		}
		switch {
		case s.Expr != "":
			d.block(6, "= ", s.Expr)
		case s.Bands != nil:
			d.line(6, "bands of "+s.Of+":")
			w := 0
			for _, b := range s.Bands {
				w = max(w, len(safetext.String(b.Label)))
			}
			for i, b := range s.Bands {
				d.out = fmt.Appendf(d.out, "        %-*s  %s\n", w, safetext.String(b.Label), safetext.String(bandRange(s.Bands, i, s.Of)))
			}
		case s.Lookup != nil:
			d.line(6, "lookup table of "+s.Of+":")
			keys := make([]int64, 0, len(s.Lookup))
			for k := range s.Lookup {
				keys = append(keys, k)
			}
			sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
			for _, k := range keys {
				d.line(8, fmt.Sprintf("%d -> %s", k, strconv.FormatFloat(s.Lookup[k], 'f', -1, 64)))
			}
		}
		d.field(6, "codes", codesText(s.Codes))
	}

	if len(doc.Flags) > 0 {
		d.blank()
		d.line(0, fmt.Sprintf("Flags (%d)", len(doc.Flags)))
		for _, fl := range doc.Flags {
			d.line(2, fl.ID+" ["+fl.Level+"]")
			d.block(6, "when: ", fl.When)
			d.line(6, fl.Message)
		}
	}
	if len(doc.FollowUps) > 0 {
		d.blank()
		d.line(0, fmt.Sprintf("Follow-up measures (%d): this visit (current) against the subject's baseline visit", len(doc.FollowUps)))
		for _, m := range doc.FollowUps {
			d.line(2, m.ID+" ("+m.Type+")")
			d.field(6, "label", m.Label)
			d.field(6, "description", m.Description)
			d.block(6, "= ", m.Expr)
		}
	}
	return d.flush()
}

// bandRange renders the interval of band i, resolving bounds shared with a neighbour: "0 <= total < 5".
func bandRange(bands []BandDoc, i int, of string) string {
	b := bands[i]
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	var lo, hi *float64
	loOp, hiOp := "", ""
	switch {
	case b.Min != nil:
		lo, loOp = b.Min, "<="
	case i > 0 && bands[i-1].Max != nil:
		lo, loOp = bands[i-1].Max, "<"
	}
	switch {
	case b.Max != nil:
		hi, hiOp = b.Max, "<="
	case i+1 < len(bands) && bands[i+1].Min != nil:
		hi, hiOp = bands[i+1].Min, "<"
	}
	switch {
	case lo == nil && hi == nil:
		return "any " + of
	case lo != nil && hi != nil && *lo == *hi && loOp == "<=" && hiOp == "<=":
		return of + " = " + num(*lo)
	case lo == nil:
		return of + " " + hiOp + " " + num(*hi)
	case hi == nil:
		return of + " " + map[string]string{"<=": ">=", "<": ">"}[loOp] + " " + num(*lo)
	}
	return num(*lo) + " " + loOp + " " + of + " " + hiOp + " " + num(*hi)
}

// WriteText writes the rule set's description for people, as `painscreen show` prints it: its
// provenance, inputs, population, context, domains, tiers and referrals, wrapped at width columns (0:
// 80), every string escaped for the terminal.
func (doc *RuleSetDoc) WriteText(w io.Writer, width int) error {
	d := &docWriter{w: w, width: width}
	d.line(0, doc.ID+" "+doc.Version+" (rule set): "+doc.Title)
	d.field(2, "status", doc.Status)
	d.field(2, "file", doc.File)
	d.field(2, "digest", doc.Digest)
	d.field(2, "description", doc.Description)
	d.field(2, "citation", doc.Citation)
	d.field(2, "license", doc.License)
	d.field(2, "notes", doc.Notes)

	d.blank()
	d.line(0, "Inputs (instrument: bound version)")
	ids := make([]string, 0, len(doc.Inputs))
	for id := range doc.Inputs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	required := map[string]bool{}
	for _, id := range doc.Required {
		required[id] = true
	}
	for _, id := range ids {
		s := id + ": " + doc.Inputs[id]
		if required[id] {
			s += " (required: without it the rule set is not applied)"
		}
		d.line(2, s)
	}
	for _, g := range doc.AnyOf {
		d.line(2, "at least one of: "+strings.Join(g, ", "))
	}
	if doc.MinAge != nil {
		d.blank()
		d.line(0, fmt.Sprintf("Population: %s, context.age %d or over (younger: not applied, reason outside_population; an absent age does not stop it)",
			doc.PopulationDescription, *doc.MinAge))
	}
	if len(doc.Context) > 0 {
		d.blank()
		d.line(0, "Context (optional; absent = not reported; invalid = an error of the record, then absent)")
		for _, c := range doc.Context {
			t := c.Type
			if c.Min != nil {
				t += fmt.Sprintf(", at least %g", *c.Min)
			}
			if c.Max != nil {
				t += fmt.Sprintf(", at most %g", *c.Max)
			}
			d.line(2, "context."+c.ID+" ("+t+")")
			d.field(6, "description", c.Description)
		}
	}

	d.blank()
	d.line(0, fmt.Sprintf("Domains (%d), evaluated in this order", len(doc.Domains)))
	for _, dm := range doc.Domains {
		d.line(2, dm.ID)
		d.field(6, "values", strings.Join(dm.Values, ", "))
		d.field(6, "description", dm.Description)
		if dm.Expr != "" {
			d.block(6, "= ", dm.Expr)
		}
		for i, src := range dm.Sources {
			d.line(6, fmt.Sprintf("source %d: %s", i+1, src.Input))
			if src.When != "" {
				d.block(8, "when ", src.When)
			}
			d.block(8, "= ", src.Expr)
		}
	}

	d.blank()
	d.line(0, "Tiers, highest first (the first whose condition holds wins)")
	for i, t := range doc.Tiers {
		d.line(2, fmt.Sprintf("%d. %s", i+1, t.ID))
		d.field(6, "description", t.Description)
		if t.When != "" {
			d.block(6, "when: ", t.When)
		} else {
			d.line(6, "otherwise")
		}
	}

	d.blank()
	d.line(0, fmt.Sprintf("Referrals (%d): every one whose condition holds, urgent first", len(doc.Referrals)))
	for _, r := range doc.Referrals {
		d.line(2, r.ID+" ["+r.Priority+"]")
		d.field(6, "label", r.Label)
		d.block(6, "when: ", r.When)
		d.field(6, "text", r.Text)
		for _, a := range r.Addenda {
			d.block(6, "addendum when: ", a.When)
			d.field(8, "text", a.Text)
		}
		d.field(6, "rationale", r.Rationale)
		d.field(6, "source", r.Source)
	}
	return d.flush()
}

// wrapped appends the words of s, starting at column col of the current line, wrapped before width (0:
// textfmt.DefaultWidth) with continuation lines indented by indent, escaped; it ends the line.
func wrapped(b []byte, s string, col, indent, width int) []byte {
	t := textfmt.Buf{B: b, Col: col, Width: width}
	t.Words(s, indent)
	t.NL()
	return t.B
}
