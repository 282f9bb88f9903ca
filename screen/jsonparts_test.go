package screen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// marshal encodes v with encoding/json, without its HTML escaping, as AppendJSON writes.
func marshal(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// The JSON contract on every part: json.Marshal of a part of a report gives the fragment the report's JSON
// has (for a score, a domain and a follow-up measure, their two fragments joined into one object).
func TestPartsEncodeAsTheReportDoes(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	visit := func(date string, q9 any, gad any) *screen.Response {
		return &screen.Response{Subject: "pt-<1>&", Date: date, Context: map[string]any{"age": 47}, Answers: map[string]map[string]any{
			"gcps_r": {"pain_frequency": 3, "limit_frequency": 2, "pain_avg": 6, "enjoyment": 5, "activity": 4}, "sisq_drug": {"times": 1},
			"phq9": {"q1": 3, "q2": 3, "q3": 3, "q4": 3, "q5": 3, "q6": 3, "q7": 0, "q8": 0, "q9": q9},
			"gad7": {"q1": gad, "q2": 1},
		}}
	}
	rep, err := eng.FollowUp(context.Background(), visit("2026-01-05", 0, 1), visit("2026-03-30", nil, 9))
	require.NoError(t, err)
	require.NotEmpty(t, rep.Errors)

	var doc struct {
		Engine      json.RawMessage `json:"engine"`
		Instruments map[string]struct {
			Scores  map[string]json.RawMessage `json:"scores"`
			Flags   []json.RawMessage          `json:"flags"`
			Notes   []json.RawMessage          `json:"notes"`
			Explain map[string]json.RawMessage `json:"explain"`
		} `json:"instruments"`
		Composite json.RawMessage   `json:"composite"`
		FollowUp  json.RawMessage   `json:"followup"`
		Errors    []json.RawMessage `json:"errors"`
	}
	js := rep.AppendJSON(nil)
	require.NoError(t, json.Unmarshal(js, &doc))
	var raw struct {
		Instruments map[string]json.RawMessage `json:"instruments"`
	}
	require.NoError(t, json.Unmarshal(js, &raw))
	var comp struct {
		Domains   map[string]json.RawMessage `json:"domains"`
		Possible  map[string]json.RawMessage `json:"possible"`
		Referrals []json.RawMessage          `json:"referrals"`
		Notes     []json.RawMessage          `json:"notes"`
		Explain   map[string]json.RawMessage `json:"explain"`
	}
	require.NoError(t, json.Unmarshal(doc.Composite, &comp))
	var fu struct {
		Instruments map[string]map[string]json.RawMessage `json:"instruments"`
		Explain     map[string]map[string]json.RawMessage `json:"explain"`
	}
	require.NoError(t, json.Unmarshal(doc.FollowUp, &fu))

	// joined is {"id":…,"value":…, then the explain entry's fields}.
	joined := func(id string, value json.RawMessage, extra string, explain json.RawMessage) string {
		return `{"id":` + marshal(t, id) + `,"value":` + string(value) + extra + "," + string(explain[1:])
	}

	assert.Equal(t, string(doc.Engine), marshal(t, rep.Engine))
	assert.Equal(t, string(doc.Composite), marshal(t, rep.Composite))
	assert.Equal(t, string(doc.FollowUp), marshal(t, rep.FollowUp))
	require.Len(t, doc.Errors, len(rep.Errors))
	for i := range rep.Errors {
		assert.Equal(t, string(doc.Errors[i]), marshal(t, rep.Errors[i]))
		assert.Equal(t, string(doc.Errors[i]), marshal(t, &rep.Errors[i]))
	}
	parts := 0
	for _, in := range rep.Instruments {
		d := doc.Instruments[in.ID]
		assert.Equal(t, string(raw.Instruments[in.ID]), marshal(t, in))
		for i, f := range in.Flags {
			assert.Equal(t, string(d.Flags[i]), marshal(t, f))
			parts++
		}
		for i, n := range in.Notes {
			assert.Equal(t, string(d.Notes[i]), marshal(t, n))
		}
		for _, s := range in.Scores {
			assert.Equal(t, joined(s.ID, d.Scores[s.ID], "", d.Explain[s.ID]), marshal(t, s))
			for _, r := range s.Reasons() {
				assert.Contains(t, string(d.Explain[s.ID]), marshal(t, r))
			}
			parts++
		}
	}
	c := rep.Composite
	for _, dm := range c.Domains {
		extra := ""
		if p, ok := comp.Possible[dm.ID]; ok {
			extra = `,"possible":` + string(p)
		}
		assert.Equal(t, joined(dm.ID, comp.Domains[dm.ID], extra, comp.Explain[dm.ID]), marshal(t, dm))
		parts++
	}
	for i, r := range c.Referrals {
		assert.Equal(t, string(comp.Referrals[i]), marshal(t, r))
		parts++
	}
	for i, n := range c.Notes {
		assert.Equal(t, string(comp.Notes[i]), marshal(t, n))
	}
	for _, fi := range rep.FollowUp.Instruments {
		for _, m := range fi.Measures {
			assert.Equal(t, joined(m.ID, fu.Instruments[fi.ID][m.ID], "", fu.Explain[fi.ID][m.ID]), marshal(t, m))
			parts++
		}
		var back struct {
			ID       string            `json:"id"`
			Measures []json.RawMessage `json:"measures"`
			Possible []json.RawMessage `json:"possible"`
		}
		require.NoError(t, json.Unmarshal([]byte(marshal(t, fi)), &back))
		assert.Equal(t, fi.ID, back.ID)
		assert.Len(t, back.Measures, len(fi.Measures))
		for i, p := range fi.Possible {
			assert.Equal(t, string(back.Possible[i]), marshal(t, p))
		}
	}
	assert.Greater(t, parts, 20)
	// encoding/json gives the report's own bytes for a Report and a *Report (HTML escaping aside).
	assert.Equal(t, string(js), marshal(t, rep))
	assert.Equal(t, string(js), marshal(t, *rep))
}
