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
	"github.com/painscreen/painscreen/screen/cds"
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

// The cards of issue 22: one critical card for the item-9 flag and the safety assessment together,
// a card per high-priority referral, the routine ones together, none for a decided low tier.
func TestCardMapping(t *testing.T) {
	m := testMaker(t)

	rep := exampleReport(t, "urgent.yaml")
	cards := m.cards(rep)
	require.NotEmpty(t, cards)
	assert.Equal(t, indicatorCritical, cards[0].Indicator)
	crit := 0
	for _, c := range cards {
		if c.Indicator == indicatorCritical {
			crit++
		}
		assert.NotContains(t, c.Summary+c.Detail, "sha256:", "digests go to the extension")
		assert.NotContains(t, c.Summary+c.Detail, "#referrals.", "rule ids go to source.topic")
		assert.NotContains(t, c.Summary, "…")
	}
	assert.Equal(t, 1, crit, "the item-9 flag and suicide_safety_assessment are one card")
	assert.Contains(t, cards[0].Detail, "PHQ-9 item 9")
	assert.Equal(t, "pain_oud@"+rep.Composite.Version+"#referrals.suicide_safety_assessment", cards[0].Source.Topic.Code)
	assert.NotEmpty(t, cards[0].Links)
	info := 0
	for _, c := range cards {
		if c.Indicator == indicatorInfo {
			info++
		}
	}
	assert.LessOrEqual(t, info, 1, "routine referrals share one card")

	rep = exampleReport(t, "high.yaml")
	var sawHigh bool
	for _, c := range m.cards(rep) {
		if strings.Contains(c.Detail, "(high priority)") && c.Indicator == indicatorWarning {
			sawHigh = true
		}
	}
	assert.True(t, sawHigh)

	// A decided low tier, and a rule set not applied without a flag: no cards, not null.
	assert.Empty(t, m.cards(exampleReport(t, "low.yaml")))
	assert.Empty(t, m.cards(exampleReport(t, "not_applied.yaml")))
	b, _ := json.Marshal(cdsResponse{Cards: []card{}})
	assert.JSONEq(t, `{"cards":[]}`, string(b))

	// Configured, a decided low tier gets its rescreen card.
	_, h := newServer(t, Config{ShowLowTierCard: true})
	low := h.cards.cards(exampleReport(t, "low.yaml"))
	require.Len(t, low, 1)
	assert.Equal(t, indicatorInfo, low[0].Indicator)
	assert.Contains(t, low[0].Summary, "rescreen")
}

// composite.md §1b: PHQ-9 item 9 left blank leads with what to ask; the possible urgent referral is on
// that card, never dropped, and never a separate card.
func TestPossibleCards(t *testing.T) {
	m := testMaker(t)
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
	require.NotEmpty(t, cards)
	open := cards[0]
	assert.Equal(t, indicatorWarning, open.Indicator)
	assert.Equal(t, "Risk tier not final: URGENT possible. Ask PHQ-9 item 9.", open.Summary)
	assert.Contains(t, open.Detail, "Suicide risk assessment at this visit (urgent priority)")
	for _, c := range cards[1:] {
		assert.NotContains(t, strings.ToLower(c.Detail), "suicide risk assessment")
	}
}

// An invalid answer that leaves a result open gets one card; an unknown item (an integration problem)
// goes to the log, not to a card.
func TestErrorsCard(t *testing.T) {
	m := testMaker(t)
	var logged []string
	m.logf = func(p cds.Problem) { logged = append(logged, p.Code+" "+p.Instrument+"."+p.Item) }
	rep, err := engine(t).Score(t.Context(), &screen.Response{Answers: map[string]map[string]any{
		"phq9":      {"q1": 9, "q9": 2},
		"gcps_r":    {"pain_frequency": 1, "limit_frequency": 1, "pain_avg": 2, "enjoyment": 2, "activity": 2},
		"sisq_drug": {"times": 0},
		"auditc":    {"frequency": 1, "typical_quantity": 0, "binge_frequency": 0, "1": 2},
	}})
	require.NoError(t, err)
	var re *screen.ResponseErrors
	require.ErrorAs(t, rep.Err(), &re)
	require.NotEmpty(t, rep.Errors)
	cards := m.cards(rep)
	checkCards(t, cards)
	var urgent, errs bool
	for _, c := range cards {
		urgent = urgent || c.Indicator == indicatorCritical
		assert.NotContains(t, c.Detail, "auditc", "the unknown item is logged, not shown")
		if strings.Contains(c.Detail, "PHQ-9 item 1") && strings.Contains(c.Detail, "answer could not be used") {
			errs = true // on the card that says what the missing answers could add
		}
	}
	assert.True(t, urgent, "a bad answer does not hide the urgent flag")
	assert.True(t, errs)
	assert.Equal(t, []string{"unknown_item auditc.1"}, logged)
}

func TestMarkdownAndUUID(t *testing.T) {
	assert.Equal(t, `a \*b\* \[c\](d) \<e\>`, cds.EscapeMarkdown("a *b* [c](d) <e>"))
	u := randomUUID()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, u)
	assert.NotEqual(t, u, randomUUID())
}
