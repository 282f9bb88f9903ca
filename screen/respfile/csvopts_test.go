package respfile

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/internal/suggest"
	"github.com/painscreen/painscreen/screen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeCSV reads every record of in with the given options.
func decodeCSV(t testing.TB, in string, opt CSVOptions) (recs []Record, delim byte, fatal error) {
	t.Helper()
	d := NewCSVDecoder(strings.NewReader(in), Limits{}, opt)
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return recs, d.Delimiter(), nil
		}
		if err != nil {
			return recs, d.Delimiter(), err
		}
		recs = append(recs, r)
	}
}

func TestCSVDelimiter(t *testing.T) {
	want := &screen.Response{Subject: "s,1", Answers: map[string]map[string]any{"p": {"q": int64(1), "r": "x;y"}}}
	cases := []struct {
		name  string
		in    string
		opt   CSVOptions
		delim byte
	}{
		{"comma", "subject,p.q,p.r\n\"s,1\",1,x;y\n", CSVOptions{}, ','},
		{"semicolon sniffed", "subject;p.q;p.r\ns,1;1;\"x;y\"\n", CSVOptions{}, ';'},
		{"tab sniffed", "subject\tp.q\tp.r\ns,1\t1\tx;y\n", CSVOptions{}, '\t'},
		{"semicolon, Excel BOM and CRLF", "\xef\xbb\xbfsubject;p.q;p.r\r\ns,1;1;\"x;y\"\r\n", CSVOptions{}, ';'},
		{"quoted delimiters do not count", "\"subject\";\"p.q\";\"p,r\"\n", CSVOptions{}, ';'},
		{"given", "subject;p.q;p.r\ns,1;1;\"x;y\"\n", CSVOptions{Delimiter: ';'}, ';'},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, delim, err := decodeCSV(t, c.in, c.opt)
			if c.name == "quoted delimiters do not count" {
				assert.Equal(t, c.delim, delim)
				return
			}
			require.NoError(t, err)
			require.Len(t, recs, 1)
			require.Nil(t, recs[0].Err)
			assert.Equal(t, want, recs[0].Response)
			assert.Equal(t, c.delim, delim)
		})
	}
	// A wrong delimiter given explicitly is not second-guessed: the header is one unknown column.
	_, _, err := decodeCSV(t, "subject;p.q\ns;1\n", CSVOptions{Delimiter: ',', Items: map[string][]string{"p": {"q"}}})
	assert.Equal(t, CodeCSVHeader, fatalErr(t, err).Code)
}

func TestCSVNA(t *testing.T) {
	in := "subject,context.age,p.a,p.b,p.c,p.d\n" +
		"s1,NA,NA,.,-99,-99.0\n" +
		"s,,NaN,#N/A,N/A,nan\n"
	recs, _, err := decodeCSV(t, in, CSVOptions{})
	require.NoError(t, err)
	require.Len(t, recs, 1, "every answer of the second row is NA: no answers, the row is skipped")
	// Defaults: R's NA and friends are missing; "." and -99 are not (they could be answers).
	assert.Equal(t, &screen.Response{Subject: "s1", Context: map[string]any{"age": nil},
		Answers: map[string]map[string]any{"p": {"a": nil, "b": ".", "c": int64(-99), "d": int64(-99)}}}, recs[0].Response)

	recs, _, err = decodeCSV(t, in, CSVOptions{NA: []string{"NA", ".", "-99"}})
	require.NoError(t, err)
	require.Len(t, recs, 1, "NA . -99 -99.0 are all missing: the first row is skipped")
	assert.Equal(t, &screen.Response{Subject: "s", Context: map[string]any{"age": nil},
		Answers: map[string]map[string]any{"p": {"a": "NaN", "b": "#N/A", "c": "N/A", "d": "nan"}}}, recs[0].Response)

	// An empty list: only the empty cell is missing.
	recs, _, err = decodeCSV(t, "p.a,p.b\nNA,\n", CSVOptions{NA: []string{}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "NA", "b": nil}, recs[0].Response.Answers["p"])

	// A fractional NA token: 1.5 as NA is missing rather than not_integer.
	recs, _, err = decodeCSV(t, "p.a,p.b\n1.5,1\n", CSVOptions{NA: []string{"1.5"}})
	require.NoError(t, err)
	require.Nil(t, recs[0].Err)
	assert.Equal(t, map[string]any{"a": nil, "b": int64(1)}, recs[0].Response.Answers["p"])
}

func TestCSVKeep(t *testing.T) {
	in := "site,subject,p.q,visit\nA,s1,1,\"v 1\"\nB,s2\nC,s3,,v3\n"
	recs, _, err := decodeCSV(t, in, CSVOptions{Keep: []string{"visit", "site"}})
	require.NoError(t, err)
	require.Len(t, recs, 2, "the row with no answer is skipped")
	assert.Equal(t, []string{"v 1", "A"}, recs[0].Kept)
	assert.Equal(t, "s1", recs[0].Response.Subject)
	assert.Nil(t, recs[1].Kept, "a row with too few fields has no kept cells")
	assert.Equal(t, CodeCSVColumns, recs[1].Err.Code)

	// Without --keep the extra columns are a header error, listed together.
	_, _, err = decodeCSV(t, in, CSVOptions{})
	assert.Equal(t, &Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: "header: 2 problems: " +
		"column 1 site is not subject, context.<key>, <instrument>.<item> or a kept column (to pass it through to the output, keep it: --keep site) (line 1, col 1); " +
		"column 4 visit is not subject, context.<key>, <instrument>.<item> or a kept column (to pass it through to the output, keep it: --keep visit) (line 1, col 18)"}, fatalErr(t, err))

	// Kept columns that are absent, or that are read as something else.
	_, _, err = decodeCSV(t, in, CSVOptions{Keep: []string{"site", "vist", "p.q", "subject"}})
	assert.Equal(t, &Error{Line: 1, Col: 6, Code: CodeCSVHeader, Msg: "header: 4 problems: " +
		"column 2 subject is read as the subject; it cannot also be a kept column (line 1, col 6); " +
		"column 3 p.q is read as an answer; it cannot also be a kept column (line 1, col 14); " +
		"column 4 visit is not subject, context.<key>, <instrument>.<item> or a kept column (to pass it through to the output, keep it: --keep visit) (line 1, col 18); " +
		"kept column vist is not in the header (did you mean visit?) (line 1)"}, fatalErr(t, err))
}

func TestCSVHeaderAgainstItems(t *testing.T) {
	items := map[string][]string{"phq9": {"q1", "q7", "difficulty"}, "phq9@1.0.0": {"q1", "q7", "difficulty"}, "gad7": {"q1"}}
	in := "Subject ID,phq9.q77,phq9.q1,phq9@2.0.0.q1,phq.q1,gad7.q1,GAD7.q1,phq9@1.0.0.q7\n1,2,3,4,5,6,7,8\n"
	recs, _, err := decodeCSV(t, in, CSVOptions{Items: items})
	assert.Empty(t, recs)
	e := fatalErr(t, err)
	assert.Equal(t, Error{Line: 1, Col: 1, Code: CodeCSVHeader, Msg: "header: 6 problems: " +
		`column 1 "Subject ID" is not subject, context.<key>, <instrument>.<item> or a kept column (did you mean subject?) (line 1, col 1); ` +
		"column 2 phq9.q77: phq9 has no item q77 (did you mean q7?) (line 1, col 12); " +
		"column 4 phq9@2.0.0.q1: no loaded version of phq9 is 2.0.0 (line 1, col 29); " +
		"column 5 phq.q1: no instrument phq is loaded (did you mean phq9?) (line 1, col 43); " +
		"column 7 GAD7.q1: no instrument GAD7 is loaded (did you mean gad7?) (line 1, col 58); " +
		// One instrument under two keys: the engine would drop one key's answers in every row.
		"column 8 phq9@1.0.0.q7 names instrument phq9 as phq9@1.0.0, and column 3 (phq9.q1) names it as phq9: " +
		"write every column of an instrument with the same key (line 1, col 66)"}, *e)

	// Without Items, answer columns are not checked (the engine reports unknown items per record).
	recs, _, err = decodeCSV(t, "phq9.q77\n1\n", CSVOptions{})
	require.NoError(t, err)
	assert.Len(t, recs, 1)
}

func TestCSVREDCap(t *testing.T) {
	items := map[string][]string{"phq9": {"q1", "q2"}, "gcps_r": {"pain_avg"}}
	in := "subject,redcap_event_name,context__sex,phq9__q1,phq9__q2,phq9_complete,gcps_r__pain_avg,gcps_r_timestamp,gcps_r_complete\n" +
		"s1,baseline_arm_1,female,0,3,2,7,2024-01-01 10:00,2\n"
	recs, _, err := decodeCSV(t, in, CSVOptions{Items: items})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, &screen.Response{Subject: "s1", Context: map[string]any{"sex": "female"}, Answers: map[string]map[string]any{
		"phq9": {"q1": int64(0), "q2": int64(3)}, "gcps_r": {"pain_avg": int64(7)}}}, recs[0].Response)

	_, _, err = decodeCSV(t, "context__,p.q\n1,2\n", CSVOptions{})
	assert.Equal(t, "header: column 1 context__ has an empty context key", fatalErr(t, err).Msg)
	// A bookkeeping column of an instrument without answer columns is not skipped.
	_, _, err = decodeCSV(t, "subject,phq9__q1,gad7_complete\ns,1,2\n", CSVOptions{})
	assert.Equal(t, "header: column 3 gad7_complete is not subject, context.<key>, <instrument>.<item> or a kept column"+
		" (to pass it through to the output, keep it: --keep gad7_complete)",
		fatalErr(t, err).Msg)
	// REDCap names are checked like dotted ones.
	_, _, err = decodeCSV(t, "subject,phq9__q3\ns,1\n", CSVOptions{Items: items})
	assert.Equal(t, "header: column 2 phq9__q3: phq9 has no item q3 (did you mean q1?)", fatalErr(t, err).Msg)
}

func TestCSVManyHeaderProblems(t *testing.T) {
	cols := make([]string, 30)
	for i := range cols {
		cols[i] = "x" + strings.Repeat("y", i)
	}
	_, _, err := decodeCSV(t, strings.Join(cols, ",")+",p.q\n", CSVOptions{})
	msg := fatalErr(t, err).Msg
	assert.True(t, strings.HasPrefix(msg, "header: 30 problems: column 1 x is not"), msg)
	assert.True(t, strings.HasSuffix(msg, "; and 10 more"), msg)
}

func TestSuggest(t *testing.T) {
	assert.Equal(t, "q7", suggest.Closest("q77", []string{"q1", "q7", "difficulty"}))
	assert.Equal(t, "difficulty", suggest.Closest("dificulty", []string{"q1", "difficulty"}))
	assert.Equal(t, "", suggest.Closest("zzzz", []string{"q1", "difficulty"}))
	assert.Equal(t, "gad7", suggest.Closest("GAD7", []string{"gad7", "phq9"}))
	assert.Equal(t, 3, suggest.Distance("kitten", "sitting"))
}

// TestCSVNAIsAnswer: an NA token that is a valid answer of an item among the file's answer columns would
// turn real answers into blanks in every row: a fatal csv_na error naming the token and the column.
func TestCSVNAIsAnswer(t *testing.T) {
	// p.q takes 0..3 or the codes A0..A3; p.r takes any count of 0 or more; x.y is not a column.
	isAnswer := func(inst, item string, v any) bool {
		switch {
		case inst == "p" && item == "q":
			n, isInt := v.(int64)
			s, _ := v.(string)
			return (isInt && n >= 0 && n <= 3) || s == "A0" || s == "A1" || s == "A2" || s == "A3"
		case inst == "p" && item == "r":
			n, isInt := v.(int64)
			return isInt && n >= 0
		case inst == "x":
			return true
		}
		return false
	}
	in := "subject,p.q,p.r\ns,1,-99\n"
	cases := []struct {
		na  []string
		err string
	}{
		{nil, ""}, // NA, N/A, #N/A, NaN, nan
		{[]string{}, ""},
		{[]string{"-99", "NA", "9.5"}, ""},
		{[]string{"3"}, `NA token "3" is a valid answer of p.q (column 2)`},
		{[]string{"3.0"}, `NA token "3.0" is a valid answer of p.q (column 2)`},
		{[]string{"A2"}, `NA token "A2" is a valid answer of p.q (column 2)`},
		{[]string{"99"}, `NA token "99" is a valid answer of p.r (column 3)`},
		{[]string{"NA", "A1", "-99", "7"}, `NA token "A1" is a valid answer of p.q (column 2); NA token "7" is a valid answer of p.r (column 3)`},
	}
	for _, c := range cases {
		d := NewCSVDecoder(strings.NewReader(in), Limits{}, CSVOptions{NA: c.na, IsAnswer: isAnswer})
		r, err := d.Next()
		if c.err == "" {
			require.NoError(t, err, "%q", c.na)
			require.Nil(t, r.Err)
			continue
		}
		e := fatalErr(t, err)
		assert.Equal(t, CodeCSVNA, e.Code, "%q", c.na)
		assert.Equal(t, 1, e.Line)
		assert.Equal(t, c.err+": reading it as missing would turn real answers into blanks (choose NA tokens that no answer column accepts)", e.Msg)
	}
}

func TestCSVHeaderRefusals(t *testing.T) {
	items := map[string][]string{"phq9": {"q1", "q2", "q9"}, "gcps_r": {"pain_avg", "interference"}}
	tests := []struct{ name, header, msg string }{
		{"R write.csv row names", `"","subject","phq9.q1"`,
			"header: column 1 is empty: row names? write the file without them (write.csv(..., row.names = FALSE) in R, to_csv(..., index=False) in pandas)"},
		{"an empty column later is only empty", "subject,,phq9.q1", "header: column 2 is empty"},
		{"underscore for dot, q missing", "subject,phq9_1",
			"header: column 2 phq9_1 is not subject, context.<key>, <instrument>.<item> or a kept column (did you mean phq9.q1?)"},
		{"underscore for dot", "subject,gcps_r_pain_avg",
			"header: column 2 gcps_r_pain_avg is not subject, context.<key>, <instrument>.<item> or a kept column (did you mean gcps_r.pain_avg?)"},
		{"REDCap-style file gets REDCap-style names", "subject,phq9__q1,phq9_q2",
			"header: column 3 phq9_q2 is not subject, context.<key>, <instrument>.<item> or a kept column (did you mean phq9__q2?)"},
		{"dot, q missing", "subject,phq9.9", "header: column 2 phq9.9: phq9 has no item 9 (did you mean q9?)"},
		{"REDCap separator, q missing", "subject,phq9__2", "header: column 2 phq9__2: phq9 has no item 2 (did you mean q2?)"},
		{"no such item: the keep hint", "subject,phq9_7,phq9.q1",
			"header: column 2 phq9_7 is not subject, context.<key>, <instrument>.<item> or a kept column (to pass it through to the output, keep it: --keep phq9_7)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeCSV(t, tt.header+"\n"+strings.Repeat("1,", strings.Count(tt.header, ","))+"1\n", CSVOptions{Items: items})
			assert.Equal(t, tt.msg, fatalErr(t, err).Msg)
		})
	}
	// Several problems: the error's position is the first one's, and each problem says where it is.
	_, _, err := decodeCSV(t, "subject,site,phq9.q1,\"vis\nit\"\ns,a,1,b\n", CSVOptions{Items: items})
	e := fatalErr(t, err)
	assert.Equal(t, [2]int{1, 9}, [2]int{e.Line, e.Col})
	assert.Contains(t, e.Msg, "--keep site) (line 1, col 9); ")
	assert.Contains(t, e.Msg, `keep it: --keep "vis\nit") (line 1, col 22)`)
}

func TestCSVNASubject(t *testing.T) {
	// An empty, white-space or NA subject cell names no patient: the row is read without a subject (never
	// as subject "NA", which would link all such rows as one patient's visits), its answers are read (a
	// signal in them must surface), and SubjectErr says so.
	in := "subject,p.a\nNA,1\n,2\n \t,3\n-99,4\nN/A,5\nNAN,6\ns7,7\n"
	tests := []struct {
		name    string
		opt     CSVOptions
		missing []bool // per row: is the subject refused
	}{
		{"default NA tokens", CSVOptions{}, []bool{true, true, true, false, true, false, false}},
		{"--na -99", CSVOptions{NA: []string{"-99"}}, []bool{false, true, true, true, false, false, false}},
		{"--na NAN", CSVOptions{NA: []string{"NAN"}}, []bool{false, true, true, false, false, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := decodeCSV(t, in, tt.opt)
			require.NoError(t, err)
			require.Len(t, recs, len(tt.missing))
			for i, r := range recs {
				require.Nil(t, r.Err, "row %d", i+1)
				require.NotNil(t, r.Response, "row %d", i+1)
				assert.Equal(t, map[string]any{"a": int64(i + 1)}, r.Response.Answers["p"], "row %d: answers read", i+1)
				if !tt.missing[i] {
					assert.Nil(t, r.SubjectErr, "row %d", i+1)
					assert.NotEmpty(t, r.Response.Subject)
					continue
				}
				assert.Empty(t, r.Response.Subject, "row %d", i+1)
				require.NotNil(t, r.SubjectErr, "row %d", i+1)
				assert.Equal(t, Error{Record: i + 1, Line: i + 2, Col: 1, Code: CodeMissingField,
					Msg: "subject: the subject cell is empty or an NA token: the row is scored without a subject id and linked to no other row"}, *r.SubjectErr)
			}
		})
	}
	// A row with no answers is skipped, and the next row's subject is its own.
	recs, _, err := decodeCSV(t, "subject,p.a\nNA,\ns2,1\n", CSVOptions{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Nil(t, recs[0].SubjectErr)
	assert.Equal(t, "s2", recs[0].Response.Subject)
	// Without a subject column, records have no subject and no SubjectErr.
	recs, _, err = decodeCSV(t, "p.a\n1\n", CSVOptions{})
	require.NoError(t, err)
	require.Nil(t, recs[0].Err)
	assert.Nil(t, recs[0].SubjectErr)
	assert.Empty(t, recs[0].Response.Subject)
}
