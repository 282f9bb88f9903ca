package respfile_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// qr builds a QuestionnaireResponse of Patient/1 authored 2026-03-04 with the given questionnaire, status
// and items (JSON array elements).
func qr9(questionnaire, status string, items ...string) string {
	q := ""
	if questionnaire != "" {
		q = fmt.Sprintf(`"questionnaire":%q,`, questionnaire)
	}
	st := ""
	if status != "" {
		st = fmt.Sprintf(`"status":%q,`, status)
	}
	return `{"resourceType":"QuestionnaireResponse","id":"r",` + q + st +
		`"subject":{"reference":"Patient/1"},"authored":"2026-03-04T10:00:00Z","item":[` + strings.Join(items, ",") + `]}`
}

func coding9(link, code string) string {
	return fmt.Sprintf(`{"linkId":%q,"answer":[{"valueCoding":{"system":"http://loinc.org","code":%q}}]}`, link, code)
}

func integer(link string, v int) string {
	return fmt.Sprintf(`{"linkId":%q,"answer":[{"valueInteger":%d}]}`, link, v)
}

// phq9Links answers PHQ-9 items 1-8 with 0 under the given linkIds, and item 9 with a9 (a whole item).
func phq9Items(links []string, a9 string) []string {
	var out []string
	for _, l := range links[:8] {
		out = append(out, coding9(l, "LA6568-5"))
	}
	if a9 != "" {
		out = append(out, a9)
	}
	return out
}

var (
	loincFormLinks = []string{"14363", "14364", "14365", "14366", "14367", "14368", "14369", "14370", "14371"}
	codeLinks      = []string{"44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"}
	idLinks        = []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"}
)

func fhirBase() string { return fhir.QuestionnaireBase }

// item9Outcome is what a report says about PHQ-9 item 9: "flag" (suicidal_ideation fired), "error" (an
// error of phq9.q9), "missing" (not answered), "none" (answered, not endorsed).
func item9Outcome(rep *screen.Report) string {
	in := rep.Instrument("phq9")
	if in == nil {
		return "no phq9"
	}
	if f, ok := in.Flag("suicidal_ideation"); ok {
		if f.Conflict != nil {
			return "conflict" // fired for one of the conflicting answers of q9 (an error of q9)
		}
		return "flag"
	}
	for _, e := range rep.Errors {
		if e.Instrument == "phq9" && e.Item == "q9" {
			return "error"
		}
	}
	for _, m := range in.Missing {
		if m == "q9" {
			return "missing"
		}
	}
	return "none"
}

func TestFHIRItem9AlwaysMappedOrLoud(t *testing.T) {
	base := fhirBase()
	tests := []struct {
		name      string
		doc       string
		want      string // item9Outcome
		wantNotes []string
	}{
		{"LOINC form linkIds", qr9("http://loinc.org/q/44249-1", "completed", phq9Items(loincFormLinks, coding9("14371", "LA6570-1"))...), "flag", nil},
		{"LOINC form linkIds, no canonical", qr9("", "completed", phq9Items(loincFormLinks, coding9("14371", "LA6569-3"))...), "flag", nil},
		{"LOINC form linkIds with the form's total", qr9("http://loinc.org/q/44249-1", "completed",
			append(phq9Items(loincFormLinks, coding9("14371", "LA6569-3")), `{"linkId":"14372","answer":[{"valueDecimal":1}]}`)...), "flag", nil},
		{"LHC-Forms style /code linkIds", qr9("", "completed", phq9Items([]string{"/44250-9", "/44255-8", "/44259-0", "/44254-1", "/44251-7", "/44258-2", "/44252-5", "/44253-3"}, coding9("/44260-8", "LA6571-9"))...), "flag", nil},
		{"version not loaded", qr9(base+"phq9|1.0", "completed", phq9Items(idLinks, integer("q9", 2))...), "flag", []string{respfile.NoteVersionNotLoaded}},
		{"phq2 canonical over PHQ-9 codes", qr9(base+"phq2", "completed", phq9Items(codeLinks, coding9("44260-8", "LA6569-3"))...), "flag", []string{respfile.NoteQuestionnaireMismatch}},
		{"gad7 canonical over PHQ-9 item ids", qr9(base+"gad7", "completed", phq9Items(idLinks, integer("q9", 1))...), "flag", []string{respfile.NoteQuestionnaireMismatch}},
		{"GAD-7 LOINC canonical, only item 9 by code", qr9("http://loinc.org/q/69737-5", "completed", coding9("44260-8", "LA6569-3")), "flag", []string{respfile.NoteQuestionnaireMismatch}},
		{"GAD-7 response with GAD-7 items and PHQ-9 item 9 by code", qr9("http://loinc.org/q/69737-5", "completed",
			coding9("57541", "LA6568-5"), coding9("68509-9", "LA6568-5"), coding9("44260-8", "LA6570-1")), "flag", []string{respfile.NoteQuestionnaireMismatch}},
		{"q9 repeated", qr9(base+"phq9", "completed", phq9Items(idLinks, integer("q9", 0)+","+integer("q9", 2))...), "conflict", []string{respfile.NoteConflict}},
		{"two answers to q9", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","answer":[{"valueInteger":0},{"valueInteger":3}]}`)...), "conflict", []string{respfile.NoteConflict}},
		{"ValueInteger", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","answer":[{"ValueInteger":2}]}`)...), "error", nil},
		{"valueDecimal 2.5", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","answer":[{"valueDecimal":2.5}]}`)...), "error", nil},
		{"huge number", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","answer":[{"valueInteger":1e400}]}`)...), "error", nil},
		{"string for a number", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","answer":[{"valueString":"two"}]}`)...), "error", nil},
		{"code and ordinalValue disagree", qr9("http://loinc.org/q/44249-1", "completed", phq9Items(loincFormLinks,
			`{"linkId":"14371","answer":[{"valueCoding":{"system":"http://loinc.org","code":"LA6568-5","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":2}]}}]}`)...), "conflict", []string{respfile.NoteConflict}},
		{"code and ordinalValue agree", qr9("http://loinc.org/q/44249-1", "completed", phq9Items(loincFormLinks,
			`{"linkId":"14371","answer":[{"valueCoding":{"system":"http://loinc.org","code":"LA6570-1","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":2}]}}]}`)...), "flag", nil},
		{"declined (data-absent-reason)", qr9(base+"phq9", "completed", phq9Items(idLinks,
			`{"linkId":"q9","answer":[{"valueCoding":{"system":"http://terminology.hl7.org/CodeSystem/data-absent-reason","code":"asked-declined"}}]}`)...), "missing", []string{respfile.NoteDeclined}},
		{"declined (data-absent-reason extension)", qr9(base+"phq9", "completed", phq9Items(idLinks,
			`{"linkId":"q9","answer":[{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"asked-declined"}]}]}`)...), "missing", []string{respfile.NoteDeclined}},
		{"in-progress", qr9(base+"phq9", "in-progress", phq9Items(idLinks, integer("q9", 1))...), "flag", []string{respfile.NotePreliminary}},
		{"upper-case status", qr9(base+"phq9", "COMPLETED", phq9Items(idLinks, integer("q9", 1))...), "flag", []string{respfile.NoteInvalidStatus}},
		{"bogus status", qr9(base+"phq9", "bogus", phq9Items(idLinks, integer("q9", 1))...), "flag", []string{respfile.NoteInvalidStatus}},
		{"5 KB narrative", strings.Replace(qr9(base+"phq9", "completed", phq9Items(idLinks, integer("q9", 1))...), `"id":"r",`,
			`"id":"r","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">`+strings.Repeat("x", 5000)+`</div>"},`, 1), "flag", nil},
		{"5 KB item text", qr9(base+"phq9", "completed", phq9Items(idLinks, `{"linkId":"q9","text":"`+strings.Repeat("y", 5000)+`","answer":[{"valueInteger":1}]}`)...), "flag", nil},
		{"5 KB extension on the response", strings.Replace(qr9(base+"phq9", "completed", phq9Items(idLinks, integer("q9", 1))...), `"id":"r",`,
			`"id":"r","extension":[{"url":"http://example.org/x","valueString":"`+strings.Repeat("z", 5000)+`"}],`, 1), "flag", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decodeFHIR(t, tt.doc)
			require.NoError(t, err)
			require.Len(t, recs, 1)
			require.Nil(t, recs[0].Err, "%v", recs[0].Err)
			rep := scoreOne(t, recs[0])
			assert.Equal(t, tt.want, item9Outcome(rep))
			var notes []string
			for _, s := range recs[0].Sources {
				for _, n := range s.Notes {
					notes = append(notes, n.Code)
					assert.NotContains(t, n.Message, "LA65", "a note never holds an answer value")
				}
			}
			if tt.wantNotes == nil {
				assert.Empty(t, notes)
			} else {
				for _, c := range tt.wantNotes {
					assert.Contains(t, notes, c)
				}
			}
		})
	}
}

// TestFHIRLOINCForms scores responses to the official LOINC forms of GAD-7, AUDIT-C and PEG, whose
// linkIds are numeric.
func TestFHIRLOINCForms(t *testing.T) {
	gad := []string{}
	for _, l := range []string{"57541", "57542", "57543", "57544", "57545", "57546", "57547"} {
		gad = append(gad, coding9(l, "LA6570-1"))
	}
	gad = append(gad, `{"linkId":"58628","answer":[{"valueDecimal":14}]}`)
	auditc := []string{coding9("72043", "LA18929-2"), coding9("72044", "LA15695-2"), coding9("72042", "LA18876-5"),
		`{"linkId":"72040","answer":[{"valueDecimal":7}]}`}
	peg := []string{`{"linkId":"108518","answer":[{"valueDecimal":6}]}`, coding9("108514", "LA6113-0"), coding9("108515", "LA10137-0"),
		`{"linkId":"108516","answer":[{"valueDecimal":4.3}]}`}
	bundle := `{"resourceType":"Bundle","type":"searchset","entry":[` +
		`{"resource":` + qr9("http://loinc.org/q/69737-5", "completed", gad...) + `},` +
		`{"resource":` + qr9("http://loinc.org/q/72109-2", "completed", auditc...) + `},` +
		`{"resource":` + qr9("http://loinc.org/q/91148-7", "completed", peg...) + `}]}`
	recs, err := decodeFHIR(t, bundle)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	rep := scoreOne(t, recs[0])
	require.Empty(t, rep.Errors)
	for inst, want := range map[string]map[string]string{
		"gad7":   {"total": "14"},
		"auditc": {"total": "7"},  // 4 + 1 + 2
		"peg":    {"mean": "4.3"}, // (6 + 2 + 5) / 3
	} {
		in := rep.Instrument(inst)
		require.NotNil(t, in, inst)
		for id, v := range want {
			score, ok := in.Score(id)
			got := score.Value
			require.True(t, ok, "%s.%s", inst, id)
			assert.Equal(t, v, got.String(), "%s.%s", inst, id)
		}
	}
}

// TestFHIRItemLimitPerResponse: a response over MaxAnswers fails alone; the PHQ-9 of the same subject
// and date is read and scored.
func TestFHIRItemLimitPerResponse(t *testing.T) {
	_, m := engineAndMapper(t)
	var big []string
	for i := 0; i < 30; i++ {
		big = append(big, integer(fmt.Sprintf("x%d", i), 1))
	}
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":` + qr9(fhirBase()+"gad7", "completed", big...) + `},` +
		`{"resource":` + qr9(fhirBase()+"phq9", "completed", phq9Items(idLinks, integer("q9", 2))...) + `}]}`
	d := respfile.NewDecoder(strings.NewReader(bundle), respfile.FormatFHIR, respfile.Limits{MaxAnswers: 20})
	d.UseFHIR(m)
	r1, err := d.Next()
	require.NoError(t, err)
	require.NotNil(t, r1.Err)
	assert.Equal(t, respfile.CodeTooLarge, r1.Err.Code)
	r2, err := d.Next()
	require.NoError(t, err)
	require.Nil(t, r2.Err)
	assert.Equal(t, "flag", item9Outcome(scoreOne(t, r2)))
}
