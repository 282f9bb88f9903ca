package screen_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// Regression tests for the engine-architecture review: each failed on the engine before results owned
// their reasons, before the report's encoders took value receivers, and before the accessors were nil-safe.

func fullBattery(phq9q9 int) *screen.Response {
	return &screen.Response{
		Subject: "pt-1",
		Context: map[string]any{"age": 40, "sex": "female"},
		Answers: map[string]map[string]any{
			"phq9":      {"q1": 2, "q2": 2, "q3": 1, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 0, "q9": phq9q9},
			"gad7":      {"q1": 1, "q2": 1, "q3": 1, "q4": 2, "q5": 2, "q6": 0, "q7": 0},
			"gcps_r":    {"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 6, "enjoyment": 7, "activity": 4},
			"sisq_drug": {"times": 0},
			"auditc":    {"frequency": 2, "typical_quantity": 1, "binge_frequency": 1},
		},
	}
}

func otherBattery() *screen.Response {
	return &screen.Response{Answers: map[string]map[string]any{
		"gad7":      {"q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 1},
		"gcps_r":    {"pain_frequency": 0},
		"sisq_drug": {"times": 5},
	}}
}

func domainOf(t *testing.T, c *screen.CompositeResult, id string) screen.Domain {
	t.Helper()
	for _, d := range c.Domains {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no domain %s", id)
	return screen.Domain{}
}

// A result copied out of a Report from Score keeps its own reasons, whatever happens to the Report or the
// engine afterwards: trimming or editing the Report neither changes them nor panics.
func TestResultsOwnTheirReasons(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	ctx := context.Background()
	rep, err := eng.Score(ctx, fullBattery(0))
	require.NoError(t, err)
	pain := domainOf(t, rep.Composite, "pain")
	want := []screen.Reason{{Name: "gcps_r.label", Value: screen.StringValue("bothersome"), Ref: screen.RefScore,
		Instrument: "gcps_r", ID: "label", Label: "bothersome", Text: "GCPS-R grade: bothersome"}}
	require.Equal(t, want, pain.Reasons())
	total := rep.Instrument("phq9").Scores[0]

	// Edit and trim the report, and score other response sets with the same engine.
	rep.Instruments[0].Scores = nil
	rep.Instruments = rep.Instruments[:0]
	for range 3 {
		_, err := eng.Score(ctx, otherBattery())
		require.NoError(t, err)
	}
	assert.Equal(t, want, pain.Reasons())
	assert.Equal(t, want, domainOf(t, rep.Composite, "pain").Reasons())
	assert.NotPanics(t, func() { rep.Composite.TierReasons() })
	require.Equal(t, "total", total.ID)
	assert.Equal(t, screen.Reason{Name: "answers.q1", Value: screen.IntValue(2), Ref: screen.RefAnswer, Instrument: "phq9", ID: "q1",
		Label: "More than half the days", Text: "PHQ-9 item 1 (little interest or pleasure in doing things): More than half the days"},
		total.Reasons()[0])
	assert.Len(t, total.Reasons(), 9)

	// ScoreTo into a second Report leaves the first one's results alone.
	var a, b screen.Report
	require.NoError(t, eng.ScoreTo(ctx, fullBattery(0), &a))
	painA := domainOf(t, a.Composite, "pain")
	require.NoError(t, eng.ScoreTo(ctx, otherBattery(), &b))
	assert.Equal(t, want, painA.Reasons())
	assert.Equal(t, "none", domainOf(t, b.Composite, "pain").Value.String())
}

// Reasons() returns a copy: a caller that edits it does not edit the report.
func TestReasonsAreCopies(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), fullBattery(1))
	require.NoError(t, err)
	flag := rep.Instrument("phq9").Flags[0]
	r := flag.Reasons()
	r[0].Name = "edited"
	assert.Equal(t, "answers.q9", flag.Reasons()[0].Name)
}

// encoding/json gives the documented contract for a Report and a *Report alike, and for the parts that
// have their own MarshalJSON.
func TestJSONMarshalMatchesAppendJSON(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), fullBattery(1))
	require.NoError(t, err)
	want := string(rep.AppendJSON(nil))
	byPtr, err := json.Marshal(rep)
	require.NoError(t, err)
	byVal, err := json.Marshal(*rep)
	require.NoError(t, err)
	assert.Equal(t, want, string(byPtr))
	assert.Equal(t, want, string(byVal))

	var doc map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(want), &doc))
	comp, err := json.Marshal(*rep.Composite)
	require.NoError(t, err)
	assert.JSONEq(t, string(doc["composite"]), string(comp))
	v, err := json.Marshal(screen.DoubleValue(5.7))
	require.NoError(t, err)
	assert.Equal(t, "5.7", string(v))
	reason, err := json.Marshal(screen.Reason{Name: "answers.q9", Value: screen.IntValue(1), Ref: screen.RefAnswer, ID: "q9", Text: "t"})
	require.NoError(t, err)
	assert.Equal(t, `{"name":"answers.q9","value":1,"kind":"answer","id":"q9","text":"t"}`, string(reason))
}

// The accessors of absent results are safe, and errors that are not about a response are not ScoreErrors.
func TestAccessorsAndErrorsForFirstTimeEmbedders(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), fullBattery(0))
	require.NoError(t, err)
	assert.NotPanics(t, func() {
		_, ok := rep.Instrument("gad2").Score("total")
		assert.False(t, ok)
		_, ok = rep.Instrument("gad2").Flag("x")
		assert.False(t, ok)
		var none *screen.CompositeResult
		_, ok = none.Domain("pain")
		assert.False(t, ok)
	})

	_, err = eng.Describe("nope")
	require.Error(t, err)
	var se *screen.ScoreError
	assert.False(t, errors.As(err, &se), "Describe's error is not about a response")
	assert.ErrorIs(t, err, screen.ErrUnknownInstrument)
	_, err = eng.Describe("phq9@9.9.9")
	assert.ErrorIs(t, err, screen.ErrUnknownVersion)

	_, err = screen.New(screen.WithDefinitions(os.DirFS("/nope"), "my-defs"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"my-defs"`)

	var zero screen.Engine
	assert.Error(t, zero.ScoreTo(context.Background(), fullBattery(0), &screen.Report{}))
	var nilCtx context.Context
	assert.Error(t, eng.ScoreTo(nilCtx, fullBattery(0), &screen.Report{}))
	assert.Error(t, eng.ScoreTo(context.Background(), fullBattery(0), nil))
}

// A score that is not a finite number (a division by zero or an overflow of doubles) is an evaluation
// error of that score and of the record, never a silent null.
func TestNonFiniteScoresAreErrors(t *testing.T) {
	for _, expr := range []string{"double(answers.a) / 0.0", "0.0 / double(answers.a - answers.a)", "double(answers.a + 1) * 1e308 * 10.0"} {
		t.Run(expr, func(t *testing.T) {
			src := "id: nf\nversion: 1.0.0\ntitle: t\ndomain: test\nstatus: active\nrecall: none\ncitation: c\nlicense: l\nitem_text: paraphrased\n" +
				"items:\n  - {id: a, text: A, options: [{value: 0, label: z}, {value: 1, label: o}]}\n" +
				"scores:\n  - {id: bad, expr: '" + expr + "'}\n  - {id: ok, expr: 'answers.a + 1'}\n"
			eng, err := screen.New(screen.WithDefinitions(fstest.MapFS{"nf.v1.yaml": {Data: []byte(src)}}, ""))
			require.NoError(t, err)
			rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{"nf": {"a": 1}}})
			require.NoError(t, err)
			require.ErrorIs(t, rep.Err(), screen.ErrEvaluation)
			res := rep.Instrument("nf")
			_, ok := res.Score("bad")
			assert.False(t, ok)
			vScore, ok := res.Score("ok")
			v := vScore.Value
			assert.True(t, ok)
			assert.Equal(t, "2", v.String())
			assert.Equal(t, screen.StatusError, res.Status)
			require.Len(t, rep.Errors, 1)
			assert.Contains(t, rep.Errors[0].Message, "not a finite number")
		})
	}
}
