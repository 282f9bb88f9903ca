package fhir_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/fhir"
	"github.com/painscreen/painscreen/screen/respfile"
)

// requireSameBundle: the Bundle writer (AppendBundle, straight from the report), the hand-written encoder
// of NewBundle's structs and encoding/json of them write the same bytes for this report.
func requireSameBundle(t *testing.T, w *fhir.Writer, rep *screen.Report, in fhir.Input, where string) {
	t.Helper()
	want := w.AppendBundleStd(nil, rep, in)
	for _, f := range bundleFeatures {
		if bytes.Contains(want, []byte(f)) {
			seenFeatures[f]++
		}
	}
	got := w.AppendBundle(nil, rep, in)
	require.Equal(t, string(want), string(got), where)
	direct, ok := w.AppendBundleDirect([]byte("prefix"), rep, in)
	require.True(t, ok, "%s: the writer gave up", where)
	require.Equal(t, "prefix"+string(want), string(direct), where)
	enc, ok := fhir.EncodeBundle(nil, w.NewBundle(rep, in))
	require.True(t, ok, "%s: the encoder fell back to encoding/json", where)
	require.Equal(t, string(want), string(enc), where)
}

// bundleFeatures are parts of a Bundle that TestEncodeExamples must meet at least once, so that every
// branch of the writer is compared with the struct path.
var bundleFeatures = []string{
	`"status":"preliminary"`, `Not ruled out: `, `conflicting answers to`, `Not final: `, `Not applied: `,
	`"valueQuantity"`, `"valueInteger"`, `"valueBoolean":false`, `"valueString"`, `Answer not used (`, `Not answered: `,
	`Possible referral`, `"effectivePeriod"`, `"interpretation":[{"coding":[{"system":"` + fhir.BandSystem,
	`"code":"not-performed"`, `"code":"error"`, `"code":"unknown"`, `"mitigation"`, `Not assessed: `,
	`The response date is not a FHIR dateTime`, `"identifier"`, `"derivedFrom"`, `without id`, ` Source: `,
	`"subject":{"display":"subject not given"}`, `"rationale":"Possible with the missing`, `Risk tier not final`,
}

var seenFeatures = map[string]int{}

// inputs are the Bundle inputs each report is written with: bare, with a reference subject and date, and
// with responses, one preliminary, and a date that is not a FHIR dateTime.
func inputs(rep *screen.Report) []fhir.Input {
	var refs []fhir.ResponseRef
	for i, r := range rep.Instruments {
		ref := fhir.ResponseRef{Reference: "QuestionnaireResponse/qr-" + strconv.Itoa(i), Instrument: r.ID, Preliminary: i == 1}
		if i == 2 {
			ref.Reference = ""
		}
		refs = append(refs, ref)
	}
	return []fhir.Input{
		{},
		{Subject: "Patient/123", Date: "2026-03-04", Seed: "s1"},
		{Subject: rep.Subject, Date: "04/03/2026", Seed: "s2", Responses: refs, Baseline: refs[:len(refs)/2]},
	}
}

// TestEncodeExamples: every response set of examples/ (every format), every follow-up pair of the example
// cohort, and random response sets with missing, invalid and skipped answers.
func TestEncodeExamples(t *testing.T) {
	eng := bundledEngine(t)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	mapper, err := respfile.FHIRMapperFor(eng)
	require.NoError(t, err)
	ctx := context.Background()
	files, err := filepath.Glob("../../examples/*/*")
	require.NoError(t, err)
	n := 0
	for _, path := range files {
		f, ok := respfile.FormatFromPath(path)
		if !ok {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		dec := respfile.NewDecoder(bytes.NewReader(data), f, respfile.DefaultLimits())
		dec.UseFHIR(mapper)
		var prev *screen.Response
		for {
			rec, err := dec.Next()
			if err == io.EOF || err != nil {
				break
			}
			if rec.Err != nil {
				continue
			}
			rep, err := eng.Score(ctx, rec.Response)
			if rep == nil {
				require.Error(t, err)
				continue
			}
			for k, in := range inputs(rep) {
				requireSameBundle(t, w, rep, in, fmt.Sprintf("%s record %d input %d", path, rec.N, k))
			}
			n++
			if prev != nil && prev.Subject == rec.Response.Subject {
				fu, err := eng.FollowUp(ctx, prev, rec.Response)
				if fu != nil {
					for k, in := range inputs(fu) {
						requireSameBundle(t, w, fu, in, fmt.Sprintf("%s follow-up at record %d input %d", path, rec.N, k))
					}
					n++
				} else {
					require.Error(t, err)
				}
			}
			prev = rec.Response
		}
	}
	require.Greater(t, n, 20, "the examples hold response sets")
	defer func() {
		for _, f := range bundleFeatures {
			assert.NotZero(t, seenFeatures[f], "no Bundle compared has %s", f)
		}
	}()

	// Random response sets over the bundled instruments (randomResponse).
	r := rand.New(rand.NewPCG(3, 4))
	docs := instrumentItems(t, eng)
	for i := range 400 {
		resp := randomResponse(r, docs, "x\u2028\"<&>\x01")
		resp.Subject = "gen-" + strconv.Itoa(i)
		if i%7 == 0 {
			resp.Subject = ""
		}
		rep, err := eng.Score(ctx, resp)
		if rep == nil {
			require.Error(t, err)
			continue
		}
		for k, in := range inputs(rep) {
			requireSameBundle(t, w, rep, in, fmt.Sprintf("random record %d input %d", i, k))
		}
		if i%4 == 0 { // a follow-up of two random visits
			fu, err := eng.FollowUp(ctx, randomVisit(r, docs, "2026-01-05"), randomVisit(r, docs, []string{"2026-04-01", "2025-12-01", "", "soon"}[i/4%4]))
			if fu == nil {
				require.Error(t, err)
				continue
			}
			for k, in := range inputs(fu) {
				requireSameBundle(t, w, fu, in, fmt.Sprintf("random follow-up %d input %d", i, k))
			}
		}
	}
}

// randomVisit is a randomResponse of subject pt-1 on date.
func randomVisit(r *rand.Rand, docs []instItems, date string) *screen.Response {
	resp := randomResponse(r, docs, "x")
	resp.Subject, resp.Date = "pt-1", date
	return resp
}

// instItems are an instrument's id and item ids.
type instItems struct {
	id    string
	items []string
}

func instrumentItems(t testing.TB, eng *screen.Engine) []instItems {
	var docs []instItems
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		require.NoError(t, err)
		d := instItems{id: in.ID}
		for _, it := range doc.Items {
			d.items = append(d.items, it.ID)
		}
		docs = append(docs, d)
	}
	return docs
}

// randomResponse answers about two thirds of the instruments, each item in range, out of range, with
// text, twice (conflicting unless the two agree), or not at all; with random context.
func randomResponse(r *rand.Rand, docs []instItems, text string) *screen.Response {
	resp := &screen.Response{Answers: map[string]map[string]any{},
		Context: map[string]any{"age": 18 + r.IntN(70), "sex": []string{"male", "female", "x"}[r.IntN(3)]}}
	if r.IntN(3) == 0 {
		resp.Context["moud_current"] = r.IntN(2) == 0
		resp.Context["opioid_mme"] = []any{0, 60, 95, "lots"}[r.IntN(4)]
	}
	for _, d := range docs {
		if r.IntN(3) == 0 {
			continue
		}
		ans := map[string]any{}
		for _, it := range d.items {
			switch k := r.IntN(20); {
			case k == 0:
			case k == 1:
				ans[it] = 99
			case k == 2:
				ans[it] = text
			case k == 3:
				ans[it] = []any{r.IntN(4), r.IntN(4)}
			default:
				ans[it] = r.IntN(4)
			}
		}
		resp.Answers[d.id] = ans
	}
	return resp
}

// FuzzAppendBundle: random reports (randomResponse, with subject, date, seed and answer text from the
// fuzzer's bytes) → AppendBundle writes what encoding/json writes for NewBundle's Bundle, byte for byte.
func FuzzAppendBundle(f *testing.F) {
	eng := bundledEngine(f)
	w, err := fhir.NewWriter(eng)
	require.NoError(f, err)
	docs := instrumentItems(f, eng)
	f.Add("Patient/1", "2026-03-04", "s", "text", uint64(1))
	f.Add("pt \u2028\x00\xff", "04/03/2026", "\x00", "\"<&>\b\f", uint64(2))
	f.Add("urn:uuid:x", "2026-03-04T10:00:00Z", "", "", uint64(3))
	f.Fuzz(func(t *testing.T, subject, date, seed, text string, n uint64) {
		r := rand.New(rand.NewPCG(n, n>>3))
		resp := randomResponse(r, docs, text)
		resp.Subject = subject
		var rep *screen.Report
		if n%3 == 0 { // a follow-up: this response set against a random baseline
			base := randomResponse(r, docs, text)
			base.Subject, base.Date, resp.Date = subject, "2026-01-05", date
			rep, _ = eng.FollowUp(context.Background(), base, resp)
		} else {
			rep, _ = eng.Score(context.Background(), resp)
		}
		if rep == nil {
			return
		}
		for _, in := range inputs(rep) {
			in.Seed += seed
			if in.Date != "" {
				in.Date = date
			}
			want := w.AppendBundleStd(nil, rep, in)
			require.Equal(t, string(want), string(w.AppendBundle(nil, rep, in)))
			if got, ok := w.AppendBundleDirect(nil, rep, in); ok {
				require.Equal(t, string(want), string(got))
			}
		}
	})
}

// FuzzEncodeBundle: random Bundles (every element the encoder writes, strings of any bytes, numbers valid
// and not) → the hand-written encoder and encoding/json give the same bytes.
func FuzzEncodeBundle(f *testing.F) {
	f.Add([]byte("seed"), uint64(1))
	f.Add([]byte("\x00\b\f\n\r\t\"\\\u2028\u2029\xff<>&é"), uint64(2))
	f.Add([]byte("1.5e10"), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		g := &bundleGen{r: rand.New(rand.NewPCG(seed, seed>>1)), data: data}
		bd := g.bundle()
		want := fhir.AppendJSONStd([]byte("prefix{"), bd)
		got, ok := fhir.EncodeBundle([]byte("prefix{"), bd)
		if ok {
			require.Equal(t, string(want), string(got))
		}
	})
}

// TestEncodeRandomBundles runs the fuzz target's generator for many seeds on every go test.
func TestEncodeRandomBundles(t *testing.T) {
	for seed := range uint64(3000) {
		g := &bundleGen{r: rand.New(rand.NewPCG(seed, 9)), data: []byte("ab\x00c\"d\\e\u2028f\xffg\bh\fié\t1e5-0.25")}
		bd := g.bundle()
		want := fhir.AppendJSONStd(nil, bd)
		got, ok := fhir.EncodeBundle(nil, bd)
		if ok {
			require.Equal(t, string(want), string(got), "seed %d", seed)
		} else {
			require.True(t, g.odd, "seed %d: the encoder gave up on a Bundle it should write", seed)
		}
	}
}

// bundleGen makes random Bundles; strings are slices of data, numbers valid or not. odd records that it
// made something the hand-written encoder leaves to encoding/json.
type bundleGen struct {
	r    *rand.Rand
	data []byte
	odd  bool
}

func (g *bundleGen) str() string {
	if g.r.IntN(3) == 0 || len(g.data) == 0 {
		return ""
	}
	i := g.r.IntN(len(g.data))
	j := i + g.r.IntN(len(g.data)-i+1)
	return string(g.data[i:j])
}

func (g *bundleGen) maybe() bool { return g.r.IntN(2) == 0 }

func (g *bundleGen) concept() fhir.CodeableConcept {
	c := fhir.CodeableConcept{Text: g.str()}
	for range g.r.IntN(3) {
		cd := fhir.Coding{System: g.str(), Code: g.str(), Display: g.str()}
		if g.r.IntN(50) == 0 {
			cd.Extension = []fhir.Extension{{URL: g.str()}}
			g.odd = true
		}
		c.Coding = append(c.Coding, cd)
	}
	if g.r.IntN(4) == 0 {
		c.Coding = []fhir.Coding{} // empty, not nil: omitted all the same
	}
	return c
}

func (g *bundleGen) pconcept() *fhir.CodeableConcept {
	if g.maybe() {
		return nil
	}
	c := g.concept()
	return &c
}

func (g *bundleGen) concepts() []fhir.CodeableConcept {
	var cs []fhir.CodeableConcept
	for range g.r.IntN(3) {
		cs = append(cs, g.concept())
	}
	return cs
}

func (g *bundleGen) ref() fhir.Reference {
	r := fhir.Reference{Reference: g.str(), Type: g.str(), Display: g.str()}
	if g.maybe() {
		r.Identifier = &fhir.Identifier{System: g.str(), Value: g.str()}
	}
	return r
}

func (g *bundleGen) refs() []fhir.Reference {
	var rs []fhir.Reference
	for range g.r.IntN(3) {
		rs = append(rs, g.ref())
	}
	return rs
}

func (g *bundleGen) notes() []fhir.Annotation {
	var ns []fhir.Annotation
	for range g.r.IntN(3) {
		ns = append(ns, fhir.Annotation{Text: g.str()})
	}
	return ns
}

func (g *bundleGen) observation() *fhir.Observation {
	o := &fhir.Observation{ResourceType: "Observation", Status: g.str(), Category: g.concepts(), Code: g.concept(),
		EffectiveDateTime: g.str(), DataAbsentReason: g.pconcept(), Interpretation: g.concepts(), Note: g.notes(),
		Method: g.pconcept(), DerivedFrom: g.refs()}
	if g.maybe() {
		r := g.ref()
		o.Subject = &r
	}
	if g.maybe() {
		o.EffectivePeriod = &fhir.Period{Start: g.str(), End: g.str()}
	}
	switch g.r.IntN(6) {
	case 0:
		n := g.r.Int64() - g.r.Int64()
		o.ValueInteger = &n
	case 1:
		b := g.maybe()
		o.ValueBoolean = &b
	case 2:
		s := g.str()
		o.ValueString = &s
	case 3:
		num := []string{"", "0", "-1.25", "3", "1e5", "2.5E-3", "007", "1.", "-", ".5", "1e", "+1", "NaN"}[g.r.IntN(13)]
		switch num {
		case "007", "1.", "-", ".5", "1e", "+1", "NaN":
			g.odd = true
		}
		o.ValueQuantity = &fhir.Quantity{Value: jsonNumber(num), Unit: g.str(), System: g.str(), Code: g.str()}
	}
	return o
}

func (g *bundleGen) risk() *fhir.RiskAssessment {
	ra := &fhir.RiskAssessment{ResourceType: "RiskAssessment", Status: g.str(), Method: g.pconcept(), Code: g.pconcept(),
		Subject: g.ref(), OccurrenceDateTime: g.str(), Basis: g.refs(), Mitigation: g.str(), Note: g.notes()}
	for range g.r.IntN(3) {
		ra.Prediction = append(ra.Prediction, fhir.Prediction{Outcome: g.pconcept(), QualitativeRisk: g.pconcept(), Rationale: g.str()})
	}
	return ra
}

func (g *bundleGen) bundle() *fhir.Bundle {
	bd := &fhir.Bundle{ResourceType: "Bundle", Type: g.str()}
	for range g.r.IntN(5) {
		e := fhir.BundleEntry{FullURL: g.str()}
		switch g.r.IntN(10) {
		case 0:
			var o *fhir.Observation
			e.Resource = o // a typed nil: null
		case 1:
			e.Resource = nil
		case 2, 3, 4:
			e.Resource = g.risk()
		case 5:
			if g.r.IntN(10) == 0 {
				e.Resource = &fhir.OperationOutcome{ResourceType: "OperationOutcome"}
				g.odd = true
				break
			}
			fallthrough
		default:
			e.Resource = g.observation()
		}
		bd.Entry = append(bd.Entry, e)
	}
	return bd
}

func jsonNumber(s string) json.Number { return json.Number(s) }

// TestEntryURL: the one-allocation entry id is the id the Bundles always had (the UUID layout over
// SHA-256 of seed NUL local), for short and long seeds.
func TestEntryURL(t *testing.T) {
	old := func(seed, local string) string {
		h := sha256.Sum256([]byte(seed + "\x00" + local))
		h[6] = h[6]&0x0f | 0x40
		h[8] = h[8]&0x3f | 0x80
		x := hex.EncodeToString(h[:16])
		return "urn:uuid:" + x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
	}
	for _, seed := range []string{"", "s1", "in.jsonl\x001\x00gen-1\x002026-03-04", strings.Repeat("long seed ", 40)} {
		for _, local := range []string{"", "obs/phq9/total", "risk/pain_oud"} {
			require.Equal(t, old(seed, local), fhir.EntryURL(seed, local))
		}
	}
}

// TestNewBundleOwnsItsValues: AppendBundle's Bundles share the Writer's codes and categories, so a Bundle
// from NewBundle must not: changing one leaves every later Bundle as it was.
func TestNewBundleOwnsItsValues(t *testing.T) {
	eng := bundledEngine(t)
	w, err := fhir.NewWriter(eng)
	require.NoError(t, err)
	rep, err := eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{
		"phq9": {"q1": 1, "q2": 2, "q3": 0, "q4": 3, "q5": 1, "q6": 0, "q7": 2, "q8": 1, "q9": 0}}})
	require.NoError(t, err)
	before := string(w.AppendBundle(nil, rep, fhir.Input{Seed: "x"}))
	b := w.NewBundle(rep, fhir.Input{Seed: "x"})
	for _, e := range b.Entry {
		if o, ok := e.Resource.(*fhir.Observation); ok {
			o.Category[0].Coding[0].Code = "changed"
			for i := range o.Code.Coding {
				o.Code.Coding[i].Code = "changed"
			}
		}
	}
	require.Equal(t, before, string(w.AppendBundle(nil, rep, fhir.Input{Seed: "x"})))
	require.Equal(t, before, string(w.AppendBundleStd(nil, rep, fhir.Input{Seed: "x"})))
}

// TestAppendString: every byte value at every offset of the eight-byte fast path, and the runes encoding/json
// escapes, are written as encoding/json writes them.
func TestAppendString(t *testing.T) {
	var cases []string
	for c := range 256 {
		for off := range 10 {
			cases = append(cases, strings.Repeat("a", off)+string([]byte{byte(c)})+strings.Repeat("b", 9))
		}
	}
	cases = append(cases, "", "\u2028\u2029", "é\xff\xfe€𝄞", "\xe2\x80", strings.Repeat("plain ascii ", 20)+"\"")
	for _, s := range cases {
		require.Equal(t, string(fhir.AppendJSONStd(nil, s)), string(fhir.AppendString(nil, s)), "%q", s)
	}
}
