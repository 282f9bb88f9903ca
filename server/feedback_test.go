package server

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type countFeedback struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countFeedback) Feedback(outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[outcome]++
}

// CDS Hooks 2.0 feedback: accepted and overridden outcomes are counted and logged without health data;
// malformed feedback is a 400 naming the field, never echoing it.
func TestFeedback(t *testing.T) {
	var logs bytes.Buffer
	counter := &countFeedback{}
	srv, h := newServer(t, Config{InsecureNoAuth: true, Logger: logTo(&logs), Feedback: counter})
	path := "/cds-services/" + DefaultServiceID + "/feedback"
	ok := `{"feedback":[
	  {"card":"00000000-0000-4000-8000-000000000001","outcome":"accepted","acceptedSuggestions":[{"id":"00000000-0000-4000-8000-000000000002"}],"outcomeTimestamp":"2026-12-07T10:00:00Z"},
	  {"card":"00000000-0000-4000-8000-000000000003","outcome":"overridden","overrideReason":{"reason":{"system":"https://painscreen.dev/cds/override-reason","code":"patient-declined"},"userComment":"SECRET-COMMENT pt Jane Doe"},"outcomeTimestamp":"2026-12-07T10:00:01Z"},
	  {"card":"00000000-0000-4000-8000-000000000004","outcome":"overridden","overrideReason":{"reason":{"system":"http://ehr.example/reasons","code":"SECRET-CODE"}},"outcomeTimestamp":"2026-12-07T10:00:02Z"}
	]}`
	r := call(t, srv, "POST", path, "", []byte(ok))
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.Equal(t, map[string]int{"accepted": 1, "overridden": 2}, counter.n)
	assert.EqualValues(t, 1, h.feedback.accepted.Load())
	assert.EqualValues(t, 2, h.feedback.overridden.Load())
	log := logs.String()
	assert.Contains(t, log, `"override_reason":"patient-declined"`)
	assert.Contains(t, log, `"override_reason":"other"`)
	assert.Contains(t, log, `"route":"POST /cds-services/`+DefaultServiceID+`/feedback"`)
	for _, secret := range []string{"SECRET", "Jane"} {
		assert.NotContains(t, log, secret)
	}

	for name, tc := range map[string]struct{ body, code string }{
		"not json":     {`{`, "bad_json"},
		"empty":        {`{"feedback":[]}`, "missing_field"},
		"no card":      {`{"feedback":[{"outcome":"accepted","outcomeTimestamp":"2026-12-07T10:00:00Z"}]}`, "missing_field"},
		"bad outcome":  {`{"feedback":[{"card":"c","outcome":"SECRET-maybe","outcomeTimestamp":"2026-12-07T10:00:00Z"}]}`, "invalid_value"},
		"no timestamp": {`{"feedback":[{"card":"c","outcome":"accepted"}]}`, "missing_field"},
	} {
		r := call(t, srv, "POST", path, "", []byte(tc.body))
		assert.Equal(t, 400, r.status, name)
		assert.Equal(t, tc.code, r.code(t), name)
		assert.False(t, strings.Contains(string(r.body), "SECRET"), name)
	}
	assert.Equal(t, map[string]int{"accepted": 1, "overridden": 2}, counter.n, "rejected feedback is not counted")
	assert.Equal(t, 404, call(t, srv, "POST", "/cds-services/other/feedback", "", []byte(ok)).status)
	assert.Equal(t, 405, call(t, srv, "GET", path, "", nil).status)
}

// Feedback needs the same token as a CDS call.
func TestFeedbackNeedsAuth(t *testing.T) {
	srv, _ := newServer(t, authConfig(t, newClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))))
	r := call(t, srv, "POST", "/cds-services/"+DefaultServiceID+"/feedback", "", []byte(`{"feedback":[]}`))
	assert.Equal(t, 401, r.status)
}
