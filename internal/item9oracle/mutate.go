package item9oracle

import (
	"math/rand"
	"os"
	"time"
)

// MutationBudget is how long a mutation run lasts: the duration in the environment variable
// PAINSCREEN_MUTATE (such as "5m"), or 0 (no run) when it is unset or invalid. Go's coverage-guided fuzzer
// is the first tool; a mutation run applies the same checks to many more inputs per second where the
// fuzzer is slow (a shared machine, a large instrumented dependency such as cel-go).
func MutationBudget() time.Duration {
	d, err := time.ParseDuration(os.Getenv("PAINSCREEN_MUTATE"))
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// JSON-ish fragments a mutation inserts: tokens, and pieces of FHIR that change how item 9 is read.
var fragments = []string{
	"{", "}", "[", "]", ",", ":", `"`, "null", "true", "0", "1", "2", "-1", "2.5", "1e400", `""`,
	`"q9"`, `"44260-8"`, `"/44260-8"`, `"14371"`, `"LA6570-1"`, `"LA6568-5"`, `"valueInteger"`, `"ValueInteger"`,
	`"valueCoding"`, `"answer"`, `"item"`, `"linkId"`, `"status"`, `"in-progress"`, `"entered-in-error"`, `"COMPLETED"`,
	`"authored"`, `"2026-11"`, `"2062-01-01"`, `"2026-11-30T09:00:00Z"`, `"questionnaire"`,
	`"https://painscreen.dev/fhir/Questionnaire/phq2"`, `"http://loinc.org/q/44249-1"`, `"http://loinc.org/q/69737-5"`,
	`"text":{"div":"<div>narrative</div>"}`, `"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":2}]`,
	`{"linkId":"q9","answer":[{"valueInteger":2}]}`, `{"linkId":"44260-8","answer":[{"valueCoding":{"code":"LA6571-9"}}]}`,
}

// Mutate returns a mutation of one of the seeds: a few byte edits, token insertions, deletions,
// duplications of a span, or splices from another seed.
func Mutate(r *rand.Rand, seeds [][]byte) []byte {
	in := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
	for n := 1 + r.Intn(4); n > 0; n-- {
		if len(in) == 0 {
			in = append(in, '{')
		}
		i := r.Intn(len(in))
		switch r.Intn(6) {
		case 0:
			in[i] = byte(r.Intn(256))
		case 1:
			j := min(len(in), i+1+r.Intn(16))
			in = append(in[:i], in[j:]...)
		case 2, 3:
			f := fragments[r.Intn(len(fragments))]
			in = append(in[:i], append([]byte(f), in[i:]...)...)
		case 4:
			j := min(len(in), i+1+r.Intn(64))
			span := append([]byte(nil), in[i:j]...)
			k := r.Intn(len(in))
			in = append(in[:k], append(span, in[k:]...)...)
		case 5:
			o := seeds[r.Intn(len(seeds))]
			a := r.Intn(len(o))
			b := min(len(o), a+1+r.Intn(128))
			in = append(in[:i], append(append([]byte(nil), o[a:b]...), in[i:]...)...)
		}
	}
	return in
}
