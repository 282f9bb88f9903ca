package naive

import "slices"

// inputs are the rule set's inputs (composite.md §2): it is applied when one of them is present.
var inputs = []string{"gcps_r", "dsm5_oud", "sisq_drug", "phq9", "phq2", "gad7", "gad2", "auditc", "pc_ptsd5"}

// score returns a complete instrument's score, or nil.
func score(ins map[string]*Instrument, id, s string) any {
	in := ins[id]
	if in == nil || in.Status != "complete" {
		return nil
	}
	return in.Scores[s]
}

func posNeg(b bool) string {
	if b {
		return "positive"
	}
	return "negative"
}

// composite is pain_oud 1.2.0 (composite.md §2) over complete instruments: an instrument that is absent or
// incomplete leaves its domain not_assessed.
func composite(ins map[string]*Instrument, c *Context) *Composite {
	present := false
	for _, id := range inputs {
		if ins[id] != nil {
			present = true
		}
	}
	switch {
	case !present:
		return &Composite{Reason: "no_inputs", Referrals: []Referral{}}
	case c.Age != nil && *c.Age < 18:
		return &Composite{Reason: "outside_population", Referrals: []Referral{}}
	}
	d := map[string]string{}
	set := func(name string, v any, f func(any) string) {
		if v == nil {
			d[name] = "not_assessed"
		} else {
			d[name] = f(v)
		}
	}
	set("pain", score(ins, "gcps_r", "label"), func(v any) string { return v.(string) })
	if v := score(ins, "dsm5_oud", "severity"); v != nil {
		d["oud"] = v.(string)
	} else {
		set("oud", score(ins, "sisq_drug", "positive"), func(v any) string {
			if v.(bool) {
				return "screen_positive"
			}
			return "none"
		})
	}
	set("drug_use", score(ins, "sisq_drug", "positive"), func(v any) string {
		if v.(bool) {
			return "positive"
		}
		return "none"
	})
	if v := score(ins, "phq9", "total"); v != nil {
		d["depression"] = band(v.(int64), []int64{10, 20}, "negative", "positive", "severe")
	} else {
		set("depression", score(ins, "phq2", "positive"), func(v any) string { return posNeg(v.(bool)) })
	}
	if v := score(ins, "gad7", "total"); v != nil {
		d["anxiety"] = posNeg(v.(int64) >= 10)
	} else {
		set("anxiety", score(ins, "gad2", "positive"), func(v any) string { return posNeg(v.(bool)) })
	}
	set("alcohol", score(ins, "auditc", "positive"), func(v any) string { return posNeg(v.(bool)) })
	set("trauma", score(ins, "pc_ptsd5", "positive"), func(v any) string { return posNeg(v.(bool)) })
	if p := ins["phq9"]; p != nil && p.Status == "complete" {
		d["safety"] = "none"
		if slices.Contains(p.Flags, "suicidal_ideation") {
			d["safety"] = "suicidal_ideation"
		}
	} else {
		d["safety"] = "not_assessed"
	}
	d["overdose_risk"] = overdose(c)

	comp := &Composite{Applied: true, Domains: d, Tier: tier(d)}
	comp.Referrals = referrals(d, c, comp.Tier)
	return comp
}

func yes(b *bool) bool { return b != nil && *b }

// overdose is the overdose_risk domain (CDC 2022 Rec 8 risk factors; composite.md §2).
func overdose(c *Context) string {
	mme := c.OpioidMME
	f := []bool{
		yes(c.PriorOverdose),
		mme != nil && *mme >= 50,
		yes(c.Benzodiazepine) && (mme != nil && *mme > 0 || yes(c.MOUDCurrent)),
		yes(c.MOUDCurrent),
	}
	n := 0
	for _, x := range f {
		if x {
			n++
		}
	}
	switch {
	case f[0] || mme != nil && *mme >= 90 || n >= 2:
		return "high"
	case n == 1:
		return "present"
	case c.PriorOverdose != nil && mme != nil && c.Benzodiazepine != nil && c.MOUDCurrent != nil:
		return "none"
	}
	return "not_assessed"
}

func in(v string, set ...string) bool { return slices.Contains(set, v) }

var oudDx = []string{"mild", "moderate", "severe"}
var painHigh = []string{"bothersome", "high_impact"}

func tier(d map[string]string) string {
	switch {
	case d["safety"] == "suicidal_ideation":
		return "urgent"
	case in(d["oud"], "moderate", "severe"), d["oud"] == "mild" && in(d["pain"], painHigh...),
		d["overdose_risk"] == "present" && in(d["oud"], "mild", "screen_positive"),
		d["overdose_risk"] == "high", d["depression"] == "severe":
		return "high"
	case in(d["oud"], "mild", "screen_positive"), in(d["pain"], painHigh...),
		in("positive", d["depression"], d["anxiety"], d["alcohol"], d["trauma"]),
		d["overdose_risk"] == "present", d["drug_use"] == "positive":
		return "elevated"
	}
	return "low"
}

// referral is one row of the referral table, in the table's order.
type referral struct {
	id, priority, text string
	when               func(d map[string]string, c *Context, tier string) bool
	reasons            []string // the domains it reads
}

var table = []referral{
	{"suicide_safety_assessment", "urgent", "Same-visit suicide risk assessment (e.g. C-SSRS).",
		func(d map[string]string, _ *Context, _ string) bool { return d["safety"] == "suicidal_ideation" }, []string{"safety"}},
	{"moud", "high", "Offer or arrange buprenorphine or methadone.",
		func(d map[string]string, c *Context, _ string) bool {
			return in(d["oud"], oudDx...) && !yes(c.MOUDCurrent)
		}, []string{"oud"}},
	{"moud_continue", "high", "Continue medication for OUD.",
		func(_ map[string]string, c *Context, _ string) bool { return yes(c.MOUDCurrent) }, nil},
	{"naloxone", "high", "Offer naloxone.",
		func(d map[string]string, c *Context, _ string) bool {
			return (in(d["oud"], oudDx...) || in(d["overdose_risk"], "present", "high")) && !yes(c.NaloxoneCurrent)
		}, []string{"oud", "overdose_risk"}},
	{"opioid_benzodiazepine_review", "high", "Review concurrent opioid and benzodiazepine prescribing.",
		func(_ map[string]string, c *Context, _ string) bool {
			return yes(c.Benzodiazepine) && c.OpioidMME != nil && *c.OpioidMME > 0
		}, nil},
	{"integrated_pain_oud_therapy", "high", "Integrated pain and OUD therapy.",
		func(d map[string]string, _ *Context, _ string) bool {
			return in(d["oud"], oudDx...) && in(d["pain"], painHigh...)
		}, []string{"oud", "pain"}},
	{"addiction_assessment", "routine", "Assess for opioid use disorder and other substance use.",
		func(d map[string]string, _ *Context, _ string) bool { return d["oud"] == "screen_positive" }, []string{"oud"}},
	{"substance_use_assessment", "routine", "Ask which substances; brief advice.",
		func(d map[string]string, _ *Context, _ string) bool {
			return d["drug_use"] == "positive" && d["oud"] == "none"
		},
		[]string{"drug_use", "oud"}},
	{"integrated_pain_care", "routine", "Multimodal integrative pain program.",
		func(d map[string]string, _ *Context, _ string) bool { return in(d["pain"], painHigh...) }, []string{"pain"}},
	{"behavioral_health_prompt", "high", "Start depression treatment now; expedite referral.",
		func(d map[string]string, _ *Context, _ string) bool { return d["depression"] == "severe" }, []string{"depression"}},
	{"behavioral_health", "routine", "Behavioural health evaluation and treatment.",
		func(d map[string]string, _ *Context, _ string) bool {
			return in("positive", d["depression"], d["anxiety"], d["trauma"])
		}, []string{"depression", "anxiety", "trauma"}},
	{"collaborative_care", "routine", "Collaborative care management.",
		func(d map[string]string, _ *Context, _ string) bool {
			n := 0
			for _, b := range []bool{in(d["pain"], painHigh...), in(d["oud"], oudDx...),
				in(d["depression"], "positive", "severe") || d["anxiety"] == "positive"} {
				if b {
					n++
				}
			}
			return n >= 2
		}, []string{"pain", "oud", "depression", "anxiety"}},
	{"alcohol_intervention", "routine", "Brief alcohol intervention.",
		func(d map[string]string, _ *Context, _ string) bool { return d["alcohol"] == "positive" }, []string{"alcohol"}},
	{"rescreen", "routine", "Rescreen at the next routine visit.",
		func(_ map[string]string, _ *Context, tier string) bool { return tier == "low" }, nil},
}

// referrals lists the referrals that fire, urgent → high → routine, then in the table's order.
func referrals(d map[string]string, c *Context, tier string) []Referral {
	out := []Referral{}
	for _, p := range []string{"urgent", "high", "routine"} {
		for _, r := range table {
			if r.priority != p || !r.when(d, c, tier) {
				continue
			}
			why := map[string]string{}
			for _, name := range r.reasons {
				why[name] = d[name]
			}
			out = append(out, Referral{ID: r.id, Priority: r.priority, Text: r.text, Reasons: why})
		}
	}
	return out
}
