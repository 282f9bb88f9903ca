package respfile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/catalog"
	"github.com/painscreen/painscreen/screen/fhir"
)

// FHIRMapper maps FHIR R4 QuestionnaireResponses onto loaded instruments: which instrument a response
// answers, which item each of its items is, and which answer each FHIR answer value stands for. It is built
// once from the definitions (NewFHIRMapper, FHIRMapperFor), is immutable, and is safe for concurrent use by
// any number of Decoders.
//
// # Which instrument
//
// In order, the first that applies:
//
//  1. the questionnaire canonical is painscreen's own, fhir.QuestionnaireBase + ID, optionally with
//     "|VERSION": the answers key is ID, or ID@VERSION (so a version that is not loaded is the engine's
//     unknown_version error);
//  2. the last path segment of the canonical (before any "|version") is the LOINC panel code of a loaded
//     instrument ("http://loinc.org/q/44249-1", "Questionnaire/44249-1"): that instrument, unpinned;
//  3. otherwise the items decide: the instrument (default versions only) whose items match the most
//     answered linkIds; a tie goes to the instrument with fewer items (two answers coded 44250-9 and
//     44255-8 are a PHQ-2, not a PHQ-9 with seven items missing), then to the smaller id;
//  4. when nothing matches, the answers key is the canonical itself (or "QuestionnaireResponse" when
//     there is none), which the engine reports as unknown_instrument: the record is still scored.
//
// A canonical pinning a version that is not loaded ("…/phq9|1.0" after an upgrade) is read with the loaded
// version, with a note (SourceNote version_not_loaded). When the answered linkIds are not all the named
// instrument's, and exactly one instrument holds all of them and has the fewest items of those that do,
// the response is read as that one, with a note (questionnaire_mismatch): a canonical naming phq2 or gad7
// over PHQ-9 items is read as the PHQ-9. PHQ-9 item 9 (LOINC 44260-8) answered in a response to another
// instrument is read as PHQ-9 item 9 of the same subject and date, with a note: the suicidal ideation
// item is never an unknown item.
//
// # Which item
//
// An item's linkId matches an instrument item by its id (painscreen's own Questionnaires use the item ids
// as linkIds; ids are never used to recognise the instrument in step 3, since many instruments have a q1)
// or by one of its codes (LOINC): the linkId itself or its last "/" segment, so both "44250-9"
// and the LHC-Forms style "/44250-9" match; or by the numeric linkId the official LOINC Questionnaire of
// the instrument's panel gives the item ("14371" is PHQ-9 item 9 in http://loinc.org/q/44249-1; the
// table is fhirloinc.go's, built from the LOINC Questionnaires of PHQ-9, GAD-7, AUDIT-C and PEG). Items nested in groups, and items nested under answers, are
// read wherever they are. A linkId that is the code of one of the instrument's scores is the form's own
// computed score (the US Core PHQ-9 example carries its total, 44261-6): it is not an answer and is not
// read, since painscreen computes its scores from the item answers. Any other linkId is kept under its
// own name, so the engine reports it as unknown_item naming the linkId, and scores everything else.
//
// # Which answer
//
//	FHIR answer                      becomes
//	valueCoding                      its code when it is one of the item's option codes (LOINC answer codes);
//	                                 the option value when the system is fhir.OptionValueSystem; else
//	                                 the ordinalValue/itemWeight extension's number (on the Coding or the
//	                                 answer) when there is one; else the code, which the engine rejects
//	                                 as invalid_value naming the item
//	valueInteger, valueDecimal       the number (a fraction is the engine's not_integer error)
//	valueBoolean                     1 or 0 when the item's options are exactly the values 0 and 1 (no/yes);
//	                                 otherwise a wrong_type error of the item
//	valueString                      the string (an option code, or the engine's invalid_value error)
//	any other value[x]               a wrong_type error of the item; also a misspelt one ("ValueInteger")
//	a data-absent-reason             not answered (declined), with a note: as a valueCoding of the
//	                                 data-absent-reason system or a data-absent-reason extension
//	a Coding whose option code and   a wrong_type error of the item (never scored by the code alone),
//	ordinalValue disagree            with a note
//	more than one answer             a wrong_type error of the item (a list): painscreen items take one answer
//	                                 (also an item answered twice by a repeated linkId), with a note
//
// An item without an answer is not answered. None of these problems drops the record or another answer:
// each is an error of its own item in the report, and the rest is scored.
type FHIRMapper struct {
	// safety is the instrument whose item safetyItem is coded loincPHQ9Item9 (PHQ-9 item 9), nil when none
	// is loaded: that item is read by its code in a response to any instrument.
	safety     *fhirInst
	safetyItem *fhirItem
	byKey      map[string]*fhirInst // "id" (the default version) and "id@version"
	byPanel    map[string]*fhirInst // panel code -> default version
	byLink     map[string][]*fhirInst
	insts      []*fhirInst // default versions, by id
}

type fhirInst struct {
	id      string
	nItems  int
	items   map[string]*fhirItem // by item id and by each item code
	scores  map[string]bool      // codes of scores
	version string
}

type fhirItem struct {
	id     string
	codes  map[string]int64 // option code -> value
	values map[int64]bool   // option values; nil for a range item
	binary bool             // options are exactly the values 0 and 1
}

// NewFHIRMapper builds a mapper for the given instruments (every loaded version; a doc whose Default is true
// is the version an unpinned key selects, and the only one used to recognise instruments by their items).
func NewFHIRMapper(instruments []*catalog.InstrumentDoc) *FHIRMapper {
	m := &FHIRMapper{byKey: map[string]*fhirInst{}, byPanel: map[string]*fhirInst{}, byLink: map[string][]*fhirInst{}}
	for _, doc := range instruments {
		if doc == nil {
			continue
		}
		fi := &fhirInst{id: doc.ID, version: doc.Version, nItems: len(doc.Items), items: map[string]*fhirItem{}, scores: map[string]bool{}}
		for _, it := range doc.Items {
			item := &fhirItem{id: it.ID, codes: map[string]int64{}}
			if it.Options != nil {
				item.values = map[int64]bool{}
				for _, o := range it.Options {
					item.values[o.Value] = true
					if o.Code != "" {
						item.codes[o.Code] = o.Value
					}
				}
				item.binary = len(it.Options) == 2 && item.values[0] && item.values[1]
			}
			fi.items[it.ID] = item
			for _, c := range it.Codes {
				if _, taken := fi.items[c.Code]; !taken && c.Code != "" {
					fi.items[c.Code] = item
				}
			}
		}
		for _, s := range doc.Scores {
			for _, c := range s.Codes {
				if _, isItem := fi.items[c.Code]; !isItem && c.Code != "" {
					fi.scores[c.Code] = true
				}
			}
		}
		var panelLinks []string
		for _, c := range doc.Codes {
			panelLinks = append(panelLinks, fi.addPanelLinks(c.Code)...)
		}
		m.byKey[doc.ID+"@"+doc.Version] = fi
		if !doc.Default {
			continue
		}
		for _, l := range panelLinks {
			m.byLink[l] = append(m.byLink[l], fi)
		}
		m.byKey[doc.ID] = fi
		m.insts = append(m.insts, fi)
		for _, c := range doc.Codes {
			if c.Code != "" {
				m.byPanel[c.Code] = fi
			}
		}
		// Only codes recognise an instrument: item ids such as q1 are shared by many instruments.
		seen := map[string]bool{}
		for _, it := range doc.Items {
			for _, c := range it.Codes {
				if c.Code != "" && !seen[c.Code] {
					seen[c.Code] = true
					m.byLink[c.Code] = append(m.byLink[c.Code], fi)
				}
			}
		}
	}
	sort.Slice(m.insts, func(i, j int) bool { return m.insts[i].id < m.insts[j].id })
	for _, fi := range m.insts {
		if it := fi.items[loincPHQ9Item9]; it != nil && m.safety == nil {
			m.safety, m.safetyItem = fi, it
		}
	}
	return m
}

// loincPHQ9Item9 is the LOINC code of PHQ-9 item 9 (thoughts that you would be better off dead, or of
// hurting yourself in some way).
const loincPHQ9Item9 = "44260-8"

// FHIRMapperFor builds a mapper for every instrument an engine has loaded.
func FHIRMapperFor(eng *screen.Engine) (*FHIRMapper, error) {
	var docs []*catalog.InstrumentDoc
	for _, in := range eng.Instruments() {
		doc, err := eng.Describe(in.ID + "@" + in.Version)
		if err != nil {
			return nil, fmt.Errorf("respfile: describing %s@%s: %w", in.ID, in.Version, err)
		}
		docs = append(docs, doc)
	}
	return NewFHIRMapper(docs), nil
}

// lastSegment returns what follows the last '/' of s (s itself when there is none).
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// item finds the item a linkId names.
func (fi *fhirInst) item(link string) *fhirItem {
	if it := fi.items[link]; it != nil {
		return it
	}
	return fi.items[lastSegment(link)]
}

// isScore reports whether a linkId names one of the instrument's scores.
func (fi *fhirInst) isScore(link string) bool {
	return fi.scores[link] || fi.scores[lastSegment(link)]
}

// knows reports whether a linkId names one of the instrument's items or scores.
func (fi *fhirInst) knows(link string) bool {
	return fi.item(link) != nil || fi.isScore(link)
}

// fits reports whether every linkId names one of the instrument's items or scores.
func (fi *fhirInst) fits(links []string) bool {
	for _, l := range links {
		if !fi.knows(l) {
			return false
		}
	}
	return true
}

// resolve picks the answers key and the instrument (nil when unknown) for a questionnaire canonical and the
// linkIds of the answered items, and says (note, "" when none) when it read the response as another
// instrument or version than its canonical names.
func (m *FHIRMapper) resolve(canonical string, links []string) (string, *fhirInst, *SourceNote) {
	key, fi, note := m.resolveCanonical(canonical, links)
	if fi == nil || fi.fits(links) {
		return key, fi, note
	}
	// The items are not the named instrument's (a canonical naming phq2 or gad7 over PHQ-9 items, by code,
	// by the LOINC form's linkIds or by item id): when exactly one instrument holds every answered item and
	// has the fewest items of those that do, the items are its. Item 9 of the PHQ-9 is found by its code
	// whatever the canonical says.
	var best *fhirInst
	tie := false
	for _, c := range m.insts {
		if !c.fits(links) {
			continue
		}
		switch {
		case best == nil || c.nItems < best.nItems:
			best, tie = c, false
		case c.nItems == best.nItems:
			tie = true
		}
	}
	if best == nil || tie || best == fi {
		return key, fi, note
	}
	return best.id, best, &SourceNote{Code: NoteQuestionnaireMismatch,
		Message: "the questionnaire names " + showKey(key) + " but its answered items are those of " + best.id + ": read as " + best.id}
}

// resolveCanonical applies the canonical and, failing that, the items' codes (steps 1 to 4 above).
func (m *FHIRMapper) resolveCanonical(canonical string, links []string) (string, *fhirInst, *SourceNote) {
	url, version, _ := strings.Cut(canonical, "|")
	if id, ok := strings.CutPrefix(url, fhir.QuestionnaireBase); ok && id != "" {
		if version == "" {
			if fi := m.byKey[id]; fi != nil {
				return id, fi, nil
			}
		} else if fi := m.byKey[id+"@"+version]; fi != nil {
			return id + "@" + version, fi, nil
		} else if fi := m.byKey[id]; fi != nil {
			// A version that is not loaded (a form written before an upgrade): its items are read with the
			// loaded version, and the record says so, rather than losing every answer to unknown_version.
			return id, fi, &SourceNote{Code: NoteVersionNotLoaded,
				Message: "questionnaire version " + showKey(version) + " of " + id + " is not loaded: read as version " + fi.version}
		}
		if key, fi := m.byItems(links); fi != nil {
			return key, fi, nil
		}
		if version != "" {
			return id + "@" + version, nil, nil
		}
		return id, nil, nil
	}
	if url != "" {
		if fi := m.byPanel[lastSegment(url)]; fi != nil {
			return fi.id, fi, nil
		}
	}
	if key, fi := m.byItems(links); fi != nil {
		return key, fi, nil
	}
	if url != "" {
		return url, nil, nil
	}
	return "QuestionnaireResponse", nil, nil
}

// byItems is step 3: the instrument whose item codes match the most answered linkIds.
func (m *FHIRMapper) byItems(links []string) (string, *fhirInst) {
	var best *fhirInst
	bestN := 0
	count := map[*fhirInst]int{}
	for _, l := range links {
		cands := m.byLink[l]
		if cands == nil {
			cands = m.byLink[lastSegment(l)]
		}
		for _, fi := range cands {
			count[fi]++
		}
	}
	for _, fi := range m.insts { // by id: ties go to fewer items, then the smaller id
		n := count[fi]
		if n > bestN || (n == bestN && n > 0 && fi.nItems < best.nItems) {
			best, bestN = fi, n
		}
	}
	if best != nil {
		return best.id, best
	}
	return "", nil
}

// numberValue turns a JSON number literal into an answer: an int64 when it is an integer that fits, else
// a float64 (the engine accepts a whole one and reports any other as not_integer).
func numberValue(lit string) any {
	if n, ok := wholeLiteral(lit); ok {
		return n
	}
	// Not a whole number within int64 as written (2.5, 1e2, 3e0): passed on for the engine to report as
	// an error of its item, as every other decoder does (scalar.go; composite.md §1 rev 3).
	return otherNumber([]byte(lit), &fhirNumberLimits)
}

// fhirNumberLimits bounds the text of a number kept from a FHIR document (the document's own limits
// were applied when it was read).
var fhirNumberLimits = DefaultLimits()

// wholeLiteral reads a JSON number literal that is a whole number within int64: digits with an optional
// '-', and optionally a fraction of zeros (2.0, as JSON and CSV accept it); never an exponent.
func wholeLiteral(lit string) (int64, bool) {
	intPart := lit
	if i := strings.IndexByte(lit, '.'); i >= 0 {
		intPart = lit[:i]
		frac := lit[i+1:]
		if frac == "" || strings.Trim(frac, "0") != "" {
			return 0, false
		}
	}
	if strings.ContainsAny(intPart, "eE+") {
		return 0, false
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	return n, err == nil
}
