package cds_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/cds"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidateCards checks cards against the CDS Hooks 2.0 card and suggestion schema
// (https://cds-hooks.hl7.org/2.0/#card-attributes) on their JSON form, and painscreen's own rules.
func ValidateCards(t *testing.T, cards []cds.Card) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"cards": cards})
	require.NoError(t, err)
	assert.Empty(t, cardProblems(b))
}

// cardProblems lists what a CDS Hooks response's cards break: unknown card fields; summary required and
// under 140 characters; indicator info, warning or critical; source.label required; Coding system and
// code required (source.topic, overrideReasons); selectionBehavior at-most-one or any, required with
// suggestions and only then; suggestion label required; action type create, update or delete with a
// description, and a resource with a resourceType for create and update; links with a label, type
// absolute or smart and an absolute URL. painscreen's rules: uuids on cards and suggestions, most
// pressing first, https links, "not a diagnosis" in every detail.
func cardProblems(js []byte) []string {
	var doc struct {
		Cards []map[string]any `json:"cards"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		return []string{err.Error()}
	}
	var p []string
	bad := func(i int, f string, a ...any) { p = append(p, fmt.Sprintf("card %d: ", i)+fmt.Sprintf(f, a...)) }
	coding := func(i int, what string, v any) {
		c, ok := v.(map[string]any)
		if !ok || c["system"] == nil || c["system"] == "" || c["code"] == nil || c["code"] == "" {
			bad(i, "%s: a Coding needs system and code", what)
		}
	}
	rank := map[string]int{"critical": 0, "warning": 1, "info": 2}
	known := map[string]bool{"uuid": true, "summary": true, "detail": true, "indicator": true, "source": true,
		"suggestions": true, "selectionBehavior": true, "overrideReasons": true, "links": true, "extension": true}
	last := 0
	for i, c := range doc.Cards {
		for k := range c {
			if !known[k] {
				bad(i, "%s is not a card field", k)
			}
		}
		if s, _ := c["summary"].(string); s == "" || utf8.RuneCountInString(s) >= cds.MaxSummary {
			bad(i, "summary must be 1 to 139 characters")
		}
		if r, ok := rank[fmt.Sprint(c["indicator"])]; !ok {
			bad(i, "indicator %v", c["indicator"])
		} else {
			if r < last {
				bad(i, "not most pressing first")
			}
			last = r
		}
		src, _ := c["source"].(map[string]any)
		if src == nil || src["label"] == nil || src["label"] == "" {
			bad(i, "source.label is required")
		} else if tp, ok := src["topic"]; ok {
			coding(i, "source.topic", tp)
		}
		if u, _ := c["uuid"].(string); !uuidRE.MatchString(u) {
			bad(i, "uuid")
		}
		if d, _ := c["detail"].(string); !regexp.MustCompile(`not a diagnosis`).MatchString(d) {
			bad(i, "detail must say it is not a diagnosis")
		}
		sugs, _ := c["suggestions"].([]any)
		sb, hasSB := c["selectionBehavior"]
		switch {
		case len(sugs) > 0 && sb != "at-most-one" && sb != "any":
			bad(i, "selectionBehavior at-most-one or any is required with suggestions")
		case len(sugs) == 0 && hasSB:
			bad(i, "selectionBehavior without suggestions")
		}
		for _, s := range sugs {
			s, _ := s.(map[string]any)
			if s["label"] == nil || s["label"] == "" {
				bad(i, "suggestion label is required")
			}
			if u, _ := s["uuid"].(string); !uuidRE.MatchString(u) {
				bad(i, "suggestion uuid")
			}
			acts, _ := s["actions"].([]any)
			for _, a := range acts {
				a, _ := a.(map[string]any)
				switch a["type"] {
				case "create", "update":
					res, _ := a["resource"].(map[string]any)
					if res == nil || res["resourceType"] == nil {
						bad(i, "a %v action needs a resource", a["type"])
					}
				case "delete":
				default:
					bad(i, "action type %v", a["type"])
				}
				if a["description"] == nil || a["description"] == "" {
					bad(i, "action description is required")
				}
			}
		}
		if ors, ok := c["overrideReasons"].([]any); ok {
			for _, o := range ors {
				coding(i, "overrideReasons", o)
			}
		}
		links, _ := c["links"].([]any)
		for _, l := range links {
			l, _ := l.(map[string]any)
			u, err := url.Parse(fmt.Sprint(l["url"]))
			if l["label"] == nil || l["label"] == "" || (l["type"] != "absolute" && l["type"] != "smart") || err != nil || u.Scheme != "https" || u.Host == "" {
				bad(i, "link %v", l)
			}
		}
	}
	return p
}

func TestCardProblems(t *testing.T) {
	good := `{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis"}`
	for name, tc := range map[string]struct {
		card string
		want int
	}{
		"good":                    {good, 0},
		"no summary":              {`{"uuid":"00000000-0000-4000-8000-000000000001","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis"}`, 1},
		"bad indicator":           {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"hint","source":{"label":"x"},"detail":"not a diagnosis"}`, 1},
		"suggestions without sb":  {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis","suggestions":[{"label":"l","uuid":"00000000-0000-4000-8000-000000000002","actions":[{"type":"create","description":"d","resource":{"resourceType":"ServiceRequest"}}]}]}`, 1},
		"create without resource": {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis","selectionBehavior":"any","suggestions":[{"label":"l","uuid":"00000000-0000-4000-8000-000000000002","actions":[{"type":"create","description":"d"}]}]}`, 1},
		"relative link":           {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis","links":[{"label":"l","url":"/x","type":"absolute"}]}`, 1},
		"coding without code":     {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis","overrideReasons":[{"system":"s"}]}`, 1},
		"unknown field":           {`{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis","title":"t"}`, 1},
	} {
		assert.Len(t, cardProblems([]byte(`{"cards":[`+tc.card+`]}`)), tc.want, name)
	}
	assert.Len(t, cardProblems([]byte(`{"cards":[{"uuid":"00000000-0000-4000-8000-000000000001","summary":"s","indicator":"info","source":{"label":"x"},"detail":"not a diagnosis"},{"uuid":"00000000-0000-4000-8000-000000000002","summary":"s","indicator":"critical","source":{"label":"x"},"detail":"not a diagnosis"}]}`)), 1, "order")
}
