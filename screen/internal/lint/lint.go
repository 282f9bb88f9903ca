// Package lint is the static checks of compiled definitions, run on every load (screen.New and
// screen.Check alike): what the definitions say that their own structure contradicts or makes
// pointless. For each instrument: a score's declared range against
// what its items' options can produce, bands that leave reachable values out or lie beyond the range,
// lookup tables with reachable raw values missing, required items nothing reads, option scales no item
// uses, flags no answer can fire. For
// each rule set: tiers and referrals that can never fire, and tiers shadowed by earlier ones, decided by
// enumerating the declared values of the domains they read. Each finding is a diagnostic at the
// file:line:col of the part concerned.
//
// The value analysis models the expressions definitions use for numeric scores — literals, answers.<item>,
// scores.<id>, answers.sum/mean/answered/prorated_sum over a literal list, + - *, unary minus, round(),
// int(), double() and conditionals (the union of both branches) — and treats anything else as not
// analysable: no check is made on it. Skip logic is not modelled (every item is taken as askable), so a
// set may hold values that skip logic makes unreachable; the checks that could then report a false
// problem (a reachable value in no band, a lookup row missing) only fire on values the conditional-free
// parts of the expression produce.
package lint

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
)

// Checker collects findings.
type Checker struct {
	List   *diag.List
	LineOf func(diag.Pos) string
}

func (c *Checker) add(sev diag.Severity, pos diag.Pos, code, format string, args ...any) {
	d := diag.Diagnostic{Pos: pos, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)}
	if c.LineOf != nil {
		d.Source = c.LineOf(pos)
	}
	*c.List = append(*c.List, d)
}

func (c *Checker) errAt(pos diag.Pos, code, format string, args ...any) {
	c.add(diag.Error, pos, code, format, args...)
}

func (c *Checker) warnAt(pos diag.Pos, code, format string, args ...any) {
	c.add(diag.Warning, pos, code, format, args...)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (s vset) text() string {
	if s.lo == s.hi {
		return num(s.lo)
	}
	hi := num(s.hi)
	if math.IsInf(s.hi, 1) {
		hi = "∞"
	}
	return num(s.lo) + "–" + hi
}

// Instrument checks one compiled instrument. readByRules lists the items rule sets read (they count as
// used).
func (c *Checker) Instrument(in *plan.Instrument, readByRules map[int]bool) {
	d := in.Def
	a := newAnalyser(d)
	for i, s := range d.Scores {
		ps := in.Scores[i]
		var set vset
		switch {
		case s.Expr != nil:
			set = a.expr(s.Expr)
		case s.Bands != nil:
			set = unknown() // a label
		case s.Lookup != nil:
			var vals []float64
			for _, r := range s.Lookup.Table {
				vals = append(vals, r.Value)
			}
			set = exact(vals)
			if of, ok := a.scores[s.Lookup.Of]; ok && of.ok && of.vals != nil {
				vals = vals[:0]
				for _, r := range s.Lookup.Table {
					if of.contains(float64(r.Key)) {
						vals = append(vals, r.Value)
					}
				}
				if len(vals) > 0 {
					set = exact(vals)
				}
			}
		}
		if r := s.Range; r != nil {
			numeric := ps.Type != nil && (ps.Type.String() == "int" || ps.Type.String() == "double")
			switch {
			case !numeric:
				c.errAt(r.Pos, "score_range", "score %q: a range is for numeric scores; this one is %s", s.ID, typeText(ps))
			case set.ok && !math.IsInf(set.hi, 0) && (set.lo != r.Min || set.hi != r.Max):
				c.errAt(r.Pos, "score_range", "score %q: declared range %s–%s, but its items' options give %s", s.ID, num(r.Min), num(r.Max), set.text())
			case !set.ok:
				set = bounds(r.Min, r.Max, ps.Type.String() == "int") // trust the declaration
			}
		}
		a.scores[s.ID] = set
		switch {
		case s.Bands != nil:
			c.bands(s, a.scores[s.Bands.Of], ps)
		case s.Lookup != nil:
			c.lookup(s, a.scores[s.Lookup.Of])
		}
	}
	c.flags(d, a)
	c.unused(in, readByRules)
}

func typeText(s *plan.Score) string {
	if s.Type == nil {
		return "of unknown type"
	}
	return "a " + s.Type.String()
}

// bands checks that every value the banded score can take falls in a band, and that every band can be
// reached.
func (c *Checker) bands(s *def.Score, of vset, ps *plan.Score) {
	if !of.ok || len(ps.Bands) != len(s.Bands.Cuts) {
		return
	}
	bandOf := func(v float64) int {
		for i, b := range ps.Bands {
			if v < b.Lo || (b.LoOpen && v == b.Lo) || v > b.Hi || (b.HiOpen && v == b.Hi) {
				continue
			}
			return i
		}
		return -1
	}
	cuts := s.Bands.Cuts
	rng := fmt.Sprintf("%q (%s)", s.Bands.Of, of.text())
	if of.vals != nil {
		hit := make([]bool, len(cuts))
		var none []float64
		for _, v := range of.vals {
			if i := bandOf(v); i >= 0 {
				hit[i] = true
			} else {
				none = append(none, v)
			}
		}
		if len(none) > 0 {
			pos, where := s.Pos, ""
			switch {
			case none[0] > ps.Bands[len(ps.Bands)-1].Hi || none[0] == ps.Bands[len(ps.Bands)-1].Hi && ps.Bands[len(ps.Bands)-1].HiOpen:
				last := cuts[len(cuts)-1]
				pos, where = last.Pos, fmt.Sprintf(": the last band %q ends at %s", last.Label, num(ps.Bands[len(ps.Bands)-1].Hi))
			case none[len(none)-1] < ps.Bands[0].Lo || none[len(none)-1] == ps.Bands[0].Lo && ps.Bands[0].LoOpen:
				pos, where = cuts[0].Pos, fmt.Sprintf(": the first band %q starts at %s", cuts[0].Label, num(ps.Bands[0].Lo))
			}
			c.errAt(pos, "band_range", "%s of %s fall%s in no band%s", valuesText(none), rng, plural(len(none)), where)
		}
		for i, h := range hit {
			switch {
			case !h:
				c.errAt(cuts[i].Pos, "band_unreachable", "band %q can never apply: no value of %s falls in it", cuts[i].Label, rng)
			case cuts[i].Max != nil && *cuts[i].Max > of.hi:
				c.warnAt(cuts[i].Pos, "band_beyond_range", "band %q ends at %s, beyond the highest value of %s", cuts[i].Label, num(*cuts[i].Max), rng)
			case cuts[i].Min != nil && *cuts[i].Min < of.lo:
				c.warnAt(cuts[i].Pos, "band_beyond_range", "band %q starts at %s, below the lowest value of %s", cuts[i].Label, num(*cuts[i].Min), rng)
			}
		}
		return
	}
	// Only the bounds are known: check the ends.
	for _, v := range []float64{of.lo, of.hi} {
		if !math.IsInf(v, 0) && bandOf(v) < 0 {
			c.errAt(s.Pos, "band_range", "the value %s of %s falls in no band", num(v), rng)
		}
	}
	for i, b := range ps.Bands {
		if b.Lo > of.hi || b.Hi < of.lo {
			c.errAt(cuts[i].Pos, "band_unreachable", "band %q can never apply: it lies outside %s", cuts[i].Label, rng)
		}
	}
}

// lookup checks that every value the raw score can take has a row, and warns about rows no value reaches.
func (c *Checker) lookup(s *def.Score, of vset) {
	if !of.ok || of.vals == nil {
		return
	}
	keys := map[float64]bool{}
	for _, r := range s.Lookup.Table {
		keys[float64(r.Key)] = true
	}
	var missing []float64
	for _, v := range of.vals {
		if !keys[v] {
			missing = append(missing, v)
		}
	}
	rng := fmt.Sprintf("%q (%s)", s.Lookup.Of, of.text())
	if len(missing) > 0 {
		c.errAt(s.Lookup.OfPos, "lookup_gap", "lookup %q has no row for %s of %s", s.ID, valuesText(missing), rng)
	}
	for _, r := range s.Lookup.Table {
		if !of.contains(float64(r.Key)) {
			c.warnAt(r.Pos, "lookup_unreachable", "lookup %q: row %d can never be used: %s never takes that value", s.ID, r.Key, rng)
		}
	}
}

// unused warns about items nothing reads and option scales no item uses.
func (c *Checker) unused(in *plan.Instrument, readByRules map[int]bool) {
	read := map[int]bool{}
	for k := range readByRules {
		read[k] = true
	}
	progs := func(p *plan.Program) {
		if p != nil {
			for _, i := range p.Reads.Items {
				read[i] = true
			}
		}
	}
	for _, it := range in.Items {
		progs(it.Enable)
	}
	for _, s := range in.Scores {
		progs(s.When)
		progs(s.Expr)
	}
	for _, f := range in.Flags {
		progs(f.When)
	}
	for _, n := range in.CondNotes {
		progs(n.When)
	}
	for i, it := range in.Def.Items {
		// An optional item nothing reads is recorded only (PHQ-9's difficulty item); a required one makes
		// every response incomplete without it, for an answer that changes nothing.
		if !read[i] && it.Required {
			c.warnAt(it.Pos, "unused_item", "item %q is required but read by no score, flag, note, skip logic or rule set: its answer changes nothing (make it required: false if it is only recorded)", it.ID)
		}
	}
	usedScale := map[*def.Scale]bool{}
	for _, it := range in.Def.Items {
		usedScale[it.Scale] = true
	}
	for _, s := range in.Def.Scales {
		if !usedScale[s] {
			c.warnAt(s.Pos, "unused_scale", "option scale %q is used by no item", s.ID)
		}
	}
}

func valuesText(vs []float64) string {
	if len(vs) == 1 {
		return "the value " + num(vs[0])
	}
	var parts []string
	for i, v := range vs {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("… (%d in all)", len(vs)))
			break
		}
		parts = append(parts, num(v))
	}
	return "the values " + strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}
