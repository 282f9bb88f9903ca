package ehr

import (
	"context"
	"strconv"
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// patient50 is a patient with 50 active MedicationRequests: 5 opioids (tablets, a patch, a solution), a
// benzodiazepine, rescue naloxone and 43 other coded medications.
func patient50(allOpioids bool) []byte {
	res := []obj{pat()}
	opioids := []obj{
		mr("o1", "1049683", qid),
		mr("o2", "197696", line(qty(1, "patch"), perDayRepeat(1, 72, "h"))),
		mr("o3", "1049604", line(qty(5, "mL"), obj{"frequency": 1, "frequencyMax": 2, "period": 4, "periodUnit": "h"})),
		mr("o4", "856980", line(qty(1, "tablet"), perDayRepeat(3, 1, "d"))),
		mr("o5", "835603", line(qty(1, "tablet"), obj{"timeOfDay": []string{"08:00:00", "20:00:00"}})),
	}
	res = append(res, opioids...)
	res = append(res, mr("b", "308048", qid), mr("n", "1725059"))
	for i := len(res) - 1; i < 50; i++ {
		if allOpioids {
			res = append(res, mr("x"+strconv.Itoa(i), "1049683", qid))
		} else {
			res = append(res, mr("x"+strconv.Itoa(i), strconv.Itoa(314076+i), qid)) // codes of no concern
		}
	}
	return bundle(res...)
}

func benchDerive(b *testing.B, all bool) {
	var rs Resources
	if err := rs.Add(patient50(all)); err != nil {
		b.Fatal(err)
	}
	if _, m, _, _ := rs.Counts(); m != 50 {
		b.Fatalf("%d requests", m)
	}
	opt := Options{AsOf: asOf, MedicationsComplete: true, ConditionsComplete: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Derive(&rs, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDerive50: deriving the context of a patient with 50 MedicationRequests (resources already read).
func BenchmarkDerive50(b *testing.B) { benchDerive(b, false) }

// BenchmarkDerive50Opioids: the same with every request an opioid whose MME is computed and explained.
func BenchmarkDerive50Opioids(b *testing.B) { benchDerive(b, true) }

// BenchmarkAdd50: reading the 50-request Bundle's JSON.
func BenchmarkAdd50(b *testing.B) {
	data := patient50(false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var rs Resources
		if err := rs.Add(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreBattery is screen's BenchmarkScore (the bundled battery), here so that one run compares it
// with BenchmarkDerive50 under the same machine load.
func BenchmarkScoreBattery(b *testing.B) {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		b.Fatal(err)
	}
	r := &screen.Response{
		Subject: "pt-0042",
		Context: map[string]any{"age": 47, "sex": "female"},
		Answers: map[string]map[string]any{
			"phq9":   {"q1": 2, "q2": 2, "q3": 1, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 0, "q9": 0, "difficulty": 1},
			"gad7":   {"q1": 1, "q2": 1, "q3": 1, "q4": 2, "q5": 2, "q6": 0, "q7": 0},
			"gcps_r": {"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 6, "enjoyment": 7, "activity": 4},
			"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1, "time_spent": 0, "craving": 1, "role_failure": 0,
				"social_problems": 0, "activities_given_up": 1, "hazardous_use": 0, "physical_psych_problems": 0,
				"tolerance": 1, "withdrawal": 1, "supervised": 0},
			"sisq_drug": {"times": 3},
			"auditc":    {"frequency": 2, "typical_quantity": 1, "binge_frequency": 1},
			"pc_ptsd5":  {"trauma": 1, "nightmares": 1, "avoidance": 1, "on_guard": 0, "numb": 1, "guilt": 0},
		},
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Score(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
