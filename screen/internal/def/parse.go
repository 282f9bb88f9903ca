package def

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/semver"
)

// File is what one YAML file held: exactly one of Instrument, RuleSet, Suite is set when parsing succeeded.
type File struct {
	Instrument *Instrument
	RuleSet    *RuleSet
	Suite      *Suite
}

// DropLocators releases what maps offsets inside expressions to file positions (a copy of the file's
// lines). Call it once the definitions are compiled; Expr.PosAt then returns the expression's start.
func (f File) DropLocators() {
	var exprs []*Expr
	if in := f.Instrument; in != nil {
		for _, it := range in.Items {
			exprs = append(exprs, it.EnableWhen)
		}
		for _, s := range in.Scores {
			exprs = append(exprs, s.Expr, s.When)
		}
		for _, fl := range in.Flags {
			exprs = append(exprs, fl.When)
		}
		for _, n := range in.ConditionalNotes {
			exprs = append(exprs, n.When)
		}
	}
	if rs := f.RuleSet; rs != nil {
		for _, d := range rs.Domains {
			exprs = append(exprs, d.Expr)
			for _, src := range d.Sources {
				exprs = append(exprs, src.When, src.Expr)
			}
		}
		for _, t := range rs.Tiers {
			exprs = append(exprs, t.When)
		}
		for _, r := range rs.Referrals {
			exprs = append(exprs, r.When)
			for _, a := range r.Addenda {
				exprs = append(exprs, a.When)
			}
		}
	}
	for _, e := range exprs {
		if e != nil {
			e.locate = nil
		}
	}
}

// IsSuiteFile reports whether a file name is a test suite (ends in _test.yaml or _test.yml).
func IsSuiteFile(name string) bool {
	base := path.Base(name)
	return strings.HasSuffix(base, "_test.yaml") || strings.HasSuffix(base, "_test.yml")
}

// IsYAMLFile reports whether a file name ends in .yaml or .yml.
func IsYAMLFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// Parse parses one definition or suite file. Problems are appended to list; the result holds whatever could
// be parsed (nil parts when the file is unusable). A file counts as a suite by its name (*_test.yaml); a
// definition is an instrument when it has "items" and a rule set when it has "inputs".
func Parse(file string, src []byte, lim Limits, list *diag.List) File {
	p := &parser{sink: NewSink(file, src, list), lim: lim, src: src}
	root := p.parseDocument()
	if root == nil {
		return File{}
	}
	has := func(k string) bool {
		for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == k {
				return true
			}
		}
		return false
	}
	if IsSuiteFile(file) {
		p.sink.Recognised = has("tests")
		return File{Suite: p.suite(root)}
	}
	if root.Kind != yaml.MappingNode {
		p.errf(root, "schema", "a definition must be a mapping, found %s", kindName(root))
		return File{}
	}
	switch {
	case has("items"):
		p.sink.Recognised = true
		return File{Instrument: p.instrument(root)}
	case has("inputs"):
		p.sink.Recognised = true
		return File{RuleSet: p.ruleSet(root)}
	}
	p.errf(root, "schema", "cannot tell what this file defines: an instrument has \"items\", a rule set has \"inputs\" (test suites are named *_test.yaml)")
	return File{}
}

var statuses = []string{"draft", "active", "retired"}

func (p *parser) header(f *fields, root *yaml.Node, what string) (Header, bool) {
	h := Header{File: p.sink.File, Digest: Digest(root)}
	ok := p.require(f, what, "id", "version", "title", "status", "citation", "license")
	if n := f.get("id"); n != nil {
		h.IDPos = p.pos(n)
		var good bool
		h.ID, good = p.id(n, "id")
		ok = ok && good
	}
	if n := f.get("version"); n != nil {
		h.VersionPos = p.pos(n)
		if s, good := p.str(n, "version"); good {
			v, err := semver.Parse(s)
			if err != nil {
				p.errf(n, "invalid_version", "%v", err)
				ok = false
			}
			h.Version = v
		}
	}
	h.Title = p.optStr(f, "title", what)
	h.Citation = p.optStr(f, "citation", what)
	h.License = p.optStr(f, "license", what)
	h.Notes = p.optStr(f, "notes", what)
	if n := f.get("status"); n != nil {
		h.StatusPos = p.pos(n)
		h.Status, _ = p.str(n, "status")
		if h.Status != "" && !slices.Contains(statuses, h.Status) {
			p.errf(n, "schema", "status %q must be one of draft, active, retired", h.Status)
			ok = false
		}
	}
	return h, ok
}

func (p *parser) codes(n *yaml.Node, what string) []Code {
	var out []Code
	for _, c := range p.seq(n, what) {
		f := p.mapping(c, what+" entry", "system", "code", "display")
		if !p.require(f, what+" entry", "system", "code") {
			continue
		}
		sys, _ := p.str(f.get("system"), "system")
		code, _ := p.str(f.get("code"), "code")
		out = append(out, Code{System: sys, Code: code, Display: p.optStr(f, "display", what)})
	}
	return out
}

func (p *parser) instrument(root *yaml.Node) *Instrument {
	const what = "instrument"
	f := p.mapping(root, what, "id", "version", "title", "domain", "status", "recall", "citation", "license",
		"notes", "item_text", "codes", "context", "options", "items", "scores", "flags", "conditional_notes", "followup",
		"label")
	if f == nil {
		return nil
	}
	h, _ := p.header(f, root, what)
	in := &Instrument{Header: h}
	p.require(f, what, "domain", "recall", "item_text", "items", "scores")
	in.Domain = p.optStr(f, "domain", what)
	if n := f.get("domain"); n != nil && in.Domain != "" && !ValidID(in.Domain) {
		p.errf(n, "invalid_id", "domain %q is not a valid id", in.Domain)
	}
	in.Recall = p.optStr(f, "recall", what)
	in.Label = p.label(f, "label", what)
	if n := f.get("item_text"); n != nil {
		in.ItemText, _ = p.str(n, "item_text")
		if in.ItemText != "" && in.ItemText != "verbatim" && in.ItemText != "paraphrased" {
			p.errf(n, "schema", "item_text must be \"verbatim\" (the licence allows reproducing the items) or \"paraphrased\"")
		}
	}
	in.Codes = p.codes(f.get("codes"), "codes")

	in.Context = p.contextFields(f.get("context"))

	scales := map[string]*Scale{}
	if sf := p.mapping(f.get("options"), "options"); sf != nil {
		for _, k := range sf.keys {
			id, _ := p.id(k, "option scale")
			s := p.scale(sf.vals[k.Value], "options."+k.Value)
			s.ID, s.Pos = id, p.pos(k)
			scales[id] = s
			in.Scales = append(in.Scales, s)
		}
	}

	itemIDs := map[string]Pos{}
	for _, n := range p.seq(f.get("items"), "items") {
		it := p.item(n, scales)
		if it == nil {
			continue
		}
		if prev, dup := itemIDs[it.ID]; dup {
			p.errf(n, "duplicate_id", "item %q is already defined at line %d", it.ID, prev.Line)
			continue
		}
		itemIDs[it.ID] = it.Pos
		in.Items = append(in.Items, it)
	}
	if n := f.get("items"); n != nil && len(in.Items) == 0 && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.errf(n, "schema", "items is empty")
	}

	scoreIDs := map[string]Pos{}
	for _, n := range p.seq(f.get("scores"), "scores") {
		s := p.score(n)
		if s == nil {
			continue
		}
		if prev, dup := scoreIDs[s.ID]; dup {
			p.errf(n, "duplicate_id", "score %q is already defined at line %d", s.ID, prev.Line)
			continue
		}
		if prev, clash := itemIDs[s.ID]; clash {
			p.errf(n, "duplicate_id", "score %q has the same id as the item at line %d; reasons name both, so they must differ", s.ID, prev.Line)
			continue
		}
		scoreIDs[s.ID] = s.Pos
		in.Scores = append(in.Scores, s)
	}

	flagIDs := map[string]Pos{}
	for _, n := range p.seq(f.get("flags"), "flags") {
		fl := p.flag(n)
		if fl == nil {
			continue
		}
		if prev, dup := flagIDs[fl.ID]; dup {
			p.errf(n, "duplicate_id", "flag %q is already defined at line %d", fl.ID, prev.Line)
			continue
		}
		flagIDs[fl.ID] = fl.Pos
		in.Flags = append(in.Flags, fl)
	}
	noteIDs := map[string]Pos{}
	for _, n := range p.seq(f.get("conditional_notes"), "conditional_notes") {
		nf := p.mapping(n, "conditional note", "id", "when", "message")
		if !p.require(nf, "conditional note", "id", "when", "message") {
			continue
		}
		id, ok := p.id(nf.get("id"), "note id")
		if !ok {
			continue
		}
		if prev, dup := noteIDs[id]; dup {
			p.errf(n, "duplicate_id", "conditional note %q is already defined at line %d", id, prev.Line)
			continue
		}
		cn := &ConditionalNote{ID: id, Pos: p.pos(nf.get("id")), When: p.expr(nf.get("when"), "when")}
		cn.Message, _ = p.str(nf.get("message"), "message")
		noteIDs[id] = cn.Pos
		if cn.When != nil {
			in.ConditionalNotes = append(in.ConditionalNotes, cn)
		}
	}
	p.followUps(f, in)
	return in
}

func (p *parser) scale(n *yaml.Node, what string) *Scale {
	s := &Scale{Pos: p.pos(n)}
	entries := p.seq(n, what)
	if n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.errf(n, "schema", "%s has no options", what)
	}
	if len(entries) > p.lim.MaxScaleItems {
		p.errf(n, "limit", "%s has %d options; the limit is %d", what, len(entries), p.lim.MaxScaleItems)
		return s
	}
	values := map[int64]int{}
	codes := map[string]int{}
	for _, e := range entries {
		f := p.mapping(e, what+" option", "value", "code", "label")
		if !p.require(f, what+" option", "value", "label") {
			continue
		}
		v, ok := p.integer(f.get("value"), "option value")
		if !ok {
			continue
		}
		o := Option{Value: v, Label: p.optStr(f, "label", "option"), Code: p.optStr(f, "code", "option"), Pos: p.pos(e)}
		if line, dup := values[v]; dup {
			p.errf(f.get("value"), "duplicate_value", "%s: value %d is already used at line %d", what, v, line)
			continue
		}
		values[v] = e.Line
		if o.Code != "" {
			if line, dup := codes[o.Code]; dup {
				p.errf(f.get("code"), "duplicate_code", "%s: code %q is already used at line %d", what, o.Code, line)
				continue
			}
			codes[o.Code] = e.Line
		}
		s.Options = append(s.Options, o)
	}
	return s
}

func (p *parser) item(n *yaml.Node, scales map[string]*Scale) *Item {
	f := p.mapping(n, "item", "id", "text", "options", "range", "required", "enable_when", "skipped_note", "codes", "label")
	if !p.require(f, "item", "id", "text") {
		return nil
	}
	id, ok := p.id(f.get("id"), "item id")
	if !ok {
		return nil
	}
	it := &Item{ID: id, Pos: p.pos(f.get("id")), Required: true}
	it.Text, _ = p.str(f.get("text"), "item text")
	it.Label = p.label(f, "label", "item "+id)
	it.Codes = p.codes(f.get("codes"), "item codes")
	opts, rng := f.get("options"), f.get("range")
	switch {
	case opts != nil && rng != nil:
		p.errf(rng, "schema", "item %q: give either options or range, not both", id)
	case opts == nil && rng == nil:
		p.errf(f.owner, "missing_field", "item %q: needs options (a named scale or a list) or range", id)
	case opts != nil:
		it.ScalePos = p.pos(opts)
		if opts.Kind == yaml.ScalarNode {
			name, _ := p.str(opts, "options")
			if s, found := scales[name]; found {
				it.Scale = s
			} else {
				msg := ""
				var names []string
				for k := range scales {
					names = append(names, k)
				}
				slices.Sort(names)
				if s := Suggest(name, names); s != "" {
					msg = fmt.Sprintf("; did you mean %q?", s)
				}
				p.errf(opts, "unknown_scale", "item %q: no option scale named %q%s", id, name, msg)
			}
		} else {
			it.Scale = p.scale(opts, "item "+id+" options")
		}
	default:
		rf := p.mapping(rng, "range", "min", "max")
		if p.require(rf, "range", "min") {
			if v, ok := p.integer(rf.get("min"), "range min"); ok {
				it.Min = &v
			}
			if mx := rf.get("max"); mx != nil {
				if v, ok := p.integer(mx, "range max"); ok {
					it.Max = &v
					if it.Min != nil && v < *it.Min {
						p.errf(mx, "schema", "item %q: range max %d is below min %d", id, v, *it.Min)
					}
				}
			}
		}
	}
	if r := f.get("required"); r != nil {
		it.Required, _ = p.boolean(r, "required")
	}
	it.EnableWhen = p.expr(f.get("enable_when"), "enable_when")
	it.SkippedNote = p.optStr(f, "skipped_note", "item")
	if it.SkippedNote != "" && it.EnableWhen == nil {
		p.errf(f.get("skipped_note"), "schema", "item %q: skipped_note needs enable_when (the item is always asked)", id)
	}
	return it
}

func (p *parser) score(n *yaml.Node) *Score {
	f := p.mapping(n, "score", "id", "label", "expr", "bands", "lookup", "type", "when", "codes", "description", "range", "short")
	if !p.require(f, "score", "id") {
		return nil
	}
	id, ok := p.id(f.get("id"), "score id")
	if !ok {
		return nil
	}
	s := &Score{ID: id, Pos: p.pos(f.get("id"))}
	s.Label = p.label(f, "label", "score "+id)
	s.Short = p.label(f, "short", "score "+id)
	s.Description = p.optStr(f, "description", "score")
	s.Codes = p.codes(f.get("codes"), "score codes")
	kinds := 0
	for _, k := range []string{"expr", "bands", "lookup"} {
		if f.get(k) != nil {
			kinds++
		}
	}
	if kinds != 1 {
		p.errf(f.owner, "schema", "score %q needs exactly one of expr, bands, lookup", id)
		return nil
	}
	if t := f.get("type"); t != nil {
		s.TypePos = p.pos(t)
		s.Type, _ = p.str(t, "type")
		if !slices.Contains([]string{"int", "double", "bool", "string"}, s.Type) {
			p.errf(t, "schema", "score %q: type must be int, double, bool or string%s", id, typeHint(s.Type, "int", "double", "bool", "string"))
			s.Type = ""
		}
	}
	s.Expr = p.expr(f.get("expr"), "expr")
	s.When = p.expr(f.get("when"), "when")
	if r := f.get("range"); r != nil {
		rf := p.mapping(r, "score range", "min", "max")
		if p.require(rf, "score range", "min", "max") {
			lo, ok1 := p.number(rf.get("min"), "range min")
			hi, ok2 := p.number(rf.get("max"), "range max")
			switch {
			case ok1 && ok2 && hi < lo:
				p.errf(rf.get("max"), "schema", "score %q: range max %v is below min %v", id, hi, lo)
			case ok1 && ok2:
				s.Range = &ScoreRange{Min: lo, Max: hi, Pos: p.pos(r)}
			}
		}
	}
	if b := f.get("bands"); b != nil {
		bf := p.mapping(b, "bands", "of", "cuts")
		if p.require(bf, "bands", "of", "cuts") {
			bands := &Bands{OfPos: p.pos(bf.get("of"))}
			bands.Of, _ = p.id(bf.get("of"), "bands.of")
			labels := map[string]bool{}
			for _, c := range p.seq(bf.get("cuts"), "cuts") {
				cf := p.mapping(c, "cut", "min", "max", "label")
				if !p.require(cf, "cut", "label") {
					continue
				}
				cut := Cut{Pos: p.pos(c)}
				cut.Label, _ = p.id(cf.get("label"), "band label")
				if labels[cut.Label] {
					p.errf(cf.get("label"), "duplicate_id", "band label %q is used twice", cut.Label)
				}
				labels[cut.Label] = true
				if mn := cf.get("min"); mn != nil {
					if v, ok := p.number(mn, "min"); ok {
						cut.Min = &v
					}
				}
				if mx := cf.get("max"); mx != nil {
					if v, ok := p.number(mx, "max"); ok {
						cut.Max = &v
					}
				}
				bands.Cuts = append(bands.Cuts, cut)
			}
			if len(bands.Cuts) == 0 {
				p.errf(bf.get("cuts"), "schema", "bands need at least one cut")
			}
			s.Bands = bands
		}
	}
	if l := f.get("lookup"); l != nil {
		lf := p.mapping(l, "lookup", "of", "table")
		if p.require(lf, "lookup", "of", "table") {
			lk := &Lookup{OfPos: p.pos(lf.get("of"))}
			lk.Of, _ = p.id(lf.get("of"), "lookup.of")
			tf := p.mapping(lf.get("table"), "lookup table")
			if tf != nil && len(tf.keys) > p.lim.MaxScaleItems {
				p.errf(lf.get("table"), "limit", "lookup table has %d rows; the limit is %d", len(tf.keys), p.lim.MaxScaleItems)
				tf = nil
			}
			if tf != nil {
				for _, k := range tf.keys {
					key, ok1 := p.integer(k, "lookup key")
					val, ok2 := p.number(tf.vals[k.Value], "lookup value")
					if ok1 && ok2 {
						if len(lk.Table) > 0 && key <= lk.Table[len(lk.Table)-1].Key {
							p.errf(k, "schema", "lookup keys must be in increasing order")
						}
						lk.Table = append(lk.Table, LookupRow{Key: key, Value: val, Pos: p.pos(k)})
					}
				}
				if len(tf.keys) == 0 {
					p.errf(lf.get("table"), "schema", "lookup table is empty")
				}
			}
			s.Lookup = lk
		}
	}
	if s.Expr == nil && s.Bands == nil && s.Lookup == nil {
		return nil
	}
	return s
}

var flagLevels = []string{"info", "warning", "urgent"}

func (p *parser) flag(n *yaml.Node) *Flag {
	f := p.mapping(n, "flag", "id", "when", "level", "message")
	if !p.require(f, "flag", "id", "when", "level", "message") {
		return nil
	}
	id, ok := p.id(f.get("id"), "flag id")
	if !ok {
		return nil
	}
	fl := &Flag{ID: id, Pos: p.pos(f.get("id"))}
	fl.Level, _ = p.str(f.get("level"), "level")
	if !slices.Contains(flagLevels, fl.Level) {
		p.errf(f.get("level"), "schema", "flag %q: level must be info, warning or urgent", id)
	}
	fl.Message, _ = p.str(f.get("message"), "message")
	fl.When = p.expr(f.get("when"), "when")
	if fl.When == nil {
		return nil
	}
	return fl
}

var priorities = []string{"urgent", "high", "routine"}

// contextTypes are the types a context field may declare.
var contextTypes = []string{"int", "number", "bool", "string"}

// contextFields reads a context section: field -> type, or field -> {type, min, max, description}.
func (p *parser) contextFields(n *yaml.Node) []ContextField {
	cf := p.mapping(n, "context")
	if cf == nil {
		return nil
	}
	var out []ContextField
	for _, k := range cf.keys {
		id, _ := p.id(k, "context field")
		f := ContextField{ID: id, Pos: p.pos(k)}
		v := cf.vals[k.Value]
		tn := v
		if v.Kind == yaml.MappingNode {
			ff := p.mapping(v, "context field "+id, "type", "min", "max", "description", "label", "unit")
			if !p.require(ff, "context field "+id, "type") {
				continue
			}
			tn = ff.get("type")
			f.Description = p.optStr(ff, "description", "context field")
			f.Label = p.label(ff, "label", "context field "+id)
			f.Unit = p.optStr(ff, "unit", "context field")
			for _, b := range []struct {
				key string
				dst **float64
			}{{"min", &f.Min}, {"max", &f.Max}} {
				if bn := ff.get(b.key); bn != nil {
					if x, ok := p.number(bn, b.key); ok {
						*b.dst = &x
					}
				}
			}
		}
		f.Type, _ = p.str(tn, "context type")
		if !slices.Contains(contextTypes, f.Type) {
			p.errf(tn, "schema", "context field %q: type must be int, number, bool or string%s", k.Value, typeHint(f.Type, "int", "number", "bool", "string"))
			continue
		}
		if (f.Min != nil || f.Max != nil) && f.Type != "int" && f.Type != "number" {
			p.errf(tn, "schema", "context field %q: min and max apply to int and number fields only", k.Value)
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			p.errf(tn, "schema", "context field %q: min is greater than max", k.Value)
		}
		out = append(out, f)
	}
	return out
}
