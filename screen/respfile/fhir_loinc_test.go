package respfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLOINCPanelLinksFromQuestionnaires rebuilds loincPanelLinks from the official LOINC Questionnaires
// (testdata/loinc): every coded item maps its linkId to its code, every uncoded calculated total to "".
// The one uncoded answer item (PEG's pain on average) is the stated exception.
func TestLOINCPanelLinksFromQuestionnaires(t *testing.T) {
	type qitem struct {
		LinkID string `json:"linkId"`
		Text   string `json:"text"`
		Type   string `json:"type"`
		Code   []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"code"`
		Item []qitem `json:"item"`
	}
	var q struct {
		URL  string `json:"url"`
		Code []struct {
			Code string `json:"code"`
		} `json:"code"`
		Item []qitem `json:"item"`
	}
	exceptions := map[string]string{"108518": "75893-8"} // PEG pain item: no code in the Questionnaire
	files, err := filepath.Glob("testdata/loinc/*.json")
	require.NoError(t, err)
	require.Len(t, files, 4)
	got := map[string]map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		q.Item, q.Code = nil, nil
		require.NoError(t, json.Unmarshal(b, &q))
		require.Len(t, q.Code, 1)
		panel := q.Code[0].Code
		require.Equal(t, "http://loinc.org/q/"+panel, q.URL)
		links := map[string]string{}
		var walk func([]qitem)
		walk = func(items []qitem) {
			for _, it := range items {
				switch {
				case len(it.Code) > 0:
					require.Equal(t, "http://loinc.org", it.Code[0].System)
					links[it.LinkID] = it.Code[0].Code
				case exceptions[it.LinkID] != "":
					require.Contains(t, it.Text, "pain on average")
					links[it.LinkID] = exceptions[it.LinkID]
				default:
					require.Equal(t, "decimal", it.Type, "an uncoded item is the calculated total")
					lower := strings.ToLower(it.Text)
					require.True(t, strings.Contains(lower, "score"), "uncoded item %s is a score: %s", it.LinkID, it.Text)
					links[it.LinkID] = ""
				}
				walk(it.Item)
			}
		}
		walk(q.Item)
		got[panel] = links
	}
	require.Equal(t, loincPanelLinks, got)
}
