package suite

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
)

// Check checks suites against the definitions opts load, without running a case: each suite's target must
// be loaded, and every id a want names — scores, flags, missing items, domains and their values, tiers,
// referrals, instruments — must exist in the definition it tests ("no score \"totl\" in phq4@1.0.0; did
// you mean \"total\"?"), each reported at its file:line:col. When the definitions themselves do not load
// (their diagnostics are screen.Check's), Check returns no diagnostics: there is nothing to check against.
// The error is for definitions that cannot be read at all.
func Check(suites []*Suite, opts ...screen.Option) (diag.List, error) {
	res, err := screen.Check(opts...)
	if err != nil {
		return nil, err
	}
	if res.Diagnostics.HasErrors() {
		return nil, nil
	}
	var list diag.List
	engines := map[string]*screen.Engine{}
	for _, su := range suites {
		s := su.s
		loaded := res.Instruments
		if s.Kind == "rules" {
			loaded = res.RuleSets
		}
		if msg := missingTarget(s, loaded); msg != "" {
			list = append(list, su.diag(s.TargetPos, "unknown_target", msg))
			continue
		}
		key, o := engineOptions(s, opts)
		e := engines[key]
		if e == nil {
			if e, err = screen.New(o...); err != nil {
				return nil, err
			}
			engines[key] = e
		}
		for _, pr := range checkRefs(e, s) {
			list = append(list, su.diag(pr.pos, pr.code, pr.msg))
		}
	}
	return list.Sort(), nil
}

func (su *Suite) diag(pos diag.Pos, code, msg string) diag.Diagnostic {
	d := diag.Diagnostic{Pos: pos, Code: code, Message: msg}
	if pos.Line > 0 {
		lines := bytes.Split(su.src, []byte{'\n'})
		if pos.Line <= len(lines) {
			d.Source = strings.TrimRight(string(lines[pos.Line-1]), "\r")
		}
	}
	return d
}

// missingTarget says why a suite's target is not among the loaded "id@version"s, or "".
func missingTarget(s *def.Suite, loaded []string) string {
	kind := "instrument"
	if s.Kind == "rules" {
		kind = "rule set"
	}
	var ids, versions []string
	for _, k := range loaded {
		id, v, _ := strings.Cut(k, "@")
		if id == s.Target {
			if s.Version == "" || v == s.Version {
				return ""
			}
			versions = append(versions, k)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(versions) > 0:
		return fmt.Sprintf("the suite tests %s %s, which is not loaded (loaded: %s)", kind, s.Definition, strings.Join(versions, ", "))
	case len(loaded) == 0:
		return fmt.Sprintf("the suite tests %s %s, but no %s is loaded (is its definition in the PATHs given?)", kind, s.Definition, kind)
	}
	msg := fmt.Sprintf("the suite tests %s %s, which is not loaded", kind, s.Definition)
	if sug := def.Suggest(s.Target, ids); sug != "" {
		msg += fmt.Sprintf("; did you mean %q?", sug)
	}
	return msg
}

// problem is an id a test's want names that its definition does not have.
type problem struct {
	test      *def.Test
	pos       diag.Pos
	code, msg string
	// what is the comparison the problem replaces ("scores.totl": not "want 6, got not computed").
	what string
}

// checkRefs checks every id the suite's wants name against the definitions e has loaded. The suite's
// target must be loaded (checkTarget).
func checkRefs(e *screen.Engine, s *def.Suite) []problem {
	var out []problem
	if s.Kind == "instrument" {
		doc, err := e.Describe(s.Definition)
		if err != nil {
			return nil
		}
		for _, t := range s.Tests {
			if t.Want != nil {
				out = append(out, instrumentRefs(t, doc, t.Want.Refs, "")...)
			}
			if expectsNoErrors(t) {
				out = append(out, instrumentRefs(t, doc, t.AnswerRefs, "")...)
			}
		}
		return out
	}
	rs, err := e.DescribeRuleSet()
	if err != nil {
		return nil
	}
	key := rs.ID + "@" + rs.Version
	var domains, tiers, referrals, inputs []string
	values := map[string][]string{}
	for _, d := range rs.Domains {
		domains = append(domains, d.ID)
		values[d.ID] = d.Values
	}
	for _, t := range rs.Tiers {
		tiers = append(tiers, t.ID)
	}
	for _, r := range rs.Referrals {
		referrals = append(referrals, r.ID)
	}
	for id := range rs.Inputs {
		inputs = append(inputs, id)
	}
	slices.Sort(inputs)
	docs := map[string]*catalog.InstrumentDoc{}
	for _, t := range s.Tests {
		if expectsNoErrors(t) {
			out = append(out, answerRefs(e, t, docs)...)
		}
		if t.Want == nil {
			continue
		}
		for _, r := range t.Want.Refs {
			var names []string
			what := r.Kind
			switch r.Kind {
			case "domain":
				names = domains
			case "tier":
				names = tiers
			case "referral":
				names = referrals
			case "instrument":
				names, what = inputs, "input instrument"
			case "value":
				vs := values[r.Domain]
				if len(vs) > 0 && !slices.Contains(vs, r.ID) && slices.Contains(domains, r.Domain) {
					out = append(out, problem{test: t, pos: r.Pos, code: "unknown_value", msg: fmt.Sprintf("domain %q of %s has no value %q (values: %s)%s",
						r.Domain, key, r.ID, strings.Join(vs, ", "), didYouMean(r.ID, vs))})

				}
				continue
			}
			if !slices.Contains(names, r.ID) {
				out = append(out, problem{test: t, pos: r.Pos, code: "unknown_" + r.Kind,
					msg: fmt.Sprintf("no %s %q in %s%s", what, r.ID, key, didYouMean(r.ID, names))})
			}
		}
		for id, w := range t.Want.Instruments {
			v, ok := rs.Inputs[id]
			if !ok {
				continue // reported above
			}
			doc := docs[id]
			if doc == nil {
				if doc, err = e.Describe(id + "@" + v); err != nil {
					continue
				}
				docs[id] = doc
			}
			out = append(out, instrumentRefs(t, doc, w.Refs, "instruments."+id+".")...)
		}
	}
	return out
}

// instrumentRefs checks the scores, flags and items an instrument want names.
func instrumentRefs(t *def.Test, doc *catalog.InstrumentDoc, refs []def.Ref, prefix string) []problem {
	var out []problem
	key := doc.ID + "@" + doc.Version
	for _, r := range refs {
		var names []string
		switch r.Kind {
		case "score":
			for _, s := range doc.Scores {
				names = append(names, s.ID)
			}
		case "flag":
			for _, f := range doc.Flags {
				names = append(names, f.ID)
			}
		case "item", "answer":
			for _, it := range doc.Items {
				names = append(names, it.ID)
			}
		default:
			continue
		}
		if r.Kind == "answer" && !slices.Contains(names, r.ID) {
			names = unanswered(t, r, names)
		}
		if !slices.Contains(names, r.ID) {
			kind := r.Kind
			if kind == "answer" {
				kind = "item" // an answer to an item the instrument does not have
			}
			pr := problem{test: t, pos: r.Pos, code: "unknown_" + kind, msg: fmt.Sprintf("no %s %q in %s%s", kind, r.ID, key, didYouMean(r.ID, names))}
			switch r.Kind {
			case "score":
				pr.what = prefix + "scores." + r.ID
			case "answer":
				pr.what = "errors" // the answer's unknown_item is the error the comparison would report again
			}
			out = append(out, pr)
		}
	}
	return out
}

func didYouMean(id string, names []string) string {
	if s := def.Suggest(id, names); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// expectsNoErrors reports whether a test expects its answers to score without errors: then every key of
// its answers must name an item (and, in a rules suite, an instrument) the definitions have. A test that
// expects errors may send unknown keys on purpose.
func expectsNoErrors(t *def.Test) bool {
	return t.WantError == nil && (t.Want == nil || t.Want.Errors == nil)
}

// answerRefs checks the instrument keys and item ids of a rules suite's answers against the instruments e
// has loaded (docs caches their descriptions).
func answerRefs(e *screen.Engine, t *def.Test, docs map[string]*catalog.InstrumentDoc) []problem {
	var out []problem
	var ids []string
	for _, in := range e.Instruments() {
		if !slices.Contains(ids, in.ID) {
			ids = append(ids, in.ID)
		}
	}
	for _, r := range t.AnswerRefs {
		switch r.Kind {
		case "answers_instrument":
			id, _, _ := strings.Cut(r.ID, "@")
			if !slices.Contains(ids, id) {
				out = append(out, problem{test: t, pos: r.Pos, code: "unknown_instrument", what: "errors",
					msg: fmt.Sprintf("no instrument %q is loaded%s", id, didYouMean(id, ids))})
			}
		case "answer":
			doc := docs["answers:"+r.Domain]
			if doc == nil {
				d, err := e.Describe(r.Domain)
				if err != nil {
					continue // an unknown instrument: reported above
				}
				doc, docs["answers:"+r.Domain] = d, d
			}
			out = append(out, instrumentRefs(t, doc, []def.Ref{r}, "")...)
		}
	}
	return out
}

// unanswered narrows the items a misspelled answer key may have meant to those the same answers do not
// already answer ({q1, q2, q3, q5} on items q1-q4 meant q4), or leaves them all when none is left.
func unanswered(t *def.Test, r def.Ref, items []string) []string {
	var out []string
	for _, id := range items {
		if !slices.ContainsFunc(t.AnswerRefs, func(o def.Ref) bool { return o.Kind == "answer" && o.Domain == r.Domain && o.ID == id }) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return items
	}
	return out
}
