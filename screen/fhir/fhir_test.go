package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

func bundledEngine(t testing.TB) *screen.Engine {
	t.Helper()
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	return eng
}

// Every bundled instrument's Questionnaire: canonical, version, one item per item with its codes, one
// answerOption per option with its code (or option value) and its value as ordinalValue.
func TestQuestionnaireBundled(t *testing.T) {
	eng := bundledEngine(t)
	for _, in := range eng.Instruments() {
		t.Run(in.ID, func(t *testing.T) {
			doc, err := eng.Describe(in.ID + "@" + in.Version)
			require.NoError(t, err)
			q := fhir.NewQuestionnaire(doc)
			assert.Equal(t, "https://painscreen.dev/fhir/Questionnaire/"+in.ID, q.URL)
			assert.Equal(t, in.Version, q.Version)
			assert.Regexp(t, `^[A-Za-z0-9\-.]{1,64}$`, q.ID)
			require.Len(t, q.Item, len(doc.Items))
			for i, it := range doc.Items {
				qi := q.Item[i]
				assert.Equal(t, it.ID, qi.LinkID)
				require.Len(t, qi.Code, len(it.Codes))
				if it.Options == nil {
					assert.Equal(t, "integer", qi.Type)
					continue
				}
				assert.Equal(t, "choice", qi.Type)
				require.Len(t, qi.AnswerOption, len(it.Options))
				for k, o := range it.Options {
					c := qi.AnswerOption[k].ValueCoding
					if o.Code != "" {
						assert.Equal(t, o.Code, c.Code)
					} else {
						assert.Equal(t, fhir.OptionValueSystem, c.System)
					}
					assert.Equal(t, o.Label, c.Display)
					require.Len(t, c.Extension, 1)
					assert.Equal(t, fhir.OrdinalValueURL, c.Extension[0].URL)
				}
				if it.EnableWhen != "" {
					assert.NotEmpty(t, qi.EnableWhen, "bundled skip logic is simple: %s", it.EnableWhen)
					assert.False(t, qi.Required)
				}
			}
		})
	}
}

func TestQuestionnaireEnableWhen(t *testing.T) {
	eng := bundledEngine(t)
	doc, err := eng.Describe("gcps_r")
	require.NoError(t, err)
	q := fhir.NewQuestionnaire(doc)
	// answers.pain_frequency >= 2 on a 0-3 choice item: "= 2" or "= 3".
	qi := q.Item[1]
	require.Equal(t, "limit_frequency", qi.LinkID)
	assert.Equal(t, "any", qi.EnableBehavior)
	require.Len(t, qi.EnableWhen, 2)
	for k, code := range []string{"2", "3"} {
		ew := qi.EnableWhen[k]
		assert.Equal(t, "pain_frequency", ew.Question)
		assert.Equal(t, "=", ew.Operator)
		assert.Equal(t, fhir.Coding{System: fhir.OptionValueSystem, Code: code}, *ew.AnswerCoding)
	}
}

// scoreFHIR decodes a FHIR document and scores its first record.
func scoreFHIR(t *testing.T, eng *screen.Engine, path string) (respfile.Record, *screen.Report) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m, err := respfile.FHIRMapperFor(eng)
	require.NoError(t, err)
	d := respfile.NewDecoder(f, respfile.FormatFHIR, respfile.Limits{})
	d.UseFHIR(m)
	rec, err := d.Next()
	require.NoError(t, err)
	require.Nil(t, rec.Err)
	rep, err := eng.Score(context.Background(), rec.Response)
	require.NoError(t, err)
	return rec, rep
}

func inputOf(rec respfile.Record, rep *screen.Report) fhir.Input {
	in := fhir.Input{Subject: rep.Subject, Date: rec.Response.Date, Seed: "test"}
	for _, s := range rec.Sources {
		in.Responses = append(in.Responses, fhir.ResponseRef{Reference: s.Reference, Instrument: s.Instrument})
	}
	return in
}

func TestBundleUSCorePHQ9(t *testing.T) {
	eng := bundledEngine(t)
	rec, rep := scoreFHIR(t, eng, "../respfile/testdata/fhir/uscore-phq9-questionnaireresponse.json")
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	b := w.NewBundle(rep, inputOf(rec, rep))
	assert.Equal(t, "collection", b.Type)
	// total, severity, and the RiskAssessment (pain_oud 1.2.0 applies to a PHQ-9 alone: tier elevated,
	// depression positive).
	require.Len(t, b.Entry, 3)
	total := b.Entry[0].Resource.(*fhir.Observation)
	assert.Equal(t, []fhir.Coding{{System: "http://loinc.org", Code: "44261-6"}}, total.Code.Coding)
	assert.Equal(t, "12", total.ValueQuantity.Value.String())
	assert.Equal(t, "moderate", total.Interpretation[0].Text)
	assert.Equal(t, []fhir.Reference{{Reference: "QuestionnaireResponse/phq-9-example"}}, total.DerivedFrom)
	assert.Equal(t, &fhir.Reference{Reference: "Patient/example"}, total.Subject)
	assert.Equal(t, "2022-11-29", total.EffectiveDateTime)
	ra := b.Entry[2].Resource.(*fhir.RiskAssessment)
	assert.Equal(t, "final", ra.Status)
	require.Len(t, ra.Prediction, 1)
	require.NotNil(t, ra.Prediction[0].QualitativeRisk)
	assert.Equal(t, "pain_oud.tier.elevated", ra.Prediction[0].QualitativeRisk.Coding[0].Code)
	assert.Contains(t, ra.Note[0].Text, "Referral [routine] Behavioural health evaluation: ", "named by the rule set's label")
	require.Len(t, ra.Basis, 2)
	assert.Equal(t, b.Entry[0].FullURL, ra.Basis[0].Reference)

	// The same input gives the same bytes; another seed other ids.
	var b1, b2 bytes.Buffer
	require.NoError(t, w.WriteBundle(&b1, rep, inputOf(rec, rep)))
	require.NoError(t, w.WriteBundle(&b2, rep, inputOf(rec, rep)))
	assert.Equal(t, b1.String(), b2.String())
	assert.Equal(t, 1, strings.Count(b1.String(), "\n"))
}

// A result decided despite missing answers says so; an urgent flag is its own Observation; the composite's
// tier, open tiers and referrals (with reasons) are in the RiskAssessment.
func TestBundleComposite(t *testing.T) {
	eng := bundledEngine(t)
	resp := &screen.Response{Subject: "pt-1", Date: "2026-03-04", Answers: map[string]map[string]any{
		"auditc": {"frequency": 4, "typical_quantity": 4},
		"phq9":   {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": 2},
		"gcps_r": {"pain_frequency": 3, "limit_frequency": 2, "pain_avg": 6, "enjoyment": 7, "activity": 4},
		"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1, "time_spent": 1, "craving": 1, "role_failure": 0,
			"social_problems": 0, "activities_given_up": 0, "hazardous_use": 0, "physical_psych_problems": 0,
			"tolerance": 0, "withdrawal": 0, "supervised": 0},
	}}
	rep, err := eng.Score(context.Background(), resp)
	require.NoError(t, err)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	b := w.NewBundle(rep, fhir.Input{Subject: rep.Subject, Date: resp.Date, Seed: "x"})
	var positive, flag *fhir.Observation
	var ra *fhir.RiskAssessment
	for _, e := range b.Entry {
		switch r := e.Resource.(type) {
		case *fhir.Observation:
			switch r.Code.Coding[0].Code {
			case "auditc.positive":
				positive = r
			case "phq9.suicidal_ideation":
				flag = r
			}
			assert.Equal(t, &fhir.Reference{Identifier: &fhir.Identifier{Value: "pt-1"}}, r.Subject)
		case *fhir.RiskAssessment:
			ra = r
		}
	}
	require.NotNil(t, positive)
	var notes []string
	for _, n := range positive.Note {
		notes = append(notes, n.Text)
	}
	assert.Contains(t, strings.Join(notes, "\n"), "whatever the answers to AUDIT-C item 3 would be")
	require.NotNil(t, flag)
	assert.Equal(t, "AA", flag.Interpretation[0].Coding[0].Code)
	require.NotNil(t, ra)
	require.Len(t, ra.Prediction, 1)
	assert.Equal(t, string(rep.Composite.Tier), ra.Prediction[0].QualitativeRisk.Text)
	var all []string
	for _, n := range ra.Note {
		all = append(all, n.Text)
	}
	text := strings.Join(all, "\n")
	for _, r := range rep.Composite.Referrals {
		// Each referral is a note of its own, named by its label (the id stays in the rule reference).
		i := slices.IndexFunc(all, func(s string) bool { return strings.Contains(s, "("+r.Rule+")") })
		require.GreaterOrEqual(t, i, 0, "referral %s", r.ID)
		assert.True(t, strings.HasPrefix(all[i], "Referral ["+string(r.Priority)+"] "), all[i])
		assert.NotContains(t, all[i], "] "+r.ID+": ", "the referral is named by its label")
	}
	assert.Contains(t, text, "Why: ")
	assert.Equal(t, "2026-03-04", ra.OccurrenceDateTime)
}

func TestOperationOutcome(t *testing.T) {
	b := fhir.AppendOperationOutcome(nil, "not_integer", "answers.phq9.q1: number is not an integer", "in.jsonl: record 2 (line 2, col 7)")
	var oo map[string]any
	require.NoError(t, json.Unmarshal(b, &oo))
	assert.Equal(t, "OperationOutcome", oo["resourceType"])
	assert.Contains(t, string(b), `"diagnostics":"in.jsonl: record 2 (line 2, col 7): answers.phq9.q1: number is not an integer"`)
}

// A date that is not a FHIR dateTime is left out, with a note; a valid one is written as given.
func TestBundleDate(t *testing.T) {
	eng := bundledEngine(t)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"sisq_drug": {"times": 0}}})
	require.NoError(t, err)
	for date, want := range map[string]string{"2026-03-04": "2026-03-04", "2026": "2026", "2026-03-04T10:00:00Z": "2026-03-04T10:00:00Z",
		"yesterday": "", "2026-13-01": "", "": ""} {
		o := w.NewBundle(rep, fhir.Input{Date: date}).Entry[0].Resource.(*fhir.Observation)
		assert.Equal(t, want, o.EffectiveDateTime, date)
		hasNote := false
		for _, n := range o.Note {
			hasNote = hasNote || strings.Contains(n.Text, "not a FHIR dateTime")
		}
		assert.Equal(t, date != "" && want == "", hasNote, date)
	}
}

// BenchmarkAppendBundle writes the Bundle of a full-battery report (score --format fhir's per-record work
// beyond scoring).
func BenchmarkAppendBundle(b *testing.B) {
	eng := bundledEngine(b)
	w, err := fhir.NewWriter(eng)
	require.NoError(b, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Subject: "Patient/1", Answers: map[string]map[string]any{
		"phq9":   {"q1": 1, "q2": 2, "q3": 0, "q4": 3, "q5": 1, "q6": 0, "q7": 2, "q8": 1, "q9": 0},
		"gad7":   {"q1": 1, "q2": 1, "q3": 2, "q4": 0, "q5": 3, "q6": 1, "q7": 2},
		"gcps_r": {"pain_frequency": 3, "limit_frequency": 2, "pain_avg": 6, "enjoyment": 5, "activity": 4},
		"dsm5_oud": {"larger_or_longer": 1, "cut_down": 1, "time_spent": 1, "craving": 1, "role_failure": 0,
			"social_problems": 0, "activities_given_up": 0, "hazardous_use": 0, "physical_psych_problems": 0,
			"tolerance": 0, "withdrawal": 0, "supervised": 0},
		"sisq_drug": {"times": 0}, "auditc": {"frequency": 2, "typical_quantity": 1, "binge_frequency": 0},
	}})
	require.NoError(b, err)
	in := fhir.Input{Subject: rep.Subject, Date: "2026-03-04", Seed: "bench"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = w.AppendBundle(buf[:0], rep, in)
	}
	b.SetBytes(int64(len(buf)))
}
