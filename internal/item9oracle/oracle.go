// Package item9oracle finds, independently of painscreen's FHIR reader, the PHQ-9 item 9 endorsements
// that a FHIR document plainly holds. It is the oracle of the fuzz tests' invariant "an item 9
// endorsement present in the input is present in the output": deliberately simple and conservative (it
// claims an endorsement only where no reading could dispute it), so that every claim it makes must show
// in the output.
package item9oracle

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Endorsement is one QuestionnaireResponse that endorses PHQ-9 item 9.
type Endorsement struct {
	// Authored is the response's authored as written ("" when it has none).
	Authored string
}

// The PHQ-9 item 9 answer codes (LOINC) whose value is 1 or more.
var endorsedCodes = map[string]bool{"LA6569-3": true, "LA6570-1": true, "LA6571-9": true}

const (
	painscreenPHQ9 = "https://painscreen.dev/fhir/Questionnaire/phq9"
	maxAnswers     = 10000
	maxDepth       = 100
)

// Endorsements returns the responses of doc (a QuestionnaireResponse, or a Bundle of them) that endorse
// PHQ-9 item 9 in a way no reader could dispute: a well-formed response whose one item 9 (linkId q9 under
// painscreen's PHQ-9 canonical, a linkId ending in 44260-8, or 14371 under the LOINC form 44249-1) has an
// answer (one, or one of several) valueInteger 1 to 3 or a LOINC valueCoding of value 1 to 3 without
// extensions. Strings over
// maxString bytes, malformed items and the like make it claim nothing for that response.
func Endorsements(doc []byte, maxString int) []Endorsement {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || depth(v) > maxDepth {
		return nil
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var out []Endorsement
	switch root["resourceType"] {
	case "QuestionnaireResponse":
		if e, ok := endorses(root, maxString); ok {
			out = append(out, e)
		}
	case "Bundle":
		entries, ok := root["entry"].([]any)
		if !ok {
			return nil
		}
		for _, en := range entries {
			m, ok := en.(map[string]any)
			if !ok {
				continue
			}
			res, ok := m["resource"].(map[string]any)
			if !ok || res["resourceType"] != "QuestionnaireResponse" {
				continue
			}
			if e, ok := endorses(res, maxString); ok {
				out = append(out, e)
			}
		}
	}
	return out
}

func depth(v any) int {
	switch v := v.(type) {
	case map[string]any:
		d := 0
		for _, x := range v {
			d = max(d, depth(x))
		}
		return d + 1
	case []any:
		d := 0
		for _, x := range v {
			d = max(d, depth(x))
		}
		return d + 1
	}
	return 0
}

func endorses(qr map[string]any, maxString int) (Endorsement, bool) {
	var e Endorsement
	for _, k := range []string{"status", "questionnaire", "authored", "id"} {
		if x, ok := qr[k]; ok {
			s, ok := x.(string)
			if !ok || len(s) > maxString {
				return e, false
			}
		}
	}
	if qr["status"] == "entered-in-error" {
		return e, false
	}
	if x, ok := qr["subject"]; ok {
		if _, ok := x.(map[string]any); !ok {
			return e, false
		}
	}
	e.Authored, _ = qr["authored"].(string)
	canonical, _ := qr["questionnaire"].(string)
	url, _, _ := strings.Cut(canonical, "|")
	isTarget := func(link string) bool {
		last := link[strings.LastIndexByte(link, '/')+1:]
		return last == "44260-8" || (link == "q9" && url == painscreenPHQ9) ||
			(last == "14371" && url[strings.LastIndexByte(url, '/')+1:] == "44249-1")
	}
	var targets []map[string]any
	answered := 0
	var walk func(items any) bool
	walk = func(items any) bool {
		arr, ok := items.([]any)
		if !ok {
			return false
		}
		for _, it := range arr {
			m, ok := it.(map[string]any)
			if !ok {
				return false
			}
			link, ok := m["linkId"].(string)
			if !ok || link == "" || len(link) > maxString {
				return false
			}
			last := link[strings.LastIndexByte(link, '/')+1:]
			if last == "q9" || last == "44260-8" || last == "14371" {
				if !isTarget(link) {
					return false // another reading of item 9: claim nothing
				}
				targets = append(targets, m)
			}
			if sub, ok := m["item"]; ok && !walk(sub) {
				return false
			}
			if a, ok := m["answer"]; ok {
				answers, ok := a.([]any)
				if !ok {
					return false
				}
				if len(answers) > 0 {
					answered++
				}
				for _, x := range answers {
					am, ok := x.(map[string]any)
					if !ok {
						return false
					}
					if sub, ok := am["item"]; ok && !walk(sub) {
						return false
					}
				}
			}
		}
		return true
	}
	if items, ok := qr["item"]; ok && !walk(items) {
		return e, false
	}
	if len(targets) != 1 || answered >= maxAnswers {
		return e, false
	}
	// One endorsing answer is enough: an item 9 with several answers is an error of the item that still
	// raises the flag when one of them endorses it (issue 21).
	answers, _ := targets[0]["answer"].([]any)
	for _, x := range answers {
		if answerEndorses(x.(map[string]any)) {
			return e, true
		}
	}
	return e, false
}

// answerEndorses reports whether one answer plainly endorses item 9: valueInteger 1 to 3, or a LOINC
// valueCoding of value 1 to 3, without extensions.
func answerEndorses(a map[string]any) bool {
	var vk string
	for k := range a {
		if len(k) >= 5 && strings.EqualFold(k[:5], "value") {
			if vk != "" {
				return false
			}
			vk = k
		}
	}
	if _, ok := a["extension"]; ok {
		return false
	}
	switch vk {
	case "valueInteger":
		n, ok := a[vk].(json.Number)
		if !ok {
			return false
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil && i >= 1 && i <= 3
	case "valueCoding":
		c, ok := a[vk].(map[string]any)
		if !ok {
			return false
		}
		if _, ok := c["extension"]; ok {
			return false
		}
		if s, ok := c["system"]; ok && s != "http://loinc.org" {
			return false
		}
		code, _ := c["code"].(string)
		return endorsedCodes[code]
	}
	return false
}
