package screen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Reading a report back from its JSON contract. The contract's objects keyed by id ("scores",
// "domains", "explain", …) are ordered, so the reader walks tokens in order rather than decoding into
// maps; what it builds re-encodes (AppendJSON) to the bytes it read.

// maxReportDepth bounds how deeply a report's JSON may nest (the contract needs 7 levels).
const maxReportDepth = 32

// ReadReport reads one report in the JSON contract (as Report.AppendJSON writes it, or as a line of
// `painscreen score --format jsonl` output) from r: one JSON value (r may be read past it; to read a
// stream of reports, Decode each into a *Report with one json.Decoder). The Report it returns re-encodes to the same bytes:
// every field, every result's rule and reasons, the record's errors (which match their sentinels with
// errors.Is, and Report.Err gathers). Fields the contract does not define — a CLI record's kept columns or
// "ehr_context" — are skipped. A number without a fraction or exponent that fits an int64 reads as an
// integer Value, any other number as a double; both encode back as they were written.
//
// The error names the place in the document that is wrong ("composite.referrals[2]: want an object"),
// never a value: a report holds health data. A report read back has no engine behind it; scoring into it
// with ScoreTo is allowed and replaces everything it held.
func ReadReport(r io.Reader) (*Report, error) {
	rep := new(Report)
	dec := json.NewDecoder(r)
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if err := rep.fromNode(n); err != nil {
		return nil, err
	}
	return rep, nil
}

// UnmarshalJSON reads a report as ReadReport does, replacing everything r held. With a json.Decoder it
// reads a stream of reports (JSON Lines) one at a time.
func (r *Report) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return err
	}
	*r = Report{}
	return r.fromNode(n)
}

// jnode is one JSON value, objects keeping their key order.
type jnode struct {
	kind byte // '{', '[', 's' string, 'n' number, 'b' bool, '0' null
	str  string
	b    bool
	keys []string
	vals []*jnode
}

func (n *jnode) get(key string) *jnode {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// errReportJSON is the error of a document that is not a report's JSON; its text names places only.
var errReportJSON = errors.New("screen: not a report in the JSON contract")

func readErr(path, msg string) error { return fmt.Errorf("%w: %s: %s", errReportJSON, path, msg) }

// syntaxErr describes where a document stops being JSON.
func syntaxErr(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the input ends before the report does", errReportJSON)
	}
	// encoding/json's syntax messages can quote input bytes: say where, not what.
	return fmt.Errorf("%w: not valid JSON at byte %d", errReportJSON, dec.InputOffset())
}

func readNode(dec *json.Decoder, depth int) (*jnode, error) {
	if depth > maxReportDepth {
		return nil, fmt.Errorf("%w: nested more than %d levels", errReportJSON, maxReportDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxErr(dec, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &jnode{kind: byte(t)}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, syntaxErr(dec, err)
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := readNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, syntaxErr(dec, err)
		}
		return n, nil
	case string:
		return &jnode{kind: 's', str: t}, nil
	case json.Number:
		return &jnode{kind: 'n', str: string(t)}, nil
	case bool:
		return &jnode{kind: 'b', b: t}, nil
	}
	return &jnode{kind: '0'}, nil
}

// reader turns nodes into a report; the first problem found is kept in err.
type reader struct {
	err   error
	arena *reasonArena
}

func (rd *reader) fail(path, msg string) {
	if rd.err == nil {
		rd.err = readErr(path, msg)
	}
}

// want checks a node's kind; an absent node (nil) is accepted as empty.
func (rd *reader) want(n *jnode, kind byte, path string) bool {
	if n == nil {
		return false
	}
	if n.kind != kind {
		what := map[byte]string{'{': "an object", '[': "an array", 's': "a string", 'n': "a number", 'b': "a boolean"}[kind]
		rd.fail(path, "want "+what)
		return false
	}
	return true
}

func (rd *reader) str(n *jnode, path string) string {
	if rd.want(n, 's', path) {
		return n.str
	}
	return ""
}

func (rd *reader) boolean(n *jnode, path string) bool {
	return rd.want(n, 'b', path) && n.b
}

func (rd *reader) strs(n *jnode, path string) []string {
	if !rd.want(n, '[', path) || len(n.vals) == 0 {
		return nil
	}
	out := make([]string, len(n.vals))
	for i, v := range n.vals {
		out[i] = rd.str(v, path+"["+strconv.Itoa(i)+"]")
	}
	return out
}

func (rd *reader) value(n *jnode, path string) Value {
	if n == nil {
		return Value{}
	}
	switch n.kind {
	case 's':
		return StringValue(n.str)
	case 'b':
		return BoolValue(n.b)
	case '0':
		return Value{}
	case 'n':
		if !strings.ContainsAny(n.str, ".eE") {
			if i, err := strconv.ParseInt(n.str, 10, 64); err == nil {
				return IntValue(i)
			}
		}
		f, err := strconv.ParseFloat(n.str, 64)
		if err != nil && !math.IsInf(f, 0) {
			rd.fail(path, "want a number")
		}
		return DoubleValue(f)
	}
	rd.fail(path, "want a number, a string, a boolean or null")
	return Value{}
}

func (rd *reader) values(n *jnode, path string) []Value {
	if !rd.want(n, '[', path) || len(n.vals) == 0 {
		return nil
	}
	out := make([]Value, len(n.vals))
	for i, v := range n.vals {
		out[i] = rd.value(v, path+"["+strconv.Itoa(i)+"]")
	}
	return out
}

// rule reads "rule" and "reasons" from an object.
func (rd *reader) rule(n *jnode, path string) (string, reasons) {
	if !rd.want(n, '{', path) {
		return "", reasons{}
	}
	rule := rd.str(n.get("rule"), path+".rule")
	a := rd.arena
	from := int32(len(a.dec))
	if rs := n.get("reasons"); rd.want(rs, '[', path+".reasons") {
		for i, r := range rs.vals {
			p := path + ".reasons[" + strconv.Itoa(i) + "]"
			if rd.want(r, '{', p) {
				a.dec = append(a.dec, Reason{Name: rd.str(r.get("name"), p+".name"), Value: rd.value(r.get("value"), p+".value"),
					Ref: ReasonRef(rd.str(r.get("kind"), p+".kind")), Instrument: rd.str(r.get("instrument"), p+".instrument"),
					ID: rd.str(r.get("id"), p+".id"), Missing: rd.boolean(r.get("missing"), p+".missing"),
					Label: rd.str(r.get("label"), p+".label"), Text: rd.str(r.get("text"), p+".text")})
			}
		}
	}
	return rule, reasons{a: a, from: from, to: int32(len(a.dec))}
}

func (rd *reader) notes(n *jnode, path string) []Note {
	if !rd.want(n, '[', path) || len(n.vals) == 0 {
		return nil
	}
	out := make([]Note, 0, len(n.vals))
	for i, v := range n.vals {
		p := path + "[" + strconv.Itoa(i) + "]"
		if rd.want(v, '{', p) {
			out = append(out, Note{Code: rd.str(v.get("code"), p+".code"), About: rd.str(v.get("about"), p+".about"),
				Message: rd.str(v.get("message"), p+".message")})
		}
	}
	return out
}

// fromNode fills r, a zero Report, from a parsed document.
func (r *Report) fromNode(n *jnode) error {
	rd := &reader{arena: &r.mem.arena}
	if !rd.want(n, '{', "report") {
		return rd.err
	}
	r.Subject = rd.str(n.get("subject"), "subject")
	if d := n.get("date"); d != nil {
		r.Date = rd.str(d, "date")
	}
	if e := n.get("engine"); rd.want(e, '{', "engine") {
		r.Engine = EngineInfo{Name: rd.str(e.get("name"), "engine.name"), Version: rd.str(e.get("version"), "engine.version")}
	}
	if ins := n.get("instruments"); rd.want(ins, '{', "instruments") {
		for i, v := range ins.vals {
			r.Instruments = append(r.Instruments, rd.instrument(v, "instruments["+strconv.Itoa(i)+"]"))
		}
	}
	if c := n.get("composite"); c != nil {
		r.Composite = rd.composite(c)
	}
	if f := n.get("followup"); f != nil {
		r.fu = rd.followUp(f)
		r.FollowUp = &r.fu
	}
	if es := n.get("errors"); rd.want(es, '[', "errors") {
		for i, v := range es.vals {
			p := "errors[" + strconv.Itoa(i) + "]"
			if rd.want(v, '{', p) {
				e := ScoreError{Code: rd.str(v.get("code"), p+".code"), Message: rd.str(v.get("message"), p+".message"),
					Instrument: rd.str(v.get("instrument"), p+".instrument"), Item: rd.str(v.get("item"), p+".item")}
				e.kind = codeKinds[e.Code]
				r.Errors = append(r.Errors, e)
			}
		}
	}
	return rd.err
}

func (rd *reader) instrument(n *jnode, path string) InstrumentResult {
	var in InstrumentResult
	if !rd.want(n, '{', path) {
		return in
	}
	in.ID = rd.str(n.get("id"), path+".id")
	in.Version = rd.str(n.get("version"), path+".version")
	in.Digest = rd.str(n.get("digest"), path+".digest")
	in.Status = rd.str(n.get("status"), path+".status")
	in.Definition = rd.str(n.get("definition_status"), path+".definition_status")
	explain := n.get("explain")
	rd.want(explain, '{', path+".explain")
	if sc := n.get("scores"); rd.want(sc, '{', path+".scores") {
		for i, k := range sc.keys {
			p := path + ".scores[" + strconv.Itoa(i) + "]"
			s := Score{ID: k, Value: rd.value(sc.vals[i], p)}
			if x := explain.get(k); x != nil {
				s.Rule, s.why = rd.rule(x, path+".explain["+strconv.Itoa(i)+"]")
			}
			in.Scores = append(in.Scores, s)
		}
	}
	if fs := n.get("flags"); rd.want(fs, '[', path+".flags") {
		for i, v := range fs.vals {
			p := path + ".flags[" + strconv.Itoa(i) + "]"
			if !rd.want(v, '{', p) {
				continue
			}
			f := Flag{ID: rd.str(v.get("id"), p+".id"), Level: Level(rd.str(v.get("level"), p+".level")),
				Message: rd.str(v.get("message"), p+".message")}
			if c := v.get("conflict"); c != nil {
				f.Conflict = rd.strs(c, p+".conflict")
			}
			f.Rule, f.why = rd.rule(v, p)
			in.Flags = append(in.Flags, f)
		}
	}
	in.Missing = rd.strs(n.get("missing"), path+".missing")
	in.Notes = rd.notes(n.get("notes"), path+".notes")
	return in
}

func (rd *reader) referrals(n *jnode, path string) []Referral {
	if !rd.want(n, '[', path) || len(n.vals) == 0 {
		return nil
	}
	var out []Referral
	for i, v := range n.vals {
		p := path + "[" + strconv.Itoa(i) + "]"
		if !rd.want(v, '{', p) {
			continue
		}
		r := Referral{ID: rd.str(v.get("id"), p+".id"), Priority: Priority(rd.str(v.get("priority"), p+".priority")),
			Text: rd.str(v.get("text"), p+".text"), Addenda: rd.strs(v.get("addenda"), p+".addenda"),
			Rationale: rd.str(v.get("rationale"), p+".rationale"), Source: rd.str(v.get("source"), p+".source")}
		r.Rule, r.why = rd.rule(v, p)
		out = append(out, r)
	}
	return out
}

func (rd *reader) composite(n *jnode) *CompositeResult {
	c := new(CompositeResult)
	if !rd.want(n, '{', "composite") {
		return c
	}
	c.ID = rd.str(n.get("id"), "composite.id")
	c.Version = rd.str(n.get("version"), "composite.version")
	c.Digest = rd.str(n.get("digest"), "composite.digest")
	c.Applied = rd.boolean(n.get("applied"), "composite.applied")
	c.Notes = rd.notes(n.get("notes"), "composite.notes")
	if !c.Applied {
		c.Reason = rd.str(n.get("reason"), "composite.reason")
		return c
	}
	explain := n.get("explain")
	rd.want(explain, '{', "composite.explain")
	possible := n.get("possible")
	rd.want(possible, '{', "composite.possible")
	if ds := n.get("domains"); rd.want(ds, '{', "composite.domains") {
		for i, k := range ds.keys {
			p := "composite.domains[" + strconv.Itoa(i) + "]"
			d := Domain{ID: k, Value: rd.value(ds.vals[i], p)}
			if pv := possible.get(k); pv != nil {
				d.Possible = rd.values(pv, "composite.possible["+strconv.Itoa(i)+"]")
			}
			if x := explain.get(k); x != nil {
				d.Rule, d.why = rd.rule(x, "composite.explain["+strconv.Itoa(i)+"]")
			}
			c.Domains = append(c.Domains, d)
		}
	}
	c.Tier = Tier(rd.str(n.get("tier"), "composite.tier"))
	c.TierRule, c.tierWhy = rd.rule(n, "composite")
	for _, t := range rd.strs(n.get("possible_tiers"), "composite.possible_tiers") {
		c.PossibleTiers = append(c.PossibleTiers, Tier(t))
	}
	c.TierDecided = rd.boolean(n.get("tier_decided"), "composite.tier_decided")
	c.Settle = rd.strs(n.get("settle"), "composite.settle")
	c.Referrals = rd.referrals(n.get("referrals"), "composite.referrals")
	c.PossibleReferrals = rd.referrals(n.get("possible_referrals"), "composite.possible_referrals")
	c.NotAssessed = rd.strs(n.get("not_assessed"), "composite.not_assessed")
	return c
}

func (rd *reader) followUp(n *jnode) FollowUpResult {
	var f FollowUpResult
	if !rd.want(n, '{', "followup") {
		return f
	}
	if b := n.get("baseline"); rd.want(b, '{', "followup.baseline") {
		f.BaselineDate = rd.str(b.get("date"), "followup.baseline.date")
	}
	if d := n.get("days"); d != nil && d.kind != '0' {
		v := rd.value(d, "followup.days")
		days, ok := v.Int()
		if !ok || days < math.MinInt32 || days > math.MaxInt32 {
			rd.fail("followup.days", "want a whole number of days or null")
		}
		f.Computed, f.Days = true, int(days)
	}
	explain := n.get("explain")
	rd.want(explain, '{', "followup.explain")
	possible := n.get("possible")
	rd.want(possible, '{', "followup.possible")
	if ins := n.get("instruments"); rd.want(ins, '{', "followup.instruments") {
		for i, k := range ins.keys {
			p := "followup.instruments[" + strconv.Itoa(i) + "]"
			fi := FollowUpInstrument{ID: k}
			ms := ins.vals[i]
			x := explain.get(k)
			if rd.want(ms, '{', p) {
				for j, mk := range ms.keys {
					m := FollowUpMeasure{ID: mk, Value: rd.value(ms.vals[j], p+"["+strconv.Itoa(j)+"]")}
					if mx := x.get(mk); mx != nil {
						m.Rule, m.why = rd.rule(mx, "followup.explain["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]")
					}
					fi.Measures = append(fi.Measures, m)
				}
			}
			if pv := possible.get(k); rd.want(pv, '{', "followup.possible["+strconv.Itoa(i)+"]") {
				for j, mk := range pv.keys {
					fi.Possible = append(fi.Possible, FollowUpPossible{ID: mk,
						Values: rd.values(pv.vals[j], "followup.possible["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]")})
				}
			}
			f.Instruments = append(f.Instruments, fi)
		}
	}
	f.Notes = rd.notes(n.get("notes"), "followup.notes")
	return f
}
