package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
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
// The contract, written again in Go from composite.md §2 (not from the YAML), as the reference the engine
// and pain_oud.v1.yaml are checked against.
// ============================================================================================================

// domains holds the seven domain values of composite.md §2.
type domains struct {
	pain, oud, depression, anxiety, alcohol, trauma, safety string
}

// domainOrder is the order the report lists domains in.
var domainOrder = []string{"pain", "oud", "depression", "anxiety", "alcohol", "trauma", "safety"}

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
	case moderateOrSevereOUD(d), d.oud == "mild" && bothersomeOrWorsePain(d):
		return "high"
	case in(d.oud, "mild", "screen_positive"),
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
	{"moud", "high", func(d domains, _ string) bool { return moderateOrSevereOUD(d) }},
	{"naloxone", "high", func(d domains, _ string) bool { return oudDiagnosed(d) }},
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

// facts are instrument results as the rule set names them: "phq9.status" (complete, incomplete or
// absent), "phq9.total", "phq9.flags.suicidal_ideation". A fact that is not there was not computed.
type facts map[string]screen.Value

func (f facts) status(inst string) string {
	if s, ok := f[inst+".status"].Str(); ok {
		return s
	}
	return "absent"
}

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

// contractDomain is the domain table of composite.md §2: the value of one domain from instrument results.
func contractDomain(name string, f facts) string {
	complete := func(inst string) bool { return f.status(inst) == "complete" }
	switch name {
	case "pain":
		if complete("gcps_r") {
			return f.str("gcps_r.label")
		}
	case "oud":
		switch {
		case complete("dsm5_oud"):
			return f.str("dsm5_oud.severity")
		case complete("sisq_drug") && f.yes("sisq_drug.positive"):
			return "screen_positive"
		case complete("sisq_drug"):
			return "none"
		}
	case "depression":
		switch {
		case complete("phq9"):
			return posNeg(f.num("phq9.total") >= 10)
		case complete("phq2"):
			return posNeg(f.yes("phq2.positive"))
		}
	case "anxiety":
		switch {
		case complete("gad7"):
			return posNeg(f.num("gad7.total") >= 10)
		case complete("gad2"):
			return posNeg(f.yes("gad2.positive"))
		}
	case "alcohol":
		if complete("auditc") {
			return posNeg(f.yes("auditc.positive"))
		}
	case "trauma":
		if complete("pc_ptsd5") {
			return posNeg(f.yes("pc_ptsd5.positive"))
		}
	case "safety":
		// "phq9 q9 answered → its flag": the flag reads q9 alone, so it is known exactly when q9 was answered.
		if v, known := f["phq9.flags.suicidal_ideation"]; known {
			if b, _ := v.Bool(); b {
				return "suicidal_ideation"
			}
			return "none"
		}
	}
	return "not_assessed"
}

// factsOf collects every instrument result of a report under its rule-set name. Flags that fired are true;
// flags evaluated without firing are false; flags not evaluated (a note says so) are left out.
func factsOf(rep *screen.Report) facts {
	f := facts{}
	for _, res := range rep.Instruments {
		f[res.ID+".status"] = screen.StringValue(res.Status)
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
	return domains{v("pain"), v("oud"), v("depression"), v("anxiety"), v("alcohol"), v("trauma"), v("safety")}, tier
}

func hasNote(notes []screen.Note, code, about string) bool {
	return slices.ContainsFunc(notes, func(n screen.Note) bool { return n.Code == code && n.About == about })
}

// ============================================================================================================
// Realistic answer sets for every value of every domain
// ============================================================================================================

// answers maps instrument → item → answer, as in a response set.
type answers map[string]map[string]any

// way is one set of answers that gives a domain its value; several ways per value vary the route (which
// instrument decides, fallbacks, prorating, cut-point edges).
type way struct {
	note    string
	answers answers
	context map[string]any
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
	},
	"mild": {
		{note: "most days, ratings sum 11", answers: answers{"gcps_r": gcps(2, 1, 4, 4, 3)}},
		{note: "every day, no limitation, ratings 0", answers: answers{"gcps_r": gcps(3, 0, 0, 0, 0)}},
	},
	"bothersome": {
		{note: "most days, ratings sum 12", answers: answers{"gcps_r": gcps(2, 1, 4, 4, 4)}},
		{note: "every day, ratings 10", answers: answers{"gcps_r": gcps(3, 0, 10, 10, 10)}},
	},
	"high_impact": {
		{note: "limited most days, ratings 0", answers: answers{"gcps_r": gcps(2, 2, 0, 0, 0)}},
		{note: "limited every day", answers: answers{"gcps_r": gcps(3, 3, 9, 8, 9)}},
	},
	"not_assessed": {
		{note: "limitation unanswered", answers: answers{"gcps_r": {"pain_frequency": 3, "pain_avg": 6, "enjoyment": 6, "activity": 6}}},
		{note: "frequency unanswered", answers: answers{"gcps_r": {"pain_frequency": nil, "limit_frequency": 1}}},
	},
}

var oudWays = map[string][]way{
	"none": {
		{note: "DSM-5 count 1", answers: answers{"dsm5_oud": dsm5(0, "craving")}},
		{note: "DSM-5 tolerance+withdrawal under supervision", answers: answers{"dsm5_oud": dsm5(1, "tolerance", "withdrawal")}},
		{note: "drug screen 0 alone", answers: answers{"sisq_drug": {"times": 0}}},
		{note: "DSM-5 count 0 over a positive screen", answers: answers{"dsm5_oud": dsm5(0), "sisq_drug": {"times": 3}}},
		{note: "DSM-5 incomplete, screen 0", answers: answers{"dsm5_oud": {"craving": 1}, "sisq_drug": {"times": 0}}},
	},
	"screen_positive": {
		{note: "drug screen 1 alone", answers: answers{"sisq_drug": {"times": 1}}},
		{note: "DSM-5 incomplete, screen 30", answers: answers{"dsm5_oud": {"craving": 1, "tolerance": 1}, "sisq_drug": {"times": 30}}},
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
	},
	"not_assessed": {
		{note: "DSM-5 without the supervision answer", answers: answers{"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1, "time_spent": 1,
			"craving": 1, "role_failure": 1, "social_problems": 1, "activities_given_up": 1, "hazardous_use": 1,
			"physical_psych_problems": 1, "tolerance": 1, "withdrawal": 1}}},
		{note: "DSM-5 incomplete, screen unanswered", answers: answers{"dsm5_oud": {"craving": 1}, "sisq_drug": {"times": nil}}},
	},
}

// depressionSafetyWays covers depression × safety together: both come from the PHQ-9.
var depressionSafetyWays = map[[2]string][]way{
	{"negative", "none"}: {
		{note: "PHQ-9 9, item 9 = 0", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 2, 0)}},
		{note: "PHQ-9 0 over a positive PHQ-2", answers: answers{"phq9": items(0, 0, 0, 0, 0, 0, 0, 0, 0), "phq2": items(3, 3)}},
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
		{note: "PHQ-9 incomplete, PHQ-2 3", answers: answers{"phq9": items(2, 1, nil, nil, nil, nil, nil, nil, 0), "phq2": items(2, 1)}},
	},
	{"positive", "suicidal_ideation"}: {
		{note: "PHQ-9 10 with item 9 = 3", answers: answers{"phq9": items(1, 1, 1, 1, 1, 1, 1, 0, 3)}},
		{note: "PHQ-9 incomplete with item 9 = 1, PHQ-2 6", answers: answers{"phq9": items(3, 3, nil, nil, nil, nil, nil, nil, 1), "phq2": items(3, 3)}},
	},
	{"positive", "not_assessed"}: {
		{note: "PHQ-9 item 9 missing, prorated 11.3", answers: answers{"phq9": items(2, 2, 1, 1, 1, 1, 1, 1, nil)}},
		{note: "PHQ-2 3 alone (LOINC)", answers: answers{"phq2": items("LA6570-1", "LA6569-3")}},
	},
	{"not_assessed", "none"}: {
		{note: "PHQ-9 incomplete, item 9 = 0", answers: answers{"phq9": items(1, nil, nil, nil, nil, nil, nil, nil, 0)}},
	},
	{"not_assessed", "suicidal_ideation"}: {
		{note: "PHQ-9 incomplete, item 9 = 1", answers: answers{"phq9": items(2, 2, nil, nil, nil, nil, nil, nil, 1)}},
		{note: "PHQ-9 item 9 = 2 only, PHQ-2 incomplete", answers: answers{"phq9": {"q9": 2}, "phq2": {"q1": 2}}},
	},
	{"not_assessed", "not_assessed"}: {
		{note: "no PHQ", answers: answers{}},
		{note: "PHQ-2 incomplete", answers: answers{"phq2": {"q1": 3}}},
		{note: "PHQ-9 and PHQ-2 incomplete, no item 9", answers: answers{"phq9": items(3, 3, 3, 3, 3, 3), "phq2": {"q2": 1}}},
	},
}

var anxietyWays = map[string][]way{
	"negative": {
		{note: "GAD-7 9", answers: answers{"gad7": items(1, 1, 1, 2, 1, 2, 1)}},
		{note: "GAD-2 2 alone", answers: answers{"gad2": items(1, 1)}},
		{note: "GAD-7 4 over a positive GAD-2", answers: answers{"gad7": items(1, 1, 1, 0, 0, 1, 0), "gad2": items(3, 3)}},
		{note: "GAD-7 prorated 9.8", answers: answers{"gad7": items(2, 2, 1, 1, 1)}},
	},
	"positive": {
		{note: "GAD-7 10", answers: answers{"gad7": items(2, 1, 1, 2, 1, 2, 1)}},
		{note: "GAD-2 3 alone (LOINC)", answers: answers{"gad2": items("LA6571-9", "LA6568-5")}},
		{note: "GAD-7 incomplete, GAD-2 4", answers: answers{"gad7": items(2, 2, 2), "gad2": items(2, 2)}},
		{note: "GAD-7 prorated 10.5", answers: answers{"gad7": items(2, 2, 2, 1, 1, 1)}},
	},
	"not_assessed": {
		{note: "no GAD", answers: answers{}},
		{note: "GAD-7 incomplete", answers: answers{"gad7": items(3, 3, 3, 3)}},
		{note: "GAD-2 incomplete", answers: answers{"gad2": {"q2": 3}}},
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
	},
	"positive": {
		{note: "AUDIT-C 4, male", answers: answers{"auditc": auditc(2, 1, 1)}, context: map[string]any{"sex": "male", "age": 58}},
		{note: "AUDIT-C 3, female (LOINC)", answers: answers{"auditc": auditc("LA18927-6", "LA15695-2", "LA6270-8")}, context: map[string]any{"sex": "female"}},
		{note: "AUDIT-C 3, sex not given", answers: answers{"auditc": auditc(1, 1, 1)}},
		{note: "AUDIT-C 3, sex other", answers: answers{"auditc": auditc(3, 0, 0)}, context: map[string]any{"sex": "other"}},
	},
	"not_assessed": {
		{note: "no AUDIT-C", answers: answers{}},
		{note: "AUDIT-C incomplete", answers: answers{"auditc": {"frequency": 4, "typical_quantity": 4}}, context: map[string]any{"sex": "male"}},
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
	},
	"positive": {
		{note: "trauma, 3 symptoms", answers: answers{"pc_ptsd5": ptsd(1, 0, 1, 1, 0, 1)}},
		{note: "trauma, 5 symptoms", answers: answers{"pc_ptsd5": ptsd(1, 1, 1, 1, 1, 1)}},
	},
	"not_assessed": {
		{note: "no PC-PTSD-5", answers: answers{}},
		{note: "trauma, a symptom unanswered", answers: answers{"pc_ptsd5": ptsd(1, 1, 1, 1, 1)}},
	},
}

// ============================================================================================================
// The exhaustive check
// ============================================================================================================

// TestContractExhaustive scores every combination of domain values — pain (5 values) × oud (6) × depression
// (3) × anxiety (3) × alcohol (3) × trauma (3) × safety (3), 7,290 response sets — each built from one of
// several realistic ways to reach those values, and checks the report against the contract re-implemented
// above: the domains (from the instrument results, by composite.md's domain table), the tier, the exact
// referral list and order, the moud addendum, not_assessed, the input_incomplete notes, and that every
// domain, the tier and every referral gives reasons from which the contract reaches the same value.
// Dropping the required inputs from a sample of the combinations checks that the rule set is then not
// applied.
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
								want := domains{pain: pain, oud: oud, depression: dep, anxiety: anx, alcohol: alc, trauma: trauma, safety: safety}
								ways := []way{
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

func newEngine(t testing.TB, opts ...screen.Option) *screen.Engine {
	t.Helper()
	eng, err := screen.New(append([]screen.Option{bundled.Definitions()}, opts...)...)
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

func describe(ways []way) string {
	var notes []string
	for _, w := range ways {
		notes = append(notes, w.note)
	}
	return strings.Join(notes, "; ")
}

func checkCombination(t *testing.T, eng *screen.Engine, want domains, resp *screen.Response, ways []way) {
	t.Helper()
	rep, err := eng.Score(context.Background(), resp)
	if err != nil {
		t.Errorf("%s [%s]: %v", want, describe(ways), err)
		return
	}
	c := rep.Composite
	if c == nil || !c.Applied {
		t.Errorf("%s [%s]: composite not applied", want, describe(ways))
		return
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s [%s]: %s", want, describe(ways), fmt.Sprintf(format, args...))
	}

	// Domains: the engine, and the contract's domain table applied to the instrument results, both give
	// the values the answers were chosen for.
	f := factsOf(rep)
	var wantNotAssessed []string
	for _, name := range domainOrder {
		got, _ := c.Domain(name)
		if got.String() != want.get(name) {
			fail("domain %s = %s", name, got)
		}
		if byContract := contractDomain(name, f); byContract != want.get(name) {
			fail("the contract's domain table gives %s = %s from the instrument results", name, byContract)
		}
		if want.get(name) == "not_assessed" {
			wantNotAssessed = append(wantNotAssessed, name)
		}
	}
	if !slices.Equal(c.NotAssessed, wantNotAssessed) {
		fail("not_assessed = %v, want %v", c.NotAssessed, wantNotAssessed)
	}

	// Tier and referrals.
	tier := contractTier(want)
	if string(c.Tier) != tier {
		fail("tier = %s, want %s", c.Tier, tier)
	}
	var gotIDs []string
	for _, r := range c.Referrals {
		gotIDs = append(gotIDs, r.ID)
	}
	if wantIDs := contractReferralIDs(want, tier); !slices.Equal(gotIDs, wantIDs) {
		fail("referrals = %v, want %v", gotIDs, wantIDs)
	}
	for _, r := range c.Referrals {
		if i := slices.IndexFunc(contractReferrals, func(cr contractReferral) bool { return cr.id == r.ID }); i >= 0 && string(r.Priority) != contractReferrals[i].priority {
			fail("referral %s has priority %s, want %s", r.ID, r.Priority, contractReferrals[i].priority)
		}
	}

	// The moud addendum (treat pain and OUD together) appears exactly when there is chronic pain of any grade;
	// no other referral has addenda.
	for _, r := range c.Referrals {
		wantAddenda := 0
		if r.ID == "moud" && anyChronicPain(want) {
			wantAddenda = 1
		}
		if len(r.Addenda) != wantAddenda {
			fail("referral %s has %d addenda, want %d", r.ID, len(r.Addenda), wantAddenda)
		}
	}

	// Every present but incomplete input, and only those, gets a note saying why.
	var incomplete, noted []string
	for _, res := range rep.Instruments {
		if res.Status == screen.StatusIncomplete {
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
	// every reason agrees with the report.
	for i := range c.Domains {
		d := &c.Domains[i]
		reasons := d.Reasons()
		for _, r := range reasons {
			if v, ok := f[r.Name]; ok && !v.Equal(r.Value) {
				fail("domain %s: reason %s = %s, but the report says %s", d.ID, r.Name, r.Value, v)
			}
		}
		if got := contractDomain(d.ID, factsFrom(reasons)); got != d.Value.String() {
			fail("domain %s = %s, but its reasons %v only support %s", d.ID, d.Value, reasons, got)
		}
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

// checkNotApplied removes the required inputs: without gcps_r, or without both dsm5_oud and sisq_drug, the
// rule set is not applied (and, when the caller requires it, scoring fails with composite_not_applied).
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
	if c.Rule != "pain_oud@1.0.0#tiers.high" {
		t.Errorf("tier rule %q", c.Rule)
	}
	mustName(t, "tier", c.Reasons, map[string]any{"domains.safety": "none", "domains.oud": "mild", "domains.pain": "bothersome"})

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
		if r.Rule != "pain_oud@1.0.0#referrals."+r.ID {
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

	// Each domain names the instrument results it read.
	wantDomainReasons := map[string]map[string]any{
		"pain":       {"gcps_r.status": "complete", "gcps_r.label": "bothersome"},
		"oud":        {"dsm5_oud.status": "complete", "dsm5_oud.severity": "mild"},
		"depression": {"phq9.status": "complete", "phq9.total": 11},
		"anxiety":    {"gad7.status": "complete", "gad7.total": 4},
		"alcohol":    {"auditc.status": "complete", "auditc.positive": false},
		"trauma":     {"pc_ptsd5.status": "complete", "pc_ptsd5.positive": false},
		"safety":     {"phq9.flags.suicidal_ideation": false},
	}
	for _, name := range domainOrder {
		ex, ok := c.Explain[name]
		if !ok {
			t.Errorf("no explanation for domain %s", name)
			continue
		}
		if ex.Rule != "pain_oud@1.0.0#domains."+name {
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
		{"pain not assessed", map[string]any{"pain_frequency": 3}, false},
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
		c := score(answers{"gcps_r": gcps(1, nil, nil, nil, nil), "sisq_drug": {"times": 0}, "phq9": items(1, 1, 1, 1, 1, 1, nil, nil, nil)})
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

	t.Run("absent optional inputs are listed, without notes", func(t *testing.T) {
		c := score(answers{"gcps_r": gcps(1, nil, nil, nil, nil), "sisq_drug": {"times": 0}})
		if want := []string{"depression", "anxiety", "alcohol", "trauma", "safety"}; !slices.Equal(c.NotAssessed, want) {
			t.Errorf("not_assessed %v, want %v", c.NotAssessed, want)
		}
		if len(c.Notes) != 0 {
			t.Errorf("notes %+v, want none", c.Notes)
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
