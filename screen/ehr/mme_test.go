package ehr

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/ehr/internal/gen"
)

var update = flag.Bool("update", false, "rewrite table.tsv from the sources")

// TestTableUpToDate: the embedded table is exactly what the generator makes from the checked-in sources.
func TestTableUpToDate(t *testing.T) {
	b, err := gen.Build(os.DirFS("internal/gen/source"))
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile("table.tsv", b, 0o644))
		return
	}
	require.Equal(t, string(b), string(tableData), "table.tsv is stale: run go generate ./screen/ehr")
}

func TestTable(t *testing.T) {
	tb, err := loadTable()
	require.NoError(t, err)
	assert.Equal(t, gen.Version+" (cdc-mme-clinical-3.0.0)", TableVersion())
	assert.True(t, strings.HasPrefix(TableDigest(), "sha256:"))
	assert.Len(t, TableDigest(), 7+64)
	assert.Greater(t, len(tb.drugs), 1000)
	// The CDC 2022 clinical factors, as published.
	want := map[uint32]float64{2670: 0.15, 5489: 1, 3423: 5, 6813: 4.7, 7052: 1, 7804: 1.5, 7814: 3, 787390: 0.4, 10689: 0.2}
	for code, f := range want {
		require.NotNil(t, tb.ingr[code], code)
		assert.Equal(t, f, tb.ingr[code].factor, tb.ingr[code].name)
	}
	fent := tb.ingr[4337]
	require.Len(t, fent.forms, 1)
	assert.Equal(t, formFactor{form: 316987, factor: 7200, dosesPerDay: 0.33333333}, fent.forms[0])
	assert.NotEmpty(t, fent.withheld)
	// Pitfalls the generator must get right.
	cls := func(code uint32) uint8 { d := tb.drug(code); require.NotNil(t, d, code); return d.classes }
	assert.Equal(t, clsBupOUD, cls(1010600), "buprenorphine/naloxone film is MOUD")
	assert.Equal(t, clsBupOUD, cls(1542390), "buprenorphine/naloxone buccal film is MOUD")
	assert.Equal(t, clsBupOUD, cls(1996184), "extended-release injection is MOUD")
	assert.Equal(t, clsBupOUD, cls(1797650), "implant is MOUD")
	assert.Equal(t, clsBupPain, cls(904870), "transdermal buprenorphine is for pain")
	assert.Equal(t, clsBupPain, cls(1716057), "buccal buprenorphine without naloxone is for pain")
	assert.Equal(t, clsNaloxone, cls(1725059), "naloxone nasal spray is rescue naloxone")
	assert.Equal(t, clsOpioid, cls(312289), "naloxone/pentazocine is an opioid analgesic, not rescue naloxone")
	assert.Equal(t, clsMethadone, cls(864706))
	assert.Equal(t, clsBenzo, cls(308048))
	assert.Nil(t, tb.drug(314076), "lisinopril is in no value set")
}

// TestTableParseErrors: a corrupted table is an error, never a panic or a half table.
func TestTableParseErrors(t *testing.T) {
	for _, s := range []string{"", "X\t1\n", "V\t1\tx\nF\t1\n", "V\t1\tx\nD\t1\topioid\t-\t-\t-\t1:x:MG\tn\n",
		"V\t1\tx\nD\t1\tnope\t-\t-\t-\t-\tn\n", "V\t1\tx\nF\t1\tA\t-\t1:x\t-\t-\n", "V\t1\tx\nF\t1\tA\t-\t-\t1-2\t-\n",
		"V\t1\tx\nD\t2\topioid\t-\t-\t-\t-\tn\nD\t1\topioid\t-\t-\t-\t-\tn\n", "V\t1\tx\nC\tsct\t1\tfoo\tn\n"} {
		_, err := parseTable([]byte(s))
		assert.Error(t, err, "%q", s)
	}
}

func mmeOf(t *testing.T, res ...obj) (Field, *Context) {
	t.Helper()
	c := derive(t, true, append([]obj{pat()}, res...)...)
	return field(t, c, FieldOpioidMME), c
}

// TestCDCExpectations reproduces the CDC calculator's published examples and covers every conversion factor
// of the table at least once.
func TestCDCExpectations(t *testing.T) {
	tab := func(n float64) obj { return qty(n, "{tbl}") }
	cases := []struct {
		name string
		req  obj
		want float64
	}{
		{"fentanyl 75 mcg/h patch every 72 h (CDC: 180)", mr("f", "197696", line(qty(1, "{patch}"), perDayRepeat(1, 72, "h"))), 180},
		{"fentanyl 25 mcg/h patch, timing not read", mr("f", "245134", line(qty(1, "patch"), nil)), 60},
		{"codeine 30 mg x 4/d", mr("c", "993781", line(tab(1), perDayRepeat(4, 1, "d"))), 18},
		{"hydrocodone 10 mg x 3/d", mr("h", "856980", line(tab(1), perDayRepeat(3, 1, "d"))), 30},
		{"hydromorphone 2 mg q4h", mr("h", "897696", line(tab(1), perDayRepeat(1, 4, "h"))), 60},
		{"methadone 10 mg x 2/d for pain", mr("m", "864706", line(tab(1), perDayRepeat(2, 1, "d"))), 94},
		{"morphine 15 mg x 2/d", mr("m", "892582", line(tab(1), perDayRepeat(2, 1, "d"))), 30},
		{"oxycodone 10 mg QID (CDC: 60)", mr("o", "1049683", line(tab(1), perDayRepeat(4, 1, "d"))), 60},
		{"oxymorphone 10 mg x 2/d", mr("o", "977942", line(tab(1), perDayRepeat(2, 1, "d"))), 60},
		{"tapentadol 50 mg x 4/d", mr("t", "825411", line(tab(1), perDayRepeat(4, 1, "d"))), 80},
		{"tramadol 50 mg x 4/d", mr("t", "835603", line(tab(1), perDayRepeat(4, 1, "d"))), 40},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ctx := mmeOf(t, c.req)
			require.True(t, f.Known, "%+v", ctx.Notes)
			assert.InDelta(t, c.want, f.Value, 1e-9)
			require.NotEmpty(t, f.Reasons)
			assert.Equal(t, "MedicationRequest/"+c.req["id"].(string), f.Reasons[len(f.Reasons)-1].Resource)
		})
	}
	f, _ := mmeOf(t, cases[0].req)
	assert.Contains(t, f.Reasons[0].Text, "75 mcg/h fentanyl × 2.4 = 180 MME/day")
}

// TestNoFactor: ingredients without a CDC 2022 factor (and the withheld non-transdermal fentanyl factor)
// leave opioid_mme unknown with a note naming the request, never 0.
func TestNoFactor(t *testing.T) {
	for _, c := range []struct{ name, code, why string }{
		{"fentanyl buccal tablet", "668363", "fentanyl in this dose form"},
		{"meperidine", "861455", "no MME conversion factor for meperidine"},
		{"butorphanol nasal spray", "886634", "no MME conversion factor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, ctx := mmeOf(t, mr("x1", c.code, line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))))
			assert.False(t, f.Known)
			assert.Nil(t, f.Value)
			require.True(t, hasNote(ctx, NoteMMEUnknown, "MedicationRequest/x1"), "%+v", ctx.Notes)
			var texts []string
			for _, n := range ctx.Notes {
				texts = append(texts, n.Text)
			}
			assert.Contains(t, strings.Join(texts, "\n"), c.why)
		})
	}
}

// TestDoseShapes covers each dose and timing shape the issue lists.
func TestDoseShapes(t *testing.T) {
	oxy := "1049683"   // oxycodone 10 mg tablet
	sol := "1049604"   // oxycodone 1 mg/mL oral solution
	syr := "897757"    // 1 mL hydromorphone 2 mg/mL prefilled syringe
	fnasal := "886634" // butorphanol (no factor) — unused here
	_ = fnasal
	cases := []struct {
		name string
		req  obj
		want float64 // < 0: unknown
	}{
		{"tablets", mr("a", oxy, line(qty(2, "tablet"), perDayRepeat(2, 1, "d"))), 60},
		{"mg", mr("a", oxy, line(qty(10, "mg"), perDayRepeat(3, 1, "d"))), 45},
		{"mcg", mr("a", oxy, line(qty(10000, "ug"), perDayRepeat(1, 1, "d"))), 15},
		{"mL of a solution", mr("a", sol, line(qty(5, "mL"), perDayRepeat(4, 1, "d"))), 30},
		{"mg of a solution", mr("a", sol, line(qty(5, "mg"), perDayRepeat(4, 1, "d"))), 30},
		{"syringe of a fixed volume", mr("a", syr, line(qty(1, "syringe"), perDayRepeat(1, 6, "h"))), 40},
		{"bottle of a solution is unknown", mr("a", sol, line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))), -1},
		{"mL of a tablet is unknown", mr("a", oxy, line(qty(5, "mL"), perDayRepeat(4, 1, "d"))), -1},
		{"patch in mg is unknown", mr("a", "197696", line(qty(1, "mg"), nil)), -1},
		{"doseRange counts its high end", mr("a", oxy, obj{"doseAndRate": []obj{{"doseRange": obj{"low": qty(1, "{tbl}"), "high": qty(2, "{tbl}")}}},
			"timing": obj{"repeat": perDayRepeat(3, 1, "d")}}), 90},
		{"doseRange without high is unknown", mr("a", oxy, obj{"doseAndRate": []obj{{"doseRange": obj{"low": qty(1, "{tbl}")}}},
			"timing": obj{"repeat": perDayRepeat(3, 1, "d")}}), -1},
		{"frequencyMax counts (as needed)", mr("a", oxy, obj{"doseAndRate": []obj{{"doseQuantity": qty(1, "{tbl}")}}, "asNeededBoolean": true,
			"timing": obj{"repeat": obj{"frequency": 1, "frequencyMax": 2, "period": 4, "periodUnit": "h"}}}), 180},
		{"as needed without frequencyMax counts every dose", mr("a", oxy, obj{"doseAndRate": []obj{{"doseQuantity": qty(1, "{tbl}")}},
			"asNeededCodeableConcept": obj{"text": "pain"}, "timing": obj{"repeat": perDayRepeat(1, 6, "h")}}), 60},
		{"period in hours", mr("a", oxy, line(qty(1, "{tbl}"), perDayRepeat(1, 12, "h"))), 30},
		{"period in weeks", mr("a", oxy, line(qty(1, "{tbl}"), perDayRepeat(7, 1, "wk"))), 15},
		{"period in months", mr("a", oxy, line(qty(1, "{tbl}"), perDayRepeat(30, 1, "mo"))), 15},
		{"no frequency means once per period", mr("a", oxy, line(qty(1, "{tbl}"), obj{"period": 1, "periodUnit": "d"})), 15},
		{"timeOfDay", mr("a", oxy, line(qty(1, "{tbl}"), obj{"timeOfDay": []string{"08:00:00", "20:00:00"}})), 30},
		{"when with meals", mr("a", oxy, line(qty(1, "{tbl}"), obj{"when": []string{"C", "HS"}})), 60},
		{"timing code QID", mr("a", oxy, obj{"doseAndRate": []obj{{"doseQuantity": qty(1, "{tbl}")}},
			"timing": obj{"code": obj{"coding": []obj{{"code": "QID"}}}}}), 60},
		{"no timing is unknown", mr("a", oxy, line(qty(1, "{tbl}"), nil)), -1},
		{"frequency without period is unknown", mr("a", oxy, line(qty(1, "{tbl}"), obj{"frequency": 4})), -1},
		{"unknown period unit is unknown", mr("a", oxy, line(qty(1, "{tbl}"), obj{"frequency": 4, "period": 1, "periodUnit": "fortnight"})), -1},
		{"no dose is unknown", mr("a", oxy, line(nil, perDayRepeat(4, 1, "d"))), -1},
		{"unit not understood is unknown", mr("a", oxy, line(qty(1, "scoop"), perDayRepeat(4, 1, "d"))), -1},
		{"zero dose is unknown", mr("a", oxy, line(qty(0, "{tbl}"), perDayRepeat(4, 1, "d"))), -1},
		{"no dosage is unknown", mr("a", oxy), -1},
		{"an absurd frequency is unknown, not infinite", mr("a", oxy, line(qty(1, "{tbl}"), obj{"frequency": 1e308, "period": 1, "periodUnit": "h"})), -1},
		{"an absurd dose is unknown, not infinite", mr("a", oxy, line(qty(1e308, "g"), perDayRepeat(4, 1, "d"))), -1},
		{"concurrent dosage lines add up", mr("a", oxy, line(qty(1, "{tbl}"), obj{"timeOfDay": []string{"08:00:00"}}),
			line(qty(2, "{tbl}"), obj{"timeOfDay": []string{"20:00:00"}})), 45},
		{"sequential dosage lines: the highest counts", mr("a", oxy,
			obj{"sequence": 1, "doseAndRate": []obj{{"doseQuantity": qty(2, "{tbl}")}}, "timing": obj{"repeat": perDayRepeat(4, 1, "d")}},
			obj{"sequence": 2, "doseAndRate": []obj{{"doseQuantity": qty(1, "{tbl}")}}, "timing": obj{"repeat": perDayRepeat(4, 1, "d")}}), 120},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ctx := mmeOf(t, c.req)
			if c.want < 0 {
				assert.False(t, f.Known, "%v", f.Value)
				assert.True(t, hasNote(ctx, NoteMMEUnknown, "MedicationRequest/a"), "%+v", ctx.Notes)
				return
			}
			require.True(t, f.Known, "%+v", ctx.Notes)
			assert.InDelta(t, c.want, f.Value, 1e-9)
		})
	}
}

// TestMedicationReference: the product may be a contained or a bundled Medication.
func TestMedicationReference(t *testing.T) {
	l1 := line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))
	contained := mr("a", "", l1)
	contained["medicationReference"] = obj{"reference": "#m"}
	contained["contained"] = []obj{{"resourceType": "Medication", "id": "m", "code": rx("1049683")}}
	f, _ := mmeOf(t, contained)
	assert.Equal(t, 60.0, f.Value)

	bundled := mr("a", "", l1)
	bundled["medicationReference"] = obj{"reference": "Medication/m2"}
	f, _ = mmeOf(t, bundled, obj{"resourceType": "Medication", "id": "m2", "code": rx("1049683")})
	assert.Equal(t, 60.0, f.Value)

	var rs Resources
	bundled["medicationReference"] = obj{"reference": "urn:uuid:abc"}
	b := []byte(`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:abc","resource":{"resourceType":"Medication","code":{"coding":[{"system":"` + rxnorm + `","code":"1049683"}]}}},{"resource":` + string(mustJSON(bundled)) + `}]}`)
	require.NoError(t, rs.Add(b))
	c, err := Derive(&rs, Options{AsOf: asOf, MedicationsComplete: true})
	require.NoError(t, err)
	assert.Equal(t, 60.0, field(t, c, FieldOpioidMME).Value)

	missing := mr("a", "", l1)
	missing["medicationReference"] = obj{"reference": "Medication/nowhere"}
	f, ctx := mmeOf(t, missing)
	assert.False(t, f.Known)
	assert.True(t, hasNote(ctx, NoteUnresolved, "MedicationRequest/a"))
	assert.False(t, field(t, ctx, FieldBenzodiazepine).Known, "an unresolved product could be a benzodiazepine")
}

// TestStatus: only active requests count; draft and stopped ones are ignored, as are doNotPerform ones.
func TestStatus(t *testing.T) {
	l1 := line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))
	var reqs []obj
	for _, s := range []string{"draft", "stopped", "on-hold", "completed", "cancelled", "entered-in-error", "unknown"} {
		r := mr("x-"+s, "1049683", l1)
		r["status"] = s
		reqs = append(reqs, r)
	}
	dnp := mr("dnp", "308048")
	dnp["doNotPerform"] = true
	reqs = append(reqs, dnp)
	f, ctx := mmeOf(t, append(reqs, mr("on", "1049683", l1))...)
	assert.Equal(t, 60.0, f.Value)
	assert.Equal(t, false, field(t, ctx, FieldBenzodiazepine).Value)
	f, _ = mmeOf(t, reqs...)
	assert.Equal(t, 0.0, f.Value)
}

func TestSeveralRequestsSum(t *testing.T) {
	f, _ := mmeOf(t,
		mr("a", "1049683", line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))),
		mr("b", "197696", line(qty(1, "{patch}"), perDayRepeat(1, 3, "d"))))
	assert.Equal(t, 240.0, f.Value)
	require.Len(t, f.Reasons, 2)
	assert.Equal(t, "MedicationRequest/a", f.Reasons[0].Resource)
	assert.Equal(t, "MedicationRequest/b", f.Reasons[1].Resource)
}

func TestUnknownCodes(t *testing.T) {
	l1 := line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))
	// An opioid of the CDC value set that the strength table does not hold.
	require.Empty(t, mustTable(t).drug(106505).ingr)
	f, ctx := mmeOf(t, mr("new", "106505", l1))
	assert.False(t, f.Known)
	assert.True(t, hasNote(ctx, NoteMMEUnknown, "MedicationRequest/new"), "%+v", ctx.Notes)
	// An opioid named only in text.
	txt := mr("t", "", l1)
	txt["medicationCodeableConcept"] = obj{"text": "Oxycodone 5mg tab"}
	f, ctx = mmeOf(t, txt)
	assert.False(t, f.Known)
	assert.True(t, hasNote(ctx, NoteMMEUnknown, "MedicationRequest/t"))
	// An opioid coded by ingredient only.
	f, ctx = mmeOf(t, mr("i", "7804", l1))
	assert.False(t, f.Known)
	assert.True(t, hasNote(ctx, NoteMMEUnknown, "MedicationRequest/i"))
	// A request with neither an RxNorm code nor a recognised name could be anything.
	local := mr("l", "", l1)
	local["medicationCodeableConcept"] = obj{"coding": []obj{{"system": "urn:local", "code": "X1"}}, "text": "Med X"}
	f, ctx = mmeOf(t, local)
	assert.False(t, f.Known)
	assert.False(t, field(t, ctx, FieldBenzodiazepine).Known)
	assert.False(t, field(t, ctx, FieldMOUDCurrent).Known)
	assert.False(t, field(t, ctx, FieldNaloxoneCurrent).Known)
	assert.True(t, hasNote(ctx, NoteNotCoded, "MedicationRequest/l"))
	// An RxNorm "code" that is not one is no code at all.
	garbage := mr("g", "", l1)
	garbage["medicationCodeableConcept"] = obj{"coding": []obj{{"system": rxnorm, "code": "oxy-10"}}}
	f, ctx = mmeOf(t, garbage)
	assert.False(t, f.Known)
	assert.True(t, hasNote(ctx, NoteNotCoded, "MedicationRequest/g"))
	// An RxNorm code of no concern (lisinopril) does not stop the others from being known.
	f, _ = mmeOf(t, mr("lis", "314076", l1))
	assert.Equal(t, 0.0, f.Value)
}

func mustTable(t *testing.T) *table {
	tb, err := loadTable()
	require.NoError(t, err)
	return tb
}
