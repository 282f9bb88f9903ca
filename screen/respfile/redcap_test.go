package respfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redcapItems are the bundled PHQ-9 and GAD-7 items, as the CLI passes them in CSVOptions.Items.
var redcapItems = map[string][]string{
	"phq9": {"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "difficulty"},
	"gad7": {"q1", "q2", "q3", "q4", "q5", "q6", "q7"},
}

// TestREDCapExport reads a longitudinal REDCap export as REDCap writes it (testdata/redcap: record_id,
// events, a repeating instrument, a visit form with the date field, three visits per subject; synthetic).
func TestREDCapExport(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "redcap", "export_raw.csv"))
	require.NoError(t, err)

	d := NewCSVDecoder(strings.NewReader(string(raw)), Limits{}, CSVOptions{Items: redcapItems,
		SubjectColumn: "record_id", DateColumn: "visit_date"})
	var recs []Record
	for {
		r, err := d.Next()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		recs = append(recs, r)
	}
	assert.Equal(t, 2, d.SkippedRows(), "the screening event rows have no answers")
	type got struct{ subject, date, insts string }
	var gots []got
	for _, r := range recs {
		require.Nil(t, r.Err)
		require.Nil(t, r.DateErr)
		var insts []string
		for _, k := range []string{"phq9", "gad7"} {
			for _, v := range r.Response.Answers[k] {
				if v != nil {
					insts = append(insts, k)
					break
				}
			}
		}
		gots = append(gots, got{r.Response.Subject, r.Response.Date, strings.Join(insts, "+")})
	}
	assert.Equal(t, []got{
		{"1001", "2026-01-05", "phq9+gad7"}, {"1001", "2026-04-06", "phq9+gad7"}, {"1001", "2026-07-06", "phq9+gad7"},
		{"1002", "2026-01-12", "phq9+gad7"}, {"1002", "2026-04-13", "phq9+gad7"},
		{"1002", "", "gad7"}, // the repeating GAD-7 (instance 1): REDCap writes no visit date on its row
		{"1002", "2026-07-13", "phq9+gad7"},
	}, gots)
	assert.Equal(t, int64(1), recs[0].Response.Answers["phq9"]["q9"])

	// As exported, without naming the columns: refused once, with the flags that read it.
	_, _, err = decodeCSV(t, string(raw), CSVOptions{Items: redcapItems})
	e := fatalErr(t, err)
	assert.Equal(t, CodeCSVHeader, e.Code)
	assert.Contains(t, e.Msg, `record_id is not subject`)
	assert.Contains(t, e.Msg, "did you mean --subject-column record_id?")
	assert.Contains(t, e.Msg, "did you mean --date-column visit_date?")
	assert.NotContains(t, e.Msg, "visit_complete", "a REDCap form's completion column is REDCap's own")

	// With a subject and a date column, record_id and visit_date are extra columns like any other.
	_, _, err = decodeCSV(t, "subject,date,record_id,visit_date,p.q\na,2026-01-05,1,2026-01-05,1\n", CSVOptions{})
	e = fatalErr(t, err)
	assert.NotContains(t, e.Msg, "--subject-column")
	assert.NotContains(t, e.Msg, "--date-column")
	assert.Contains(t, e.Msg, "--keep record_id")

	// A subject or date column that is not in the header.
	_, _, err = decodeCSV(t, string(raw), CSVOptions{Items: redcapItems, SubjectColumn: "recordid", DateColumn: "visit"})
	e = fatalErr(t, err)
	assert.Contains(t, e.Msg, `subject column recordid is not in the header (did you mean record_id?)`)
	assert.Contains(t, e.Msg, `date column visit is not in the header`)

	// The same export with labels as headers cannot be read: say how to export it.
	labels, err := os.ReadFile(filepath.Join("testdata", "redcap", "export_labels.csv"))
	require.NoError(t, err)
	_, _, err = decodeCSV(t, string(labels), CSVOptions{Items: redcapItems})
	e = fatalErr(t, err)
	assert.Contains(t, e.Msg, `"Record ID" is not subject`)
	assert.Contains(t, e.Msg, "a REDCap export with labels as headers: export the raw data")
}

// TestCSVErrorRecordKeepsSubject: a row that cannot be read is an error record that still names its subject.
func TestCSVErrorRecordKeepsSubject(t *testing.T) {
	recs, _, err := decodeCSV(t, "record_id,p.q\nr1,\"x\xffy\"\nNA,\"x\xffy\"\nr3,1\n", CSVOptions{SubjectColumn: "record_id"})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, CodeInvalidUTF8, recs[0].Err.Code)
	assert.Equal(t, "r1", recs[0].Subject)
	assert.Equal(t, "", recs[1].Subject, "an NA subject is no subject")
	assert.Equal(t, "r3", recs[2].Response.Subject)
}

func TestCSVDates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format string
		cells  []string
		want   []string // the date, or "!" and a part of the problem
	}{
		{"ISO and ISO date-times", "", []string{"2026-01-05", "2026-01-05T10:30:00Z", "2026-01-05T10:30+01:00", "2026-01-05 10:30", "2026-01-05T10:30:00.123-0500"},
			[]string{"2026-01-05", "2026-01-05", "2026-01-05", "2026-01-05", "2026-01-05"}},
		{"European dots", "", []string{"05.01.2026", "5.1.2026", "31.12.2025"}, []string{"2026-01-05", "2026-01-05", "2025-12-31"}},
		{"slash dates settled by the file: DD/MM", "", []string{"05/01/2026", "13/01/2026"}, []string{"2026-01-05", "2026-01-13"}},
		{"slash dates settled by the file: MM/DD", "", []string{"01/05/2026", "01/13/2026"}, []string{"2026-01-05", "2026-01-13"}},
		{"slash dates the file does not settle", "", []string{"05/01/2026", "06/02/2026"}, []string{"!ambiguous", "!ambiguous"}},
		{"slash dates both ways", "", []string{"13/01/2026", "01/13/2026", "05/01/2026"}, []string{"!both", "!both", "!both"}},
		{"--date-format DD/MM/YYYY", DateSlashDMY, []string{"05/01/2026", "2026-02-03", "01/13/2026"}, []string{"2026-01-05", "2026-02-03", "!calendar"}},
		{"--date-format MM/DD/YYYY", DateSlashMDY, []string{"05/01/2026"}, []string{"2026-05-01"}},
		{"--date-format YYYY-MM-DD", DateISO, []string{"05.01.2026", "2026-01-05"}, []string{"!ISO", "2026-01-05"}},
		{"--date-format DD.MM.YYYY refuses slashes", DateDotDMY, []string{"05/01/2026"}, []string{"!layout"}},
		{"not dates", "", []string{"2026-02-30", "32.01.2026", "Jan 5 2026", "05.01.26", "2026-01-05T25:00"},
			[]string{"!calendar", "!calendar", "!not a date", "!not a date", "!not a date"}},
		{"empty and NA are no date", "", []string{"", "NA", " "}, []string{"", "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "subject,date,p.q\n"
			for i, c := range tc.cells {
				in += "s" + string(rune('a'+i)) + "," + c + ",1\n"
			}
			recs, _, err := decodeCSV(t, in, CSVOptions{DateFormat: tc.format})
			require.NoError(t, err)
			require.Len(t, recs, len(tc.want))
			for i, w := range tc.want {
				r := recs[i]
				require.Nil(t, r.Err)
				if strings.HasPrefix(w, "!") {
					require.NotNil(t, r.DateErr, "row %d", i+1)
					assert.Equal(t, CodeInvalidDate, r.DateErr.Code)
					assert.Contains(t, r.DateErr.Msg, w[1:])
					assert.Contains(t, r.DateErr.Msg, `column date `)
					assert.NotContains(t, r.DateErr.Msg, tc.cells[i], "never the date itself")
					assert.Empty(t, r.Response.Date, "read without a date")
					assert.Equal(t, 1, len(r.Response.Answers["p"]), "the answers are read")
					continue
				}
				assert.Nil(t, r.DateErr, "row %d", i+1)
				assert.Equal(t, w, r.Response.Date, "row %d", i+1)
			}
		})
	}
	// An unknown layout is refused when the header is read.
	_, _, err := decodeCSV(t, "date,p.q\n2026-01-01,1\n", CSVOptions{DateFormat: "YYYY/MM/DD"})
	assert.Equal(t, CodeCSVHeader, fatalErr(t, err).Code)
}

// TestCSVDateSniffingReadsTheSameBytes: the slash-date layout is sniffed from the same bytes however the
// input arrives (a pipe delivering a few bytes at a time reads the dates as a file does).
func TestCSVDateSniffingReadsTheSameBytes(t *testing.T) {
	in := "subject,date,p.q\na,05/01/2026,1\nb,13/01/2026,2\n"
	for _, r := range []io.Reader{strings.NewReader(in), &smallReader{data: in, n: 3}} {
		d := NewCSVDecoder(r, Limits{}, CSVOptions{})
		rec, err := d.Next()
		require.NoError(t, err)
		require.Nil(t, rec.DateErr)
		assert.Equal(t, "2026-01-05", rec.Response.Date)
	}
}
