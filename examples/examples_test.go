package examples_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/respfile"

	"github.com/painscreen/painscreen/screen"
)

// decodeFile reads every record of a response file with the public decoder, in the format its name gives.
func decodeFile(t *testing.T, path string) []*screen.Response {
	t.Helper()
	format, ok := respfile.FormatFromPath(path)
	if !ok {
		t.Fatalf("%s: no format for this file name", path)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := respfile.NewDecoder(f, format, respfile.DefaultLimits())
	var out []*screen.Response
	for {
		rec, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if rec.Err != nil {
			t.Fatalf("%s: record %d: %v", path, rec.N, rec.Err)
		}
		out = append(out, rec.Response)
	}
}

func newEngine(t *testing.T) *screen.Engine {
	t.Helper()
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		t.Fatalf("screen.New: %v", err)
	}
	return eng
}

// outcome is what a response set is expected to give: the tier ("" when the rule set is not applied, with
// a reason that names notAppliedFor), and, when set, the exact referrals, not_assessed list and inputs that
// get an input_incomplete note.
type outcome struct {
	tier          string
	notAppliedFor string
	referrals     []string
	notAssessed   []string
	incomplete    []string
}

func check(t *testing.T, eng *screen.Engine, where string, resp *screen.Response, want outcome) {
	t.Helper()
	rep, err := eng.Score(context.Background(), resp)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	if err := rep.Err(); err != nil {
		t.Errorf("%s: the record's errors: %v", where, err)
	}
	c := rep.Composite
	if rep.Subject != resp.Subject {
		t.Errorf("%s: report subject %q, want %q", where, rep.Subject, resp.Subject)
	}
	if want.tier == "" {
		if c.Applied || c.Reason == "" || !strings.Contains(c.Reason, want.notAppliedFor) {
			t.Errorf("%s: applied %v (reason %q), want not applied for want of %s", where, c.Applied, c.Reason, want.notAppliedFor)
		}
		return
	}
	if !c.Applied {
		t.Errorf("%s: not applied (%s), want tier %s", where, c.Reason, want.tier)
		return
	}
	if string(c.Tier) != want.tier {
		t.Errorf("%s: tier %s, want %s", where, c.Tier, want.tier)
	}
	var ids []string
	for _, r := range c.Referrals {
		ids = append(ids, r.ID)
	}
	if want.referrals != nil && !slices.Equal(ids, want.referrals) {
		t.Errorf("%s: referrals %v, want %v", where, ids, want.referrals)
	}
	if want.notAssessed != nil && !slices.Equal(c.NotAssessed, want.notAssessed) {
		t.Errorf("%s: not_assessed %v, want %v", where, c.NotAssessed, want.notAssessed)
	}
	var incomplete []string
	for _, n := range c.Notes {
		if n.Code == "input_incomplete" {
			incomplete = append(incomplete, n.About)
		}
	}
	if want.incomplete != nil && !slices.Equal(incomplete, want.incomplete) {
		t.Errorf("%s: input_incomplete notes about %v, want %v", where, incomplete, want.incomplete)
	}
}

// singleFiles are the one-record examples; the referrals are those their comments promise.
var singleFiles = map[string]outcome{
	"low":      {tier: "low", referrals: []string{"rescreen"}, notAssessed: []string{"overdose_risk"}, incomplete: []string{}},
	"elevated": {tier: "elevated", referrals: []string{"addiction_assessment", "integrated_pain_care"}, notAssessed: []string{"overdose_risk"}},
	"high": {tier: "high", notAssessed: []string{"drug_use", "overdose_risk"}, referrals: []string{"moud", "naloxone", "integrated_pain_oud_therapy",
		"integrated_pain_care", "behavioral_health", "collaborative_care"}},
	"urgent": {tier: "urgent", notAssessed: []string{"overdose_risk"}, referrals: []string{"suicide_safety_assessment", "addiction_assessment",
		"integrated_pain_care", "behavioral_health", "collaborative_care", "alcohol_intervention"}},
	"not_assessed": {tier: "elevated", referrals: []string{"moud", "naloxone"},
		notAssessed: []string{"drug_use", "depression", "anxiety", "alcohol", "trauma", "safety", "overdose_risk"}},
	"incomplete_phq9": {tier: "low", referrals: []string{}, notAssessed: []string{"depression", "overdose_risk"}, incomplete: []string{"phq9"}},
	"not_applied":     {notAppliedFor: "outside_population"},
}

func TestSingleFiles(t *testing.T) {
	eng := newEngine(t)
	files, err := filepath.Glob("responses/*.*")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		if strings.HasPrefix(filepath.Base(path), "batch.") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		want, ok := singleFiles[name]
		if !ok {
			t.Errorf("%s: no expectation for this example", path)
			continue
		}
		seen[name] = true
		t.Run(filepath.Base(path), func(t *testing.T) {
			recs := decodeFile(t, path)
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			check(t, eng, path, recs[0], want)
		})
	}
	for name := range singleFiles {
		if !seen[name] {
			t.Errorf("no example file for %s", name)
		}
	}
}

// TestTierFileNames checks that each tier has its example in YAML and in JSON, and that the two hold the
// same response set.
func TestTierFileNames(t *testing.T) {
	for _, tier := range []string{"low", "elevated", "high", "urgent"} {
		if singleFiles[tier].tier != tier {
			t.Errorf("%s.yaml is expected to be tier %q", tier, singleFiles[tier].tier)
		}
		y := decodeFile(t, "responses/"+tier+".yaml")
		j := decodeFile(t, "responses/"+tier+".json")
		if !reflect.DeepEqual(y, j) {
			t.Errorf("%s.yaml and %s.json differ:\n%+v\n%+v", tier, tier, y[0], j[0])
		}
	}
}

// batchJSONL is the expected tier per subject of responses/batch.jsonl ("" = not applied).
var batchJSONL = map[string]string{
	"pt-0001": "low", "pt-0002": "elevated", "pt-0003": "high", "pt-0004": "urgent", "pt-0005": "elevated",
	"pt-0006": "low", "pt-0007": "", "pt-0008": "elevated", "pt-0009": "high", "pt-0010": "high",
	"pt-0011": "elevated", "pt-0012": "low", "pt-0013": "elevated", "pt-0014": "elevated", "pt-0015": "urgent",
	"pt-0016": "low", "pt-0017": "elevated", "pt-0018": "high", "pt-0019": "elevated", "pt-0020": "low",
}

// batchCSV is the expected outcome per subject of responses/batch.csv. A CSV row has a cell for every
// column, so an instrument whose cells are all empty is present with nothing answered: incomplete, and
// its domain not assessed.
var batchCSV = map[string]outcome{
	"pt-0101": {tier: "low", referrals: []string{"rescreen"}, notAssessed: []string{"safety", "overdose_risk"}},
	"pt-0102": {tier: "elevated", referrals: []string{"addiction_assessment", "integrated_pain_care"}},
	"pt-0103": {tier: "elevated", referrals: []string{"addiction_assessment", "integrated_pain_care", "behavioral_health",
		"collaborative_care", "alcohol_intervention"}, notAssessed: []string{"safety", "overdose_risk"}},
	"pt-0104": {tier: "elevated", referrals: []string{"alcohol_intervention"}},
	"pt-0105": {tier: "low", referrals: []string{"rescreen"}},
	// pt-0106 leaves every PHQ-2 and GAD-2 cell empty: those instruments were not administered (absent).
	"pt-0106": {tier: "elevated", referrals: []string{"integrated_pain_care"}, notAssessed: []string{"depression", "anxiety", "safety", "overdose_risk"}},
}

func TestBatchJSONL(t *testing.T) {
	eng := newEngine(t)
	recs := decodeFile(t, "responses/batch.jsonl")
	if len(recs) != len(batchJSONL) {
		t.Errorf("%d records, want %d", len(recs), len(batchJSONL))
	}
	seen := map[string]bool{}
	for _, r := range recs {
		tier, ok := batchJSONL[r.Subject]
		if !ok || seen[r.Subject] {
			t.Errorf("subject %q: unexpected or repeated", r.Subject)
			continue
		}
		seen[r.Subject] = true
		check(t, eng, "batch.jsonl "+r.Subject, r, outcome{tier: tier})
	}
}

// TestBatchJSONLMatchesSingleFiles: the first records of the batch are the single-file examples.
func TestBatchJSONLMatchesSingleFiles(t *testing.T) {
	recs := decodeFile(t, "responses/batch.jsonl")
	for i, name := range []string{"low", "elevated", "high", "urgent", "not_assessed", "incomplete_phq9", "not_applied"} {
		single := decodeFile(t, "responses/"+name+".yaml")
		if !reflect.DeepEqual(recs[i], single[0]) {
			t.Errorf("batch.jsonl record %d differs from %s.yaml", i+1, name)
		}
	}
}

func TestBatchCSV(t *testing.T) {
	eng := newEngine(t)
	recs := decodeFile(t, "responses/batch.csv")
	if len(recs) != len(batchCSV) {
		t.Errorf("%d records, want %d", len(recs), len(batchCSV))
	}
	for _, r := range recs {
		want, ok := batchCSV[r.Subject]
		if !ok {
			t.Errorf("subject %q: unexpected", r.Subject)
			continue
		}
		check(t, eng, "batch.csv "+r.Subject, r, want)
	}
}
