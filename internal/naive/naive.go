// Package naive is the scorer a team would write by hand without painscreen: encoding/json in and out,
// the bundled battery's scoring (composite.md §1) and the pain_oud 1.2.0 composite (§2) as plain Go, no
// definitions, no explanations beyond the domain values behind each referral, and no determinacy: an
// instrument with an unanswered item is simply not scored.
//
// It exists as the yardstick of the benchmark suite (scripts/bench-batch.sh, BenchmarkNaive in
// cmd/painscreen): "how far ahead of a hand-written scorer is painscreen" is the ratio of their records per
// second on the same generated records. A differential test (cmd/painscreen/naive_test.go) checks that on
// complete records it gives painscreen's scores, domains, tier and referrals, so the comparison is apples
// to apples. It is not a product: never use it to screen anyone.
package naive

import (
	"encoding/json"
	"io"
	"math"
	"strings"
)

// Record is one input line: the native response-set JSON.
type Record struct {
	Subject string                       `json:"subject"`
	Date    string                       `json:"date,omitempty"`
	Context Context                      `json:"context"`
	Answers map[string]map[string]*int64 `json:"answers"` // null: not answered
}

// Context is the respondent context the battery reads; nil is unknown.
type Context struct {
	Age             *int64   `json:"age"`
	Sex             string   `json:"sex"`
	MOUDCurrent     *bool    `json:"moud_current"`
	OpioidMME       *float64 `json:"opioid_mme"`
	Benzodiazepine  *bool    `json:"benzodiazepine"`
	PriorOverdose   *bool    `json:"prior_overdose"`
	NaloxoneCurrent *bool    `json:"naloxone_current"`
}

// Result is one output line.
type Result struct {
	Subject     string                 `json:"subject"`
	Instruments map[string]*Instrument `json:"instruments"`
	Composite   *Composite             `json:"composite,omitempty"`
	Error       string                 `json:"error,omitempty"`
}

// Instrument is one instrument's result: its scores (absent when an item is unanswered) and fired flags.
type Instrument struct {
	Status string         `json:"status"` // complete | incomplete
	Scores map[string]any `json:"scores,omitempty"`
	Flags  []string       `json:"flags,omitempty"`
}

// Composite is the pain_oud 1.2.0 result.
type Composite struct {
	Applied   bool              `json:"applied"`
	Reason    string            `json:"reason,omitempty"`
	Domains   map[string]string `json:"domains,omitempty"`
	Tier      string            `json:"tier,omitempty"`
	Referrals []Referral        `json:"referrals"`
}

// Referral is one referral with the domain values that fired it.
type Referral struct {
	ID       string            `json:"id"`
	Priority string            `json:"priority"`
	Text     string            `json:"text"`
	Reasons  map[string]string `json:"reasons"`
}

// Run reads JSON Lines from r and writes one result line per record to w, as a hand-written batch tool
// would: json.Decoder in, json.Encoder out. A record that does not decode is an error line.
func Run(r io.Reader, w io.Writer) (n int, err error) {
	dec := json.NewDecoder(r)
	enc := json.NewEncoder(w)
	for {
		var rec Record
		if err := dec.Decode(&rec); err == io.EOF {
			return n, nil
		} else if err != nil {
			// A syntax error stops a json.Decoder; a type error does not, but keeps nothing of the record.
			if _, ok := err.(*json.UnmarshalTypeError); !ok {
				return n, err
			}
			n++
			if err := enc.Encode(Result{Subject: rec.Subject, Error: "the record could not be read"}); err != nil {
				return n, err
			}
			continue
		}
		n++
		if err := enc.Encode(Score(&rec)); err != nil {
			return n, err
		}
	}
}

// Score scores one record.
func Score(rec *Record) *Result {
	res := &Result{Subject: rec.Subject, Instruments: map[string]*Instrument{}}
	for id, ans := range rec.Answers {
		if f := scorers[id]; f != nil {
			res.Instruments[id] = f(ans, &rec.Context)
		}
	}
	res.Composite = composite(res.Instruments, &rec.Context)
	return res
}

// all returns the answers to ids and whether every one is answered.
func all(ans map[string]*int64, ids ...string) ([]int64, bool) {
	v := make([]int64, len(ids))
	for i, id := range ids {
		p := ans[id]
		if p == nil {
			return nil, false
		}
		v[i] = *p
	}
	return v, true
}

func sum(v []int64) (s int64) {
	for _, x := range v {
		s += x
	}
	return s
}

func incomplete() *Instrument { return &Instrument{Status: "incomplete"} }

func complete(scores map[string]any, flags ...string) *Instrument {
	return &Instrument{Status: "complete", Scores: scores, Flags: flags}
}

// band returns the label of the first cut-point total is below, else last.
func band(total int64, cuts []int64, labels ...string) string {
	for i, c := range cuts {
		if total < c {
			return labels[i]
		}
	}
	return labels[len(labels)-1]
}

func male(sex string) bool {
	s := strings.ToLower(strings.TrimSpace(sex))
	return s == "male" || s == "m"
}

var scorers = map[string]func(map[string]*int64, *Context) *Instrument{
	"phq9": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9")
		if !ok {
			return incomplete()
		}
		t := sum(v)
		in := complete(map[string]any{"total": t, "severity": band(t, []int64{5, 10, 15, 20}, "minimal", "mild", "moderate", "moderately_severe", "severe")})
		if v[8] >= 1 {
			in.Flags = []string{"suicidal_ideation"}
		}
		return in
	},
	"phq2": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "q1", "q2")
		if !ok {
			return incomplete()
		}
		return complete(map[string]any{"total": sum(v), "positive": sum(v) >= 3})
	},
	"gad7": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "q1", "q2", "q3", "q4", "q5", "q6", "q7")
		if !ok {
			return incomplete()
		}
		t := sum(v)
		return complete(map[string]any{"total": t, "severity": band(t, []int64{5, 10, 15}, "minimal", "mild", "moderate", "severe")})
	},
	"gad2": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "q1", "q2")
		if !ok {
			return incomplete()
		}
		return complete(map[string]any{"total": sum(v), "positive": sum(v) >= 3})
	},
	"gcps_r": func(a map[string]*int64, _ *Context) *Instrument {
		pf, ok := all(a, "pain_frequency")
		if !ok {
			return incomplete()
		}
		grade := int64(0)
		s := map[string]any{}
		if pf[0] >= 2 {
			v, ok := all(a, "limit_frequency", "pain_avg", "enjoyment", "activity")
			if !ok {
				return incomplete()
			}
			switch {
			case v[0] >= 2:
				grade = 3
			case v[1]+v[2]+v[3] >= 12:
				grade = 2
			default:
				grade = 1
			}
			s["peg_mean"] = math.Floor(float64(v[1]+v[2]+v[3])*10/3+0.5) / 10
		}
		s["grade"] = grade
		s["label"] = []string{"none", "mild", "bothersome", "high_impact"}[grade]
		s["chronic_pain"] = grade >= 1
		s["high_impact"] = grade == 3
		return complete(s)
	},
	"dsm5_oud": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems",
			"activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal", "supervised")
		if !ok {
			return incomplete()
		}
		n := sum(v[:9])
		if v[11] != 1 { // tolerance and withdrawal do not count under medical supervision
			n += v[9] + v[10]
		}
		return complete(map[string]any{"count": n, "severity": band(n, []int64{2, 4, 6}, "none", "mild", "moderate", "severe")})
	},
	"sisq_drug": func(a map[string]*int64, _ *Context) *Instrument {
		v, ok := all(a, "times")
		if !ok {
			return incomplete()
		}
		return complete(map[string]any{"positive": v[0] >= 1})
	},
	"auditc": func(a map[string]*int64, c *Context) *Instrument {
		v, ok := all(a, "frequency", "typical_quantity", "binge_frequency")
		if !ok {
			return incomplete()
		}
		t, cut := sum(v), int64(3)
		if male(c.Sex) {
			cut = 4
		}
		return complete(map[string]any{"total": t, "positive": t >= cut})
	},
	"pc_ptsd5": func(a map[string]*int64, _ *Context) *Instrument {
		tr, ok := all(a, "trauma")
		if !ok {
			return incomplete()
		}
		t := int64(0)
		if tr[0] == 1 {
			v, ok := all(a, "nightmares", "avoidance", "on_guard", "numb", "guilt")
			if !ok {
				return incomplete()
			}
			t = sum(v)
		}
		return complete(map[string]any{"total": t, "positive": t >= 3})
	},
}
