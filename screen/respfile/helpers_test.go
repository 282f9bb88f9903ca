package respfile

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decodeAll reads every record of in; fatal is the error that ended it (nil at io.EOF).
func decodeAll(t testing.TB, f Format, in string, lim Limits) (recs []Record, fatal error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(in), f, lim)
	for i := 0; ; i++ {
		require.Less(t, i, 1_000_000, "decoder does not end")
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			// The error is sticky.
			_, err2 := d.Next()
			require.Equal(t, err, err2)
			return recs, err
		}
		require.Equal(t, len(recs)+1, r.N, "records are numbered 1, 2, ...")
		require.True(t, (r.Err == nil) != (r.Response == nil), "exactly one of screen.Response and Err")
		if r.Err != nil {
			require.Equal(t, r.N, r.Err.Record)
		}
		recs = append(recs, r)
	}
}

// fatalErr asserts err is a fatal *Error and returns it.
func fatalErr(t testing.TB, err error) *Error {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.True(t, errors.As(err, &e), "fatal error %v is an *Error", err)
	return e
}

// fullBattery returns a realistic full-battery record (55 answers across 8 instruments) as JSON.
// One answer is null, four are option codes (LOINC or yes/no), the rest are integers.
func fullBattery(subject string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"subject":%q,"context":{"age":47,"sex":"female"},"answers":{`, subject)
	b.WriteString(`"phq9":{"q1":1,"q2":2,"q3":0,"q4":3,"q5":1,"q6":0,"q7":2,"q8":1,"q9":0,"difficulty":"LA6570-1"},`)
	b.WriteString(`"gad7":{"q1":1,"q2":1,"q3":2,"q4":0,"q5":3,"q6":1,"q7":2},`)
	b.WriteString(`"gcps_r":{"pain_frequency":3,"limit_frequency":2,"pain_avg":6,"enjoyment":5,"activity":4},`)
	b.WriteString(`"dsm5_oud":{`)
	for i, it := range oudItems {
		if i > 0 {
			b.WriteByte(',')
		}
		v := "no"
		if i%3 == 0 {
			v = "yes"
		}
		fmt.Fprintf(&b, "%q:%q", it, v)
	}
	b.WriteString(`},"sisq_drug":{"times":0},`)
	b.WriteString(`"auditc":{"frequency":2,"typical_quantity":1,"binge_frequency":0},`)
	b.WriteString(`"pc_ptsd5":{"trauma":"yes","nightmares":1,"avoidance":0,"on_guard":1,"numb":0,"guilt":null},`)
	b.WriteString(`"bpi_sf":{"worst":8,"least":3,"average":5,"now":6,"general_activity":7,"mood":5,"walking":6,`)
	b.WriteString(`"normal_work":7,"relations":4,"sleep":8,"enjoyment":6}`)
	b.WriteString(`}}`)
	return b.String()
}

var oudItems = []string{"larger_or_longer", "cut_down", "time_spent", "craving", "role_failure", "social_problems",
	"activities_given_up", "hazardous_use", "physical_psych_problems", "tolerance", "withdrawal", "supervised"}
