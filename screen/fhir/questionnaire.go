package fhir

import (
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen/catalog"
)

// NewQuestionnaire returns the R4 Questionnaire of an instrument:
//
//   - url QuestionnaireBase + ID and version the instrument's version (a QuestionnaireResponse that names
//     this canonical is scored with exactly this version); id is the instrument id with '_' written '-'
//     (FHIR ids allow no '_'); code the instrument's codes (LOINC panel);
//   - one item per instrument item, in order, with the item id as linkId and the item's codes (LOINC);
//   - an item with options is a choice item shown as radio buttons (itemControl): each option is an answerOption valueCoding with the option's
//     own code (LOINC answer code) and label, or, for an option with no code, OptionValueSystem and the
//     value in decimal; the option's value is its ordinalValue extension, so a renderer can show totals;
//   - an item with a range is an integer item with minValue/maxValue extensions;
//   - skip logic that is one simple comparison of an earlier item with a number (answers.x >= 2,
//     answers.x == 1) becomes enableWhen: on a choice item, one "=" condition per option that satisfies
//     the comparison, any of which enables the item; on an integer item, the comparison itself. Other
//     skip logic is not expressed (the item is always shown; painscreen still applies its own rule);
//   - required items are required unless skip logic may hide them.
func NewQuestionnaire(doc *catalog.InstrumentDoc) *Questionnaire {
	q := &Questionnaire{ResourceType: "Questionnaire", ID: resourceID(doc.ID), URL: QuestionnaireBase + doc.ID,
		Version: doc.Version, Name: resourceName(doc.ID), Title: doc.Title, Status: questionnaireStatus(doc.Status),
		SubjectType: []string{"Patient"}, Publisher: "painscreen", Copyright: doc.License}
	desc := []string{}
	if doc.Recall != "" {
		desc = append(desc, "Recall: "+doc.Recall+".")
	}
	if doc.Citation != "" {
		desc = append(desc, "Source: "+doc.Citation)
	}
	desc = append(desc, "Decision support for a clinician, not a diagnosis.")
	q.Description = strings.Join(desc, " ")
	for _, c := range doc.Codes {
		q.Code = append(q.Code, codingOf(c))
	}
	items := map[string]*catalog.ItemDoc{}
	for i := range doc.Items {
		it := &doc.Items[i]
		items[it.ID] = it
		qi := QuestionnaireItem{LinkID: it.ID, Text: it.Text, Type: "choice", Required: it.Required}
		for _, c := range it.Codes {
			qi.Code = append(qi.Code, codingOf(c))
		}
		if it.Options != nil {
			qi.Extension = []Extension{radioButtons}
			for _, o := range it.Options {
				qi.AnswerOption = append(qi.AnswerOption, AnswerOption{ValueCoding: optionCoding(o)})
			}
		} else {
			qi.Type = "integer"
			if it.Min != nil {
				qi.Extension = append(qi.Extension, Extension{URL: "http://hl7.org/fhir/StructureDefinition/minValue", ValueInteger: it.Min})
			}
			if it.Max != nil {
				qi.Extension = append(qi.Extension, Extension{URL: "http://hl7.org/fhir/StructureDefinition/maxValue", ValueInteger: it.Max})
			}
		}
		if it.EnableWhen != "" {
			qi.Required = false
			if ew, ok := enableWhen(it.EnableWhen, items); ok {
				qi.EnableWhen = ew
				if len(ew) > 1 {
					qi.EnableBehavior = "any"
				}
			}
		}
		q.Item = append(q.Item, qi)
	}
	return q
}

// WriteQuestionnaire writes the Questionnaire of an instrument (see NewQuestionnaire) as indented JSON.
func WriteQuestionnaire(w io.Writer, doc *catalog.InstrumentDoc) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(NewQuestionnaire(doc))
}

// radioButtons asks a renderer to show a choice item's options as radio buttons (R4 core extension
// questionnaire-itemControl): every option of a screening scale is seen at once.
var radioButtons = Extension{URL: "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
	ValueCodeableConcept: &CodeableConcept{Coding: []Coding{{System: "http://hl7.org/fhir/questionnaire-item-control", Code: "radio-button", Display: "Radio Button"}}}}

// optionCoding is the Coding of an answer option, with its value as ordinalValue.
func optionCoding(o catalog.OptionDoc) *Coding {
	c := &Coding{Code: o.Code, Display: o.Label, System: LOINC}
	if o.Code == "" {
		c.System, c.Code = OptionValueSystem, strconv.FormatInt(o.Value, 10)
	} else if !strings.HasPrefix(o.Code, "LA") {
		c.System = "" // a local code of the definition, not a LOINC answer
	}
	c.Extension = []Extension{{URL: OrdinalValueURL, ValueDecimal: json.Number(strconv.FormatInt(o.Value, 10))}}
	return c
}

// simpleCmp matches skip logic that compares one item with an integer.
var simpleCmp = regexp.MustCompile(`^answers\.([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<)\s*(-?[0-9]+)$`)

// enableWhen translates simple skip logic (see NewQuestionnaire).
func enableWhen(expr string, items map[string]*catalog.ItemDoc) ([]EnableWhen, bool) {
	m := simpleCmp.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil {
		return nil, false
	}
	src := items[m[1]] // an earlier item
	n, err := strconv.ParseInt(m[3], 10, 64)
	if src == nil || err != nil {
		return nil, false
	}
	if src.Options == nil {
		v := n
		op := m[2]
		if op == "==" {
			op = "="
		}
		return []EnableWhen{{Question: src.ID, Operator: op, AnswerInteger: &v}}, true
	}
	var out []EnableWhen
	for _, o := range src.Options {
		if compare(o.Value, m[2], n) {
			c := optionCoding(o)
			c.Extension, c.Display = nil, ""
			out = append(out, EnableWhen{Question: src.ID, Operator: "=", AnswerCoding: c})
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	return out, true
}

func compare(a int64, op string, b int64) bool {
	switch op {
	case "==":
		return a == b
	case "!=":
		return a != b
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a < b
}

// resourceID turns an instrument id into a FHIR id ([A-Za-z0-9.-]{1,64}).
func resourceID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c == '-' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')) {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

// resourceName turns an instrument id into a computer-friendly name (an upper-case letter, then letters,
// digits and '_').
func resourceName(id string) string {
	var b strings.Builder
	b.WriteString("Painscreen_")
	for _, c := range id {
		if c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func questionnaireStatus(s string) string {
	switch s {
	case "draft", "retired":
		return s
	}
	return "active"
}

func codingOf(c catalog.Code) Coding {
	return Coding{System: c.System, Code: c.Code, Display: c.Display}
}
