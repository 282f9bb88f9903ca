package gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestWrite(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, 2000, 3, 0); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, 2000, 3, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same seed gave different output")
	}
	sc := bufio.NewScanner(&a)
	n, withPain, withTrauma := 0, 0, 0
	for sc.Scan() {
		n++
		var rec struct {
			Subject string
			Context map[string]any
			Answers map[string]map[string]int
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if len(rec.Answers) != 7 || len(rec.Answers["phq9"]) != 10 || len(rec.Answers["gad7"]) != 7 ||
			len(rec.Answers["dsm5_oud"]) != 12 || len(rec.Answers["auditc"]) != 3 || len(rec.Answers["sisq_drug"]) != 1 {
			t.Fatalf("line %d: not the full battery: %v", n, rec.Answers)
		}
		g := rec.Answers["gcps_r"]
		if want := map[bool]int{true: 5, false: 1}[g["pain_frequency"] >= 2]; len(g) != want {
			t.Fatalf("line %d: gcps_r skip logic: %v", n, g)
		}
		if g["pain_frequency"] >= 2 {
			withPain++
		}
		p := rec.Answers["pc_ptsd5"]
		if want := map[bool]int{true: 6, false: 1}[p["trauma"] == 1]; len(p) != want {
			t.Fatalf("line %d: pc_ptsd5 skip logic: %v", n, p)
		}
		if p["trauma"] == 1 {
			withTrauma++
		}
	}
	if n != 2000 || withPain == 0 || withPain == n || withTrauma == 0 || withTrauma == n {
		t.Fatalf("n=%d withPain=%d withTrauma=%d", n, withPain, withTrauma)
	}
}
