package respfile_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

func TestWriteTemplate(t *testing.T) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(t, err)

	// The REDCap dictionary has the record id, then the response date, as date_ymd.
	var b bytes.Buffer
	require.NoError(t, respfile.WriteTemplate(&b, eng, "redcap", "phq2"))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 4)
	assert.Equal(t, []string{"subject", "phq2", "", "text", "Subject ID", "", "", "", "", "", "y", "", "", "", "", "", "", ""}, rows[1])
	assert.Equal(t, "date", rows[2][0])
	assert.Equal(t, "date_ymd", rows[2][7])
	assert.Equal(t, "phq2__q1", rows[3][0])

	for _, tc := range []struct{ format, ref, err string }{
		{"xml", "", `unknown template format "xml"`},
		{"csv", "phq99", "phq99: no such instrument is loaded (did you mean phq9?)"},
		{"csv", "phq9@9.9.9", "phq9@9.9.9: no such version is loaded"},
		{"redcap", "phq2,phq2", "phq2 is named twice"},
	} {
		b.Reset()
		refs := []string{tc.ref}
		if tc.ref == "phq2,phq2" {
			refs = []string{"phq2", "phq2"}
		}
		assert.ErrorContains(t, respfile.WriteTemplate(&b, eng, tc.format, refs...), tc.err)
		assert.Zero(t, b.Len(), "nothing is written on an error")
	}
}

// Write the CSV header to fill in for two instruments.
func ExampleWriteTemplate() {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		return
	}
	_ = respfile.WriteTemplate(os.Stdout, eng, "csv", "phq2", "gad2")
	// Output: subject,phq2.q1,phq2.q2,gad2.q1,gad2.q2
}
