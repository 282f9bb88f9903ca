package server

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestDiscovery(t *testing.T) {
	srv, _ := newServer(t, Config{})
	r := call(t, srv, "GET", "/cds-services", "", nil)
	require.Equal(t, 200, r.status)
	var doc map[string][]map[string]any
	require.NoError(t, json.Unmarshal(r.body, &doc))
	require.Len(t, doc["services"], 1)
	s := doc["services"][0]
	assert.Equal(t, "patient-view", s["hook"])
	assert.Equal(t, DefaultServiceID, s["id"])
	assert.NotEmpty(t, s["title"])
	assert.NotEmpty(t, s["description"])
	pre := s["prefetch"].(map[string]any)
	assert.Equal(t, "QuestionnaireResponse?patient={{context.patientId}}", pre["questionnaireResponses"])
	assert.Equal(t, "Patient/{{context.patientId}}", pre["patient"])
	for k := range s {
		assert.Contains(t, []string{"hook", "id", "title", "description", "prefetch", "usageRequirements"}, k, "a CDS Hooks 2.0 field name")
	}
}

func cdsBody(t testing.TB, hook, patient string, prefetch map[string]any) []byte {
	t.Helper()
	req := map[string]any{
		"hook":         hook,
		"hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
		"context":      map[string]any{"userId": "Practitioner/example", "patientId": patient},
	}
	if prefetch != nil {
		req["prefetch"] = prefetch
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return b
}

func TestCDSCallErrors(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := newServer(t, authConfig(t, newClock(now)))
	path := "/cds-services/" + DefaultServiceID
	tok := func(p string) string { return token(t, ehrKeys(t).priv, jose.ES384, testKid, goodClaims(now, p)) }
	tests := []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"bad JSON", path, `{"hook":`, 400, "bad_json"},
		{"no hook", path, `{"hookInstance":"x","context":{"patientId":"p"}}`, 400, "missing_field"},
		{"other hook", path, string(cdsBody(t, "order-sign", "123", nil)), 400, "unsupported_hook"},
		{"no hookInstance", path, `{"hook":"patient-view","context":{"patientId":"p"}}`, 400, "missing_field"},
		{"no patient", path, `{"hook":"patient-view","hookInstance":"x","context":{"userId":"u"}}`, 400, "missing_field"},
		{"context not an object", path, `{"hook":"patient-view","hookInstance":"x","context":[1]}`, 400, "bad_context"},
		{"authorization without server", path, `{"hook":"patient-view","hookInstance":"x","context":{"patientId":"p"},"fhirAuthorization":{"access_token":"t"}}`, 400, "missing_field"},
		{"no prefetch", path, string(cdsBody(t, "patient-view", "123", nil)), 412, "no_prefetch"},
		{"other prefetch key", path, string(cdsBody(t, "patient-view", "123", map[string]any{"patient": map[string]any{}})), 412, "no_prefetch"},
		{"unknown service", "/cds-services/nope", string(cdsBody(t, "patient-view", "123", nil)), 404, "unknown_service"},
		{"empty body", path, ``, 400, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, srv, "POST", tt.path, tok(tt.path), []byte(tt.body))
			require.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Equal(t, tt.code, r.code(t))
			assert.NotContains(t, string(r.body), "123", "the patient id is never echoed")
		})
	}
	// No token at all.
	r := call(t, srv, "POST", path, "", cdsBody(t, "patient-view", "123", nil))
	assert.Equal(t, 401, r.status)
}

// exampleReport scores an example response file with the bundled content.
func exampleReport(t testing.TB, name string) *screen.Report {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "examples", "responses", name))
	require.NoError(t, err)
	defer f.Close()
	format, _ := respfile.FormatFromPath(name)
	rec, err := respfile.NewDecoder(f, format, respfile.Limits{}).Next()
	require.NoError(t, err)
	require.Nil(t, rec.Err)
	rep, err := engine(t).Score(t.Context(), rec.Response)
	require.NoError(t, err)
	return rep
}

func testMaker(t testing.TB) *cardMaker {
	t.Helper()
	_, h := newServer(t, Config{SourceURL: "https://cds.example.org/painscreen/about"})
	return h.cards
}

// TestCardsGolden maps every example report to cards and compares them with testdata/cards/*.json
// (go test ./server -run TestCardsGolden -update rewrites them).
func TestCardsGolden(t *testing.T) {
	for _, name := range []string{"low.yaml", "elevated.yaml", "high.yaml", "urgent.yaml", "not_assessed.yaml", "incomplete_phq9.yaml", "not_applied.yaml"} {
		t.Run(name, func(t *testing.T) {
			cards := testMaker(t).cards(exampleReport(t, name))
			got, err := json.MarshalIndent(cdsResponse{Cards: append([]card{}, cards...)}, "", "  ")
			require.NoError(t, err)
			got = append(got, '\n')
			golden := filepath.Join("testdata", "cards", strings.TrimSuffix(name, ".yaml")+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			checkCards(t, cards)
		})
	}
}

// checkCards holds what CDS Hooks requires of every card.
func checkCards(t *testing.T, cards []card) {
	t.Helper()
	rank := map[string]int{indicatorCritical: 0, indicatorWarning: 1, indicatorInfo: 2}
	last := 0
	for _, c := range cards {
		assert.Less(t, utf8.RuneCountInString(c.Summary), 140, c.Summary)
		assert.NotEmpty(t, c.Summary)
		r, ok := rank[c.Indicator]
		assert.True(t, ok, c.Indicator)
		assert.GreaterOrEqual(t, r, last, "most pressing first")
		last = r
		assert.NotEmpty(t, c.Source.Label)
		assert.NotEmpty(t, c.UUID)
		assert.Contains(t, c.Detail, "not a diagnosis")
	}
}

func TestCardMapping(t *testing.T) {
	m := testMaker(t)

	rep := exampleReport(t, "urgent.yaml")
	cards := m.cards(rep)
	// One per urgent flag and one per referral.
	require.Len(t, cards, 1+len(rep.Composite.Referrals))
	assert.Equal(t, indicatorCritical, cards[0].Indicator)
	assert.Contains(t, cards[0].Detail, "Urgent flag")
	assert.Contains(t, cards[0].Detail, "`answers.q9` = `1`")
	assert.Equal(t, indicatorCritical, cards[1].Indicator)
	assert.Contains(t, cards[1].Detail, "referrals.suicide_safety_assessment")
	// The reasons chain: referral → domain → instrument result → answers.
	assert.Contains(t, cards[1].Detail, "`domains.safety` = `suicidal_ideation`")
	assert.Contains(t, cards[1].Detail, "`phq9.flags.suicidal_ideation` = `true`")
	assert.Contains(t, cards[1].Detail, "answers: `q9 = 1`")
	assert.Contains(t, cards[1].Detail, "**Guideline source.** Simon GE et al.")
	for _, c := range cards[2:] {
		assert.Equal(t, indicatorInfo, c.Indicator, "routine referrals")
	}

	rep = exampleReport(t, "high.yaml")
	var sawHigh bool
	for _, c := range m.cards(rep) {
		if strings.Contains(c.Detail, "(high priority)") {
			sawHigh = true
			assert.Equal(t, indicatorWarning, c.Indicator)
		}
	}
	assert.True(t, sawHigh)

	// Nothing to say: no cards, not null.
	assert.Empty(t, m.cards(exampleReport(t, "not_applied.yaml")))
	b, _ := json.Marshal(cdsResponse{Cards: []card{}})
	assert.JSONEq(t, `{"cards":[]}`, string(b))
}

func TestPossibleCards(t *testing.T) {
	m := testMaker(t)
	// PHQ-9 item 9 left blank: safety is open, so the urgent referral is possible, never dropped.
	resp := &screen.Response{Answers: map[string]map[string]any{
		"gcps_r":    {"pain_frequency": 3, "limit_frequency": 3, "pain_avg": 7, "enjoyment": 7, "activity": 7},
		"phq9":      {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 2, "q6": 2, "q7": 2, "q8": 2},
		"sisq_drug": {"times": 0},
	}}
	rep, err := engine(t).Score(t.Context(), resp)
	require.NoError(t, err)
	require.NotEmpty(t, rep.Composite.PossibleReferrals)
	cards := m.cards(rep)
	checkCards(t, cards)
	var possibleUrgent, tierCard bool
	for _, c := range cards {
		if strings.HasPrefix(c.Summary, "Possible: ") && strings.Contains(c.Detail, "(urgent priority)") {
			possibleUrgent = true
			assert.Equal(t, indicatorWarning, c.Indicator)
			assert.Contains(t, c.Detail, "Missing answers: `phq9: q9`")
		}
		if strings.HasPrefix(c.Summary, "Risk tier not settled") {
			tierCard = true
			assert.Contains(t, c.Summary, "urgent")
		}
	}
	assert.True(t, possibleUrgent, "possible urgent referral card")
	assert.True(t, tierCard, "open tier card")
}

func TestErrorsCard(t *testing.T) {
	m := testMaker(t)
	rep, err := engine(t).Score(t.Context(), &screen.Response{Answers: map[string]map[string]any{
		"phq9":      {"q1": 9, "q9": 2},
		"gcps_r":    {"pain_frequency": 1, "limit_frequency": 1, "pain_avg": 2, "enjoyment": 2, "activity": 2},
		"sisq_drug": {"times": 0},
	}})
	var re *screen.ResponseErrors
	require.ErrorAs(t, err, &re)
	require.NotEmpty(t, rep.Errors)
	cards := m.cards(rep)
	checkCards(t, cards)
	var urgent, errs bool
	for _, c := range cards {
		urgent = urgent || c.Indicator == indicatorCritical
		if strings.Contains(c.Summary, "answer problem") {
			errs = true
			assert.Equal(t, indicatorWarning, c.Indicator)
			assert.Contains(t, c.Detail, "`invalid_value` `phq9.q1`")
		}
	}
	assert.True(t, urgent, "a bad answer does not hide the urgent flag")
	assert.True(t, errs)
}

func TestSummaryAndMarkdown(t *testing.T) {
	long := strings.Repeat("word ", 60)
	s := summary(long)
	assert.Less(t, utf8.RuneCountInString(s), 140)
	assert.True(t, strings.HasSuffix(s, "…"))
	assert.Equal(t, "short text", summary("short\n text"))
	assert.Equal(t, `a \*b\* \[c\](d) \<e\>`, mdText("a *b* [c](d) <e>"))
	assert.Equal(t, "a'b c", mdCode("a`b\nc"))
	u := randomUUID()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, u)
	assert.NotEqual(t, u, randomUUID())
}
