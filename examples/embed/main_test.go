package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
)

// score: the example CSV in the long format, one "record" row per input row.
func TestScoreCSV(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"score", "../responses/batch.csv"}, &out, &errb))
	rows, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"file", "record", "subject", "kind", "id", "value", "band", "note"}, rows[0])
	n := 0
	for _, r := range rows[1:] {
		if r[3] == "record" {
			n++
			assert.Equal(t, "ok", r[5])
		}
	}
	assert.Equal(t, 6, n)
	assert.Equal(t, "6 records: 6 scored, 0 failed\n", errb.String())
}

// followup: two visits of one subject; the later one is reported against the earlier.
func TestFollowUp(t *testing.T) {
	data, err := os.ReadFile("../followup/cohort.jsonl")
	require.NoError(t, err)
	two := strings.Join(strings.Split(string(data), "\n")[:2], "\n") + "\n"
	path := t.TempDir() + "/two.jsonl"
	require.NoError(t, os.WriteFile(path, []byte(two), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"followup", path}, &out, &bytes.Buffer{}))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2)
	assert.NotContains(t, lines[0], "since=", "the baseline is reported on its own")
	assert.Contains(t, lines[1], "since=42d phq9.change=-6")
}

// serve: the urgent example gives a critical card; a body that is not a response set is refused without
// echoing it.
func TestCards(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)
	srv := httptest.NewServer(newMux(eng))
	defer srv.Close()
	body, err := os.Open("../responses/urgent.json")
	require.NoError(t, err)
	defer body.Close()
	resp, err := http.Post(srv.URL+"/cards", "application/json", body)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got struct {
		Cards []struct {
			Summary   string `json:"summary"`
			Indicator string `json:"indicator"`
		} `json:"cards"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	require.NotEmpty(t, got.Cards)
	assert.Equal(t, "critical", got.Cards[0].Indicator)

	resp2, err := http.Post(srv.URL+"/cards", "application/json", strings.NewReader(`{"subject":"secret-id","answers":{"phq9":{"q1":"secret-answer"`))
	require.NoError(t, err)
	defer resp2.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp2.StatusCode)
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp2.Body)
	assert.NotContains(t, b.String(), "secret")
}

func TestUsage(t *testing.T) {
	assert.Error(t, run(context.Background(), []string{"nope"}, &bytes.Buffer{}, &bytes.Buffer{}))
}
