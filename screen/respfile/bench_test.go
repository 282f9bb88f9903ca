package respfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/screen"
	"github.com/stretchr/testify/require"
)

// benchInput returns n full-battery records in format f, and its size.
func benchInput(f Format, n int) []byte {
	var b bytes.Buffer
	switch f {
	case FormatJSONL:
		for i := 0; i < n; i++ {
			b.WriteString(fullBattery(fmt.Sprintf("SUBJ-%07d", i)))
			b.WriteByte('\n')
		}
	case FormatJSON:
		b.WriteByte('[')
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(fullBattery(fmt.Sprintf("SUBJ-%07d", i)))
		}
		b.WriteString("]\n")
	case FormatCSV:
		b.WriteString(fullBatteryCSVHeader())
		for i := 0; i < n; i++ {
			b.WriteString(fullBatteryCSVRow(fmt.Sprintf("SUBJ-%07d", i)))
		}
	}
	return b.Bytes()
}

func fullBatteryCSVHeader() string {
	cols := []string{"subject", "context.age", "context.sex"}
	for i := 1; i <= 9; i++ {
		cols = append(cols, fmt.Sprintf("phq9.q%d", i))
	}
	cols = append(cols, "phq9.difficulty")
	for i := 1; i <= 7; i++ {
		cols = append(cols, fmt.Sprintf("gad7.q%d", i))
	}
	for _, it := range []string{"pain_frequency", "limit_frequency", "pain_avg", "enjoyment", "activity"} {
		cols = append(cols, "gcps_r."+it)
	}
	for _, it := range oudItems {
		cols = append(cols, "dsm5_oud."+it)
	}
	cols = append(cols, "sisq_drug.times", "auditc.frequency", "auditc.typical_quantity", "auditc.binge_frequency")
	for _, it := range []string{"trauma", "nightmares", "avoidance", "on_guard", "numb", "guilt"} {
		cols = append(cols, "pc_ptsd5."+it)
	}
	for _, it := range bpiItems {
		cols = append(cols, "bpi_sf."+it)
	}
	return strings.Join(cols, ",") + "\r\n"
}

func fullBatteryCSVRow(subject string) string {
	return subject + ",47,female,1,2,0,3,1,0,2,1,0,LA6570-1,1,1,2,0,3,1,2,3,2,6,5,4," +
		"yes,no,no,yes,no,no,yes,no,no,yes,no,no,0,2,1,0,yes,1,0,1,0,,8,3,5,6,7,5,6,7,4,8,6\r\n"
}

// benchDecode decodes full-battery records in format f; one op is one record (the input holds n of
// them and is decoded again from the start when it ends).
func benchDecode(b *testing.B, f Format, n int) {
	in := benchInput(f, n)
	b.SetBytes(int64(len(in) / n))
	b.ReportAllocs()
	d := NewDecoder(bytes.NewReader(in), f, Limits{})
	for b.Loop() {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			d = NewDecoder(bytes.NewReader(in), f, Limits{})
			r, err = d.Next()
		}
		if err != nil || r.Err != nil {
			b.Fatal(err, r.Err)
		}
	}
}

// BenchmarkDecodeJSONL decodes full-battery records (55 answers, 8 instruments); one op is one record.
func BenchmarkDecodeJSONL(b *testing.B) { benchDecode(b, FormatJSONL, 1000) }

// BenchmarkDecodeJSON decodes the same records as one JSON array.
func BenchmarkDecodeJSON(b *testing.B) { benchDecode(b, FormatJSON, 1000) }

// BenchmarkDecodeCSV decodes the same records as CSV rows.
func BenchmarkDecodeCSV(b *testing.B) { benchDecode(b, FormatCSV, 1000) }

var bpiItems = []string{"worst", "least", "average", "now", "general_activity", "mood", "walking", "normal_work",
	"relations", "sleep", "enjoyment"}

func TestBenchInputsAgree(t *testing.T) {
	want := one(t, FormatJSONL, fullBattery("S1"), Limits{})
	require.Nil(t, want.Err)
	got := one(t, FormatCSV, fullBatteryCSVHeader()+fullBatteryCSVRow("S1"), Limits{})
	require.Nil(t, got.Err, "%v", got.Err)
	require.Equal(t, want.Response, got.Response, "the CSV benchmark decodes the same record as the JSON ones")
}

var sinkResponse *screen.Response

// BenchmarkResponseMapsFloor builds the same screen.Response as the decode benchmarks directly in Go, without
// reading anything: the cost of the maps alone, which no decoder of this screen.Response type can avoid.
func BenchmarkResponseMapsFloor(b *testing.B) {
	want := one(&testing.T{}, FormatJSONL, fullBattery("S1"), Limits{}).Response
	type kv struct {
		k string
		v any
	}
	var insts []string
	var items [][]kv
	for inst, m := range want.Answers {
		insts = append(insts, inst)
		var l []kv
		for k, v := range m {
			l = append(l, kv{k, v})
		}
		items = append(items, l)
	}
	subject := []byte("SUBJ-0000001")
	b.ReportAllocs()
	for b.Loop() {
		r := &screen.Response{Subject: string(subject), Context: make(map[string]any, 2)}
		r.Context["age"] = want.Context["age"]
		r.Context["sex"] = want.Context["sex"]
		r.Answers = make(map[string]map[string]any, len(insts))
		for i, inst := range insts {
			m := make(map[string]any, len(items[i]))
			for _, e := range items[i] {
				m[e.k] = e.v
			}
			r.Answers[inst] = m
		}
		sinkResponse = r
	}
}
