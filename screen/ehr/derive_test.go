package ehr

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var qid = line(qty(1, "{tbl}"), perDayRepeat(4, 1, "d"))

// TestDoneWhen is the scenario at the package level.
func TestDoneWhen(t *testing.T) {
	oxy := mr("oxy", "1049683", qid)                                           // oxycodone 10 mg QID
	alp := mr("alp", "308048", line(qty(1, "{tbl}"), perDayRepeat(3, 1, "d"))) // alprazolam 0.5 mg TID
	c := derive(t, true, pat(), oxy, alp)

	mme := field(t, c, FieldOpioidMME)
	assert.Equal(t, 60.0, mme.Value)
	require.Len(t, mme.Reasons, 1)
	assert.Equal(t, "MedicationRequest/oxy", mme.Reasons[0].Resource)
	assert.Equal(t, "oxycodone hydrochloride 10 MG Oral Tablet: 1 {tbl}, 4 per 1 d → 40 mg/day oxycodone × 1.5 = 60 MME/day", mme.Reasons[0].Text)
	benzo := field(t, c, FieldBenzodiazepine)
	assert.Equal(t, true, benzo.Value)
	require.Len(t, benzo.Reasons, 1)
	assert.Equal(t, "MedicationRequest/alp", benzo.Reasons[0].Resource)
	assert.Equal(t, false, field(t, c, FieldNaloxoneCurrent).Value)
	assert.Equal(t, false, field(t, c, FieldMOUDCurrent).Value)
	assert.Equal(t, false, field(t, c, FieldPriorOverdose).Value)
	assert.Equal(t, map[string]any{"age": 56, "sex": "female", "opioid_mme": 60.0, "benzodiazepine": true,
		"moud_current": false, "naloxone_current": false, "prior_overdose": false}, c.Values())

	// The same patient with an active naloxone nasal spray.
	c = derive(t, true, pat(), oxy, alp, mr("nal", "1725059"))
	nal := field(t, c, FieldNaloxoneCurrent)
	assert.Equal(t, true, nal.Value)
	assert.Equal(t, "MedicationRequest/nal", nal.Reasons[0].Resource)

	// A patient on buprenorphine/naloxone film: MOUD, and not rescue naloxone.
	c = derive(t, true, pat(), mr("bup", "1010600", line(qty(1, "film"), perDayRepeat(2, 1, "d"))))
	assert.Equal(t, true, field(t, c, FieldMOUDCurrent).Value)
	assert.Equal(t, false, field(t, c, FieldNaloxoneCurrent).Value)
	assert.Equal(t, 0.0, field(t, c, FieldOpioidMME).Value, "buprenorphine for OUD is not an opioid analgesic")
}

func TestPitfalls(t *testing.T) {
	oud := obj{"coding": []obj{{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F11.20"}}}
	t.Run("methadone for OUD is MOUD, not MME", func(t *testing.T) {
		m := mr("m", "864706", qid)
		m["reasonCode"] = []obj{oud}
		c := derive(t, true, pat(), m)
		assert.Equal(t, true, field(t, c, FieldMOUDCurrent).Value)
		assert.Equal(t, 0.0, field(t, c, FieldOpioidMME).Value)
	})
	t.Run("methadone for OUD by a referenced Condition", func(t *testing.T) {
		m := mr("m", "864706", qid)
		m["reasonReference"] = []obj{{"reference": "Condition/c1"}}
		c := derive(t, true, pat(), m, obj{"resourceType": "Condition", "id": "c1", "code": obj{"coding": []obj{{"system": "http://snomed.info/sct", "code": "75544000"}}}})
		assert.Equal(t, true, field(t, c, FieldMOUDCurrent).Value)
	})
	t.Run("methadone for pain is an opioid analgesic", func(t *testing.T) {
		c := derive(t, true, pat(), mr("m", "864706", qid))
		assert.Equal(t, false, field(t, c, FieldMOUDCurrent).Value)
		assert.InDelta(t, 188.0, field(t, c, FieldOpioidMME).Value, 1e-9)
	})
	t.Run("buprenorphine patch for pain is not MOUD, and alone its MME is unknown", func(t *testing.T) {
		c := derive(t, true, pat(), mr("b", "904870", line(qty(1, "patch"), perDayRepeat(1, 7, "d"))), mr("alp", "308048", qid))
		assert.Equal(t, false, field(t, c, FieldMOUDCurrent).Value)
		assert.False(t, field(t, c, FieldOpioidMME).Known, "an opioid is prescribed: not 0")
		assert.True(t, hasNote(c, NoteBuprenorphineRx, ""))
	})
	t.Run("buprenorphine buccal film for pain adds nothing to other opioids", func(t *testing.T) {
		c := derive(t, true, pat(), mr("b", "1716057", qid), mr("o", "1049683", qid))
		assert.Equal(t, false, field(t, c, FieldMOUDCurrent).Value)
		f := field(t, c, FieldOpioidMME)
		assert.Equal(t, 60.0, f.Value)
		require.Len(t, f.Reasons, 2)
		assert.Contains(t, f.Reasons[0].Text, "buprenorphine for pain")
	})
	t.Run("buprenorphine/naloxone is not rescue naloxone", func(t *testing.T) {
		c := derive(t, true, pat(), mr("s", "1010604", line(qty(1, "film"), perDayRepeat(1, 1, "d"))))
		assert.Equal(t, false, field(t, c, FieldNaloxoneCurrent).Value)
		assert.Equal(t, true, field(t, c, FieldMOUDCurrent).Value)
	})
	t.Run("naloxone/pentazocine is an opioid, not rescue naloxone", func(t *testing.T) {
		c := derive(t, true, pat(), mr("p", "312289", qid))
		assert.Equal(t, false, field(t, c, FieldNaloxoneCurrent).Value)
		assert.False(t, field(t, c, FieldOpioidMME).Known, "pentazocine has no CDC 2022 factor")
	})
	t.Run("naltrexone without an OUD reason leaves MOUD unknown", func(t *testing.T) {
		c := derive(t, true, pat(), mr("n", "7243", qid))
		assert.False(t, field(t, c, FieldMOUDCurrent).Known)
		assert.True(t, hasNote(c, NoteOUDUnclear, "MedicationRequest/n"))
		m := mr("n", "7243", qid)
		m["reasonCode"] = []obj{oud}
		c = derive(t, true, pat(), m)
		assert.Equal(t, true, field(t, c, FieldMOUDCurrent).Value)
	})
}

// TestIncomplete: without the caller's word that the lists are complete, nothing is concluded from absence.
func TestIncomplete(t *testing.T) {
	c := derive(t, false, pat(), mr("alp", "308048", qid))
	assert.Equal(t, true, field(t, c, FieldBenzodiazepine).Value)
	for _, n := range []string{FieldOpioidMME, FieldMOUDCurrent, FieldNaloxoneCurrent, FieldPriorOverdose} {
		f := field(t, c, n)
		assert.False(t, f.Known, n)
		assert.Nil(t, f.Value, n)
	}
	assert.NotContains(t, c.Values(), FieldOpioidMME)
	// Opioids found in an incomplete list: the sum may miss some, so it is unknown, with the partial sum.
	c = derive(t, false, pat(), mr("o", "1049683", qid))
	assert.False(t, field(t, c, FieldOpioidMME).Known)
	var texts []string
	for _, n := range c.Notes {
		texts = append(texts, n.Text)
	}
	assert.Contains(t, strings.Join(texts, "\n"), "give 60 MME/day")
}

func TestConditions(t *testing.T) {
	cond := func(id, system, code string, extra obj) obj {
		c := obj{"resourceType": "Condition", "id": id, "subject": obj{"reference": "Patient/p1"},
			"code": obj{"coding": []obj{{"system": system, "code": code}}}}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	icd, sct := "http://hl7.org/fhir/sid/icd-10-cm", "http://snomed.info/sct"
	cases := []struct {
		name string
		c    obj
		want bool
	}{
		{"heroin poisoning, accidental", cond("c", icd, "T40.1X1A", nil), true},
		{"fentanyl poisoning, intentional, subsequent", cond("c", icd, "T40.412D", nil), true},
		{"other opioid poisoning, undetermined, without dot", cond("c", icd, "T402X4A", nil), true},
		{"other narcotics poisoning", cond("c", icd, "T40.691A", nil), true},
		{"methadone, assault", cond("c", icd, "T40.3X3A", nil), true},
		{"adverse effect is not an overdose", cond("c", icd, "T40.2X5A", nil), false},
		{"underdosing is not an overdose", cond("c", icd, "T40.2X6A", nil), false},
		{"cocaine (T40.5) is not an opioid", cond("c", icd, "T40.5X1A", nil), false},
		{"cannabis (T40.7) is not an opioid", cond("c", icd, "T40.7X1A", nil), false},
		{"SNOMED heroin overdose", cond("c", sct, "295174006", nil), true},
		{"SNOMED opioid dependence is not an overdose", cond("c", sct, "75544000", nil), false},
		{"a resolved overdose is still history", cond("c", icd, "T40.1X1A", obj{"clinicalStatus": obj{"coding": []obj{{"code": "resolved"}}}}), true},
		{"refuted", cond("c", icd, "T40.1X1A", obj{"verificationStatus": obj{"coding": []obj{{"code": "refuted"}}}}), false},
		{"entered in error", cond("c", icd, "T40.1X1A", obj{"verificationStatus": obj{"coding": []obj{{"code": "entered-in-error"}}}}), false},
		{"another patient's", cond("c", icd, "T40.1X1A", obj{"subject": obj{"reference": "Patient/p2"}}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := derive(t, true, pat(), tc.c)
			f := field(t, c, FieldPriorOverdose)
			require.True(t, f.Known)
			assert.Equal(t, tc.want, f.Value)
			if tc.want {
				assert.Equal(t, "Condition/c", f.Reasons[0].Resource)
			}
		})
	}
	c := derive(t, false, pat(), cond("c", icd, "T40.1X1A", nil))
	assert.Equal(t, true, field(t, c, FieldPriorOverdose).Value, "a found overdose needs no complete list")
	c = derive(t, false, pat())
	assert.False(t, field(t, c, FieldPriorOverdose).Known)
}

func TestDemographics(t *testing.T) {
	p := func(birth, gender string, ext ...obj) obj {
		o := obj{"resourceType": "Patient", "id": "p1", "birthDate": birth, "gender": gender}
		if len(ext) > 0 {
			o["extension"] = ext
		}
		return o
	}
	birthsex := func(code string) obj {
		return obj{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", "valueCode": code}
	}
	cases := []struct {
		name     string
		p        obj
		age, sex any // nil: unknown
		note     string
	}{
		{"full date, birthday passed", p("1970-05-01", "female"), 56, "female", NoteSexFromGender},
		{"full date, birthday to come", p("1970-12-08", "male"), 55, "male", NoteSexFromGender},
		{"birthday today", p("2008-12-07", "male"), 18, "male", ""},
		{"year and month, settled", p("1970-05", "male"), 56, "male", ""},
		{"year and month, this month", p("1970-12", "male"), nil, "male", NoteBirthDate},
		{"year only", p("1970", "male"), nil, "male", NoteBirthDate},
		{"invalid date", p("1970-13-40", "male"), nil, "male", NoteBirthDate},
		{"no date", p("", "male"), nil, "male", NoteBirthDate},
		{"future date", p("2030-01-01", "male"), nil, "male", NoteBirthDate},
		{"implausible date", p("0001-01-01", "male"), nil, "male", NoteBirthDate},
		{"birth sex wins over gender", p("1970-05-01", "male", birthsex("F")), 56, "female", ""},
		{"birth sex unknown", p("1970-05-01", "male", birthsex("UNK")), 56, nil, NoteSexFromGender},
		{"gender other", p("1970-05-01", "other"), 56, nil, NoteSexFromGender},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := derive(t, true, tc.p)
			assert.Equal(t, tc.age, field(t, c, FieldAge).Value)
			assert.Equal(t, tc.sex, field(t, c, FieldSex).Value)
			if tc.note != "" {
				assert.True(t, hasNote(c, tc.note, "Patient/p1"), "%+v", c.Notes)
			}
		})
	}
	c := derive(t, true)
	assert.False(t, field(t, c, FieldAge).Known)
	assert.True(t, hasNote(c, NoteNoPatient, ""))
}

// TestBadInput: a malformed resource spoils only what it could have said, and names itself without values.
func TestBadInput(t *testing.T) {
	var rs Resources
	b := `{"resourceType":"Bundle","entry":[
		{"resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-05-01"}},
		{"resource":{"resourceType":"MedicationRequest","id":"bad","status":"active","dosageInstruction":"SECRET-VALUE"}},
		{"resource":{"resourceType":"MedicationRequest","id":"o","status":"active","medicationCodeableConcept":{"coding":[{"system":"` + rxnorm + `","code":"1049683"}]},
		 "dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}}}]}},
		{"resource":{"resourceType":"Observation","id":"x"}},
		{"resource":[1,2]}]}`
	require.NoError(t, rs.Add([]byte(b)))
	require.Len(t, rs.Unreadable(), 2)
	assert.Equal(t, "MedicationRequest/bad", rs.Unreadable()[0].Resource)
	c, err := Derive(&rs, Options{AsOf: asOf, MedicationsComplete: true, ConditionsComplete: true})
	require.NoError(t, err)
	assert.True(t, hasNote(c, NoteUnreadable, "MedicationRequest/bad"))
	assert.False(t, field(t, c, FieldOpioidMME).Known, "the unreadable request could add to the MME")
	assert.False(t, field(t, c, FieldBenzodiazepine).Known)
	for _, n := range c.Notes {
		assert.NotContains(t, n.Text, "SECRET")
	}
	p, m, cn, other := rs.Counts()
	assert.Equal(t, []int{1, 1, 0, 1}, []int{p, m, cn, other})

	for _, s := range []string{"", "null", "[]", "{}", `{"resourceType":1}`, `{"resourceType":"Patient"`, "SECRET"} {
		err := new(Resources).Add([]byte(s))
		require.ErrorIs(t, err, ErrNotFHIR, s)
		assert.NotContains(t, err.Error(), "SECRET")
	}
	_, err = Derive(&rs, Options{})
	assert.ErrorIs(t, err, ErrAsOf)
}

func TestPatients(t *testing.T) {
	p2 := obj{"resourceType": "Patient", "id": "p2", "birthDate": "2000-01-01"}
	mine := mr("o", "1049683", qid)
	theirs := mr("t", "308048", qid)
	theirs["subject"] = obj{"reference": "Patient/p2"}
	var rs Resources
	require.NoError(t, rs.Add(bundle(pat(), p2, mine, theirs)))
	assert.Equal(t, []string{"p1", "p2"}, rs.PatientIDs())
	_, err := Derive(&rs, Options{AsOf: asOf})
	assert.ErrorIs(t, err, ErrSeveralPatients)
	_, err = Derive(&rs, Options{AsOf: asOf, Patient: "p3"})
	assert.ErrorIs(t, err, ErrSeveralPatients)
	c, err := Derive(&rs, Options{AsOf: asOf, Patient: "p1", MedicationsComplete: true})
	require.NoError(t, err)
	assert.Equal(t, 60.0, field(t, c, FieldOpioidMME).Value)
	assert.Equal(t, false, field(t, c, FieldBenzodiazepine).Value)
	assert.True(t, hasNote(c, NoteOtherPatient, ""))
	c, err = Derive(&rs, Options{AsOf: asOf.Add(-24 * time.Hour), Patient: "p2", MedicationsComplete: true})
	require.NoError(t, err)
	assert.Equal(t, true, field(t, c, FieldBenzodiazepine).Value)
	assert.Equal(t, 26, field(t, c, FieldAge).Value)
}

// TestNamesCoverValueSets: every benzodiazepine product of the table names one of the generic names that a
// request carrying only text is recognised by, and so does every opioid product with an ingredient.
func TestNamesCoverValueSets(t *testing.T) {
	tb := mustTable(t)
	for _, d := range tb.drugs {
		var first [5]string
		found := scanNames(d.name, 0, &first)
		switch {
		case d.classes&clsBenzo != 0:
			assert.NotZero(t, found&wordBenzo, d.name)
		case d.classes&(clsOpioid|clsBupOUD|clsBupPain|clsMethadone) != 0 && len(d.ingr) > 0:
			assert.NotZero(t, found&wordOpioid, d.name)
		case d.classes&clsNaloxone != 0:
			assert.NotZero(t, found&wordNaloxone, d.name)
		}
	}
	c := derive(t, true, pat(), obj{"resourceType": "MedicationRequest", "id": "l", "status": "active",
		"medicationCodeableConcept": obj{"text": "LORazepam 1 mg tablet"}})
	f := field(t, c, FieldBenzodiazepine)
	assert.Equal(t, true, f.Value)
	assert.Equal(t, "MedicationRequest/l", f.Reasons[0].Resource)
}

func TestByPatient(t *testing.T) {
	p2 := obj{"resourceType": "Patient", "id": "p2", "birthDate": "2000-01-01"}
	theirs := mr("t", "308048", qid)
	theirs["subject"] = obj{"reference": "urn:uuid:p2"}
	shared := mr("s", "1725059")
	delete(shared, "subject")
	b := []byte(`{"resourceType":"Bundle","entry":[{"resource":` + string(mustJSON(pat())) + `},{"fullUrl":"urn:uuid:p2","resource":` + string(mustJSON(p2)) + `},` +
		`{"resource":` + string(mustJSON(mr("o", "1049683", qid))) + `},{"resource":` + string(mustJSON(theirs)) + `},{"resource":` + string(mustJSON(shared)) + `}]}`)
	var rs Resources
	require.NoError(t, rs.Add(b))
	parts := rs.ByPatient()
	require.Len(t, parts, 2)
	for id, want := range map[string][2]int{"p1": {2, 0}, "p2": {2, 0}} {
		m, c := parts[id].CountFor(id)
		assert.Equal(t, want, [2]int{m, c}, id)
	}
	c, err := Derive(parts["p2"], Options{AsOf: asOf, Patient: "p2", MedicationsComplete: true})
	require.NoError(t, err)
	assert.Equal(t, true, field(t, c, FieldBenzodiazepine).Value)
	assert.Equal(t, true, field(t, c, FieldNaloxoneCurrent).Value, "a request without subject belongs to every patient")
	assert.Equal(t, 0.0, field(t, c, FieldOpioidMME).Value)
	c, err = Derive(parts["p1"], Options{AsOf: asOf, Patient: "p1", MedicationsComplete: true})
	require.NoError(t, err)
	assert.Equal(t, 60.0, field(t, c, FieldOpioidMME).Value)
	assert.Equal(t, false, field(t, c, FieldBenzodiazepine).Value)
}
