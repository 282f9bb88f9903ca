package cds_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func engine(t testing.TB) *screen.Engine {
	t.Helper()
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	return eng
}

// counter gives reproducible uuids.
func counter() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
}

func score(t *testing.T, eng *screen.Engine, resp *screen.Response) *screen.Report {
	t.Helper()
	rep, err := eng.Score(context.Background(), resp)
	require.NoError(t, err)
	require.NotNil(t, rep)
	return rep
}

// battery is a full battery with every screen negative; each scenario changes it.
func battery(change func(a map[string]map[string]any, ctx map[string]any)) *screen.Response {
	a := map[string]map[string]any{
		"gcps_r":    {"pain_frequency": 1},
		"sisq_drug": {"times": 0},
		"phq9":      {"q1": 0, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0, "q9": 0},
		"gad7":      {"q1": 1, "q2": 0, "q3": 1, "q4": 0, "q5": 0, "q6": 1, "q7": 0},
		"auditc":    {"frequency": 1, "typical_quantity": 0, "binge_frequency": 0},
		"pc_ptsd5":  {"trauma": 0},
	}
	ctx := map[string]any{"age": 50, "sex": "female", "prior_overdose": false, "opioid_mme": 0, "benzodiazepine": false, "moud_current": false, "naloxone_current": false}
	if change != nil {
		change(a, ctx)
	}
	return &screen.Response{Subject: "Patient/123", Context: ctx, Answers: a}
}

var oudModerate = map[string]any{"larger_or_longer": 1, "cut_down": 1, "time_spent": 1, "craving": 1, "role_failure": 0,
	"social_problems": 0, "activities_given_up": 0, "hazardous_use": 0, "physical_psych_problems": 0, "tolerance": 0,
	"withdrawal": 0, "supervised": 0}

// scenarios are what a clinician meets; each has a golden file of its cards.
var scenarios = []struct {
	name   string
	resp   *screen.Response
	opt    cds.Options
	assert func(t *testing.T, cards []cds.Card)
}{
	{"low-decided", battery(nil), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		assert.Empty(t, cards, "a decided low tier gives no card")
	}},
	{"low-decided-shown", battery(nil), cds.Options{ShowLowTier: true}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1)
		assert.Equal(t, cds.IndicatorInfo, cards[0].Indicator)
	}},
	{"item9-endorsed", battery(func(a map[string]map[string]any, _ map[string]any) { a["phq9"]["q9"] = 1 }), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1, "the flag and the safety assessment are one card")
		assert.Equal(t, cds.IndicatorCritical, cards[0].Indicator)
		assert.Contains(t, cards[0].Detail, "“Thoughts that you would be better off dead, or of hurting yourself in some way”: Several days")
		assert.Equal(t, "at-most-one", cards[0].SelectionBehavior)
		assert.Len(t, cards[0].Links, 2)
	}},
	{"item9-unanswered", battery(func(a map[string]map[string]any, _ map[string]any) { delete(a["phq9"], "q9") }), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1)
		assert.Equal(t, cds.IndicatorWarning, cards[0].Indicator)
		assert.Equal(t, "Risk tier not final: URGENT possible. Ask PHQ-9 item 9.", cards[0].Summary)
		assert.Contains(t, cards[0].Detail, "not ruled out")
		assert.NotContains(t, strings.ToLower(cards[0].Detail), "no suicidal")
	}},
	{"item9-invalid", battery(func(a map[string]map[string]any, _ map[string]any) { a["phq9"]["q9"] = 7 }), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1, "the open card names the unusable answer; no separate error card")
		assert.Contains(t, cards[0].Detail, "answer could not be used")
	}},
	{"item9-unanswered-no-ruleset", &screen.Response{Subject: "Patient/123", Answers: map[string]map[string]any{
		"phq9": {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0, "q7": 0, "q8": 0}}}, cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1, "an urgent flag left open is a card even without a tier")
		assert.Equal(t, cds.IndicatorWarning, cards[0].Indicator)
		assert.Contains(t, cards[0].Summary, "PHQ-9 item 9")
	}},
	{"oud-moderate-pain", battery(func(a map[string]map[string]any, _ map[string]any) {
		a["dsm5_oud"] = oudModerate
		a["gcps_r"] = map[string]any{"pain_frequency": 3, "limit_frequency": 2, "pain_avg": 7, "enjoyment": 7, "activity": 8}
	}), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		var warn, info int
		for _, c := range cards {
			switch c.Indicator {
			case cds.IndicatorWarning:
				warn++
			case cds.IndicatorInfo:
				info++
			}
		}
		assert.GreaterOrEqual(t, warn, 3, "moud, naloxone, integrated therapy: a card each")
		assert.Equal(t, 1, info, "routine referrals share one card")
		var naloxone bool
		for _, c := range cards {
			for _, s := range c.Suggestions {
				for _, a := range s.Actions {
					if b, _ := json.Marshal(a.Resource); strings.Contains(string(b), `"resourceType":"MedicationRequest"`) {
						naloxone = true
						assert.Contains(t, string(b), `"intent":"proposal"`)
						assert.Contains(t, string(b), `"reference":"Patient/123"`)
					}
				}
			}
		}
		assert.True(t, naloxone, "a naloxone MedicationRequest proposal")
	}},
	{"opioid-benzodiazepine", battery(func(_ map[string]map[string]any, ctx map[string]any) {
		ctx["opioid_mme"] = 120
		ctx["benzodiazepine"] = true
	}), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.NotEmpty(t, cards)
	}},
	{"invalid-answer-decided", battery(func(a map[string]map[string]any, _ map[string]any) { a["gad7"]["q1"] = 9 }), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		assert.Empty(t, cards, "GAD-7 is negative whatever item 1 is: the bad answer changes no result")
	}},
	{"invalid-answer-open-domain", battery(func(a map[string]map[string]any, _ map[string]any) {
		a["dsm5_oud"] = oudModerate
		a["gad7"] = map[string]any{"q1": 9, "q2": 2, "q3": 2, "q4": 2, "q5": 1, "q6": 1, "q7": 0}
	}), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		var open bool
		for _, c := range cards {
			assert.NotContains(t, c.Detail, "9", "never the answer value")
			if strings.HasPrefix(c.Summary, "Missing answers could add") {
				open = true
				assert.Contains(t, c.Summary, "GAD-7 item 1")
				assert.Contains(t, c.Detail, "answer could not be used")
			}
		}
		assert.True(t, open, "a possible referral with a decided tier still gets a card that says what to ask")
	}},
	{"unknown-item", battery(func(a map[string]map[string]any, _ map[string]any) { a["auditc"]["1"] = 2 }), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		assert.Empty(t, cards, "an integration problem that changes no result is not a card")
	}},
	{"several-routine", battery(func(a map[string]map[string]any, _ map[string]any) {
		a["gcps_r"] = map[string]any{"pain_frequency": 3, "limit_frequency": 1, "pain_avg": 6, "enjoyment": 5, "activity": 5}
		a["auditc"] = map[string]any{"frequency": 4, "typical_quantity": 2, "binge_frequency": 2}
		a["phq9"] = map[string]any{"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 1, "q6": 1, "q7": 1, "q8": 0, "q9": 0}
	}), cds.Options{}, func(t *testing.T, cards []cds.Card) {
		require.Len(t, cards, 1)
		assert.Equal(t, "any", cards[0].SelectionBehavior)
	}},
}

func TestScenarios(t *testing.T) {
	eng := engine(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			opt := sc.opt
			opt.NewUUID = counter()
			opt.SourceURL = "https://cds.example.org/painscreen"
			cards := cds.NewMaker(eng, opt).Cards(score(t, eng, sc.resp))
			ValidateCards(t, cards)
			sc.assert(t, cards)
			golden(t, sc.name, cards)
		})
	}
}

func golden(t *testing.T, name string, cards []cds.Card) {
	t.Helper()
	if cards == nil {
		cards = []cds.Card{}
	}
	got, err := json.MarshalIndent(map[string]any{"cards": cards}, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// What every card must show a clinician, beyond the schema: no CEL, no ids where words exist, no
// digest, no truncation.
func TestCardText(t *testing.T) {
	eng := engine(t)
	for _, sc := range scenarios {
		opt := sc.opt
		opt.NewUUID = counter()
		for _, c := range cds.NewMaker(eng, opt).Cards(score(t, eng, sc.resp)) {
			text := c.Summary + "\n" + c.Detail
			for _, bad := range []string{"sha256:", "#referrals.", "#tiers.", "has(", "answers.", "domains.", "…", "phq9.q9", "`"} {
				assert.NotContains(t, text, bad, "%s: %s", sc.name, c.Summary)
			}
		}
	}
}

func TestHeadline(t *testing.T) {
	eng := engine(t)
	nm := cds.NewNamer(eng)
	rep := score(t, eng, battery(func(a map[string]map[string]any, _ map[string]any) { delete(a["phq9"], "q9") }))
	open, ok := nm.OpenResult(rep)
	require.True(t, ok)
	assert.Equal(t, "not final — LOW now, URGENT possible: ask PHQ-9 item 9", open.Headline())
	assert.True(t, open.Urgent)
	require.Len(t, open.Settle, 1)
	assert.Equal(t, cds.Item{Instrument: "phq9", ID: "q9", Name: "PHQ-9 item 9",
		Text: "Thoughts that you would be better off dead, or of hurting yourself in some way"}, open.Settle[0])
	flags := nm.OpenFlags(rep)
	require.Len(t, flags, 1)
	assert.Equal(t, "suicidal_ideation", flags[0].Flag)

	_, ok = nm.OpenResult(score(t, eng, battery(nil)))
	assert.False(t, ok, "a decided tier is not open")
	assert.Empty(t, nm.OpenFlags(score(t, eng, battery(nil))))

	for title, want := range map[string]string{"Patient Health Questionnaire-9 (PHQ-9)": "PHQ-9", "PEG three-item scale": "PEG",
		"DSM-5 opioid use disorder criteria checklist": "DSM-5", "Single-item drug screening question": "Single-item drug screening question",
		"": "peg", "x ()": "x ()", "A (B)": "B", strings.Repeat("long ", 20): "peg"} {
		assert.Equal(t, want, cds.ShortName("peg", title), title)
	}
	var nilNamer *cds.Namer
	assert.Equal(t, "phq9 q9", nilNamer.Item("phq9", "q9").Name)
}
