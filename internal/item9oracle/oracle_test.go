package item9oracle

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEndorsements(t *testing.T) {
	qr := func(q, items string) string {
		return `{"resourceType":"QuestionnaireResponse","questionnaire":"` + q + `","status":"completed","authored":"2026-11-30","item":[` + items + `]}`
	}
	for _, tt := range []struct {
		name string
		doc  string
		want int
	}{
		{"q9 = 2", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":2}]}`), 1},
		{"pinned version", qr(painscreenPHQ9+"|1.0", `{"linkId":"q9","answer":[{"valueInteger":1}]}`), 1},
		{"q9 = 0", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":0}]}`), 0},
		{"LOINC code, any canonical", qr("x", `{"linkId":"/44260-8","answer":[{"valueCoding":{"system":"http://loinc.org","code":"LA6571-9"}}]}`), 1},
		{"LOINC form linkId", qr("http://loinc.org/q/44249-1", `{"linkId":"14371","answer":[{"valueCoding":{"code":"LA6569-3"}}]}`), 1},
		{"14371 elsewhere", qr("x", `{"linkId":"14371","answer":[{"valueInteger":2}]}`), 0},
		{"q9 under another canonical", qr("https://painscreen.dev/fhir/Questionnaire/gad7", `{"linkId":"q9","answer":[{"valueInteger":2}]}`), 0},
		{"two answers, one endorses", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":0},{"valueInteger":2}]}`), 1},
		{"two answers, neither endorses", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":0},{"valueInteger":7}]}`), 0},
		{"repeated", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":2}]},{"linkId":"44260-8","answer":[{"valueInteger":2}]}`), 0},
		{"extension", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":2,"extension":[]}]}`), 0},
		{"malformed sibling", qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":2}]},{"answer":[]}`), 0},
		{"entered-in-error", `{"resourceType":"QuestionnaireResponse","status":"entered-in-error","item":[{"linkId":"44260-8","answer":[{"valueInteger":2}]}]}`, 0},
		{"Bundle", `{"resourceType":"Bundle","entry":[{"resource":` + qr(painscreenPHQ9, `{"linkId":"q9","answer":[{"valueInteger":3}]}`) + `},{"resource":{"resourceType":"Patient"}},7]}`, 1},
		{"not JSON", `{"resourceType":`, 0},
	} {
		assert.Len(t, Endorsements([]byte(tt.doc), 4096), tt.want, tt.name)
	}
}
