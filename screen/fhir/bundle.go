package fhir

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/cds"
)

// Writer writes reports as FHIR R4 Bundles. It holds what the definitions say about each score (LOINC
// codes, labels, bands), so build it once per engine (NewWriter); it is immutable and safe for
// concurrent use.
type Writer struct {
	insts   map[string]*instInfo // "id@version"
	ruleSet *catalog.RuleSetDoc
	names   *cds.Namer // what to ask when a tier is open (§1b)
}

type instInfo struct {
	doc    *catalog.InstrumentDoc
	scores map[string]*catalog.ScoreDoc
	bandOf map[string]string // score id -> the id of the score that bands it
	// codes are the scores' codes (scoreCode), made once: the Bundles AppendBundle falls back to (newBundle
	// with shared) share them, since the encoder only reads them (a Bundle from NewBundle gets its own
	// copies, for the caller to change).
	codes map[string]CodeableConcept
	// codeJS are the codes as JSON and panel the instrument's panel code (panelCode) as JSON, for
	// AppendBundle to copy.
	codeJS map[string][]byte
	panel  []byte
}

// surveyCategory is every Observation's category, shared by newBundle's shared Bundles like instInfo.codes.
var surveyCategory = []CodeableConcept{{Coding: []Coding{{System: observationCategory, Code: "survey", Display: "Survey"}}}}

// NewWriter builds a Writer for the definitions an engine has loaded.
func NewWriter(eng *screen.Engine) (*Writer, error) {
	w := &Writer{insts: map[string]*instInfo{}, names: cds.NewNamer(eng)}
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			return nil, fmt.Errorf("fhir: %w", err)
		}
		info := &instInfo{doc: doc, scores: map[string]*catalog.ScoreDoc{}, bandOf: map[string]string{}, codes: map[string]CodeableConcept{}}
		for i := range doc.Scores {
			s := &doc.Scores[i]
			info.scores[s.ID] = s
			if s.Bands != nil && s.Of != "" {
				info.bandOf[s.Of] = s.ID
			}
		}
		info.codeJS = map[string][]byte{}
		for id := range info.scores {
			cc := w.scoreCode(info, in.ID, id)
			info.codes[id] = cc
			e := encoder{}
			e.concept(&cc)
			info.codeJS[id] = e.b
		}
		e := encoder{}
		pc := panelCode(doc)
		e.concept(&pc)
		info.panel = e.b
		w.insts[in.ID+"@"+in.Version] = info
	}
	if rs, err := eng.DescribeRuleSet(); err == nil {
		w.ruleSet = rs
	}
	return w, nil
}

// Input is what a Bundle says about where a report came from; every field may be empty.
type Input struct {
	// Subject is the response set's subject. A FHIR reference ("Patient/123", "urn:uuid:…", an absolute
	// URL) becomes subject.reference; any other id becomes subject.identifier.value.
	Subject string
	// Date is when the response set was answered (an ISO 8601 date or dateTime): the Observations'
	// effectiveDateTime and the RiskAssessment's occurrenceDateTime. Nothing reads the clock.
	Date string
	// Responses are the QuestionnaireResponses the answers came from: each Observation of an instrument is
	// derivedFrom the responses whose Instrument is that instrument.
	Responses []ResponseRef
	// Baseline are the QuestionnaireResponses of the baseline response set, for a report with follow-up:
	// each follow-up Observation is derivedFrom the baseline's and the current responses of its
	// instrument.
	Baseline []ResponseRef
	// Seed makes the Bundle's entry ids (fullUrl urn:uuid:…, derived from it by hashing): the same seed and
	// report give the same Bundle, byte for byte. Give each response set its own seed (the CLI uses the
	// file name, record number, subject and date).
	Seed string
}

// ResponseRef names a QuestionnaireResponse and the instrument its answers were read as.
type ResponseRef struct {
	// Reference is a FHIR reference to it ("QuestionnaireResponse/abc" or a fullUrl); empty when it had
	// neither an id nor a fullUrl.
	Reference string
	// Instrument is the instrument id, optionally "id@version".
	Instrument string
	// Preliminary: the response is not completed (status in-progress or stopped, or not an R4 status).
	// The Observations derived from it have status preliminary, with a note.
	Preliminary bool
}

// Codes painscreen writes.
const (
	observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	interpretationV3    = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	dataAbsentSystem    = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	ucum                = "http://unitsofmeasure.org"
	// FlagSystem codes fired flags: "ID.FLAG" (for example "phq9.suicidal_ideation").
	FlagSystem = "https://painscreen.dev/fhir/CodeSystem/flag"
	// BandSystem codes band labels, the interpretation of a banded score: "ID.SCORE.LABEL" (for example
	// "phq9.severity.moderate").
	BandSystem = "https://painscreen.dev/fhir/CodeSystem/band"
)

// NewBundle returns the Bundle (type collection) of one report:
//
//   - one Observation per computed score (category survey; code its LOINC code where the definition has
//     one, else ScoreSystem "ID.SCORE"; valueInteger, valueQuantity {score}, valueBoolean or valueString;
//     interpretation the band of the score when another score bands it; method the instrument id, version
//     and digest; derivedFrom the QuestionnaireResponses; subject; effectiveDateTime);
//   - one Observation per fired flag (FlagSystem "ID.FLAG", valueBoolean true, interpretation AA for an
//     urgent flag, A otherwise, note its message); an urgent flag that missing or invalid answers leave
//     open (PHQ-9 item 9 unanswered) is an Observation too, status preliminary, with no value, a
//     dataAbsentReason (unknown, or error for an invalid answer) and a note saying it is not ruled out;
//   - one Observation per follow-up measure computed (FollowUpSystem "ID.MEASURE"; its value;
//     effectivePeriod from the baseline's date to the current one; derivedFrom the baseline's and the
//     current responses of the instrument (Input.Baseline, Input.Responses); a note with the values
//     compared and the days between);
//   - Observations read from a QuestionnaireResponse that is not completed (ResponseRef.Preliminary) are
//     preliminary, with a note, and so is the RiskAssessment;
//   - for an instrument with no score and no flag, one Observation for the instrument (its panel code)
//     with a dataAbsentReason, so what was answered is never silent;
//   - each Observation carries the report's notes about it (prorated; decided despite missing answers;
//     not computed; flag not evaluated) and its instrument's notes and errors, as notes;
//   - one RiskAssessment for the composite when the engine has a rule set: code the rule set, method its
//     version and digest, prediction[0].qualitativeRisk the tier (RuleSetSystem "RULESET.tier.TIER"),
//     status final; when missing or invalid answers leave the tier open, status preliminary, one
//     prediction per possible tier (most pressing first) and a note saying so; basis every Observation; one
//     note per referral (priority, id, text, addenda, and the reasons: the domain values that fired it),
//     per possible referral, for the domains not assessed, per composite note and per error of the
//     report. A rule set that was not applied gives a RiskAssessment with no prediction and a note saying
//     why.
func (w *Writer) NewBundle(rep *screen.Report, in Input) *Bundle { return w.newBundle(rep, in, false) }

// newBundle is NewBundle; with shared, the Bundle shares the Writer's codes and categories (AppendBundle's
// fallback: the Bundle is encoded and dropped, never changed).
//
// It is also the reference of AppendBundle's writer (write.go), which makes the same Bundle without these
// structs: a change here must be made there too (TestEncodeExamples and FuzzAppendBundle compare them byte
// for byte, and fail until both agree).
func (w *Writer) newBundle(rep *screen.Report, in Input, shared bool) *Bundle {
	n := 1 // entries: the RiskAssessment, and about one per score and flag
	for i := range rep.Instruments {
		n += len(rep.Instruments[i].Scores) + len(rep.Instruments[i].Flags) + 1
	}
	b := &Bundle{ResourceType: "Bundle", Type: "collection", Entry: make([]BundleEntry, 0, n)}
	subject := subjectRef(rep.Subject)
	date := in.Date
	var dateNote []Annotation
	if date != "" && !dateTime.MatchString(date) {
		dateNote = []Annotation{{Text: "The response date is not a FHIR dateTime, so it is not given here."}}
		date = ""
	}
	basis := make([]Reference, 0, n)
	openFlags := w.names.OpenFlags(rep)
	for i := range rep.Instruments {
		res := &rep.Instruments[i]
		info := w.insts[res.ID+"@"+res.Version]
		derived, status := derivedFrom(in.Responses, res.ID)
		method := &CodeableConcept{Text: res.ID + " " + res.Version + " (" + res.Digest + ")"}
		// Notes about the instrument, about scores not computed and about flags not evaluated go on every
		// Observation of the instrument; notes about a computed score go on its own.
		var common []Annotation
		for _, n := range res.Notes {
			if !isResult(res, n.About) {
				common = append(common, Annotation{Text: n.Message})
			}
		}
		for _, e := range rep.Errors {
			if e.Instrument == res.ID || strings.HasPrefix(e.Instrument, res.ID+"@") {
				common = append(common, Annotation{Text: "Answer not used (" + e.Code + "): " + e.Error()})
			}
		}
		if len(res.Missing) > 0 {
			common = append(common, Annotation{Text: "Not answered: " + itemsWords(w.insts[res.ID+"@"+res.Version], res.Missing)})
		}
		if status == "preliminary" {
			common = append(common, Annotation{Text: "The questionnaire response is not completed (in progress or stopped): this result is preliminary."})
		}
		add := func(o *Observation, local string) {
			o.ResourceType, o.Status = "Observation", status
			if shared {
				o.Category = surveyCategory
			} else {
				o.Category = []CodeableConcept{{Coding: []Coding{{System: observationCategory, Code: "survey", Display: "Survey"}}}}
			}
			o.Subject, o.EffectiveDateTime, o.Method, o.DerivedFrom = subject, date, method, derived
			o.Note = append(append(o.Note, common...), dateNote...)
			url := entryURL(in.Seed, local)
			b.Entry = append(b.Entry, BundleEntry{FullURL: url, Resource: o})
			basis = append(basis, Reference{Reference: url})
		}
		for _, s := range res.Scores {
			var o *Observation
			if cc, ok := info.code(s.ID); ok && shared {
				o = &Observation{Code: cc}
			} else {
				o = &Observation{Code: w.scoreCode(info, res.ID, s.ID)}
			}
			setValue(o, s.Value)
			if info != nil {
				if band, ok := info.bandOf[s.ID]; ok {
					if v, ok := res.Score(band); ok {
						label := v.Value.String()
						o.Interpretation = []CodeableConcept{{Coding: []Coding{{System: BandSystem, Code: res.ID + "." + band + "." + label, Display: label}}, Text: label}}
					}
				}
			}
			for _, n := range res.Notes {
				if n.About == s.ID {
					o.Note = append(o.Note, Annotation{Text: n.Message})
				}
			}
			add(o, "obs/"+res.ID+"/"+s.ID)
		}
		for _, f := range res.Flags {
			t := true
			interp := "A"
			if f.Level == screen.LevelUrgent {
				interp = "AA"
			}
			o := &Observation{Code: CodeableConcept{Coding: []Coding{{System: FlagSystem, Code: res.ID + "." + f.ID}}, Text: f.Message},
				ValueBoolean: &t,
				Interpretation: []CodeableConcept{{Coding: []Coding{{System: interpretationV3, Code: interp}},
					Text: string(f.Level) + " flag"}},
				Note: []Annotation{{Text: f.Message + " (" + reasonText(f.Reasons()) + ")"}}}
			if f.Conflict != nil {
				// Fired for one of the conflicting answers of its items: reported, not settled.
				o.Note = []Annotation{{Text: f.Message + " (fires for one of the conflicting answers to " + strings.Join(f.Conflict, ", ") +
					", answered more than once: not ruled out; ask it)"}}
			}
			add(o, "flag/"+res.ID+"/"+f.ID)
			if f.Conflict != nil {
				o.Status = "preliminary"
			}
		}
		for _, f := range openFlags {
			if f.Instrument != res.ID {
				continue
			}
			// composite.md §1b: an urgent flag whose item has no usable answer is unknown, never absent
			// (a reader that looks for the flag's Observation finds it, with no value and the reason).
			reason, names := "unknown", make([]string, 0, len(f.Items))
			for _, it := range f.Items {
				names = append(names, it.Name)
				if !slices.Contains(res.Missing, it.ID) {
					reason = "error"
				}
			}
			o := &Observation{Code: CodeableConcept{Coding: []Coding{{System: FlagSystem, Code: res.ID + "." + f.Flag}}, Text: f.Message},
				DataAbsentReason: &CodeableConcept{Coding: []Coding{{System: dataAbsentSystem, Code: reason}}},
				Note:             []Annotation{{Text: "Not ruled out: " + strings.Join(names, ", ") + " has no usable answer, so this urgent flag could not be evaluated; ask it."}}}
			add(o, "flag/"+res.ID+"/"+f.Flag)
			o.Status = "preliminary"
		}
		if len(res.Scores) == 0 && len(res.Flags) == 0 {
			code := CodeableConcept{Coding: []Coding{{System: ScoreSystem, Code: res.ID}}, Text: res.ID}
			if info != nil {
				code = panelCode(info.doc)
			}
			reason := "not-performed"
			if res.Status == screen.StatusError {
				reason = "error"
			}
			o := &Observation{Code: code, DataAbsentReason: &CodeableConcept{Coding: []Coding{{System: dataAbsentSystem, Code: reason}}}}
			add(o, "obs/"+res.ID)
		}
	}
	w.followUps(rep, in, subject, date, func(local string, o *Observation) {
		url := entryURL(in.Seed, local)
		b.Entry = append(b.Entry, BundleEntry{FullURL: url, Resource: o})
		basis = append(basis, Reference{Reference: url})
	})
	if c := rep.Composite; c != nil {
		ra := w.riskAssessment(rep, c, subject, date, basis)
		if ra.Status == "final" && anyPreliminary(in.Responses) {
			ra.Status = "preliminary"
			ra.Note = append(ra.Note, Annotation{Text: "A questionnaire response is not completed (in progress or stopped): this result is preliminary."})
		}
		b.Entry = append(b.Entry, BundleEntry{FullURL: entryURL(in.Seed, "risk/"+c.ID), Resource: ra})
	}
	return b
}

// isResult reports whether id names one of the instrument's computed scores or fired flags.
func isResult(res *screen.InstrumentResult, id string) bool {
	return slices.ContainsFunc(res.Scores, func(s screen.Score) bool { return s.ID == id }) ||
		slices.ContainsFunc(res.Flags, func(f screen.Flag) bool { return f.ID == id })
}

// derivedFrom returns the references to the responses of an instrument, and the status of Observations
// read from them: preliminary when one of them is in progress, else final.
func derivedFrom(refs []ResponseRef, inst string) ([]Reference, string) {
	var derived []Reference
	status := "final"
	for _, r := range refs {
		id, _, _ := strings.Cut(r.Instrument, "@")
		if id != inst {
			continue
		}
		if r.Preliminary {
			status = "preliminary"
		}
		if r.Reference != "" {
			derived = append(derived, Reference{Reference: r.Reference})
		} else {
			derived = append(derived, Reference{Type: "QuestionnaireResponse", Display: "QuestionnaireResponse without id"})
		}
	}
	return derived, status
}

func anyPreliminary(refs []ResponseRef) bool {
	for _, r := range refs {
		if r.Preliminary {
			return true
		}
	}
	return false
}

// dateTime is the lexical form of an R4 dateTime.
var dateTime = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)

// riskAssessment builds the composite's RiskAssessment.
func (w *Writer) riskAssessment(rep *screen.Report, c *screen.CompositeResult, subject *Reference, date string, basis []Reference) *RiskAssessment {
	title := c.ID
	if w.ruleSet != nil && w.ruleSet.ID == c.ID && w.ruleSet.Title != "" {
		title = w.ruleSet.Title
	}
	ra := &RiskAssessment{ResourceType: "RiskAssessment", Status: "final",
		Code:   &CodeableConcept{Coding: []Coding{{System: RuleSetSystem, Code: c.ID, Display: title}}, Text: title},
		Method: &CodeableConcept{Text: c.ID + " " + c.Version + " (" + c.Digest + ")"}, OccurrenceDateTime: date, Basis: basis}
	if subject != nil {
		ra.Subject = *subject
	} else {
		ra.Subject = Reference{Display: "subject not given"}
	}
	note := func(s string) { ra.Note = append(ra.Note, Annotation{Text: s}) }
	if !c.Applied {
		note("Not applied: " + cds.NotAppliedWhy(c.Reason))
	} else {
		tier := string(c.Tier)
		qual := func(t string) *CodeableConcept {
			return &CodeableConcept{Coding: []Coding{{System: RuleSetSystem, Code: c.ID + ".tier." + t, Display: t}}, Text: t}
		}
		if len(c.PossibleTiers) > 1 {
			// composite.md §1b: a tier the answers leave open is preliminary, with a prediction per
			// possible tier (most pressing first), none of them presented as the result.
			ra.Status = "preliminary"
			var ts []string
			for _, t := range c.PossibleTiers {
				ts = append(ts, string(t))
				why := "Possible with the missing or invalid answers; not final."
				if t == c.Tier {
					why = "Holds whatever the missing or invalid answers are (" + c.TierRule + "): " + reasonText(c.TierReasons()) + "; not final."
				}
				ra.Prediction = append(ra.Prediction, Prediction{Outcome: &CodeableConcept{Text: title}, QualitativeRisk: qual(string(t)), Rationale: why})
			}
			msg := "Not final: missing or invalid answers leave the tier open; " + tier + " holds whatever they are; possible tiers: " + strings.Join(ts, ", ") + "."
			if open, ok := w.names.OpenResult(rep); ok {
				msg = "Risk tier " + open.Headline() + ". " + msg
			}
			note(msg)
		} else {
			ra.Prediction = []Prediction{{Outcome: &CodeableConcept{Text: title}, QualitativeRisk: qual(tier),
				Rationale: "Risk tier " + tier + " (" + c.TierRule + "): " + reasonText(c.TierReasons())}}
		}
		var mit []string
		for _, r := range c.Referrals {
			mit = append(mit, r.Text)
			note(referralText("Referral", r, w.referralName(c, r.ID)))
		}
		ra.Mitigation = strings.Join(mit, " ")
		for _, r := range c.PossibleReferrals {
			note(referralText("Possible referral (some of the possible answers give it)", r, w.referralName(c, r.ID)))
		}
		if len(c.NotAssessed) > 0 {
			note("Not assessed: " + strings.Join(w.domainNames(c, c.NotAssessed), ", ") + ".")
		}
	}
	for _, n := range c.Notes {
		note(n.Message)
	}
	for _, e := range rep.Errors {
		note("Answer not used (" + e.Code + "): " + e.Error())
	}
	note("Decision support for a clinician, not a diagnosis.")
	return ra
}

func referralText(kind string, r screen.Referral, name string) string {
	var b strings.Builder
	b.WriteString(kind + " [" + string(r.Priority) + "] " + name + ": " + r.Text)
	for _, a := range r.Addenda {
		b.WriteString(" " + a)
	}
	b.WriteString(" Why: " + reasonText(r.Reasons()) + " (" + r.Rule + ").")
	if r.Source != "" {
		b.WriteString(" Source: " + r.Source)
	}
	return b.String()
}

func reasonText(rs []screen.Reason) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		parts = append(parts, r.Text) // words from the definitions, never the expression's field names
	}
	return strings.Join(parts, "; ")
}

// code returns the score's code made by NewWriter, if the instrument is known.
func (info *instInfo) code(score string) (CodeableConcept, bool) {
	if info == nil {
		return CodeableConcept{}, false
	}
	cc, ok := info.codes[score]
	return cc, ok
}

// codeJSON returns the score's code as JSON, made by NewWriter, if the instrument is known.
func (info *instInfo) codeJSON(score string) ([]byte, bool) {
	if info == nil {
		return nil, false
	}
	js, ok := info.codeJS[score]
	return js, ok
}

// scoreCode is a score's code: its codes from the definition (LOINC), else ScoreSystem ID.SCORE.
func (w *Writer) scoreCode(info *instInfo, inst, score string) CodeableConcept {
	cc := CodeableConcept{Text: inst + " " + score}
	if info != nil {
		if sd := info.scores[score]; sd != nil {
			if sd.Label != "" {
				cc.Text = sd.Label
			}
			for _, c := range sd.Codes {
				cc.Coding = append(cc.Coding, codingOf(c))
			}
		}
	}
	if len(cc.Coding) == 0 {
		cc.Coding = []Coding{{System: ScoreSystem, Code: inst + "." + score, Display: cc.Text}}
	}
	return cc
}

func panelCode(doc *catalog.InstrumentDoc) CodeableConcept {
	cc := CodeableConcept{Text: doc.Title}
	for _, c := range doc.Codes {
		cc.Coding = append(cc.Coding, codingOf(c))
	}
	if len(cc.Coding) == 0 {
		cc.Coding = []Coding{{System: ScoreSystem, Code: doc.ID}}
	}
	return cc
}

// setValue sets an Observation's value from a score.
func setValue(o *Observation, v screen.Value) {
	switch v.Kind() {
	case screen.KindInt:
		n, _ := v.Int()
		o.ValueInteger = &n
	case screen.KindDouble:
		o.ValueQuantity = &Quantity{Value: json.Number(v.String()), Unit: "{score}", System: ucum, Code: "{score}"}
	case screen.KindBool:
		t, _ := v.Bool()
		o.ValueBoolean = &t
	case screen.KindString:
		s, _ := v.Str()
		o.ValueString = &s
	default:
		o.DataAbsentReason = &CodeableConcept{Coding: []Coding{{System: dataAbsentSystem, Code: "unknown"}}}
	}
}

// subjectRef makes a Reference of a subject id; nil when there is none.
func subjectRef(s string) *Reference {
	switch {
	case s == "":
		return nil
	case isReference(s):
		return &Reference{Reference: s}
	}
	return &Reference{Identifier: &Identifier{Value: s}}
}

// isReference reports whether s reads as a FHIR reference: Type/id, a urn:uuid: or urn:oid:, or an
// absolute http(s) URL.
func isReference(s string) bool {
	if strings.HasPrefix(s, "urn:uuid:") || strings.HasPrefix(s, "urn:oid:") || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return !strings.ContainsAny(s, " \t\r\n")
	}
	typ, id, ok := strings.Cut(s, "/")
	if !ok || typ == "" || id == "" || typ[0] < 'A' || typ[0] > 'Z' || len(id) > 64 {
		return false
	}
	for _, c := range typ {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	for _, c := range id {
		if !(c == '-' || c == '.' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// entryURL derives a urn:uuid (version 4 layout, bits from SHA-256) from the seed and a local name.
func entryURL(seed, local string) string {
	var in [128]byte // one hash input and one string per entry: a Bundle has a few dozen entries
	h := sha256.Sum256(append(append(append(in[:0], seed...), 0), local...))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	var out [9 + 36]byte
	copy(out[:], "urn:uuid:")
	hex.Encode(out[9:17], h[0:4])
	out[17] = '-'
	hex.Encode(out[18:22], h[4:6])
	out[22] = '-'
	hex.Encode(out[23:27], h[6:8])
	out[27] = '-'
	hex.Encode(out[28:32], h[8:10])
	out[32] = '-'
	hex.Encode(out[33:45], h[10:16])
	return string(out[:])
}

// WriteBundle writes the Bundle of a report (see NewBundle) as one line of JSON and a newline.
func (w *Writer) WriteBundle(out io.Writer, rep *screen.Report, in Input) error {
	b := w.AppendBundle(nil, rep, in)
	_, err := out.Write(append(b, '\n'))
	return err
}

// AppendOperationOutcome appends an OperationOutcome for a record that could not be scored: code is the
// error code (as in the JSON error record), msg its message, where the position or item ("line 3, col 7",
// "phq9.q1"; may be empty). Neither may hold answers or subject ids (painscreen's messages never do).
func AppendOperationOutcome(b []byte, code, msg, where string) []byte {
	is := Issue{Severity: "error", Code: "processing", Details: &CodeableConcept{Coding: []Coding{{System: "https://painscreen.dev/fhir/CodeSystem/error", Code: code}}}, Diagnostics: msg}
	if where != "" {
		is.Diagnostics = where + ": " + msg
	}
	return appendJSON(b, &OperationOutcome{ResourceType: "OperationOutcome", Issue: []Issue{is}})
}

func appendJSON(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The structs hold only strings, numbers and booleans: they always encode. Say so if not.
		return strconv.AppendQuote(buf.Bytes(), "fhir: "+err.Error())
	}
	out := buf.Bytes()
	return out[:len(out)-1] // Encode's newline
}
