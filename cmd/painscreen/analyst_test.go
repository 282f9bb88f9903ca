package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCSV runs painscreen with args and parses stdout as CSV (every row with the header's field count).
func runCSV(t *testing.T, args ...string) [][]string {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	require.Contains(t, []int{exitOK, exitRecords}, code, errb.String())
	rows, err := csv.NewReader(&out).ReadAll() // FieldsPerRecord 0: every row as long as the header
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	return rows
}

// TestLongMatchesWide checks the two analyst layouts against each other over the example batch: every
// score, status, tier and domain of the long format is the value of its column in the wide CSV, and the
// wide CSV has no value the long format leaves out.
func TestLongMatchesWide(t *testing.T) {
	in := "../../examples/responses/batch.jsonl"
	wide := runCSV(t, "score", "--format", "csv", in)
	long := runCSV(t, "score", "--format", "long", in)
	col := map[string]int{}
	for i, c := range wide[0] {
		col[c] = i
	}
	require.Equal(t, []string{"file", "record", "subject", "kind", "id", "value", "band", "note"}, long[0])
	byRecord := map[string][]string{}
	for _, r := range wide[1:] {
		byRecord[r[col["record"]]] = r
	}
	seen := map[string]bool{} // record/column cells the long format gave
	n := 0
	for _, r := range long[1:] {
		w := byRecord[r[1]]
		require.NotNil(t, w, "record %s", r[1])
		assert.Equal(t, w[col["subject"]], r[2])
		kind, id, value := r[3], r[4], r[5]
		var c string
		switch kind {
		case "score", "domain":
			c = id
		case "status":
			c = id + ".status"
		case "tier":
			c = "tier"
		default:
			continue
		}
		i, ok := col[c]
		require.True(t, ok, "no wide column %s", c)
		assert.Equal(t, w[i], value, "record %s %s", r[1], c)
		seen[r[1]+"/"+c] = true
		n++
	}
	assert.Greater(t, n, 100)
	// Every non-empty score, status and domain cell of the wide CSV is in the long format (after the fixed
	// columns, which end with not_applied_reason).
	nFixedCols := col["not_applied_reason"] + 1
	for _, w := range wide[1:] {
		for i, c := range wide[0] {
			if i < nFixedCols || w[i] == "" || strings.HasSuffix(c, ".flags") {
				continue
			}
			assert.True(t, seen[w[col["record"]]+"/"+c], "record %s: %s=%s missing from the long format", w[col["record"]], c, w[i])
		}
	}
}

// TestKeptColumnsEverywhere: --keep reaches every output format, cell for cell.
func TestKeptColumnsEverywhere(t *testing.T) {
	dir := t.TempDir()
	in := dir + "/in.csv"
	writeFile(t, in, "visit,subject,context.sex,auditc.frequency,auditc.typical_quantity,auditc.binge_frequency,site\n"+
		"\"v,1\",s1,female,1,0,0,=A\nv2,s2,male,2,1,0,\n")
	for _, format := range []string{"jsonl", "json", "text", "brief", "csv", "long"} {
		var out, errb bytes.Buffer
		code := run([]string{"score", "--no-rules", "--format", format, "--keep", "site,visit", in}, strings.NewReader(""), &out, &errb)
		require.Equal(t, exitOK, code, "%s: %s", format, errb.String())
		s := out.String()
		switch format {
		case "jsonl", "json":
			assert.Contains(t, s, `"kept":{"site":"=A","visit":"v,1"}}`)
			assert.Contains(t, s, `"kept":{"site":"","visit":"v2"}}`)
		case "text":
			assert.Contains(t, s, "Kept: site = =A; visit = v,1\n")
		case "brief":
			assert.Contains(t, s, " site==A visit=v,1\n")
		case "csv":
			rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
			require.NoError(t, err)
			h := rows[0]
			assert.Equal(t, []string{"site", "visit"}, h[len(h)-2:])
			assert.Equal(t, []string{"=A", "v,1"}, rows[1][len(h)-2:])
		case "long":
			rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
			require.NoError(t, err)
			assert.Equal(t, []string{"file", "record", "subject", "site", "visit", "kind"}, rows[0][:6])
			assert.Equal(t, []string{"s1", "=A", "v,1"}, rows[1][2:5])
		}
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(name, []byte(content), 0o600))
}
