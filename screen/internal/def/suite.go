package def

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

func (p *parser) suite(root *yaml.Node) *Suite {
	const what = "test suite"
	f := p.mapping(root, what, "instrument", "rules", "tests")
	if f == nil {
		return nil
	}
	s := &Suite{File: p.sink.File}
	target := f.get("instrument")
	s.Kind = "instrument"
	if r := f.get("rules"); r != nil {
		if target != nil {
			p.errf(r, "schema", "a suite tests either one instrument or one rule set, not both")
			return nil
		}
		target, s.Kind = r, "rules"
	}
	if target == nil {
		p.errf(root, "missing_field", "test suite: missing \"instrument: id@version\" or \"rules: id@version\"")
		return nil
	}
	s.TargetPos = p.pos(target)
	ref, ok := p.str(target, s.Kind)
	if !ok {
		return nil
	}
	s.Definition = ref
	s.Target, s.Version, _ = strings.Cut(ref, "@")
	if !ValidID(s.Target) {
		p.errf(target, "invalid_id", "%q is not a valid id", s.Target)
	}
	p.require(f, what, "tests")
	tests := f.get("tests")
	if tests != nil && tests.Kind == yaml.SequenceNode && len(tests.Content) > p.lim.MaxTests {
		p.errf(tests, "limit", "suite has %d tests; the limit is %d", len(tests.Content), p.lim.MaxTests)
		return s
	}
	names := map[string]int{}
	saved := p.lim.MaxItems
	p.lim.MaxItems = p.lim.MaxTests
	entries := p.seq(tests, "tests")
	p.lim.MaxItems = saved
	for _, n := range entries {
		tf := p.mapping(n, "test", "name", "subject", "context", "date", "baseline", "answers", "want", "want_error")
		if !p.require(tf, "test", "name", "answers") {
			continue
		}
		t := &Test{Pos: p.pos(n)}
		t.Name, _ = p.str(tf.get("name"), "name")
		if line, dup := names[t.Name]; dup {
			p.errf(tf.get("name"), "duplicate_id", "test name %q is already used at line %d", t.Name, line)
		}
		names[t.Name] = n.Line
		t.Subject = p.optStr(tf, "subject", "test")
		if c := tf.get("context"); c != nil {
			if m, ok := p.plainValue(c, "context", 1).(map[string]any); ok {
				t.Context = m
			}
		}
		depth := 1
		if s.Kind == "rules" {
			depth = 2
		}
		if m, ok := p.plainValue(tf.get("answers"), "answers", depth).(map[string]any); ok {
			t.Answers = m
			t.AnswerRefs = p.answerRefs(t.AnswerRefs, tf.get("answers"), s.Kind == "rules")
		}
		if d := tf.get("date"); d != nil {
			t.Date = p.dateStr(d)
		}
		if bn := tf.get("baseline"); bn != nil {
			bf := p.mapping(bn, "baseline", "date", "context", "answers")
			if p.require(bf, "baseline", "answers") {
				b := &Baseline{}
				if d := bf.get("date"); d != nil {
					b.Date = p.dateStr(d)
				}
				if c := bf.get("context"); c != nil {
					b.Context, _ = p.plainValue(c, "baseline.context", 1).(map[string]any)
				}
				b.Answers, _ = p.plainValue(bf.get("answers"), "baseline.answers", depth).(map[string]any)
				if b.Answers != nil {
					t.AnswerRefs = p.answerRefs(t.AnswerRefs, bf.get("answers"), s.Kind == "rules")
				}
				t.Baseline = b
			}
		}
		w, we := tf.get("want"), tf.get("want_error")
		switch {
		case w != nil && we != nil:
			p.errf(we, "schema", "test %q: give want or want_error, not both", t.Name)
		case w == nil && we == nil:
			p.errf(tf.owner, "missing_field", "test %q: needs want or want_error", t.Name)
		case w != nil:
			t.Want = p.want(w, s.Kind == "rules")
		default:
			ef := p.mapping(we, "want_error", "code", "instrument", "item")
			if p.require(ef, "want_error", "code") {
				t.WantError = &WantError{Pos: p.pos(we), Code: p.optStr(ef, "code", "want_error"),
					Instrument: p.optStr(ef, "instrument", "want_error"), Item: p.optStr(ef, "item", "want_error")}
			}
		}
		s.Tests = append(s.Tests, t)
	}
	return s
}

// answerRefs adds the keys of a test's answers mapping n (already read by plainValue) to refs: item ids,
// or, in a rules suite, instrument keys and the item ids under each.
func (p *parser) answerRefs(refs []Ref, n *yaml.Node, rules bool) []Ref {
	if n == nil || n.Kind != yaml.MappingNode {
		return refs
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !rules {
			refs = append(refs, Ref{Kind: "answer", ID: k.Value, Pos: p.pos(k)})
			continue
		}
		refs = append(refs, Ref{Kind: "answers_instrument", ID: k.Value, Pos: p.pos(k)})
		if v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				refs = append(refs, Ref{Kind: "answer", ID: v.Content[j].Value, Domain: k.Value, Pos: p.pos(v.Content[j])})
			}
		}
	}
	return refs
}

func (p *parser) want(n *yaml.Node, rules bool) *Want {
	allowed := []string{"status", "definition_status", "scores", "flags", "missing", "notes", "errors", "followup"}
	if rules {
		allowed = []string{"applied", "reason", "followup", "domains", "tier", "referrals", "not_assessed", "instruments", "notes", "errors",
			"possible", "possible_tiers", "possible_referrals", "tier_decided", "settle"}
	}
	f := p.mapping(n, "want", allowed...)
	if f == nil {
		return nil
	}
	w := &Want{Pos: p.pos(n)}
	ref := func(kind string, n *yaml.Node) {
		if n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			w.Refs = append(w.Refs, Ref{Kind: kind, ID: n.Value, Pos: p.pos(n)})
		}
	}
	refs := func(kind string, n *yaml.Node) {
		if n != nil && n.Kind == yaml.SequenceNode {
			for _, e := range n.Content {
				ref(kind, e)
			}
		}
	}
	keys := func(kind string, n *yaml.Node) {
		if n != nil && n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				ref(kind, n.Content[i])
			}
		}
	}
	w.Status = p.optStr(f, "status", "want")
	w.Tier = p.optStr(f, "tier", "want")
	w.Reason = p.optStr(f, "reason", "want")
	ref("tier", f.get("tier"))
	keys("score", f.get("scores"))
	refs("flag", f.get("flags"))
	refs("item", f.get("missing"))
	refs("referral", f.get("referrals"))
	refs("referral", f.get("possible_referrals"))
	refs("tier", f.get("possible_tiers"))
	keys("domain", f.get("possible"))
	keys("domain", f.get("domains"))
	keys("instrument", f.get("instruments"))
	if d := f.get("domains"); d != nil && d.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(d.Content); i += 2 {
			if v := d.Content[i+1]; v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
				w.Refs = append(w.Refs, Ref{Kind: "value", ID: v.Value, Domain: d.Content[i].Value, Pos: p.pos(v)})
			}
		}
	}
	if pd := f.get("possible"); pd != nil && pd.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(pd.Content); i += 2 {
			if l := pd.Content[i+1]; l.Kind == yaml.SequenceNode {
				for _, v := range l.Content {
					if v.Kind == yaml.ScalarNode {
						w.Refs = append(w.Refs, Ref{Kind: "value", ID: v.Value, Domain: pd.Content[i].Value, Pos: p.pos(v)})
					}
				}
			}
		}
	}
	if a := f.get("applied"); a != nil {
		if b, ok := p.boolean(a, "applied"); ok {
			w.Applied = &b
		}
	}
	if a := f.get("tier_decided"); a != nil {
		if b, ok := p.boolean(a, "tier_decided"); ok {
			w.TierDecided = &b
		}
	}
	w.Settle = p.idList(f.get("settle"), "settle")
	if sc := f.get("scores"); sc != nil {
		if m, ok := p.plainValue(sc, "scores", 0).(map[string]any); ok {
			w.Scores = m
		}
	}
	w.Flags = p.idList(f.get("flags"), "flags")
	w.Missing = p.idList(f.get("missing"), "missing")
	w.Referrals = p.idList(f.get("referrals"), "referrals")
	w.NotAssessed = p.idList(f.get("not_assessed"), "not_assessed")
	w.DefStatus = p.optStr(f, "definition_status", "want")
	w.Notes = p.idList(f.get("notes"), "notes")
	w.PossibleTiers = p.idList(f.get("possible_tiers"), "possible_tiers")
	w.PossibleReferrals = p.idList(f.get("possible_referrals"), "possible_referrals")
	if pf := p.mapping(f.get("possible"), "possible"); pf != nil {
		w.Possible = map[string][]string{}
		for _, k := range pf.keys {
			w.Possible[k.Value] = p.idList(pf.vals[k.Value], "possible."+k.Value)
		}
	}
	if en := f.get("errors"); en != nil {
		w.Errors = []WantError{}
		for _, e := range p.seq(en, "errors") {
			ef := p.mapping(e, "error", "code", "instrument", "item")
			if p.require(ef, "error", "code") {
				w.Errors = append(w.Errors, WantError{Pos: p.pos(e), Code: p.optStr(ef, "code", "error"),
					Instrument: p.optStr(ef, "instrument", "error"), Item: p.optStr(ef, "item", "error")})
			}
		}
	}
	if fn := f.get("followup"); fn != nil {
		ff := p.mapping(fn, "followup", "computed", "days", "measures", "notes")
		if ff != nil {
			wf := &WantFollowUp{Notes: p.idList(ff.get("notes"), "followup.notes")}
			if c := ff.get("computed"); c != nil {
				if b, ok := p.boolean(c, "computed"); ok {
					wf.Computed = &b
				}
			}
			if d := ff.get("days"); d != nil {
				if n, ok := p.integer(d, "days"); ok {
					wf.Days = &n
				}
			}
			if m := ff.get("measures"); m != nil {
				wf.Measures, _ = p.plainValue(m, "followup.measures", 0).(map[string]any)
			}
			w.FollowUp = wf
		}
	}
	if d := p.mapping(f.get("domains"), "domains"); d != nil {
		w.Domains = map[string]string{}
		for _, k := range d.keys {
			w.Domains[k.Value], _ = p.str(d.vals[k.Value], "domain value")
		}
	}
	if in := p.mapping(f.get("instruments"), "instruments"); in != nil {
		w.Instruments = map[string]*Want{}
		for _, k := range in.keys {
			if iw := p.want(in.vals[k.Value], false); iw != nil {
				w.Instruments[k.Value] = iw
			}
		}
	}
	return w
}

// idList reads a list of ids; an explicit empty list [] is a non-nil empty slice ("expect none").
func (p *parser) idList(n *yaml.Node, what string) []string {
	if n == nil {
		return nil
	}
	out := []string{}
	for _, e := range p.seq(n, what) {
		if s, ok := p.str(e, what+" entry"); ok {
			out = append(out, s)
		}
	}
	return out
}

// plainValue converts a YAML node into int64, float64 (only where floats are expected: scores), string,
// bool, nil or map[string]any. mapDepth is how many levels of mappings are allowed below n (answers of an
// instrument suite: 1; of a rules suite: 2; scores: 0, but the top level itself is a mapping).
func (p *parser) plainValue(n *yaml.Node, what string, mapDepth int) any {
	switch n.Kind {
	case yaml.MappingNode:
		if mapDepth < 0 {
			p.errf(n, "schema", "%s: unexpected mapping", what)
			return nil
		}
		f := p.mapping(n, what)
		if f == nil {
			return nil
		}
		m := make(map[string]any, len(f.keys))
		for _, k := range f.keys {
			m[k.Value] = p.plainValue(f.vals[k.Value], what+"."+k.Value, mapDepth-1)
		}
		return m
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!int":
			v, _ := p.integer(n, what)
			return v
		case "!!float":
			v, _ := p.number(n, what)
			return v
		case "!!bool":
			v, _ := p.boolean(n, what)
			return v
		}
		return n.Value
	}
	p.errf(n, "schema", "%s: unexpected %s", what, kindName(n))
	return nil
}

// dateStr reads a date as written: YAML would read an unquoted 2026-01-05 as a timestamp, but a date here
// is text for the engine to check (an invalid one is a test case too).
func (p *parser) dateStr(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!timestamp" || n.Tag == "!!str") {
		return n.Value
	}
	s, _ := p.str(n, "date")
	return s
}
