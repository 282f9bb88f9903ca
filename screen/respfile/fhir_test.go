package respfile_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

var (
	bundledOnce   sync.Once
	bundledEngine *screen.Engine
	bundledMapper *respfile.FHIRMapper
)

// engineAndMapper returns the bundled engine and its FHIR mapper, built once.
func engineAndMapper(t testing.TB) (*screen.Engine, *respfile.FHIRMapper) {
	t.Helper()
	bundledOnce.Do(func() {
		eng, err := screen.New(bundled.Definitions())
		if err != nil {
			panic(err)
		}
		m, err := respfile.FHIRMapperFor(eng)
		if err != nil {
			panic(err)
		}
		bundledEngine, bundledMapper = eng, m
	})
	return bundledEngine, bundledMapper
}

// decodeFHIR reads every record of a FHIR document (as FormatJSON, so detection is exercised).
func decodeFHIR(t testing.TB, in string) ([]respfile.Record, error) {
	t.Helper()
	_, m := engineAndMapper(t)
	d := respfile.NewDecoder(strings.NewReader(in), respfile.FormatJSON, respfile.DefaultLimits())
	d.UseFHIR(m)
	var recs []respfile.Record
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		require.Equal(t, len(recs)+1, r.N)
		recs = append(recs, r)
	}
}

func scoreOne(t *testing.T, rec respfile.Record) *screen.Report {
	t.Helper()
	require.Nil(t, rec.Err)
	eng, _ := engineAndMapper(t)
	rep, err := eng.Score(context.Background(), rec.Response)
	require.NoError(t, err)
	return rep
}

func TestFHIRUSCorePHQ9(t *testing.T) {
	b, err := os.ReadFile("testdata/fhir/uscore-phq9-questionnaireresponse.json")
	require.NoError(t, err)
	recs, err := decodeFHIR(t, string(b))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	rec := recs[0]
	require.Nil(t, rec.Err)
	assert.Equal(t, "Patient/example", rec.Response.Subject)
	assert.Equal(t, "2022-11-29", rec.Response.Date)
	assert.Equal(t, []respfile.Source{{Reference: "QuestionnaireResponse/phq-9-example", Instrument: "phq9", Line: 1,
		Authored: "2022-11-29T20:50:32.718Z", Status: "completed"}}, rec.Sources)
	// The form's own total (/44261-6) is not an answer; the difficulty item is.
	assert.Equal(t, map[string]any{"q1": "LA6570-1", "q2": "LA6570-1", "q3": "LA6570-1", "q4": "LA6570-1",
		"q5": "LA6569-3", "q6": "LA6569-3", "q7": "LA6570-1", "q8": "LA6568-5", "q9": "LA6568-5",
		"difficulty": "LA6573-5"}, rec.Response.Answers["phq9"])
	rep := scoreOne(t, rec)
	require.Empty(t, rep.Errors)
	phq9 := rep.Instrument("phq9")
	totalScore, _ := phq9.Score("total")
	total := totalScore.Value
	severityScore, _ := phq9.Score("severity")
	severity := severityScore.Value
	assert.Equal(t, "12", total.String())
	assert.Equal(t, "moderate", severity.String())
	assert.Empty(t, phq9.Flags)
}

// A LOINC-coded GAD-7 response exactly as LHC-Forms writes it (see testdata/fhir/SOURCES.md).
func TestFHIRLHCFormsGAD7(t *testing.T) {
	b, err := os.ReadFile("testdata/fhir/lhcforms-gad7-loinc-questionnaireresponse.json")
	require.NoError(t, err)
	recs, err := decodeFHIR(t, string(b))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	rep := scoreOne(t, recs[0])
	require.Empty(t, rep.Errors)
	totalScore, _ := rep.Instrument("gad7").Score("total")
	total := totalScore.Value
	severityScore, _ := rep.Instrument("gad7").Score("severity")
	severity := severityScore.Value
	assert.Equal(t, "10", total.String())
	assert.Equal(t, "moderate", severity.String())
}

// qr builds a QuestionnaireResponse with the given questionnaire canonical and items (JSON).
func qr(id, canonical, subject, authored, items string) string {
	var b strings.Builder
	b.WriteString(`{"resourceType":"QuestionnaireResponse","id":"` + id + `","status":"completed"`)
	if canonical != "" {
		b.WriteString(`,"questionnaire":"` + canonical + `"`)
	}
	if subject != "" {
		b.WriteString(`,"subject":{"reference":"` + subject + `"}`)
	}
	if authored != "" {
		b.WriteString(`,"authored":"` + authored + `"`)
	}
	b.WriteString(`,"item":[` + items + `]}`)
	return b.String()
}

func coding(link, system, code string) string {
	return `{"linkId":"` + link + `","answer":[{"valueCoding":{"system":"` + system + `","code":"` + code + `"}}]}`
}

func loincItem(link, code string) string { return coding(link, "http://loinc.org", code) }

func TestFHIRInstruments(t *testing.T) {
	// GAD-7 as LHC-Forms writes a LOINC form: LOINC linkIds with a leading "/", LOINC answer codes, the
	// panel's total as an item, no questionnaire canonical.
	gad7 := qr("g1", "", "Patient/1", "2026-03-04T10:00:00-05:00",
		loincItem("/69725-0", "LA6569-3")+","+loincItem("/68509-9", "LA6570-1")+","+loincItem("/69733-4", "LA6571-9")+","+
			loincItem("/69734-2", "LA6568-5")+","+loincItem("/69735-9", "LA6569-3")+","+loincItem("/69689-8", "LA6568-5")+","+
			loincItem("/69736-7", "LA6570-1")+`,{"linkId":"/70274-6","answer":[{"valueInteger":9}]}`)
	// PEG by its LOINC Questionnaire: the pain item is a decimal item, the two others LOINC answers.
	peg := qr("p1", "http://loinc.org/q/91148-7", "Patient/1", "2026-03-04",
		`{"linkId":"/75893-8","answer":[{"valueDecimal":6}]},`+loincItem("/91145-3", "LA10138-8")+","+loincItem("/91146-1", "LA6115-5"))
	// PHQ-2 by its item codes (no panel code is shipped): a tie with PHQ-9 goes to the smaller instrument.
	phq2 := qr("q2", "", "Patient/1", "2026-03-04", loincItem("/44250-9", "LA6571-9")+","+loincItem("/44255-8", "LA6570-1"))
	// AUDIT-C by panel in a painscreen canonical with version; ordinal extensions on the Coding.
	auditc := qr("a1", "https://painscreen.dev/fhir/Questionnaire/auditc|1.0.0", "Patient/1", "2026-03-04",
		`{"linkId":"frequency","answer":[{"valueCoding":{"system":"x","code":"?","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/itemWeight","valueDecimal":3}]}}]},`+
			`{"linkId":"typical_quantity","answer":[{"valueCoding":{"code":"zz","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":1}]}}]},`+
			loincItem("binge_frequency", "LA18933-4"))
	// PC-PTSD-5 in painscreen's canonical: uncoded options by painscreen's option-value system, and booleans.
	ptsd := qr("t1", "https://painscreen.dev/fhir/Questionnaire/pc_ptsd5", "Patient/1", "2026-03-04",
		coding("trauma", "https://painscreen.dev/fhir/CodeSystem/option-value", "1")+
			`,{"linkId":"nightmares","answer":[{"valueBoolean":true}]},{"linkId":"avoidance","answer":[{"valueBoolean":false}]},`+
			`{"linkId":"grp","item":[{"linkId":"on_guard","answer":[{"valueBoolean":true}]},{"linkId":"numb","answer":[{"valueBoolean":true}]}]},`+
			`{"linkId":"guilt","answer":[{"valueBoolean":false}]}`)
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"fullUrl":"urn:uuid:1","resource":` + gad7 + `},{"resource":` + peg + `},{"resource":{"resourceType":"Patient","id":"1"}},` +
		`{"resource":` + phq2 + `},{"resource":` + auditc + `},{"resource":` + ptsd + `}]}`
	recs, err := decodeFHIR(t, bundle)
	require.NoError(t, err)
	require.Len(t, recs, 1, "one subject, one date: one response set")
	rec := recs[0]
	assert.Equal(t, "Patient/1", rec.Response.Subject)
	assert.Equal(t, "2026-03-04", rec.Response.Date)
	require.Len(t, rec.Sources, 5)
	assert.Equal(t, respfile.Source{Reference: "QuestionnaireResponse/g1", Instrument: "gad7", Line: 1,
		Authored: "2026-03-04T10:00:00-05:00", Status: "completed"}, rec.Sources[0])
	assert.Equal(t, "auditc@1.0.0", rec.Sources[3].Instrument)
	rep := scoreOne(t, rec)
	require.Empty(t, rep.Errors)
	want := map[string]map[string]string{
		"gad7":     {"total": "9", "severity": "mild"},
		"peg":      {"mean": "5.3"}, // (6 + 6 + 4) / 3
		"phq2":     {"total": "5", "positive": "true"},
		"auditc":   {"total": "5"}, // 3 + 1 + 1
		"pc_ptsd5": {"total": "3"},
	}
	for inst, scores := range want {
		res := rep.Instrument(inst)
		require.NotNil(t, res, inst)
		for id, v := range scores {
			score, ok := res.Score(id)
			got := score.Value
			require.True(t, ok, "%s.%s", inst, id)
			assert.Equal(t, v, got.String(), "%s.%s", inst, id)
		}
	}
}

func TestFHIRUnmappable(t *testing.T) {
	doc := qr("x", "https://painscreen.dev/fhir/Questionnaire/phq9", "", "",
		loincItem("q1", "LA6570-1")+","+loincItem("/99999-9", "LA6570-1")+","+
			`{"linkId":"q2","answer":[{"valueDate":"2020-01-01"}]},`+
			`{"linkId":"q3","answer":[{"valueInteger":1},{"valueInteger":2}]},`+
			`{"linkId":"q4","answer":[{"valueCoding":{"code":"LA0000-0"}}]},`+
			`{"linkId":"q5","answer":[{"valueDecimal":1.5}]},`+
			`{"linkId":"q9","answer":[{"valueInteger":3}]}`)
	recs, err := decodeFHIR(t, doc)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	rep := scoreOne(t, recs[0])
	codes := map[string]string{}
	for _, e := range rep.Errors {
		codes[e.Item] = e.Code
		assert.NotContains(t, e.Message, "LA0000-0")
	}
	assert.Equal(t, map[string]string{"/99999-9": "unknown_item", "q2": "wrong_type", "q3": "conflicting_answers",
		"q4": "invalid_value", "q5": "not_integer"}, codes)
	// Everything else is still scored: the item-9 answer raises its flag.
	_, ok := rep.Instrument("phq9").Flag("suicidal_ideation")
	assert.True(t, ok)
}

func TestFHIRBundleGrouping(t *testing.T) {
	item := loincItem("/44250-9", "LA6569-3") + "," + loincItem("/44255-8", "LA6569-3")
	bundle := `{"resourceType":"Bundle","type":"searchset","entry":[` +
		`{"resource":` + qr("a", "", "Patient/1", "2026-01-05T09:00:00Z", item) + `},` +
		`{"resource":` + qr("b", "", "Patient/2", "2026-01-05", item) + `},` +
		`{"resource":` + qr("c", "", "Patient/1", "2026-03-04", item) + `},` +
		`{"resource":` + qr("d", "", "Patient/1", "2026-01-05T17:00:00Z", item) + `},` +
		`{"resource":{"resourceType":"QuestionnaireResponse","status":"entered-in-error","item":[` + item + `]}},` +
		`{"resource":` + qr("e", "", "Patient/2", "2026-01-05", `{"linkId":"/44250-9","answer":"x"}`) + `}]}`
	recs, err := decodeFHIR(t, bundle)
	require.NoError(t, err)
	type got struct{ subject, date, refs, code string }
	var gots []got
	for _, r := range recs {
		if r.Err != nil {
			gots = append(gots, got{code: r.Err.Code})
			continue
		}
		var refs []string
		for _, s := range r.Sources {
			refs = append(refs, s.Reference)
		}
		gots = append(gots, got{r.Response.Subject, r.Response.Date, strings.Join(refs, " "), ""})
	}
	assert.Equal(t, []got{
		{"Patient/1", "2026-01-05", "QuestionnaireResponse/a", ""},
		{"Patient/2", "2026-01-05", "QuestionnaireResponse/b", ""},
		{"Patient/1", "2026-03-04", "QuestionnaireResponse/c", ""},
		{"Patient/1", "2026-01-05", "QuestionnaireResponse/d", ""}, // the same instrument again that day: a record of its own
		{code: "fhir"}, // entered in error: reported, not scored
		{code: "fhir"}, // answer is not an array
	}, gots)
	for _, r := range recs[4:] {
		assert.NotContains(t, r.Err.Msg, "Patient")
	}
}

func TestFHIRFatal(t *testing.T) {
	for _, tc := range []struct{ name, in, code string }{
		{"other resource", `{"resourceType":"Patient","id":"1"}`, "fhir"},
		{"empty bundle", `{"resourceType":"Bundle","type":"collection","entry":[]}`, "empty"},
		{"syntax", `{"resourceType":"QuestionnaireResponse","item":[}`, "syntax"},
		{"duplicate key", `{"resourceType":"QuestionnaireResponse","item":[],"item":[]}`, "duplicate_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeFHIR(t, tc.in)
			var e *respfile.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.code, e.Code)
		})
	}
}

// A JSON object without resourceType is a native response set, even with a mapper.
func TestFHIRDetection(t *testing.T) {
	recs, err := decodeFHIR(t, `{"subject":"s","answers":{"phq2":{"q1":1,"q2":1}}}`)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Nil(t, recs[0].Err)
	assert.Equal(t, map[string]any{"q1": int64(1), "q2": int64(1)}, recs[0].Response.Answers["phq2"])
	assert.Nil(t, recs[0].Sources)
}

// BenchmarkFHIRBundle decodes a Bundle of 100 PHQ-9 QuestionnaireResponses (100 subjects) in the US Core
// shape, with the mapper built once (as the CLI and a service do).
func BenchmarkFHIRBundle(b *testing.B) {
	_, m := engineAndMapper(b)
	fixture, err := os.ReadFile("testdata/fhir/uscore-phq9-questionnaireresponse.json")
	require.NoError(b, err)
	var doc strings.Builder
	doc.WriteString(`{"resourceType":"Bundle","type":"collection","entry":[`)
	const n = 100
	for i := range n {
		if i > 0 {
			doc.WriteByte(',')
		}
		one := strings.Replace(string(fixture), `"Patient/example"`, `"Patient/`+strings.Repeat("x", i%7)+string(rune('a'+i%26))+`-`+string(rune('a'+i/26))+`"`, 1)
		doc.WriteString(`{"resource":` + one + `}`)
	}
	doc.WriteString(`]}`)
	in := doc.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		d := respfile.NewDecoder(strings.NewReader(in), respfile.FormatFHIR, respfile.Limits{})
		d.UseFHIR(m)
		recs := 0
		for {
			_, err := d.Next()
			if err != nil {
				break
			}
			recs++
		}
		if recs != n {
			b.Fatalf("%d records", recs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/response")
}

// The LOINC form of every bundled instrument that has LOINC item codes, written as LHC-Forms writes a LOINC
// Questionnaire's response ("/CODE" linkIds, LOINC answer Codings, numbers for uncoded scales; the LOINC
// panel canonical where the instrument has a panel code, else no canonical at all), scores exactly as the
// same answers in painscreen's own form.
func TestFHIRLOINCFormsMatchNative(t *testing.T) {
	eng, _ := engineAndMapper(t)
	tested := 0
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID)
		require.NoError(t, err)
		var items []string
		native := map[string]any{}
		for k, it := range doc.Items {
			code := ""
			for _, c := range it.Codes {
				if c.System == "http://loinc.org" {
					code = c.Code
				}
			}
			if code == "" {
				continue
			}
			var answer string
			switch {
			case it.Options == nil:
				native[it.ID] = int64(k + 1)
				answer = `{"valueInteger":` + strconv.Itoa(k+1) + `}`
			default:
				o := it.Options[(2*k+1)%len(it.Options)]
				native[it.ID] = o.Value
				if o.Code != "" {
					answer = `{"valueCoding":{"system":"http://loinc.org","code":"` + o.Code + `","display":"` + o.Label + `"}}`
				} else {
					answer = `{"valueDecimal":` + strconv.FormatInt(o.Value, 10) + `}`
				}
			}
			items = append(items, `{"linkId":"/`+code+`","text":"`+strings.ReplaceAll(it.Text, `"`, `'`)+`","answer":[`+answer+`]}`)
		}
		if len(items) == 0 {
			continue // no LOINC item codes: painscreen's canonical and linkIds (the LHC-Forms round trip)
		}
		t.Run(in.ID, func(t *testing.T) {
			canonical := ""
			for _, c := range doc.Codes {
				canonical = "http://loinc.org/q/" + c.Code
			}
			recs, err := decodeFHIR(t, qr("x", canonical, "", "", strings.Join(items, ",")))
			require.NoError(t, err)
			require.Len(t, recs, 1)
			require.Nil(t, recs[0].Err)
			require.Equal(t, in.ID, recs[0].Sources[0].Instrument)
			got := scoreOne(t, recs[0])
			want := scoreOne(t, respfile.Record{Response: &screen.Response{Answers: map[string]map[string]any{in.ID: native}}})
			gotJSON, _ := got.MarshalJSON()
			wantJSON, _ := want.MarshalJSON()
			assert.JSONEq(t, string(wantJSON), string(gotJSON))
			assert.Empty(t, got.Errors)
		})
		tested++
	}
	assert.GreaterOrEqual(t, tested, 7, "auditc, gad2, gad7, peg, phq2, phq9, promis_pi_4a")
}

// resourceType is looked for among the top-level members that begin in the first 64 KiB; a later one
// leaves the document to the native reader (which reports it as an unknown field of the record).
func TestFHIRDetectionWindow(t *testing.T) {
	item := loincItem("/44250-9", "LA6569-3") + "," + loincItem("/44255-8", "LA6569-3")
	late := `{"id":"x","item":[` + item + `],"resourceType":"QuestionnaireResponse","status":"completed"}`
	recs, err := decodeFHIR(t, late)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Nil(t, recs[0].Err)
	assert.Equal(t, "phq2", recs[0].Sources[0].Instrument)

	pad := `"text":"` + strings.Repeat("x", 3000) + `"`
	var items []string
	for range 30 {
		items = append(items, `{"linkId":"/44250-9",`+pad+`}`)
	}
	tooLate := `{"id":"x","item":[` + strings.Join(items, ",") + `],"resourceType":"QuestionnaireResponse"}`
	recs, err = decodeFHIR(t, tooLate)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.NotNil(t, recs[0].Err)
	assert.Equal(t, respfile.CodeUnknownField, recs[0].Err.Code)
}

// One mapper serves many decoders at once (run with -race).
func TestFHIRMapperConcurrent(t *testing.T) {
	b, err := os.ReadFile("testdata/fhir/uscore-phq9-questionnaireresponse.json")
	require.NoError(t, err)
	_, m := engineAndMapper(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				d := respfile.NewDecoder(bytes.NewReader(b), respfile.FormatJSON, respfile.Limits{})
				d.UseFHIR(m)
				rec, err := d.Next()
				if err != nil || rec.Err != nil || rec.Response.Answers["phq9"]["q1"] != "LA6570-1" {
					t.Errorf("concurrent decode: %v %v", err, rec.Err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestFHIRDateNotes: a response without a full authored date says so in its source's notes (undated,
// partial_date); a dated one has no such note.
func TestFHIRDateNotes(t *testing.T) {
	for _, tc := range []struct{ authored, note, date string }{
		{"", respfile.NoteUndated, ""},
		{"2026-11", respfile.NotePartialDate, "2026-11"},
		{"2026", respfile.NotePartialDate, "2026"},
		{"2026-11-30", "", "2026-11-30"},
		{"2026-11-30T09:00:00+01:00", "", "2026-11-30"},
	} {
		t.Run(tc.authored, func(t *testing.T) {
			recs, err := decodeFHIR(t, qr("x", "https://painscreen.dev/fhir/Questionnaire/phq9", "Patient/p", tc.authored,
				loincItem("q1", "LA6570-1")))
			require.NoError(t, err)
			require.Len(t, recs, 1)
			require.Nil(t, recs[0].Err)
			assert.Equal(t, tc.date, recs[0].Response.Date)
			var codes []string
			for _, n := range recs[0].Sources[0].Notes {
				codes = append(codes, n.Code)
			}
			if tc.note == "" {
				assert.Empty(t, codes)
			} else {
				assert.Equal(t, []string{tc.note}, codes)
			}
		})
	}
}
