package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// TestMergeBulletsPaths: the prefetch-merge cases of issue 21 — Bundles holding several responses of one
// patient (two PHQ-9s on a date, a PHQ-9 split over two responses, undated, partial and future dates, a
// PHQ-9 weeks older than the rest) — through `painscreen score` (one record per subject and date) and
// through the CDS endpoint (one call with the Bundle as prefetch): the PHQ-9 item 9 endorsement surfaces
// on both paths (a record with the flag; a critical card). Dates are relative to today, since the CDS
// endpoint's item 9 window is.
func TestMergeBulletsPaths(t *testing.T) {
	_, srv := pathsServer(t)

	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format(time.DateOnly) }
	qr := func(id, authored, inst string, answers map[string]int) string {
		keys := make([]string, 0, len(answers))
		for k := range answers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var items []string
		for _, k := range keys {
			items = append(items, fmt.Sprintf(`{"linkId":%q,"answer":[{"valueInteger":%d}]}`, k, answers[k]))
		}
		a := ""
		if authored != "" {
			a = fmt.Sprintf(`"authored":%q,`, authored)
		}
		return fmt.Sprintf(`{"resource":{"resourceType":"QuestionnaireResponse","id":%q,"questionnaire":"%s%s","status":"completed",`+
			`"subject":{"reference":"Patient/pt-1"},%s"item":[%s]}}`, id, fhir.QuestionnaireBase, inst, a, strings.Join(items, ","))
	}
	phq9 := func(q9 int, keep ...string) map[string]int {
		m := map[string]int{"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q6": 1, "q7": 1, "q8": 1, "q9": q9}
		if len(keep) == 0 {
			return m
		}
		out := map[string]int{}
		for _, k := range keep {
			out[k] = m[k]
		}
		return out
	}
	gcps := map[string]int{"pain_frequency": 1, "limit_frequency": 0, "pain_avg": 2, "enjoyment": 2, "activity": 2}
	for name, entries := range map[string][]string{
		"two PHQ-9s on one date, the later one denies": {
			qr("b", day(1)+"T15:00:00Z", "phq9", phq9(0)), qr("a", day(1)+"T09:00:00Z", "phq9", phq9(2))},
		"a PHQ-9 split over two responses of one date": {
			qr("a", day(1)+"T09:00:00Z", "phq9", phq9(2, "q1", "q2", "q3", "q4")), qr("b", day(1)+"T09:10:00Z", "phq9", phq9(2, "q5", "q6", "q7", "q8", "q9"))},
		"an undated PHQ-9 beside dated responses": {
			qr("g", day(1), "gcps_r", gcps), qr("p", "", "phq9", phq9(1))},
		"a partial date": {
			qr("g", day(1), "gcps_r", gcps), qr("p", day(1)[:7], "phq9", phq9(1))},
		"a typo'd future date": {
			qr("g", "2062-01-01", "gcps_r", gcps), qr("p", day(2), "phq9", phq9(3))},
		"year 9999": {
			qr("g", "9999-12-31", "gcps_r", gcps), qr("p", day(2), "phq9", phq9(3))},
		"a PHQ-9 20 days before the newest response": {
			qr("g", day(1), "gcps_r", gcps), qr("p", day(21), "phq9", phq9(2))},
	} {
		t.Run(name, func(t *testing.T) {
			bundle := []byte(`{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`)
			c := signalCase{name: name, input: bundle, ext: "fhir.json", format: respfile.FormatFHIR}
			cli := cliItem9(t, c)
			require.Contains(t, cli, item9Endorsed, "painscreen score: some record raises the flag (%v)", cli)
			cds := cdsItem9(t, srv.URL, c)
			require.Equal(t, []string{item9Endorsed}, cds, "CDS: a critical card")
		})
	}
}
