package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/painscreen/painscreen/bundled"

	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screentest"
)

// TestSuites runs every rule-set test suite (*_test.yaml) under rules/ against the bundled instruments.
func TestSuites(t *testing.T) {
	screentest.Run(t, rules.FS, "rules", bundled.Definitions())
}

// ============================================================================================================
// The contract, written again in Go from composite.md revision 2 §2 (not from the YAML), as the reference
// the engine and pain_oud.v1.yaml (version 1.1.0) are checked against: domains (overdose_risk from the
// context fields moud_current, opioid_mme, benzodiazepine, prior_overdose included), tiers and referrals.
// The population rule and follow-up (§3) are checked by TestPopulation and the suites.
// ============================================================================================================

// domains holds the eight domain values of composite.md §2, and the context facts the referrals read.
type domains struct {
	pain, oud, depression, anxiety, alcohol, trauma, safety, overdose string
	ctx                                                               refCtx
}

// refCtx is the §2 context as the rule set sees it: an absent (or invalid) field is "not reported".
type refCtx struct {
	moud, benzo, overdose bool
	mme                   float64
	given                 bool // any of prior_overdose, opioid_mme, benzodiazepine is given (valid)
}

// refContext reads the context fields of a response set; an invalid value is treated as absent.
func refContext(m map[string]any) refCtx {
	var c refCtx
	flag := func(k string) (bool, bool) { b, ok := m[k].(bool); return b, ok }
	c.moud, _ = flag("moud_current")
	if b, ok := flag("benzodiazepine"); ok {
		c.benzo, c.given = b, true
	}
	if b, ok := flag("prior_overdose"); ok {
		c.overdose, c.given = b, true
	}
	var mme float64
	okMME := true
	switch x := m["opioid_mme"].(type) {
	case int:
		mme = float64(x)
	case float64:
		mme = x
	default:
		okMME = false
	}
	if okMME && mme >= 0 {
		c.mme, c.given = mme, true
	}
	return c
}

// contractOverdoseRisk is the overdose_risk row of the domain table.
func contractOverdoseRisk(c refCtx) string {
	switch {
	case !c.given:
		return "not_assessed"
	case c.overdose || c.mme >= 50 || c.benzo && c.mme > 0:
		return "present"
	}
	return "none"
}

// domainOrder is the order the report lists domains in.
var domainOrder = []string{"pain", "oud", "depression", "anxiety", "alcohol", "trauma", "safety", "overdose_risk"}

func (d domains) get(name string) string {
	switch name {
	case "pain":
		return d.pain
	case "oud":
		return d.oud
	case "depression":
		return d.depression
	case "anxiety":
		return d.anxiety
	case "alcohol":
		return d.alcohol
	case "trauma":
		return d.trauma
	case "safety":
		return d.safety
	case "overdose_risk":
		return d.overdose
	}
	panic("unknown domain " + name)
}

func (d domains) String() string {
	var b strings.Builder
	for i, name := range domainOrder {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%s", name, d.get(name))
	}
	return b.String()
}

func in(v string, set ...string) bool { return slices.Contains(set, v) }

// Predicates named as composite.md names them.
func bothersomeOrWorsePain(d domains) bool { return in(d.pain, "bothersome", "high_impact") }
func anyChronicPain(d domains) bool        { return in(d.pain, "mild", "bothersome", "high_impact") }
func oudDiagnosed(d domains) bool          { return in(d.oud, "mild", "moderate", "severe") }
func moderateOrSevereOUD(d domains) bool   { return in(d.oud, "moderate", "severe") }

// contractTier is "Risk tier (first that matches)".
func contractTier(d domains) string {
	switch {
	case d.safety == "suicidal_ideation":
		return "urgent"
	case moderateOrSevereOUD(d), d.oud == "mild" && bothersomeOrWorsePain(d),
		d.overdose == "present" && in(d.oud, "mild", "screen_positive"):
		return "high"
	case d.overdose == "present", in(d.oud, "mild", "screen_positive"),
		bothersomeOrWorsePain(d),
		d.depression == "positive", d.anxiety == "positive", d.alcohol == "positive", d.trauma == "positive":
		return "elevated"
	default:
		return "low"
	}
}

// contractReferral is one row of the referral table.
type contractReferral struct {
	id, priority string
	when         func(d domains, tier string) bool
}

// contractReferrals is the referral table, in the table's order.
var contractReferrals = []contractReferral{
	{"suicide_safety_assessment", "urgent", func(d domains, _ string) bool { return d.safety == "suicidal_ideation" }},
	{"moud", "high", func(d domains, _ string) bool { return moderateOrSevereOUD(d) && !d.ctx.moud }},
	{"moud_continue", "high", func(d domains, _ string) bool { return oudDiagnosed(d) && d.ctx.moud }},
	{"naloxone", "high", func(d domains, _ string) bool { return oudDiagnosed(d) || d.overdose == "present" }},
	{"opioid_benzodiazepine_review", "high", func(d domains, _ string) bool { return d.ctx.benzo && d.ctx.mme > 0 }},
	{"integrated_pain_oud_therapy", "high", func(d domains, _ string) bool { return oudDiagnosed(d) && bothersomeOrWorsePain(d) }},
	{"addiction_assessment", "routine", func(d domains, _ string) bool { return in(d.oud, "screen_positive", "mild") }},
	{"integrated_pain_care", "routine", func(d domains, _ string) bool { return bothersomeOrWorsePain(d) }},
	{"behavioral_health", "routine", func(d domains, _ string) bool {
		return d.depression == "positive" || d.anxiety == "positive" || d.trauma == "positive"
	}},
	{"collaborative_care", "routine", func(d domains, _ string) bool {
		conditions := 0
		if bothersomeOrWorsePain(d) {
			conditions++
		}
		if oudDiagnosed(d) {
			conditions++
		}
		if d.depression == "positive" || d.anxiety == "positive" {
			conditions++
		}
		return conditions >= 2
	}},
	{"alcohol_intervention", "routine", func(d domains, _ string) bool { return d.alcohol == "positive" }},
	{"rescreen", "routine", func(_ domains, tier string) bool { return tier == "low" }},
}

// contractReferralIDs lists the referrals that apply, urgent → high → routine, then in table order.
func contractReferralIDs(d domains, tier string) []string {
	var ids []string
	for _, priority := range []string{"urgent", "high", "routine"} {
		for _, r := range contractReferrals {
			if r.priority == priority && r.when(d, tier) {
				ids = append(ids, r.id)
			}
		}
	}
	return ids
}

// facts are instrument results as the rule set reads them, by name: "phq9.total", "phq2.positive",
// "phq9.answers.q1", "phq9.flags.suicidal_ideation". A fact that is not there was not computed (or not
// answered).
type facts map[string]screen.Value

func (f facts) has(name string) bool   { _, ok := f[name]; return ok }
func (f facts) str(name string) string { s, _ := f[name].Str(); return s }
func (f facts) yes(name string) bool   { b, _ := f[name].Bool(); return b }
func (f facts) num(name string) float64 {
	x, _ := f[name].Float()
	return x
}

func posNeg(positive bool) string {
	if positive {
		return "positive"
	}
	return "negative"
}

// contractDomainFromFacts is the domain table of composite.md §2 read on known results only: the first
// source whose result is known decides. It re-evaluates a domain on nothing but the reasons the report gives
// for it, for domains the answers decide directly (not by completions, whose reasons cannot list every
// completion).
func contractDomainFromFacts(name string, f facts) string {
	switch name {
	case "pain":
		if f.has("gcps_r.label") {
			return f.str("gcps_r.label")
		}
	case "oud":
		switch {
		case f.has("dsm5_oud.severity"):
			return f.str("dsm5_oud.severity")
		case f.has("sisq_drug.positive") && f.yes("sisq_drug.positive"):
			return "screen_positive"
		case f.has("sisq_drug.positive"):
			return "none"
		}
	case "depression", "anxiety":
		full, short := "phq9", "phq2"
		if name == "anxiety" {
			full, short = "gad7", "gad2"
		}
		switch {
		case f.has(full + ".total"):
			return posNeg(f.num(full+".total") >= 10)
		case f.has(short + ".positive"):
			return posNeg(f.yes(short + ".positive"))
		case f.has(full+".answers.q1") && f.has(full+".answers.q2"):
			return posNeg(f.num(full+".answers.q1")+f.num(full+".answers.q2") >= 3)
		}
	case "alcohol":
		if f.has("auditc.positive") {
			return posNeg(f.yes("auditc.positive"))
		}
	case "trauma":
		if f.has("pc_ptsd5.positive") {
			return posNeg(f.yes("pc_ptsd5.positive"))
		}
	case "overdose_risk":
		return contractOverdoseRisk(ctxFromFacts(f))
	case "safety":
		if f.has("phq9.flags.suicidal_ideation") {
			if f.yes("phq9.flags.suicidal_ideation") {
				return "suicidal_ideation"
			}
			return "none"
		}
	}
	return "not_assessed"
}

// ctxFromFacts reads the context a rule's reasons name (a failed has(context.x) is not a fact: absent).
func ctxFromFacts(f facts) refCtx {
	m := map[string]any{}
	for _, k := range []string{"moud_current", "benzodiazepine", "prior_overdose"} {
		if f.has("context." + k) {
			m[k] = f.yes("context." + k)
		}
	}
	if f.has("context.opioid_mme") {
		m["opioid_mme"] = f.num("context.opioid_mme")
	}
	return refContext(m)
}

// factsFrom turns a rule's reasons into facts, so the contract can be re-evaluated on what the rule says
// it read: if the reasons are enough to reach the same value, the explanation is complete.
func factsFrom(reasons []screen.Reason) facts {
	f := facts{}
	for _, r := range reasons {
		f[r.Name] = r.Value
	}
	return f
}

// domainsFrom reads domain values out of reasons ("domains.oud" …); a domain the reasons do not name
// counts as not_assessed, a value that never triggers anything.
func domainsFrom(reasons []screen.Reason) (d domains, tier string) {
	vals := map[string]string{}
	f := factsFrom(reasons)
	for _, r := range reasons {
		s, _ := r.Value.Str()
		if r.Name == "tier" {
			tier = s
		} else if name, ok := strings.CutPrefix(r.Name, "domains."); ok {
			vals[name] = s
		}
	}
	v := func(name string) string {
		if s, ok := vals[name]; ok {
			return s
		}
		return "not_assessed"
	}
	return domains{v("pain"), v("oud"), v("depression"), v("anxiety"), v("alcohol"), v("trauma"), v("safety"), v("overdose_risk"), ctxFromFacts(f)}, tier
}

func hasNote(notes []screen.Note, code, about string) bool {
	return slices.ContainsFunc(notes, func(n screen.Note) bool { return n.Code == code && n.About == about })
}

// ============================================================================================================
// The reference: composite.md §1 (instrument results) and §1a rule 3 (what the answers settle), written
// again in Go and decided by brute force over every completion — independent of the engine's enumeration.
// ============================================================================================================

// Answer states, besides the item values themselves.
const (
	missing = -1 // not answered (left out or null)
	invalid = -2 // answered with a value the item does not allow: an error of the record, unknown for scoring
)

// refInput describes an input instrument: its items in order and the values each allows.
type refInput struct {
	items  []string
	values func(i int) []int
	codes  func(i int) map[string]int // LOINC answer codes accepted for item i
}

var (
	phqCodes    = map[string]int{"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
	noCodes     = map[string]int{}
	auditcCodes = []map[string]int{
		{"LA6270-8": 0, "LA18926-8": 1, "LA18927-6": 2, "LA18928-4": 3, "LA18929-2": 4},
		{"LA15694-5": 0, "LA15695-2": 1, "LA18930-0": 2, "LA18931-8": 3, "LA18932-6": 4},
		{"LA6270-8": 0, "LA18933-4": 1, "LA18876-5": 2, "LA18891-4": 3, "LA18934-2": 4},
	}
)

func valueRange(lo, hi int) []int {
	var out []int
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

func qItems(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("q%d", i+1)
	}
	return out
}

var refInputs = map[string]refInput{
	"gcps_r": {items: []string{"pain_frequency", "limit_frequency", "pain_avg", "enjoyment", "activity"},
		values: func(i int) []int {
			if i < 2 {
				return valueRange(0, 3)
			}
			return valueRange(0, 10)
		}, codes: func(int) map[string]int { return noCodes }},
	"dsm5_oud": {items: []string{"larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems",
		"activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal", "supervised"},
		values: func(int) []int { return []int{0, 1} }, codes: func(int) map[string]int { return noCodes }},
	// The count has no upper bound; 0 and 1 stand for every value (the screen reads only times >= 1).
	"sisq_drug": {items: []string{"times"}, values: func(int) []int { return []int{0, 1} }, codes: func(int) map[string]int { return noCodes }},
	"phq9":      {items: qItems(9), values: func(int) []int { return valueRange(0, 3) }, codes: func(int) map[string]int { return phqCodes }},
	"phq2":      {items: qItems(2), values: func(int) []int { return valueRange(0, 3) }, codes: func(int) map[string]int { return phqCodes }},
	"gad7":      {items: qItems(7), values: func(int) []int { return valueRange(0, 3) }, codes: func(int) map[string]int { return phqCodes }},
	"gad2":      {items: qItems(2), values: func(int) []int { return valueRange(0, 3) }, codes: func(int) map[string]int { return phqCodes }},
	"auditc": {items: []string{"frequency", "typical_quantity", "binge_frequency"}, values: func(int) []int { return valueRange(0, 4) },
		codes: func(i int) map[string]int { return auditcCodes[i] }},
	"pc_ptsd5": {items: []string{"trauma", "nightmares", "avoidance", "on_guard", "numb", "guilt"},
		values: func(int) []int { return []int{0, 1} }, codes: func(int) map[string]int { return noCodes }},
}

// states reads one instrument's answers into states: each item's value, missing or invalid. present is
// false when nothing was answered (the instrument counts as absent).
func states(inst string, its map[string]any) (d []int, present bool) {
	in := refInputs[inst]
	d = make([]int, len(in.items))
	for i, id := range in.items {
		d[i] = missing
		v, ok := its[id]
		if !ok || v == nil {
			continue
		}
		present = true
		d[i] = invalid
		switch x := v.(type) {
		case int:
			if inst == "sisq_drug" {
				if x >= 0 {
					d[i] = min(x, 1) // only times >= 1 matters
				}
			} else if slices.Contains(in.values(i), x) {
				d[i] = x
			}
		case string:
			if n, ok := in.codes(i)[x]; ok {
				d[i] = n
			}
		}
	}
	return d, present
}

func known(v int) bool { return v >= 0 }

func allKnown(d []int) bool {
	for _, v := range d {
		if !known(v) {
			return false
		}
	}
	return true
}

// completionsOf calls fn with every completion of d: each missing or invalid item takes each value it
// allows. Skip logic needs no care: the reference rules read only what a completion asks.
func completionsOf(in refInput, d []int, fn func(c []int)) {
	c := slices.Clone(d)
	var open []int
	for i, v := range d {
		if !known(v) {
			open = append(open, i)
		}
	}
	var rec func(k int)
	rec = func(k int) {
		if k == len(open) {
			fn(c)
			return
		}
		for _, x := range in.values(open[k]) {
			c[open[k]] = x
			rec(k + 1)
		}
	}
	rec(0)
}

// Reference instrument rules (composite.md §1), each on complete answers.

func refGCPSLabel(c []int) string {
	switch {
	case c[0] < 2:
		return "none"
	case c[1] >= 2:
		return "high_impact"
	case c[2]+c[3]+c[4] >= 12:
		return "bothersome"
	}
	return "mild"
}

func refDSM5Severity(c []int) string {
	count := 0
	for i := range 9 {
		count += c[i]
	}
	if c[11] != 1 {
		count += c[9] + c[10]
	}
	switch {
	case count >= 6:
		return "severe"
	case count >= 4:
		return "moderate"
	case count >= 2:
		return "mild"
	}
	return "none"
}

func refSum(c []int) int {
	s := 0
	for _, v := range c {
		s += v
	}
	return s
}

// refSex is context sex as composite.md §1 (rev 2) reads it: trimmed, case-insensitive, m/f accepted.
func refSex(ctx map[string]any) string {
	s, _ := ctx["sex"].(string)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "male", "m":
		return "male"
	case "female", "f":
		return "female"
	}
	return ""
}

// refSource is one source of a domain: its input, an optional condition on the actual answers, the value it
// gives when the instrument's own results (with its own missing-data rule) settle it, the value it gives
// for a complete set of answers, and every value it can give.
type refSource struct {
	input string
	when  func(d []int) bool
	own   func(d []int, ctx map[string]any) (string, bool)
	full  func(c []int, ctx map[string]any) string
	gives []string
	// reads lists the items of input the source reads; nil means every item.
	reads []int
}

// readsItem reports whether src reads item i of its input.
func (src refSource) readsItem(i int) bool { return src.reads == nil || slices.Contains(src.reads, i) }

// prorated reports whether a PHQ-9/GAD-7 total is computed by its own rule (1-2 missing prorated, never
// with invalid answers) and whether it is 10 or more.
func prorated(d []int) (positive, ok bool) {
	sum, answered, missingN := 0, 0, 0
	for _, v := range d {
		switch v {
		case invalid:
			return false, false
		case missing:
			missingN++
		default:
			sum += v
			answered++
		}
	}
	if answered == 0 || missingN > 2 {
		return false, false
	}
	// sum × n / answered, rounded half-up to one decimal, >= 10.0
	tenths := (2*10*sum*len(d) + answered) / (2 * answered)
	return tenths >= 100, true
}

func totalSources(full, short string) []refSource {
	pn := []string{"negative", "positive"}
	return []refSource{
		{input: full, own: func(d []int, _ map[string]any) (string, bool) {
			pos, ok := prorated(d)
			return posNeg(pos), ok
		}, full: func(c []int, _ map[string]any) string { return posNeg(refSum(c) >= 10) }, gives: pn},
		{input: short, own: func(d []int, _ map[string]any) (string, bool) {
			return posNeg(known(d[0]) && known(d[1]) && d[0]+d[1] >= 3), known(d[0]) && known(d[1])
		}, full: func(c []int, _ map[string]any) string { return posNeg(c[0]+c[1] >= 3) }, gives: pn},
		// rev 2: the PHQ-2 (GAD-2) embedded in items 1 and 2, when both were answered.
		{input: full, when: func(d []int) bool { return known(d[0]) && known(d[1]) },
			own:  func(d []int, _ map[string]any) (string, bool) { return posNeg(d[0]+d[1] >= 3), true },
			full: func(c []int, _ map[string]any) string { return posNeg(c[0]+c[1] >= 3) }, gives: pn, reads: []int{0, 1}},
	}
}

var refDomains = map[string][]refSource{
	"pain": {{input: "gcps_r", own: func(d []int, _ map[string]any) (string, bool) {
		switch {
		case !known(d[0]):
			return "", false
		case d[0] < 2:
			return "none", true
		case !known(d[1]):
			return "", false
		case d[1] >= 2:
			return "high_impact", true
		case !allKnown(d[2:]):
			return "", false
		}
		return refGCPSLabel(d), true
	}, full: func(c []int, _ map[string]any) string { return refGCPSLabel(c) }, gives: []string{"none", "mild", "bothersome", "high_impact"}}},
	"oud": {
		{input: "dsm5_oud", own: func(d []int, _ map[string]any) (string, bool) { return refDSM5Severity(d), allKnown(d) },
			full: func(c []int, _ map[string]any) string { return refDSM5Severity(c) }, gives: []string{"none", "mild", "moderate", "severe"}},
		{input: "sisq_drug", own: func(d []int, _ map[string]any) (string, bool) {
			if d[0] >= 1 {
				return "screen_positive", true
			}
			return "none", known(d[0])
		}, full: func(c []int, _ map[string]any) string {
			if c[0] >= 1 {
				return "screen_positive"
			}
			return "none"
		}, gives: []string{"none", "screen_positive"}},
	},
	"depression": totalSources("phq9", "phq2"),
	"anxiety":    totalSources("gad7", "gad2"),
	"alcohol": {{input: "auditc", own: func(d []int, ctx map[string]any) (string, bool) {
		return posNeg(allKnown(d) && refSum(d) >= auditcCut(ctx)), allKnown(d)
	}, full: func(c []int, ctx map[string]any) string { return posNeg(refSum(c) >= auditcCut(ctx)) }, gives: []string{"negative", "positive"}}},
	"trauma": {{input: "pc_ptsd5", own: func(d []int, _ map[string]any) (string, bool) {
		switch {
		case d[0] == 0:
			return "negative", true
		case d[0] == 1 && allKnown(d[1:]):
			return posNeg(refSum(d[1:]) >= 3), true
		}
		return "", false
	}, full: func(c []int, _ map[string]any) string {
		if c[0] == 0 {
			return "negative"
		}
		return posNeg(refSum(c[1:]) >= 3)
	}, gives: []string{"negative", "positive"}}},
	"safety": {{input: "phq9", own: func(d []int, _ map[string]any) (string, bool) {
		if d[8] >= 1 {
			return "suicidal_ideation", true
		}
		return "none", known(d[8])
	}, full: func(c []int, _ map[string]any) string {
		if c[8] >= 1 {
			return "suicidal_ideation"
		}
		return "none"
	}, gives: []string{"none", "suicidal_ideation"}}},
}

func auditcCut(ctx map[string]any) int {
	if refSex(ctx) == "male" {
		return 4
	}
	return 3
}

// refDomain decides one domain by composite.md §1a rule 3: the sources in order; a present source that its
// answers settle (by its own rule, or one value over every completion) decides; one whose completions give
// some but not all of its values leaves the domain not_assessed with those possible, and later sources are
// not read; one that can give any of its values says nothing. With no source deciding, possible comes from
// the first present source. Absent inputs are never completed.
func refDomain(name string, in map[string][]int, ctx map[string]any) (value string, possible []string) {
	key := name + "|" + refSex(ctx)
	for _, src := range refDomains[name] {
		key += fmt.Sprintf("|%s%v", src.input, in[src.input])
	}
	if r, ok := refCache.Load(key); ok {
		r := r.(refDomainResult)
		return r.value, r.possible
	}
	value, possible = refDomainUncached(name, in, ctx)
	refCache.Store(key, refDomainResult{value, possible})
	return value, possible
}

// refCache memoizes refDomain: the exhaustive checks meet the same answers many times.
var refCache sync.Map

type refDomainResult struct {
	value    string
	possible []string
}

func refDomainUncached(name string, in map[string][]int, ctx map[string]any) (value string, possible []string) {
	var first []string
	firstSet := false
	var silent *refSource // the last source read that said nothing
	var silentVals []string
	for _, src := range refDomains[name] {
		d, present := in[src.input]
		if !present || (src.when != nil && !src.when(d)) {
			continue
		}
		if silent != nil {
			// Rev 3: read only when this source reads every item the silent one has answered (validly or not).
			for i, v := range in[silent.input] {
				if v != missing && silent.readsItem(i) && (src.input != silent.input || !src.readsItem(i)) {
					return "not_assessed", silentVals
				}
			}
			silent = nil
		}
		if v, ok := src.own(d, ctx); ok {
			return v, nil
		}
		set := map[string]bool{}
		completionsOf(refInputs[src.input], d, func(c []int) { set[src.full(c, ctx)] = true })
		var vals []string
		for _, g := range src.gives {
			if set[g] {
				vals = append(vals, g)
			}
		}
		if len(vals) == 1 {
			return vals[0], nil
		}
		if !firstSet {
			first, firstSet = vals, true
		}
		if len(vals) < len(src.gives) {
			return "not_assessed", vals
		}
		silent, silentVals = &src, vals
	}
	if len(first) > 1 {
		return "not_assessed", first
	}
	return "not_assessed", nil
}

// refResult is everything the reference says of one response set.
type refResult struct {
	domains                  domains
	possible                 map[string][]string
	tier                     string
	possibleTiers            []string // nil when every combination gives the same tier
	referrals                []string
	possibleRefs             []string
	moudAddendum             bool
	notAssessed              []string
	rescreenNamesNotAssessed bool
}

var tierOrder = []string{"urgent", "high", "elevated", "low"}

// refComposite applies composite.md §2 with §1a rule 3 to a response set (the required inputs present).
func refComposite(resp *screen.Response) refResult {
	in := map[string][]int{}
	for inst, its := range resp.Answers {
		if _, ok := refInputs[inst]; !ok {
			continue
		}
		if d, present := states(inst, its); present {
			in[inst] = d
		}
	}
	r := refResult{possible: map[string][]string{}}
	vals := map[string]string{}
	for _, name := range domainOrder {
		if name == "overdose_risk" {
			vals[name] = contractOverdoseRisk(refContext(resp.Context))
			if vals[name] == "not_assessed" {
				r.notAssessed = append(r.notAssessed, name)
			}
			continue
		}
		v, p := refDomain(name, in, resp.Context)
		vals[name] = v
		if v == "not_assessed" {
			r.notAssessed = append(r.notAssessed, name)
		}
		if len(p) > 1 {
			r.possible[name] = p
		}
	}
	r.domains = domains{vals["pain"], vals["oud"], vals["depression"], vals["anxiety"], vals["alcohol"], vals["trauma"], vals["safety"], vals["overdose_risk"], refContext(resp.Context)}
	// Every combination of the possible values of the open domains.
	combos := []domains{r.domains}
	for _, name := range domainOrder {
		p, ok := r.possible[name]
		if !ok {
			continue
		}
		var next []domains
		for _, c := range combos {
			for _, v := range p {
				c2 := c
				c2.set(name, v)
				next = append(next, c2)
			}
		}
		combos = next
	}
	tiers := map[string]bool{}
	firesIn := map[string]int{}
	moudChronic := true
	for _, c := range combos {
		t := contractTier(c)
		tiers[t] = true
		for _, id := range contractReferralIDs(c, t) {
			firesIn[id]++
			if id == "moud" && !anyChronicPain(c) {
				moudChronic = false
			}
		}
	}
	for _, t := range tierOrder {
		if tiers[t] {
			r.tier = t // the last, lowest one that some combination gives
			if len(tiers) > 1 {
				r.possibleTiers = append(r.possibleTiers, t)
			}
		}
	}
	for _, priority := range []string{"urgent", "high", "routine"} {
		for _, cr := range contractReferrals {
			if cr.priority != priority {
				continue
			}
			switch n := firesIn[cr.id]; {
			case n == len(combos):
				r.referrals = append(r.referrals, cr.id)
			case n > 0:
				r.possibleRefs = append(r.possibleRefs, cr.id)
			}
		}
	}
	r.moudAddendum = slices.Contains(r.referrals, "moud") && moudChronic
	// Rev 3: the placeholder names questionnaire domains only, never the context-only overdose_risk.
	r.rescreenNamesNotAssessed = slices.Contains(r.referrals, "rescreen") && slices.ContainsFunc(r.notAssessed, func(d string) bool { return d != "overdose_risk" })
	return r
}

func (d *domains) set(name, v string) {
	switch name {
	case "pain":
		d.pain = v
	case "oud":
		d.oud = v
	case "depression":
		d.depression = v
	case "anxiety":
		d.anxiety = v
	case "alcohol":
		d.alcohol = v
	case "trauma":
		d.trauma = v
	case "safety":
		d.safety = v
	case "overdose_risk":
		d.overdose = v
	default:
		panic("unknown domain " + name)
	}
}

// ============================================================================================================
// Realistic answer sets for every value of every domain
// ============================================================================================================

// answers maps instrument → item → answer, as in a response set.
type answers map[string]map[string]any

// way is one set of answers that gives a domain its value; several ways per value vary the route (which
// instrument decides, fallbacks, prorating, cut-point edges, what missing or invalid answers still settle).
// possible lists, for a not_assessed value, the values the answers leave possible (worked out by hand);
// errs names the invalid answers ("phq9.q5"), errors of the record.
type way struct {
	note     string
	answers  answers
	context  map[string]any
	possible []string
	errs     []string
}

// dsm5 returns a complete DSM-5 checklist with the named criteria met.
func dsm5(supervised int, met ...string) map[string]any {
	m := map[string]any{"supervised": supervised}
	for _, c := range []string{"larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems",
		"activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal"} {
		m[c] = 0
		if slices.Contains(met, c) {
			m[c] = 1
		}
	}
	return m
}

// without returns m without the named items (unanswered).
func without(m map[string]any, drop ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

// items numbers answers q1, q2, … (nil = unanswered).
func items(vals ...any) map[string]any {
	m := map[string]any{}
	for i, v := range vals {
		m[fmt.Sprintf("q%d", i+1)] = v
	}
	return m
}

func gcps(pf, lf, avg, enj, act any) map[string]any {
	m := map[string]any{"pain_frequency": pf}
	if lf != nil || avg != nil {
		m["limit_frequency"], m["pain_avg"], m["enjoyment"], m["activity"] = lf, avg, enj, act
	}
	return m
}

var painWays = map[string][]way{
	"none": {
		{note: "pain never", answers: answers{"gcps_r": gcps(0, nil, nil, nil, nil)}},
		{note: "pain some days", answers: answers{"gcps_r": gcps(1, nil, nil, nil, nil)}},
		{note: "pain some days, the rest answered anyway (kept, not scored)", answers: answers{"gcps_r": gcps(1, 3, 9, 9, 9)}},
	},
	"mild": {
		{note: "most days, ratings sum 11", answers: answers{"gcps_r": gcps(2, 1, 4, 4, 3)}},
		{note: "every day, no limitation, ratings 0", answers: answers{"gcps_r": gcps(3, 0, 0, 0, 0)}},
		{note: "limited some days, one rating missing, the others 0 (at most 10)", answers: answers{"gcps_r": {"pain_frequency": 2, "limit_frequency": 1, "pain_avg": 0, "enjoyment": 0}}},
	},
	"bothersome": {
		{note: "most days, ratings sum 12", answers: answers{"gcps_r": gcps(2, 1, 4, 4, 4)}},
		{note: "every day, ratings 10", answers: answers{"gcps_r": gcps(3, 0, 10, 10, 10)}},
		{note: "one rating missing, the others sum 18", answers: answers{"gcps_r": {"pain_frequency": 2, "limit_frequency": 1, "pain_avg": 9, "enjoyment": 9}}},
		{note: "one rating invalid (11), the others sum 20", answers: answers{"gcps_r": gcps(3, 0, 11, 10, 10)}, errs: []string{"gcps_r.pain_avg"}},
	},
	"high_impact": {
		{note: "limited most days, ratings 0", answers: answers{"gcps_r": gcps(2, 2, 0, 0, 0)}},
		{note: "limited every day", answers: answers{"gcps_r": gcps(3, 3, 9, 8, 9)}},
		{note: "limited every day, ratings unanswered", answers: answers{"gcps_r": {"pain_frequency": 3, "limit_frequency": 3}}},
	},
	"not_assessed": {
		{note: "limitation unanswered, ratings sum 18", answers: answers{"gcps_r": {"pain_frequency": 3, "pain_avg": 6, "enjoyment": 6, "activity": 6}},
			possible: []string{"bothersome", "high_impact"}},
		{note: "limitation unanswered, ratings sum 9", answers: answers{"gcps_r": {"pain_frequency": 2, "pain_avg": 3, "enjoyment": 3, "activity": 3}},
			possible: []string{"mild", "high_impact"}},
		{note: "frequency unanswered, limited some days", answers: answers{"gcps_r": {"pain_frequency": nil, "limit_frequency": 1}},
			possible: []string{"none", "mild", "bothersome"}},
		{note: "frequency invalid, limited every day", answers: answers{"gcps_r": {"pain_frequency": 4, "limit_frequency": 3}},
			possible: []string{"none", "high_impact"}, errs: []string{"gcps_r.pain_frequency"}},
	},
}

var oudWays = map[string][]way{
	"none": {
		{note: "DSM-5 count 1", answers: answers{"dsm5_oud": dsm5(0, "craving")}},
		{note: "DSM-5 tolerance+withdrawal under supervision", answers: answers{"dsm5_oud": dsm5(1, "tolerance", "withdrawal")}},
		{note: "drug screen 0 alone", answers: answers{"sisq_drug": {"times": 0}}},
		{note: "DSM-5 count 0 over a positive screen", answers: answers{"dsm5_oud": dsm5(0), "sisq_drug": {"times": 3}}},
		{note: "DSM-5 none met, one unanswered (0 or 1)", answers: answers{"dsm5_oud": without(dsm5(0), "hazardous_use")}},
		{note: "DSM-5 supervised, tolerance unanswered", answers: answers{"dsm5_oud": without(dsm5(1, "withdrawal"), "tolerance")}},
	},
	"screen_positive": {
		{note: "drug screen 1 alone", answers: answers{"sisq_drug": {"times": 1}}},
	},
	"mild": {
		{note: "DSM-5 count 2", answers: answers{"dsm5_oud": dsm5(0, "larger_or_longer", "craving")}},
		{note: "DSM-5 count 3, screen 0", answers: answers{"dsm5_oud": dsm5(0, "cut_down", "craving", "hazardous_use"), "sisq_drug": {"times": 0}}},
		{note: "DSM-5 4 met, 2 under supervision", answers: answers{"dsm5_oud": dsm5(1, "craving", "cut_down", "tolerance", "withdrawal")}},
	},
	"moderate": {
		{note: "DSM-5 count 4", answers: answers{"dsm5_oud": dsm5(0, "larger_or_longer", "cut_down", "craving", "tolerance")}},
		{note: "DSM-5 count 5, screen 2", answers: answers{"dsm5_oud": dsm5(0, "larger_or_longer", "cut_down", "time_spent", "craving", "withdrawal"), "sisq_drug": {"times": 2}}},
	},
	"severe": {
		{note: "DSM-5 count 6", answers: answers{"dsm5_oud": dsm5(0, "larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "tolerance")}},
		{note: "DSM-5 all 11", answers: answers{"dsm5_oud": dsm5(0, "larger_or_longer", "cut_down", "time_spent", "craving", "role_failure",
			"social_problems", "activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal")}},
		{note: "DSM-5 6 met, one unanswered (6 or 7)", answers: answers{"dsm5_oud": without(dsm5(0, "larger_or_longer", "cut_down", "time_spent",
			"craving", "role_failure", "social_problems"), "physical_psych_problems")}},
		{note: "DSM-5 all 11 met, supervision unanswered (9 or 11), screen 0", answers: answers{"dsm5_oud": without(dsm5(0, "larger_or_longer",
			"cut_down", "time_spent", "craving", "role_failure", "social_problems", "activities_given_up", "hazardous_use",
			"physical_psych_problems", "tolerance", "withdrawal"), "supervised"), "sisq_drug": {"times": 0}}},
		{note: "DSM-5 6 met, one invalid", answers: answers{"dsm5_oud": func() map[string]any {
			m := dsm5(0, "larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems")
			m["hazardous_use"] = "yes"
			return m
		}()}, errs: []string{"dsm5_oud.hazardous_use"}},
	},
	"not_assessed": {
		{note: "DSM-5 supervision unanswered, 2 + tolerance + withdrawal (mild or moderate): the screen is not read",
			answers:  answers{"dsm5_oud": without(dsm5(0, "larger_or_longer", "cut_down", "tolerance", "withdrawal"), "supervised"), "sisq_drug": {"times": 0}},
			possible: []string{"mild", "moderate"}},
		{note: "DSM-5 incomplete, screen unanswered", answers: answers{"dsm5_oud": {"craving": 1}, "sisq_drug": {"times": nil}},
			possible: []string{"none", "mild", "moderate", "severe"}},
		// Rev 3: a DSM-5 checklist with criteria answered that settles nothing keeps oud open, screen or not.
		{note: "DSM-5 incomplete (any severity), screen 0", answers: answers{"dsm5_oud": {"craving": 1}, "sisq_drug": {"times": 0}},
			possible: []string{"none", "mild", "moderate", "severe"}},
		{note: "DSM-5 incomplete (any severity), screen 30", answers: answers{"dsm5_oud": {"craving": 1, "tolerance": 1}, "sisq_drug": {"times": 30}},
			possible: []string{"none", "mild", "moderate", "severe"}},
		{note: "DSM-5 3 + tolerance + withdrawal, 7 unanswered (at least mild)", answers: answers{"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1,
			"craving": 1, "tolerance": 1, "withdrawal": 1}}, possible: []string{"mild", "moderate", "severe"}},
	},
}

// depressionSafetyWays covers depression × safety together: both come from the PHQ-9.
var depressionSafetyWays = map[[2]string][]way{
	{"negative", "none"}: {
		{note: "PHQ-9 9, item 9 = 0", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 2, 0)}},
		{note: "PHQ-9 0 over a positive PHQ-2", answers: answers{"phq9": items(0, 0, 0, 0, 0, 0, 0, 0, 0), "phq2": items(3, 3)}},
		{note: "PHQ-9 3 missing, the rest 0 (0 to 9)", answers: answers{"phq9": items(0, 0, 0, 0, 0, nil, nil, nil, 0)}},
		{note: "PHQ-9 item 5 invalid, the others 0 (0 to 3)", answers: answers{"phq9": items(0, 0, 0, 0, 7, 0, 0, 0, 0)}, errs: []string{"phq9.q5"}},
	},
	{"negative", "suicidal_ideation"}: {
		{note: "PHQ-9 9 with item 9 = 1", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 1, 1)}},
		{note: "PHQ-9 3 with item 9 = 3 (LOINC)", answers: answers{"phq9": items("LA6568-5", "LA6568-5", "LA6568-5", "LA6568-5",
			"LA6568-5", "LA6568-5", "LA6568-5", "LA6568-5", "LA6571-9")}},
	},
	{"negative", "not_assessed"}: {
		{note: "PHQ-9 item 9 missing, prorated 9.0", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 1, nil)}},
		{note: "PHQ-2 2 alone", answers: answers{"phq2": items(1, 1)}},
	},
	{"positive", "none"}: {
		{note: "PHQ-9 10, item 9 = 0", answers: answers{"phq9": items(1, 2, 1, 1, 1, 1, 1, 2, 0)}},
		{note: "PHQ-9 3 missing, the rest 15 (15 or more)", answers: answers{"phq9": items(3, 3, 3, 3, 3, nil, nil, nil, 0)}},
	},
	{"positive", "suicidal_ideation"}: {
		{note: "PHQ-9 10 with item 9 = 3", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 0, 3)}},
		{note: "PHQ-9 item 1 invalid, the others 22, item 9 = 1", answers: answers{"phq9": items(9, 3, 3, 3, 3, 3, 3, 3, 1)}, errs: []string{"phq9.q1"}},
	},
	{"positive", "not_assessed"}: {
		{note: "PHQ-9 item 9 missing, prorated 11.3", answers: answers{"phq9": items(2, 2, 1, 1, 1, 1, 1, 1, nil)}},
		{note: "PHQ-2 3 alone (LOINC)", answers: answers{"phq2": items("LA6570-1", "LA6569-3")}},
		{note: "PHQ-9 items 7-9 unanswered, the six others 18", answers: answers{"phq9": items(3, 3, 3, 3, 3, 3)}},
		{note: "PHQ-2 3 + missing", answers: answers{"phq2": {"q1": 3}}},
	},
	{"not_assessed", "none"}: {
		{note: "PHQ-9 incomplete, item 2 missing, item 9 = 0", answers: answers{"phq9": items(1, nil, nil, nil, nil, nil, nil, nil, 0)}, possible: []string{"negative", "positive"}},
		// Rev 3: answers the shorter form cannot see keep the domain open.
		{note: "PHQ-9 answered items sum 9 with three blank, items 1-2 sum 2", answers: answers{"phq9": items(1, 1, 2, 2, 3, nil, nil, nil, 0)}, possible: []string{"negative", "positive"}},
		{note: "PHQ-9 items 1, 2, 9 answered (2 + 1), PHQ-2 3", answers: answers{"phq9": items(2, 1, nil, nil, nil, nil, nil, nil, 0), "phq2": items(2, 1)}, possible: []string{"negative", "positive"}},
	},
	{"not_assessed", "suicidal_ideation"}: {
		{note: "PHQ-9 incomplete, item 2 missing, item 9 = 1", answers: answers{"phq9": items(2, nil, 1, nil, nil, nil, nil, nil, 1)}, possible: []string{"negative", "positive"}},
		{note: "PHQ-9 item 9 = 2 only, PHQ-2 incomplete", answers: answers{"phq9": {"q9": 2}, "phq2": {"q1": 2}}, possible: []string{"negative", "positive"}},
	},
	{"not_assessed", "not_assessed"}: {
		{note: "no PHQ", answers: answers{}},
		{note: "PHQ-2 incomplete (1 + missing)", answers: answers{"phq2": {"q1": 1}}, possible: []string{"negative", "positive"}},
		{note: "PHQ-9 and PHQ-2 incomplete, no item 9", answers: answers{"phq9": {"q3": 1, "q4": 1}, "phq2": {"q2": 1}}, possible: []string{"negative", "positive"}},
	},
}

var anxietyWays = map[string][]way{
	"negative": {
		{note: "GAD-7 9", answers: answers{"gad7": items(1, 1, 1, 2, 1, 2, 1)}},
		{note: "GAD-2 2 alone", answers: answers{"gad2": items(1, 1)}},
		{note: "GAD-7 4 over a positive GAD-2", answers: answers{"gad7": items(1, 1, 1, 0, 0, 1, 0), "gad2": items(3, 3)}},
		{note: "GAD-7 prorated 9.8", answers: answers{"gad7": items(2, 2, 1, 1, 1)}},
		{note: "GAD-7 items 1-2 only, 1 + 1 (the embedded GAD-2)", answers: answers{"gad7": items(1, 1)}},
	},
	"positive": {
		{note: "GAD-7 10", answers: answers{"gad7": items(2, 1, 1, 2, 1, 2, 1)}},
		{note: "GAD-2 3 alone (LOINC)", answers: answers{"gad2": items("LA6571-9", "LA6568-5")}},
		{note: "GAD-7 items 1-2 only, 2 + 1 (the embedded GAD-2)", answers: answers{"gad7": items(2, 1)}},
		{note: "GAD-7 prorated 10.5", answers: answers{"gad7": items(2, 2, 2, 1, 1, 1)}},
		{note: "GAD-7 3 missing, the rest 12", answers: answers{"gad7": items(3, 3, 3, 3)}},
		{note: "GAD-7 item 7 invalid, the others 12", answers: answers{"gad7": items(2, 2, 2, 2, 2, 2, "sometimes")}, errs: []string{"gad7.q7"}},
	},
	"not_assessed": {
		{note: "no GAD", answers: answers{}},
		{note: "GAD-7 incomplete without item 1", answers: answers{"gad7": {"q2": 1, "q3": 1, "q4": 1}}, possible: []string{"negative", "positive"}},
		// Rev 3: answers the shorter forms cannot see keep the domain open.
		{note: "GAD-7 total open, items 1-2 sum 2 with item 3 answered", answers: answers{"gad7": items(1, 1, 1)}, possible: []string{"negative", "positive"}},
		{note: "GAD-7 incomplete (2, 2, 2), GAD-2 4", answers: answers{"gad7": items(2, 2, 2), "gad2": items(2, 2)}, possible: []string{"negative", "positive"}},
		{note: "GAD-2 incomplete (1 + missing)", answers: answers{"gad2": {"q2": 1}}, possible: []string{"negative", "positive"}},
	},
}

func auditc(freq, qty, binge any) map[string]any {
	return map[string]any{"frequency": freq, "typical_quantity": qty, "binge_frequency": binge}
}

var alcoholWays = map[string][]way{
	"negative": {
		{note: "AUDIT-C 3, male", answers: answers{"auditc": auditc(2, 1, 0)}, context: map[string]any{"sex": "male"}},
		{note: "AUDIT-C 2, female", answers: answers{"auditc": auditc(1, 1, 0)}, context: map[string]any{"sex": "female"}},
		{note: "AUDIT-C 2, sex unknown", answers: answers{"auditc": auditc(2, 0, 0)}},
		{note: "AUDIT-C 3, sex 'Male'", answers: answers{"auditc": auditc(1, 1, 1)}, context: map[string]any{"sex": "Male"}},
	},
	"positive": {
		{note: "AUDIT-C 4, male", answers: answers{"auditc": auditc(2, 1, 1)}, context: map[string]any{"sex": "male", "age": 58}},
		{note: "AUDIT-C 3, female (LOINC)", answers: answers{"auditc": auditc("LA18927-6", "LA15695-2", "LA6270-8")}, context: map[string]any{"sex": "female"}},
		{note: "AUDIT-C 3, sex not given", answers: answers{"auditc": auditc(1, 1, 1)}},
		{note: "AUDIT-C 3, sex other", answers: answers{"auditc": auditc(3, 0, 0)}, context: map[string]any{"sex": "other"}},
		{note: "AUDIT-C 3, sex ' f '", answers: answers{"auditc": auditc(1, 1, 1)}, context: map[string]any{"sex": " f "}},
		{note: "AUDIT-C 4 + 4, binge unanswered, male", answers: answers{"auditc": {"frequency": 4, "typical_quantity": 4}}, context: map[string]any{"sex": "M"}},
	},
	"not_assessed": {
		{note: "no AUDIT-C", answers: answers{}},
		{note: "AUDIT-C 1 + 1, binge unanswered, male", answers: answers{"auditc": {"frequency": 1, "typical_quantity": 1}}, context: map[string]any{"sex": "male"},
			possible: []string{"negative", "positive"}},
	},
}

func ptsd(trauma int, symptoms ...any) map[string]any {
	m := map[string]any{"trauma": trauma}
	for i, s := range symptoms {
		m[[]string{"nightmares", "avoidance", "on_guard", "numb", "guilt"}[i]] = s
	}
	return m
}

var traumaWays = map[string][]way{
	"negative": {
		{note: "no trauma", answers: answers{"pc_ptsd5": ptsd(0)}},
		{note: "trauma, 2 symptoms", answers: answers{"pc_ptsd5": ptsd(1, 1, 0, 1, 0, 0)}},
		{note: "no trauma, symptoms endorsed anyway (kept, not scored)", answers: answers{"pc_ptsd5": ptsd(0, 1, 1, 1, 1)}},
		{note: "trauma, 2 symptoms unanswered, none endorsed", answers: answers{"pc_ptsd5": ptsd(1, 0, 0, 0)}},
	},
	"positive": {
		{note: "trauma, 3 symptoms", answers: answers{"pc_ptsd5": ptsd(1, 0, 1, 1, 0, 1)}},
		{note: "trauma, 5 symptoms", answers: answers{"pc_ptsd5": ptsd(1, 1, 1, 1, 1, 1)}},
		{note: "trauma, a symptom unanswered, 4 endorsed", answers: answers{"pc_ptsd5": ptsd(1, 1, 1, 1, 1)}},
	},
	"not_assessed": {
		{note: "no PC-PTSD-5", answers: answers{}},
		{note: "trauma, a symptom unanswered, 2 endorsed", answers: answers{"pc_ptsd5": ptsd(1, 1, 1, 0, 0)}, possible: []string{"negative", "positive"}},
		{note: "trauma unanswered, symptoms endorsed", answers: answers{"pc_ptsd5": {"nightmares": 1, "avoidance": 1, "on_guard": 1, "numb": 1, "guilt": 1}},
			possible: []string{"negative", "positive"}},
	},
}

// ============================================================================================================
// The exhaustive check
// ============================================================================================================

// TestContractExhaustive scores every combination of domain values — pain (5 values) × oud (6) × depression
// (3) × anxiety (3) × alcohol (3) × trauma (3) × safety (3), 7,290 response sets — each built from one of
// several realistic ways to reach those values (complete answers, and answers missing or invalid that still
// settle a value, or leave some values possible), and checks the report against the reference above: the
// domains and their possible values, the tier and the possible tiers, the exact referral list and order and
// the possible referrals (every combination of the possible values, composite.md §1a rule 3), the moud and
// rescreen addenda, not_assessed, the record's errors, the input_incomplete notes, and that every domain the
// answers decide directly, the tier and every referral give reasons from which the contract reaches the
// same value. Dropping the required inputs from a sample of the combinations checks that the rule set is
// then not applied, and that an endorsed item 9 still surfaces.
func TestContractExhaustive(t *testing.T) {
	eng := newEngine(t)
	strict := newEngine(t, screen.RequireComposite())
	rng := rand.New(rand.NewPCG(2024, 7)) // fixed seed: the same ways are picked on every run
	used := map[string]int{}
	pick := func(axis, value string, ways []way) way {
		if len(ways) == 0 {
			t.Fatalf("no way to reach %s=%s", axis, value)
		}
		i := rng.IntN(len(ways))
		used[fmt.Sprintf("%s=%s/%d", axis, value, i)]++
		return ways[i]
	}
	values := func(m map[string][]way) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	combos, notApplied := 0, 0
	for _, pain := range values(painWays) {
		for _, oud := range values(oudWays) {
			for _, dep := range []string{"not_assessed", "negative", "positive"} {
				for _, safety := range []string{"not_assessed", "none", "suicidal_ideation"} {
					for _, anx := range values(anxietyWays) {
						for _, alc := range values(alcoholWays) {
							for _, trauma := range values(traumaWays) {
								// The context axis turns with the combinations, so each context meets every domain
								// value many times.
								cw := contextWays[combos%len(contextWays)]
								want := domains{pain: pain, oud: oud, depression: dep, anxiety: anx, alcohol: alc, trauma: trauma, safety: safety,
									overdose: cw.possible[0], ctx: refContext(cw.context)}
								ways := []way{
									cw,
									pick("pain", pain, painWays[pain]),
									pick("oud", oud, oudWays[oud]),
									pick("depression×safety", dep+"×"+safety, depressionSafetyWays[[2]string{dep, safety}]),
									pick("anxiety", anx, anxietyWays[anx]),
									pick("alcohol", alc, alcoholWays[alc]),
									pick("trauma", trauma, traumaWays[trauma]),
								}
								resp := merge(t, ways)
								combos++
								checkCombination(t, eng, want, resp, ways)
								if combos%37 == 0 {
									notApplied++
									checkNotApplied(t, eng, strict, resp)
								}
								if t.Failed() {
									t.FailNow() // one combination's failures are enough to read
								}
							}
						}
					}
				}
			}
		}
	}
	if combos != 5*6*3*3*3*3*3 {
		t.Errorf("checked %d combinations, want %d", combos, 5*6*3*3*3*3*3)
	}
	// Every way must have been used, or some route to a value went untested.
	for axis, m := range map[string]map[string][]way{"pain": painWays, "oud": oudWays, "anxiety": anxietyWays, "alcohol": alcoholWays, "trauma": traumaWays} {
		for value, ws := range m {
			for i := range ws {
				if used[fmt.Sprintf("%s=%s/%d", axis, value, i)] == 0 {
					t.Errorf("way %s=%s/%d (%s) was never used", axis, value, i, ws[i].note)
				}
			}
		}
	}
	for k, ws := range depressionSafetyWays {
		for i := range ws {
			if used[fmt.Sprintf("depression×safety=%s×%s/%d", k[0], k[1], i)] == 0 {
				t.Errorf("way depression×safety=%v/%d (%s) was never used", k, i, ws[i].note)
			}
		}
	}
	t.Logf("%d combinations checked, %d of them also without their required inputs", combos, notApplied)
}

// contextWays are the §2 context fields on both sides of every threshold; possible[0] is the overdose_risk
// value each gives. An invalid field is an error of the record and then counts as absent.
var contextWays = []way{
	{note: "no context", possible: []string{"not_assessed"}},
	{note: "on MOUD, nothing else", context: map[string]any{"moud_current": true}, possible: []string{"not_assessed"}},
	{note: "not on MOUD, no prior overdose", context: map[string]any{"moud_current": false, "prior_overdose": false}, possible: []string{"none"}},
	{note: "prior overdose", context: map[string]any{"prior_overdose": true}, possible: []string{"present"}},
	{note: "49.5 MME", context: map[string]any{"opioid_mme": 49.5}, possible: []string{"none"}},
	{note: "50 MME", context: map[string]any{"opioid_mme": 50}, possible: []string{"present"}},
	{note: "benzodiazepine with 0 MME", context: map[string]any{"benzodiazepine": true, "opioid_mme": 0}, possible: []string{"none"}},
	{note: "benzodiazepine with 0.5 MME", context: map[string]any{"benzodiazepine": true, "opioid_mme": 0.5}, possible: []string{"present"}},
	{note: "benzodiazepine, no opioid reported", context: map[string]any{"benzodiazepine": true}, possible: []string{"none"}},
	{note: "no benzodiazepine, 20 MME", context: map[string]any{"benzodiazepine": false, "opioid_mme": 20.0}, possible: []string{"none"}},
	{note: "negative MME (invalid) with a benzodiazepine", context: map[string]any{"opioid_mme": -1, "benzodiazepine": true},
		possible: []string{"none"}, errs: []string{".context.opioid_mme"}},
	{note: "moud_current as text (invalid), prior overdose", context: map[string]any{"moud_current": "yes", "prior_overdose": true},
		possible: []string{"present"}, errs: []string{".context.moud_current"}},
	{note: "on MOUD, 90 MME with a benzodiazepine, prior overdose",
		context: map[string]any{"moud_current": true, "opioid_mme": 90, "benzodiazepine": true, "prior_overdose": true}, possible: []string{"present"}},
}

// ============================================================================================================
// §1a rule 3 on incomplete answers, input by input
// ============================================================================================================

// pattern builds one instrument's answers from states: values as given, missing left out, invalid answers
// replaced by bad.
func pattern(inst string, d []int, bad any) map[string]any {
	m := map[string]any{}
	for i, id := range refInputs[inst].items {
		switch d[i] {
		case missing:
		case invalid:
			m[id] = bad
		default:
			m[id] = d[i]
		}
	}
	return m
}

// randomStates draws states for an instrument: each item answered with one of its values, or (with
// probability pOpen) missing, or now and then invalid; at most maxOpen open items.
func randomStates(r *rand.Rand, inst string, pOpen float64, maxOpen int) []int {
	in := refInputs[inst]
	d := make([]int, len(in.items))
	open := 0
	for i := range d {
		vals := in.values(i)
		d[i] = vals[r.IntN(len(vals))]
		if open < maxOpen && r.Float64() < pOpen {
			open++
			d[i] = missing
			if r.IntN(5) == 0 {
				d[i] = invalid
			}
		}
	}
	return d
}

// TestDomainsOnIncompleteAnswers scores, input by input, answers that are missing or invalid — every pattern
// where that is small (AUDIT-C for several spellings of sex, PC-PTSD-5, PHQ-2 with GAD-2), a deterministic
// sample otherwise (DSM-5 with and without the drug screen, GCPS-R, PHQ-9 with and without PHQ-2, GAD-7) —
// next to a complete battery, and checks the composite against the reference decided by brute force over
// every completion: each domain's value and possible values (which source decides, and when a later source
// is not read), the tier and possible tiers, the referrals and possible referrals, the addenda, and the
// record's errors.
func TestDomainsOnIncompleteAnswers(t *testing.T) {
	eng := newEngine(t)
	scale := 1
	if testing.Short() {
		scale = 5
	}
	r := rand.New(rand.NewPCG(11, 12))
	checked := 0
	check := func(what string, resp *screen.Response) {
		t.Helper()
		checked++
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s %v: %s", what, resp.Answers, fmt.Sprintf(format, args...))
		}
		rep, err := eng.Score(context.Background(), resp)
		if rep == nil {
			fail("%v", err)
			return
		}
		var wantErrs []string
		for inst, its := range resp.Answers {
			d, _ := states(inst, its)
			for i, v := range d {
				if v == invalid {
					wantErrs = append(wantErrs, inst+"."+refInputs[inst].items[i])
				}
			}
		}
		slices.Sort(wantErrs)
		var gotErrs []string
		for _, e := range rep.Errors {
			gotErrs = append(gotErrs, e.Instrument+"."+e.Item)
		}
		if !slices.Equal(gotErrs, wantErrs) {
			fail("errors %v, want %v", gotErrs, wantErrs)
		}
		if rep.Composite == nil || !rep.Composite.Applied {
			fail("composite not applied")
			return
		}
		compareWithReference(fail, rep.Composite, refComposite(resp))
		if t.Failed() {
			t.FailNow()
		}
	}
	anyKnown := func(d []int) bool { return slices.ContainsFunc(d, func(v int) bool { return v != missing }) }
	battery := func(extra answers) answers {
		a := answers{"gcps_r": gcps(1, nil, nil, nil, nil), "sisq_drug": {"times": 0}, "phq9": items(0, 1, 0, 1, 0, 0, 0, 0, 0),
			"gad7": items(0, 0, 1, 0, 0, 1, 0), "auditc": auditc(1, 0, 0), "pc_ptsd5": ptsd(0)}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}

	// AUDIT-C: every pattern (7^3), for sex written several ways.
	for _, sex := range []any{"male", " F ", "other", nil} {
		for p := range 343 {
			d := []int{[]int{0, 1, 2, 3, 4, missing, invalid}[p%7], []int{0, 1, 2, 3, 4, missing, invalid}[(p/7)%7], []int{0, 1, 2, 3, 4, missing, invalid}[p/49]}
			if !anyKnown(d) {
				continue
			}
			check("auditc", &screen.Response{Context: map[string]any{"sex": sex}, Answers: battery(answers{"auditc": pattern("auditc", d, 9)})})
		}
	}

	// PC-PTSD-5: every pattern (4^6), trauma gate included.
	for p := range 4096 {
		d := make([]int, 6)
		for i := range d {
			d[i] = []int{0, 1, missing, invalid}[(p>>(2*i))&3]
		}
		if !anyKnown(d) {
			continue
		}
		check("pc_ptsd5", &screen.Response{Answers: battery(answers{"pc_ptsd5": pattern("pc_ptsd5", d, "yes")})})
	}

	// PHQ-2 with GAD-2 (the PHQ-9 and GAD-7 absent): every pattern (6^4).
	st := []int{0, 1, 2, 3, missing, invalid}
	for p := range 1296 {
		a, b := []int{st[p%6], st[(p/6)%6]}, []int{st[(p/36)%6], st[p/216]}
		extra := answers{}
		if anyKnown(a) {
			extra["phq2"] = pattern("phq2", a, 4)
		}
		if anyKnown(b) {
			extra["gad2"] = pattern("gad2", b, 4)
		}
		resp := battery(extra)
		delete(resp, "phq9")
		delete(resp, "gad7")
		check("phq2/gad2", &screen.Response{Answers: resp})
	}

	// DSM-5: a sample, with the drug screen absent, negative or positive, and pain none or bothersome.
	for n := range 4000 / scale {
		d := randomStates(r, "dsm5_oud", 0.3, 8)
		if !anyKnown(d) {
			continue
		}
		extra := answers{"dsm5_oud": pattern("dsm5_oud", d, "yes")}
		if n%2 == 1 {
			extra["gcps_r"] = gcps(2, 1, 4, 4, 4)
		}
		resp := battery(extra)
		switch n % 3 {
		case 0:
			delete(resp, "sisq_drug")
		case 1:
			resp["sisq_drug"] = map[string]any{"times": 5}
		}
		check("dsm5_oud", &screen.Response{Answers: resp})
	}

	// GCPS-R: a sample, next to mild OUD (so bothersome or high-impact pain raises the tier to high).
	for range 3000 / scale {
		d := randomStates(r, "gcps_r", 0.35, 5)
		if !anyKnown(d) {
			continue
		}
		check("gcps_r", &screen.Response{Answers: battery(answers{"gcps_r": pattern("gcps_r", d, 11),
			"dsm5_oud": dsm5(0, "larger_or_longer", "craving")})})
	}

	// PHQ-9 (depression and safety), with the PHQ-2 absent, complete or partial.
	for n := range 3000 / scale {
		d := randomStates(r, "phq9", 0.4, 6)
		if !anyKnown(d) {
			continue
		}
		extra := answers{"phq9": pattern("phq9", d, 7)}
		switch n % 3 {
		case 1:
			extra["phq2"] = items(r.IntN(4), r.IntN(4))
		case 2:
			extra["phq2"] = map[string]any{"q1": r.IntN(4)}
		}
		check("phq9", &screen.Response{Answers: battery(extra)})
	}

	// Rev 3: the embedded PHQ-2 / GAD-2 decides only when no other item of the form is answered (validly or
	// not), and a separate PHQ-2 / GAD-2 is not read over a form with answers it cannot see.
	for q1 := range 4 {
		for q2 := range 4 {
			for other := 1; other < 9; other++ { // 1: only items 1-2; else item other+1 answered too
				for _, v := range []int{0, 3, invalid} {
					if other == 1 && v != 0 {
						continue
					}
					d := []int{q1, q2, missing, missing, missing, missing, missing, missing, missing}
					g := []int{q1, q2, missing, missing, missing, missing, missing}
					if other > 1 {
						d[other] = v
						if other < 7 {
							g[other] = v
						}
					}
					for _, short := range []bool{false, true} {
						extra := answers{"phq9": pattern("phq9", d, 7), "gad7": pattern("gad7", g, "often")}
						if short {
							extra["phq2"] = items(3-q1, 3-q2)
							extra["gad2"] = items(3-q1, 3-q2)
						}
						check("embedded", &screen.Response{Answers: battery(extra)})
					}
				}
			}
		}
	}

	// GAD-7, with the GAD-2 absent or complete.
	for n := range 2000 / scale {
		d := randomStates(r, "gad7", 0.4, 6)
		if !anyKnown(d) {
			continue
		}
		extra := answers{"gad7": pattern("gad7", d, "often")}
		if n%2 == 1 {
			extra["gad2"] = items(r.IntN(4), r.IntN(4))
		}
		check("gad7", &screen.Response{Answers: battery(extra)})
	}
	t.Logf("%d response sets checked", checked)
}

// newEngine builds an engine on the bundled definitions applying pain_oud 1.1.0, the version this reference
// is written for (1.2.0, the default, has its own reference in reference_v12_test.go).
func newEngine(t testing.TB, opts ...screen.Option) *screen.Engine {
	t.Helper()
	eng, err := screen.New(append([]screen.Option{bundled.Definitions(), screen.WithRuleSet("pain_oud@1.1.0")}, opts...)...)
	if err != nil {
		t.Fatalf("screen.New: %v", err)
	}
	return eng
}

// merge builds one response set from the ways picked for each domain (they answer disjoint instruments).
func merge(t *testing.T, ways []way) *screen.Response {
	resp := &screen.Response{Subject: "pt-exhaustive", Answers: map[string]map[string]any{}, Context: map[string]any{}}
	for _, w := range ways {
		for inst, its := range w.answers {
			if _, dup := resp.Answers[inst]; dup {
				t.Fatalf("two ways answer %s", inst)
			}
			resp.Answers[inst] = its
		}
		for k, v := range w.context {
			resp.Context[k] = v
		}
	}
	return resp
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func describe(ways []way) string {
	var notes []string
	for _, w := range ways {
		notes = append(notes, w.note)
	}
	return strings.Join(notes, "; ")
}

func checkCombination(t *testing.T, eng *screen.Engine, want domains, resp *screen.Response, ways []way) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s [%s]: %s", want, describe(ways), fmt.Sprintf(format, args...))
	}
	rep, err := eng.Score(context.Background(), resp)
	// The record's errors: exactly the invalid answers the ways give, in order (instrument key, then item).
	var wantErrs []string
	for _, w := range ways {
		wantErrs = append(wantErrs, w.errs...)
	}
	slices.Sort(wantErrs)
	// Context errors come after the answers' errors.
	slices.SortStableFunc(wantErrs, func(a, b string) int {
		return cmpBool(strings.HasPrefix(a, ".context."), strings.HasPrefix(b, ".context."))
	})
	var re *screen.ResponseErrors
	switch {
	case rep == nil || err != nil:
		fail("%v", err)
		return
	case len(wantErrs) == 0 && rep.Err() != nil:
		fail("%v", rep.Err())
		return
	case len(wantErrs) > 0 && !errors.As(rep.Err(), &re):
		fail("error %v, want the record's errors %v", rep.Err(), wantErrs)
	}
	var gotErrs []string
	for _, e := range rep.Errors {
		gotErrs = append(gotErrs, e.Instrument+"."+e.Item)
	}
	if !slices.Equal(gotErrs, wantErrs) {
		fail("errors %v, want %v", gotErrs, wantErrs)
	}
	c := rep.Composite
	if c == nil || !c.Applied {
		fail("composite not applied")
		return
	}
	if c.Version != "1.1.0" {
		fail("rule set version %s, want 1.1.0", c.Version)
	}

	// The reference must reach the values the ways were chosen for (and the possible values worked out by
	// hand); the engine must agree with the reference in everything.
	ref := refComposite(resp)
	if ref.domains != want {
		fail("the reference gives %s", ref.domains)
	}
	for _, w := range ways {
		for _, name := range domainOrder {
			if p := ref.possible[name]; len(w.possible) > 0 && w.possible[0] != "" && wayAxis(w, name) && !slices.Equal(p, w.possible) {
				fail("the reference gives %s possible %v, the way says %v", name, p, w.possible)
			}
		}
	}
	compareWithReference(fail, c, ref)

	// Every present input that leaves a score not computed, and only those, gets a note saying why.
	var incomplete, noted []string
	for _, res := range rep.Instruments {
		if res.Status == screen.StatusIncomplete || res.Status == screen.StatusError && slices.ContainsFunc(res.Notes, func(n screen.Note) bool { return n.Code == "not_computed" }) {
			incomplete = append(incomplete, res.ID)
		}
	}
	for _, n := range c.Notes {
		if n.Code == "input_incomplete" {
			noted = append(noted, n.About)
			if !strings.Contains(n.Message, "not computed") {
				fail("note about %s does not say what was not computed: %q", n.About, n.Message)
			}
		}
	}
	slices.Sort(noted)
	if !slices.Equal(incomplete, noted) {
		fail("input_incomplete notes about %v, want %v", noted, incomplete)
	}

	// Explanations: re-evaluating the contract on nothing but a rule's reasons gives the same result, and
	// every reason agrees with the report — for what the answers decide directly. (A domain decided by
	// completions, or a tier over possible values, cannot list every completion among its reasons.)
	f := factsOf(rep)
	for i := range c.Domains {
		d := &c.Domains[i]
		reasons := d.Reasons()
		for _, r := range reasons {
			if v, ok := f[r.Name]; ok && !v.Equal(r.Value) {
				fail("domain %s: reason %s = %s, but the report says %s", d.ID, r.Name, r.Value, v)
			}
		}
		if len(d.Possible) > 0 || hasNote(c.Notes, "determined", d.ID) {
			continue
		}
		if got := contractDomainFromFacts(d.ID, factsFrom(reasons)); got != d.Value.String() {
			fail("domain %s = %s, but its reasons %v only support %s", d.ID, d.Value, reasons, got)
		}
	}
	if len(ref.possible) > 0 {
		return
	}
	if d, _ := domainsFrom(c.TierReasons()); contractTier(d) != string(c.Tier) {
		fail("tier %s, but its reasons %v support %s", c.Tier, c.TierReasons(), contractTier(d))
	}
	for i := range c.Referrals {
		r := &c.Referrals[i]
		reasons := r.Reasons()
		d, tierSeen := domainsFrom(reasons)
		for _, rs := range reasons {
			if name, ok := strings.CutPrefix(rs.Name, "domains."); ok && rs.Value.String() != want.get(name) {
				fail("referral %s: reason %s = %s, but the domain is %s", r.ID, rs.Name, rs.Value, want.get(name))
			}
		}
		idx := slices.IndexFunc(contractReferrals, func(cr contractReferral) bool { return cr.id == r.ID })
		if idx < 0 || !contractReferrals[idx].when(d, tierSeen) {
			fail("referral %s: its reasons %v do not support it", r.ID, reasons)
		}
	}
}

// compareWithReference checks a report's composite against the reference: domains and their possible
// values, not_assessed, the tier and possible tiers, referrals and possible referrals (in order), their
// priorities, and the addenda.
func compareWithReference(fail func(format string, args ...any), c *screen.CompositeResult, ref refResult) {
	for _, name := range domainOrder {
		gotDomain, _ := c.Domain(name)
		got := gotDomain.Value
		if got.String() != ref.domains.get(name) {
			fail("domain %s = %s, want %s", name, got, ref.domains.get(name))
		}
		var gotPossible []string
		for _, d := range c.Domains {
			if d.ID == name {
				for _, v := range d.Possible {
					gotPossible = append(gotPossible, v.String())
				}
			}
		}
		if !slices.Equal(gotPossible, ref.possible[name]) {
			fail("domain %s possible %v, want %v", name, gotPossible, ref.possible[name])
		}
	}
	if !slices.Equal(c.NotAssessed, ref.notAssessed) {
		fail("not_assessed = %v, want %v", c.NotAssessed, ref.notAssessed)
	}

	// Tier and referrals, over every combination of the possible values.
	if string(c.Tier) != ref.tier {
		fail("tier = %s, want %s", c.Tier, ref.tier)
	}
	var gotTiers []string
	for _, tr := range c.PossibleTiers {
		gotTiers = append(gotTiers, string(tr))
	}
	if !slices.Equal(gotTiers, ref.possibleTiers) {
		fail("possible tiers = %v, want %v", gotTiers, ref.possibleTiers)
	}
	var gotIDs, gotPossible []string
	for _, r := range c.Referrals {
		gotIDs = append(gotIDs, r.ID)
	}
	for _, r := range c.PossibleReferrals {
		gotPossible = append(gotPossible, r.ID)
	}
	if !slices.Equal(gotIDs, ref.referrals) {
		fail("referrals = %v, want %v", gotIDs, ref.referrals)
	}
	if !slices.Equal(gotPossible, ref.possibleRefs) {
		fail("possible referrals = %v, want %v", gotPossible, ref.possibleRefs)
	}
	for _, r := range append(slices.Clone(c.Referrals), c.PossibleReferrals...) {
		if i := slices.IndexFunc(contractReferrals, func(cr contractReferral) bool { return cr.id == r.ID }); i >= 0 && string(r.Priority) != contractReferrals[i].priority {
			fail("referral %s has priority %s, want %s", r.ID, r.Priority, contractReferrals[i].priority)
		}
	}

	// Addenda: moud's (treat pain and OUD together) when every combination has chronic pain of some grade;
	// rescreen's names the domains not assessed; no other referral has addenda.
	for _, r := range c.Referrals {
		var wantAddenda []string
		switch {
		case r.ID == "moud" && ref.moudAddendum:
			wantAddenda = []string{"pain and OUD together"}
		case r.ID == "rescreen" && ref.rescreenNamesNotAssessed:
			questionnaire := slices.DeleteFunc(slices.Clone(ref.notAssessed), func(d string) bool { return d == "overdose_risk" })
			for i, d := range questionnaire { // named by their labels
				questionnaire[i] = domainLabels[d]
			}
			wantAddenda = []string{"Not assessed at this visit: " + strings.Join(questionnaire, ", ") + "."}
		}
		if len(r.Addenda) != len(wantAddenda) {
			fail("referral %s has addenda %q, want %d", r.ID, r.Addenda, len(wantAddenda))
			continue
		}
		for i, a := range wantAddenda {
			if !strings.Contains(r.Addenda[i], a) {
				fail("referral %s addendum %q does not say %q", r.ID, r.Addenda[i], a)
			}
		}
	}

}

// wayAxis reports whether a way answers the inputs of a domain (its possible list is about that domain).
func wayAxis(w way, domain string) bool {
	inputs := map[string][]string{"pain": {"gcps_r"}, "oud": {"dsm5_oud", "sisq_drug"}, "depression": {"phq9", "phq2"},
		"anxiety": {"gad7", "gad2"}, "alcohol": {"auditc"}, "trauma": {"pc_ptsd5"}}
	for _, in := range inputs[domain] {
		if _, ok := w.answers[in]; ok {
			return true
		}
	}
	return false
}

// factsOf collects every instrument result of a report under its rule-set name. Flags that fired are true;
// flags evaluated without firing are false; flags not evaluated (a note says so) are left out.
func factsOf(rep *screen.Report) facts {
	f := facts{}
	for _, res := range rep.Instruments {
		for _, s := range res.Scores {
			f[res.ID+"."+s.ID] = s.Value
		}
		for _, fl := range res.Flags {
			f[res.ID+".flags."+fl.ID] = screen.BoolValue(true)
		}
		if res.ID == "phq9" && !hasNote(res.Notes, "flag_not_evaluated", "suicidal_ideation") {
			if _, fired := f["phq9.flags.suicidal_ideation"]; !fired {
				f["phq9.flags.suicidal_ideation"] = screen.BoolValue(false)
			}
		}
	}
	return f
}

// checkNotApplied removes the required inputs: without gcps_r, or without both dsm5_oud and sisq_drug, the
// rule set is not applied (and, when the caller requires it, scoring fails with composite_not_applied). An
// endorsed PHQ-9 item 9 is in the report all the same (composite.md §1a rule 4).
func checkNotApplied(t *testing.T, eng, strict *screen.Engine, resp *screen.Response) {
	t.Helper()
	without := func(drop ...string) *screen.Response {
		r := &screen.Response{Subject: resp.Subject, Context: resp.Context, Answers: map[string]map[string]any{}}
		for k, v := range resp.Answers {
			if !slices.Contains(drop, k) {
				r.Answers[k] = v
			}
		}
		return r
	}
	for _, tc := range []struct {
		drop       []string
		reasonSays []string
	}{
		{[]string{"gcps_r"}, []string{"gcps_r", "absent"}},
		{[]string{"dsm5_oud", "sisq_drug"}, []string{"dsm5_oud", "sisq_drug"}},
		{[]string{"gcps_r", "dsm5_oud", "sisq_drug"}, []string{"gcps_r"}},
	} {
		r := without(tc.drop...)
		if !anyAnswer(r) {
			continue // nothing left to score
		}
		rep, err := eng.Score(context.Background(), r)
		if err != nil {
			t.Errorf("without %v: %v", tc.drop, err)
			continue
		}
		if d, ok := states("phq9", r.Answers["phq9"]); ok && d[8] >= 1 {
			phq9 := rep.Instrument("phq9")
			if _, fired := phq9.Flag("suicidal_ideation"); !fired {
				t.Errorf("without %v: the suicidal ideation flag is not in the report", tc.drop)
			}
		}
		c := rep.Composite
		if c == nil || c.Applied {
			t.Errorf("without %v: composite applied, want not applied", tc.drop)
			continue
		}
		for _, s := range tc.reasonSays {
			if !strings.Contains(c.Reason, s) {
				t.Errorf("without %v: reason %q does not name %s", tc.drop, c.Reason, s)
			}
		}
		if c.Tier != "" || len(c.Referrals) > 0 || len(c.Domains) > 0 {
			t.Errorf("without %v: a composite that was not applied has tier %q, %d referrals, %d domains", tc.drop, c.Tier, len(c.Referrals), len(c.Domains))
		}
		_, err = strict.Score(context.Background(), r)
		var se *screen.ScoreError
		if !errors.Is(err, screen.ErrCompositeNotApplied) || !errors.As(err, &se) || se.Code != "composite_not_applied" {
			t.Errorf("without %v, composite required: error %v, want composite_not_applied", tc.drop, err)
		}
	}
}

func anyAnswer(r *screen.Response) bool {
	for _, its := range r.Answers {
		for _, v := range its {
			if v != nil {
				return true
			}
		}
	}
	return false
}

// ============================================================================================================
// Explainability and JSON
// ============================================================================================================

// highTierCase: mild OUD with bothersome pain (high tier), a positive PHQ-9, negative GAD-7, AUDIT-C and
// PC-PTSD-5, item 9 not endorsed.
func highTierCase() *screen.Response {
	return &screen.Response{
		Subject: "pt-explain",
		Context: map[string]any{"age": 47, "sex": "male"},
		Answers: map[string]map[string]any{
			"gcps_r":   gcps(3, 1, 6, 5, 5),
			"dsm5_oud": dsm5(0, "larger_or_longer", "craving", "tolerance"),
			"phq9":     items(2, 2, 1, 1, 1, 1, 2, 1, 0),
			"gad7":     items(1, 1, 0, 1, 0, 1, 0),
			"auditc":   auditc(2, 1, 0),
			"pc_ptsd5": ptsd(0),
		},
	}
}

// jsonReport is the part of the JSON report the explainability test reads.
type jsonReport struct {
	Instruments map[string]struct {
		Status  string                     `json:"status"`
		Scores  map[string]any             `json:"scores"`
		Explain map[string]jsonExplanation `json:"explain"`
	} `json:"instruments"`
	Composite struct {
		Applied     bool                       `json:"applied"`
		Domains     map[string]string          `json:"domains"`
		Tier        string                     `json:"tier"`
		Rule        string                     `json:"rule"`
		Reasons     []jsonReason               `json:"reasons"`
		Referrals   []jsonReferral             `json:"referrals"`
		NotAssessed []string                   `json:"not_assessed"`
		Explain     map[string]jsonExplanation `json:"explain"`
	} `json:"composite"`
}

type jsonReferral struct {
	ID       string       `json:"id"`
	Priority string       `json:"priority"`
	Text     string       `json:"text"`
	Addenda  []string     `json:"addenda"`
	Source   string       `json:"source"`
	Rule     string       `json:"rule"`
	Reasons  []jsonReason `json:"reasons"`
}

type jsonExplanation struct {
	Rule    string       `json:"rule"`
	Reasons []jsonReason `json:"reasons"`
}

type jsonReason struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func scoreJSON(t *testing.T, eng *screen.Engine, resp *screen.Response) (*screen.Report, jsonReport) {
	t.Helper()
	rep, err := eng.Score(context.Background(), resp)
	if err != nil {
		t.Fatalf("Score: %v", err)
	}
	b, err := rep.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	var jr jsonReport
	if err := json.Unmarshal(b, &jr); err != nil {
		t.Fatalf("the report is not valid JSON: %v\n%s", err, b)
	}
	return rep, jr
}

// mustName fails unless reasons contain each name with the given value (compared as JSON text).
func mustName(t *testing.T, what string, reasons []jsonReason, want map[string]any) {
	t.Helper()
	for name, v := range want {
		i := slices.IndexFunc(reasons, func(r jsonReason) bool { return r.Name == name })
		if i < 0 {
			t.Errorf("%s: reasons %v do not name %s", what, reasons, name)
			continue
		}
		if fmt.Sprint(reasons[i].Value) != fmt.Sprint(v) {
			t.Errorf("%s: reason %s = %v, want %v", what, name, reasons[i].Value, v)
		}
	}
}

func TestExplainHighTier(t *testing.T) {
	eng := newEngine(t)
	resp := highTierCase()
	_, jr := scoreJSON(t, eng, resp)
	c := jr.Composite
	if !c.Applied || c.Tier != "high" {
		t.Fatalf("applied %v, tier %q; want an applied high tier", c.Applied, c.Tier)
	}
	if c.Rule != "pain_oud@1.1.0#tiers.high" {
		t.Errorf("tier rule %q", c.Rule)
	}
	mustName(t, "tier", c.Reasons, map[string]any{"domains.oud": "mild", "domains.pain": "bothersome"})
	if slices.ContainsFunc(c.Reasons, func(r jsonReason) bool { return r.Name == "domains.safety" }) {
		t.Errorf("tier: reasons %v name domains.safety, which did not cause the high tier", c.Reasons)
	}

	// Each referral names the domain values that triggered it.
	wantReferralReasons := map[string]map[string]any{
		"naloxone":                    {"domains.oud": "mild"},
		"integrated_pain_oud_therapy": {"domains.oud": "mild", "domains.pain": "bothersome"},
		"addiction_assessment":        {"domains.oud": "mild"},
		"integrated_pain_care":        {"domains.pain": "bothersome"},
		"behavioral_health":           {"domains.depression": "positive"},
		"collaborative_care":          {"domains.pain": "bothersome", "domains.oud": "mild", "domains.depression": "positive"},
	}
	var ids []string
	for _, r := range c.Referrals {
		ids = append(ids, r.ID)
		if r.Rule != "pain_oud@1.1.0#referrals."+r.ID {
			t.Errorf("referral %s: rule %q", r.ID, r.Rule)
		}
		if r.Text == "" || r.Source == "" {
			t.Errorf("referral %s: empty text or source", r.ID)
		}
		mustName(t, "referral "+r.ID, r.Reasons, wantReferralReasons[r.ID])
		for _, rs := range r.Reasons {
			if !strings.HasPrefix(rs.Name, "domains.") && rs.Name != "tier" {
				t.Errorf("referral %s: reason %s is neither a domain nor the tier", r.ID, rs.Name)
			}
		}
	}
	if want := []string{"naloxone", "integrated_pain_oud_therapy", "addiction_assessment", "integrated_pain_care", "behavioral_health", "collaborative_care"}; !slices.Equal(ids, want) {
		t.Fatalf("referrals %v, want %v", ids, want)
	}

	// Each domain names the instrument results it read (rule set 1.1.0 reads results, decided or not, rather
	// than the instruments' status).
	wantDomainReasons := map[string]map[string]any{
		"pain":       {"gcps_r.label": "bothersome"},
		"oud":        {"dsm5_oud.severity": "mild"},
		"depression": {"phq9.total": 11},
		"anxiety":    {"gad7.total": 4},
		"alcohol":    {"auditc.positive": false},
		"trauma":     {"pc_ptsd5.positive": false},
		"safety":     {"phq9.flags.suicidal_ideation": false},
	}
	for _, name := range domainOrder {
		ex, ok := c.Explain[name]
		if !ok {
			t.Errorf("no explanation for domain %s", name)
			continue
		}
		if ex.Rule != "pain_oud@1.1.0#domains."+name {
			t.Errorf("domain %s: rule %q", name, ex.Rule)
		}
		mustName(t, "domain "+name, ex.Reasons, wantDomainReasons[name])
	}

	// Each instrument score names the answers (and context) it read, with the values given.
	for inst, its := range resp.Answers {
		ji, ok := jr.Instruments[inst]
		if !ok {
			t.Errorf("no result for %s", inst)
			continue
		}
		readAnswers := map[string]bool{}
		for score, ex := range ji.Explain {
			if len(ex.Reasons) == 0 {
				t.Errorf("%s.%s: no reasons", inst, score)
			}
			for _, r := range ex.Reasons {
				switch {
				case strings.HasPrefix(r.Name, "answers."):
					item := strings.TrimPrefix(r.Name, "answers.")
					readAnswers[item] = true
					if fmt.Sprint(r.Value) != fmt.Sprint(its[item]) {
						t.Errorf("%s.%s: reason %s = %v, but the answer was %v", inst, score, r.Name, r.Value, its[item])
					}
				case strings.HasPrefix(r.Name, "scores."):
					if _, ok := ji.Scores[strings.TrimPrefix(r.Name, "scores.")]; !ok {
						t.Errorf("%s.%s: reason %s names a score that is not in the report", inst, score, r.Name)
					}
				case r.Name == "context.sex":
					if r.Value != "male" {
						t.Errorf("%s.%s: context.sex = %v", inst, score, r.Value)
					}
				default:
					t.Errorf("%s.%s: unexpected reason %s", inst, score, r.Name)
				}
			}
		}
		for item := range its {
			if !readAnswers[item] {
				t.Errorf("%s: no score names answers.%s among its reasons", inst, item)
			}
		}
	}
	mustName(t, "auditc.positive", jr.Instruments["auditc"].Explain["positive"].Reasons, map[string]any{"context.sex": "male", "scores.total": 3})
	mustName(t, "dsm5_oud.count", jr.Instruments["dsm5_oud"].Explain["count"].Reasons,
		map[string]any{"answers.larger_or_longer": 1, "answers.craving": 1, "answers.tolerance": 1, "answers.supervised": 0})
}

// TestMoudAddendum checks the JSON of the moud referral: the "treat pain and OUD together" addendum is there
// with mild, bothersome or high-impact pain, and absent without chronic pain.
func TestMoudAddendum(t *testing.T) {
	eng := newEngine(t)
	moderate := dsm5(0, "larger_or_longer", "cut_down", "craving", "withdrawal")
	for _, tc := range []struct {
		name     string
		gcps     map[string]any
		addendum bool
	}{
		{"no chronic pain", gcps(1, nil, nil, nil, nil), false},
		{"mild pain", gcps(2, 1, 4, 4, 3), true},
		{"bothersome pain", gcps(3, 0, 6, 6, 6), true},
		{"high-impact pain", gcps(3, 3, 8, 8, 8), true},
		// Pain every day with the rest unanswered: mild, bothersome or high impact — chronic pain whatever
		// the missing answers are, so the addendum holds in every combination.
		{"pain not assessed, chronic pain either way", map[string]any{"pain_frequency": 3}, true},
		// Pain frequency unanswered with no limitation and ratings 0: none or mild, so maybe no chronic pain.
		{"pain not assessed, none possible", map[string]any{"limit_frequency": 0, "pain_avg": 0, "enjoyment": 0, "activity": 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, jr := scoreJSON(t, eng, &screen.Response{Answers: map[string]map[string]any{"gcps_r": tc.gcps, "dsm5_oud": moderate}})
			i := slices.IndexFunc(jr.Composite.Referrals, func(r jsonReferral) bool { return r.ID == "moud" })
			if i < 0 {
				t.Fatalf("no moud referral for moderate OUD")
			}
			moud := jr.Composite.Referrals[i]
			if moud.Priority != "high" || !strings.Contains(moud.Text, "buprenorphine or methadone") {
				t.Errorf("moud: priority %q, text %q", moud.Priority, moud.Text)
			}
			switch {
			case tc.addendum && (len(moud.Addenda) != 1 || !strings.Contains(moud.Addenda[0], "pain and OUD together")):
				t.Errorf("addenda %q, want the pain-and-OUD-together addendum", moud.Addenda)
			case !tc.addendum && moud.Addenda != nil:
				t.Errorf("addenda %q, want none (and no addenda key)", moud.Addenda)
			}
			if tc.addendum {
				mustName(t, "moud", moud.Reasons, map[string]any{"domains.oud": "moderate"})
			}
		})
	}
}

// TestNotes checks what the report says about inputs that are incomplete or absent.
func TestNotes(t *testing.T) {
	eng := newEngine(t)
	score := func(a answers) *screen.CompositeResult {
		t.Helper()
		rep, err := eng.Score(context.Background(), &screen.Response{Answers: a})
		if err != nil {
			t.Fatalf("Score: %v", err)
		}
		return rep.Composite
	}

	t.Run("incomplete PHQ-9 says why depression is not assessed", func(t *testing.T) {
		// Items 1, 8 and 9 unanswered: the total (6 to 15) is open and the embedded PHQ-2 needs item 1.
		c := score(answers{"gcps_r": gcps(1, nil, nil, nil, nil), "sisq_drug": {"times": 0}, "phq9": items(nil, 1, 1, 1, 1, 1, 1, nil, nil)})
		if !slices.Contains(c.NotAssessed, "depression") || !slices.Contains(c.NotAssessed, "safety") {
			t.Errorf("not_assessed %v, want depression and safety in it", c.NotAssessed)
		}
		i := slices.IndexFunc(c.Notes, func(n screen.Note) bool { return n.Code == "input_incomplete" && n.About == "phq9" })
		if i < 0 {
			t.Fatalf("no input_incomplete note about phq9: %+v", c.Notes)
		}
		for _, s := range []string{"total not computed", "3 items missing", "not assessed"} {
			if !strings.Contains(c.Notes[i].Message, s) {
				t.Errorf("note %q does not say %q", c.Notes[i].Message, s)
			}
		}
	})

	t.Run("absent optional inputs are listed, without notes; absent context is one note (rev 3)", func(t *testing.T) {
		c := score(answers{"gcps_r": gcps(1, nil, nil, nil, nil), "sisq_drug": {"times": 0}})
		if want := []string{"depression", "anxiety", "alcohol", "trauma", "safety", "overdose_risk"}; !slices.Equal(c.NotAssessed, want) {
			t.Errorf("not_assessed %v, want %v", c.NotAssessed, want)
		}
		if len(c.Notes) != 1 || c.Notes[0].Code != "context_unknown" || c.Notes[0].About != "context" ||
			!strings.Contains(c.Notes[0].Message, "on MOUD, opioid dose, benzodiazepine, prior opioid overdose") {
			t.Errorf("notes %+v, want one context_unknown note naming the four fields", c.Notes)
		}
	})

	t.Run("not applied names the absent input", func(t *testing.T) {
		c := score(answers{"sisq_drug": {"times": 1}})
		if c.Applied || c.Reason != "required input gcps_r (^1) is absent" {
			t.Errorf("applied %v, reason %q", c.Applied, c.Reason)
		}
		c = score(answers{"gcps_r": gcps(1, nil, nil, nil, nil), "phq2": items(1, 1)})
		if c.Applied || !strings.Contains(c.Reason, "dsm5_oud") || !strings.Contains(c.Reason, "sisq_drug") {
			t.Errorf("applied %v, reason %q", c.Applied, c.Reason)
		}
	})
}

// domainLabels are the labels pain_oud gives its domains (every version): reports name them so.
var domainLabels = map[string]string{"pain": "Chronic pain", "oud": "Opioid use disorder", "drug_use": "Drug use in the past year",
	"depression": "Depression", "anxiety": "Anxiety", "alcohol": "Unhealthy alcohol use", "trauma": "PTSD",
	"safety": "Safety (PHQ-9 item 9)", "overdose_risk": "Overdose risk"}
