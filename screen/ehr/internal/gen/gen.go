// Package gen builds the compact medication and condition table that package ehr embeds (table.tsv) from
// the published sources kept beside it in source/ (see source/SOURCES.md for where each file comes from,
// its commit and its licence):
//
//   - mme/codesystem-CDCMMEClinicalConversionFactors.json: the CDC 2022 clinical MME conversion factors per
//     RxNorm ingredient (CDC Opioid MME implementation guide, Apache-2.0);
//   - mme/OMTKData.cql: the drug-ingredient-strength rows of the Opioid Management Terminology Knowledgebase
//     (generated from RxNav, NLM; Apache-2.0);
//   - valuesets/*.json: the CDC Opioid Prescribing Support value sets (CC0 1.0).
//
// The same sources always give the same bytes. Build is the whole generator; ../mmegen writes its output
// for go generate, and a test in package ehr fails when the checked-in table is not what Build gives.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Version names the table's content. Change it whenever a source or a rule of this generator changes.
const Version = "2026.12.07-1"

// withheld lists conversion factors of the source that the table carries but the calculator must not apply,
// with the reason it gives instead of a number (the MME of such a product is unknown, never a guess).
var withheld = map[string]string{
	// The CDC 2022 guideline gives a factor for transdermal fentanyl only (2.4 per mcg/h). The source's
	// ingredient-wide fentanyl factor 0.0576 has no documented unit; applied to milligrams of a buccal,
	// sublingual or nasal product it would give a small fraction of the patch-equivalent dose, which would
	// understate the risk.
	"4337": "the CDC 2022 guideline gives no conversion factor for fentanyl in this dose form (only transdermal)",
}

// Classes of a drug code in the table.
const (
	ClassOpioid         = "opioid"         // an opioid analgesic (MME table or CDC opioid value set)
	ClassBenzodiazepine = "benzodiazepine" // CDC benzodiazepine value set
	ClassBupOUD         = "buprenorphine_oud"
	ClassBupPain        = "buprenorphine_pain"
	ClassMethadone      = "methadone"
	ClassNaloxone       = "naloxone_rescue" // a rescue naloxone product (not a buprenorphine or pentazocine combination)
)

type ingredientRow struct {
	code, name, unit string
	value            string
}

type drug struct {
	code     string
	name     string
	form     string // RxNorm dose form code ("-" when unknown)
	formName string
	volume   string // mL in one unit ("1 ML ... Prefilled Syringe"), "-" when none
	classes  map[string]bool
	ingr     []ingredientRow
}

var (
	omtkRow = regexp.MustCompile(`\{ drugCode: (\d+), drugName: '((?:[^'\\]|\\.)*)', doseFormCode: (\d+), doseFormName: '([^']*)', ` +
		`ingredientCode: (\d+), ingredientName: '([^']*)', strength: '[^']*', strengthValue: ([0-9.]+), strengthUnit: '([A-Z/]+)' \}`)
	volumePrefix     = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) ML `)
	bupConcentration = regexp.MustCompile(`buprenorphine ([0-9.]+) mg/ml`)
)

type valueSet struct {
	URL       string `json:"url"`
	Expansion struct {
		Contains []struct {
			System  string `json:"system"`
			Code    string `json:"code"`
			Display string `json:"display"`
		} `json:"contains"`
	} `json:"expansion"`
}

type codeSystem struct {
	URL     string `json:"url"`
	Version string `json:"version"`
	Concept []struct {
		Code     string `json:"code"`
		Display  string `json:"display"`
		Property []struct {
			Code         string   `json:"code"`
			ValueDecimal *float64 `json:"valueDecimal"`
			ValueString  string   `json:"valueString"`
		} `json:"property"`
	} `json:"concept"`
}

func readJSON(src fs.FS, name string, v any) error {
	b, err := fs.ReadFile(src, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func clean(s string) string {
	s = strings.ReplaceAll(s, "\\'", "'")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// Build reads the sources from src (the layout of source/) and returns the table.
func Build(src fs.FS) ([]byte, error) {
	var cf codeSystem
	if err := readJSON(src, "mme/codesystem-CDCMMEClinicalConversionFactors.json", &cf); err != nil {
		return nil, err
	}
	cql, err := fs.ReadFile(src, "mme/OMTKData.cql")
	if err != nil {
		return nil, err
	}
	drugs := map[string]*drug{}
	get := func(code, name string) *drug {
		d := drugs[code]
		if d == nil {
			d = &drug{code: code, name: clean(name), form: "-", formName: "-", volume: "-", classes: map[string]bool{}}
			drugs[code] = d
		}
		return d
	}
	rows := omtkRow.FindAllSubmatch(cql, -1)
	if want := bytes.Count(cql, []byte("{ drugCode: ")); len(rows) != want || want == 0 {
		return nil, fmt.Errorf("OMTKData.cql: read %d of %d drug rows", len(rows), want)
	}
	for _, m := range rows {
		d := get(string(m[1]), string(m[2]))
		d.form, d.formName = string(m[3]), string(m[4])
		if v := volumePrefix.FindStringSubmatch(d.name); v != nil {
			d.volume = v[1]
		}
		d.ingr = append(d.ingr, ingredientRow{code: string(m[5]), name: string(m[6]), value: string(m[7]), unit: string(m[8])})
		d.classes[ClassOpioid] = true
	}

	sets := []struct {
		file  string
		class func(display string) string
	}{
		{"opioid-analgesics-with-ambulatory-misuse-potential", func(string) string { return ClassOpioid }},
		{"benzodiazepine-medications", func(string) string { return ClassBenzodiazepine }},
		{"methadone-medications", func(string) string { return ClassMethadone }},
		{"buprenorphine-medications", buprenorphineUse},
		{"buprenorphine-and-methadone-medications", func(d string) string {
			if strings.Contains(strings.ToLower(d), "methadone") {
				return ClassMethadone
			}
			return buprenorphineUse(d)
		}},
		{"naloxone-medications", func(d string) string {
			l := strings.ToLower(d)
			switch {
			case strings.Contains(l, "buprenorphine"):
				return buprenorphineUse(d) // buprenorphine/naloxone is MOUD, never rescue naloxone
			case strings.Contains(l, "pentazocine"):
				return ClassOpioid // naloxone/pentazocine tablets are an opioid analgesic
			}
			return ClassNaloxone
		}},
	}
	for _, s := range sets {
		var vs valueSet
		if err := readJSON(src, "valuesets/"+s.file+".json", &vs); err != nil {
			return nil, err
		}
		for _, c := range vs.Expansion.Contains {
			if c.System != "http://www.nlm.nih.gov/research/umls/rxnorm" {
				return nil, fmt.Errorf("%s: code %s is not RxNorm", s.file, c.Code)
			}
			get(c.Code, c.Display).classes[s.class(c.Display)] = true
		}
	}
	for _, d := range drugs {
		if d.classes[ClassBupOUD] || d.classes[ClassBupPain] || d.classes[ClassMethadone] {
			delete(d.classes, ClassOpioid) // their use decides (pain or OUD), not the analgesic list
		}
		if len(d.ingr) > 0 && d.ingr[0].code == "1819" && !d.classes[ClassBupOUD] && !d.classes[ClassBupPain] {
			d.classes[buprenorphineUse(d.name)] = true
			delete(d.classes, ClassOpioid)
		}
		if len(d.ingr) > 0 && d.ingr[0].code == "6813" {
			d.classes[ClassMethadone] = true
			delete(d.classes, ClassOpioid)
		}
	}

	var oud valueSet
	if err := readJSON(src, "valuesets/opioid-misuse-disorders.json", &oud); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "V\t%s\tcdc-mme-clinical-%s\n", Version, cf.Version)
	b.WriteString("# F  ingredient  name  conversion-factor  dose-form-factors  dose-range-factors  withheld\n")
	for _, c := range cf.Concept {
		factor, forms, ranges := "-", []string{}, []string{}
		for _, p := range c.Property {
			switch p.Code {
			case "conversion-factor":
				if p.ValueDecimal == nil {
					return nil, fmt.Errorf("conversion factors: %s has no decimal", c.Code)
				}
				factor = strconv.FormatFloat(*p.ValueDecimal, 'g', -1, 64)
			case "dose-form-conversion-factor":
				forms = append(forms, p.ValueString)
			case "dose-range-conversion-factor":
				ranges = append(ranges, p.ValueString)
			default:
				return nil, fmt.Errorf("conversion factors: unknown property %q", p.Code)
			}
		}
		w := withheld[c.Code]
		if w == "" {
			w = "-"
		}
		fmt.Fprintf(&b, "F\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, c.Display, factor, join(forms), join(ranges), w)
	}
	// Opioid ingredients of the strength table without a CDC 2022 factor: named, so that a note can say which.
	inCF := map[string]bool{}
	for _, c := range cf.Concept {
		inCF[c.Code] = true
	}
	noFactor := map[string]string{}
	for _, d := range drugs {
		for _, r := range d.ingr {
			if !inCF[r.code] {
				noFactor[r.code] = r.name
			}
		}
	}
	nf := make([]string, 0, len(noFactor))
	for c := range noFactor {
		nf = append(nf, c)
	}
	slices.SortFunc(nf, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	for _, c := range nf {
		fmt.Fprintf(&b, "F\t%s\t%s\t-\t-\t-\t-\n", c, noFactor[c])
	}
	b.WriteString("# D  rxnorm-code  classes  dose-form  dose-form-name  volume-ml  ingredients(code:strength:unit)  name\n")
	codes := make([]string, 0, len(drugs))
	for c := range drugs {
		codes = append(codes, c)
	}
	slices.SortFunc(codes, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	for _, c := range codes {
		d := drugs[c]
		cls := make([]string, 0, len(d.classes))
		for k := range d.classes {
			cls = append(cls, k)
		}
		slices.Sort(cls)
		in := make([]string, 0, len(d.ingr))
		for _, r := range d.ingr {
			in = append(in, r.code+":"+r.value+":"+r.unit)
		}
		fmt.Fprintf(&b, "D\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c, strings.Join(cls, ","), d.form, d.formName, d.volume, join(in), d.name)
	}
	b.WriteString("# C  system  code  class  name\n")
	conds := oud.Expansion.Contains
	slices.SortStableFunc(conds, func(a, b struct {
		System  string `json:"system"`
		Code    string `json:"code"`
		Display string `json:"display"`
	}) int {
		return strings.Compare(a.System+" "+a.Code, b.System+" "+b.Code)
	})
	for _, c := range conds {
		sys := ""
		switch c.System {
		case "http://snomed.info/sct":
			sys = "sct"
		case "http://hl7.org/fhir/sid/icd-10-cm":
			sys = "icd10cm"
		default:
			return nil, fmt.Errorf("opioid-misuse-disorders: unknown system %q", c.System)
		}
		class := "oud"
		if l := strings.ToLower(c.Display); sys == "sct" && (strings.Contains(l, "poisoning") || strings.Contains(l, "overdose")) {
			class = "overdose"
		}
		fmt.Fprintf(&b, "C\t%s\t%s\t%s\t%s\n", sys, c.Code, class, clean(c.Display))
	}
	return b.Bytes(), nil
}

func join(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

// buprenorphineUse tells buprenorphine for OUD from buprenorphine for pain by the product's name (its dose
// form and strength): sublingual tablets and films, buccal films with naloxone, implants and the
// extended-release injections (prefilled syringes of 50 mg/mL or more: Sublocade, Brixadi) treat OUD;
// transdermal systems, buccal films without naloxone, and the 0.3 mg/mL injection treat pain.
func buprenorphineUse(name string) string {
	l := strings.ToLower(name)
	switch {
	case strings.Contains(l, "naloxone"), strings.Contains(l, "sublingual"), strings.Contains(l, "implant"):
		return ClassBupOUD
	case strings.Contains(l, "prefilled syringe"):
		if m := bupConcentration.FindStringSubmatch(l); m != nil {
			if v, err := strconv.ParseFloat(m[1], 64); err == nil && v >= 50 {
				return ClassBupOUD
			}
		}
	}
	return ClassBupPain
}

const header = `# painscreen medication and condition table for treatment context (package ehr).
# GENERATED by screen/ehr/internal/gen from screen/ehr/internal/gen/source — do not edit; run go generate.
#
# Sources and licences:
# - CDC MME clinical conversion factors (CodeSystem CDCMMEClinicalConversionFactors 3.0.0), CDC Opioid MME
#   implementation guide, github.com/cqframework/opioid-mme-r4 commit 1357f45424c40c49911cd73ecf377b740013f21e,
#   Apache-2.0. Factors from: Dowell D et al. CDC Clinical Practice Guideline for Prescribing Opioids for
#   Pain - United States, 2022. MMWR Recomm Rep 2022;71(No. RR-3):1-95.
# - Drug ingredient strengths (OMTKData 3.0.0, generated 2020-10-20 from RxNav), same repository and commit,
#   Apache-2.0. This product uses publicly available data courtesy of the U.S. National Library of Medicine
#   (NLM), National Institutes of Health, Department of Health and Human Services; NLM is not responsible for
#   the product and does not endorse or recommend this or any other product.
# - CDC Opioid Prescribing Support value sets (opioid analgesics with ambulatory misuse potential,
#   benzodiazepines, buprenorphine, methadone, naloxone, opioid misuse disorders),
#   github.com/cqframework/opioid-cds-r4 commit b29bdcbf6db6f3de26486dbc3820572ee9a78b89, CC0 1.0.
#
# Do not use a calculated MME to convert one opioid to another (CDC): cross-tolerance is incomplete.
`
