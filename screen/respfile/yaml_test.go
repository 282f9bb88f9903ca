package respfile

import (
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/painscreen/painscreen/screen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestYAMLValues(t *testing.T) {
	cases := []struct {
		val  string
		want any
		err  errWant // Line 1; Col is the value's column (18)
	}{
		{val: "3", want: int64(3)},
		{val: "-3", want: int64(-3)},
		{val: "+3", want: int64(3)},
		{val: "-0", want: int64(0)},
		{val: "9223372036854775807", want: int64(9223372036854775807)},
		{val: "LA6568-5", want: "LA6568-5"},
		{val: "'1'", want: "1"},
		{val: `"yes"`, want: "yes"},
		{val: "yes", want: "yes"}, // YAML 1.2: yes is a string
		{val: "!!str 12", want: "12"},
		{val: "~", want: nil},
		{val: "null", want: nil},
		{val: "", want: nil},
		// Numbers that are not whole numbers within int64 are passed on as json.Number for the engine to
		// reject as an error of the item (scalar.go), never an error of the record.
		{val: "0x1F", want: json.Number("NaN")}, // read differently by YAML 1.1 and 1.2: no reading is passed on,
		{val: "0o17", want: json.Number("NaN")},
		{val: "007", want: json.Number("NaN")},
		{val: "1_000", want: json.Number("NaN")},
		{val: "9223372036854775808", want: json.Number("9223372036854775808")},
		{val: "!!int abc", want: json.Number("NaN")},
		{val: "1.5", want: json.Number("1.5")},
		{val: "2.0", want: int64(2)},
		{val: "-3.00", want: int64(-3)},
		{val: "2.50", want: json.Number("2.50")},
		{val: "1e3", want: json.Number("1e3")},
		{val: "1e400", want: "1e400"}, // yaml.v3 reads a float it cannot hold as a string: still no item accepts it,
		{val: ".inf", want: json.Number(".inf")},
		{val: ".nan", want: json.Number(".nan")},
		{val: "true", want: true},
		{val: "False", want: false},
		{val: "2001-12-14", want: "2001-12-14"}, // text: no item has it as a code
		{val: "[1]", want: []any{}},
		{val: "{a: 1}", want: map[string]any{}},
		// YAML that painscreen does not read stays an error of the record.
		{val: "!!binary aGk=", err: errWant{Code: CodeWrongType}},
		{val: "!custom x", err: errWant{Code: CodeWrongType, Msg: "answers.p.q: expected an integer, a string or null, got a value with a tag"}},
	}
	for _, c := range cases {
		t.Run(c.val, func(t *testing.T) {
			in := "answers: {p: {q: " + c.val + ", r: 1}}\n"
			r := one(t, FormatYAML, in, Limits{})
			if c.err.Code == "" {
				require.Nil(t, r.Err, "%v", r.Err)
				assert.Equal(t, map[string]any{"q": c.want, "r": int64(1)}, r.Response.Answers["p"])
				return
			}
			c.err.Line, c.err.Col, c.err.Instrument, c.err.Item = 1, 18, "p", "q"
			checkErr(t, c.err, r.Err)
		})
	}
}

func TestYAMLRecords(t *testing.T) {
	cases := []struct {
		name string
		in   string
		lim  Limits
		want *screen.Response
		err  errWant
	}{
		{name: "block style", in: "subject: S-1\ncontext:\n  age: 47\n  sex: female\n  site: ~\nanswers:\n  phq9@1.0.0:\n    q1: 0\n    q2: LA6568-5\n    q9:\n",
			want: &screen.Response{Subject: "S-1", Context: map[string]any{"age": int64(47), "sex": "female", "site": nil},
				Answers: map[string]map[string]any{"phq9@1.0.0": {"q1": int64(0), "q2": "LA6568-5", "q9": nil}}}},
		{name: "null subject and context", in: "subject: ~\ncontext: null\nanswers: {p: {q: 1}}\n",
			want: &screen.Response{Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},
		{name: "empty instrument kept", in: "answers: {p: {}, q: {a: x}}\n",
			want: &screen.Response{Answers: map[string]map[string]any{"p": {}, "q": {"a": "x"}}}},
		{name: "subject number", in: "subject: 12345\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeWrongType, 1, 10, "subject: expected a string, got an integer (quote it to make it a string)", "", ""}},
		{name: "unknown field", in: "answers: {p: {q: 1}}\nsubject_id: x\n",
			err: errWant{CodeUnknownField, 2, 1, "subject_id: unknown field (a record has only subject, date, context and answers)", "", ""}},
		{name: "missing answers", in: "subject: x\n",
			err: errWant{CodeMissingField, 1, 1, "answers: missing (a record needs at least one answer)", "", ""}},
		{name: "answers null", in: "answers:\n",
			err: errWant{CodeWrongType, 1, 9, "answers: expected a mapping, got null", "", ""}},
		{name: "no instruments", in: "answers: {}\n",
			err: errWant{CodeEmpty, 1, 10, "answers: no instruments (a record needs at least one answer)", "", ""}},
		{name: "all null", in: "answers: {p: {a: ~}, q: {}}\n",
			err: errWant{CodeEmpty, 1, 10, "answers: no answers (every instrument is empty or all its answers are null)", "", ""}},
		{name: "instrument not a mapping", in: "answers: {p: [1]}\n",
			err: errWant{CodeWrongType, 1, 14, "answers.p: expected a mapping of answers, got a sequence", "p", ""}},
		{name: "context not a mapping", in: "context: 3\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeWrongType, 1, 10, "context: expected a mapping, got an integer", "", ""}},
		{name: "context values the engine judges", in: "context: {mme: .inf, dose: 45.5, on: true, age: 2.0, x: [1], y: {a: 1}}\nanswers: {p: {q: 1}}\n",
			want: &screen.Response{Context: map[string]any{"mme": json.Number(".inf"), "dose": json.Number("45.5"), "on": true, "age": int64(2), "x": []any{}, "y": map[string]any{}},
				Answers: map[string]map[string]any{"p": {"q": int64(1)}}}},
		{name: "empty keys", in: "answers: {'': {q: 1}}\n",
			err: errWant{CodeEmptyKey, 1, 11, "answers: empty instrument key", "", ""}},
		{name: "empty item", in: "answers: {p: {'': 1}}\n",
			err: errWant{CodeEmptyKey, 1, 15, "answers.p: empty item id", "p", ""}},
		{name: "empty context key", in: "context: {'': 1}\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeEmptyKey, 1, 11, "context: empty key", "", ""}},
		// An item answered twice: both answers, as a list (conflicting answers, an error of the item).
		{name: "duplicate item", in: "answers:\n  phq9:\n    q1: 1\n    q1: 2\n",
			want: &screen.Response{Answers: map[string]map[string]any{"phq9": {"q1": []any{int64(1), int64(2)}}}}},
		{name: "duplicate item quoted", in: "answers: {p: {q1: 1, 'q1': 2}}\n",
			want: &screen.Response{Answers: map[string]map[string]any{"p": {"q1": []any{int64(1), int64(2)}}}}},
		{name: "duplicate instrument", in: "answers: {p: {q: 1}, p: {r: 1}}\n",
			err: errWant{CodeDuplicateKey, 1, 22, "answers.p: duplicate instrument", "p", ""}},
		{name: "duplicate top-level", in: "answers: {p: {q: 1}}\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeDuplicateKey, 2, 1, "answers: duplicate key", "", ""}},
		{name: "duplicate context key", in: "context: {a: 1, a: 1}\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeDuplicateKey, 1, 17, "context.a: duplicate key", "", ""}},
		{name: "anchor", in: "answers: {p: &x {q: 1}}\n",
			err: errWant{CodeAlias, 1, 14, "answers.p: YAML anchors are not allowed in response files", "p", ""}},
		{name: "alias", in: "context: &c {a: 1}\nanswers: {p: {q: 1}}\n",
			err: errWant{CodeAlias, 1, 10, "context: YAML anchors are not allowed in response files", "", ""}},
		{name: "alias value", in: "subject: &s x\nanswers: {p: {q: *s}}\n",
			err: errWant{CodeAlias, 1, 10, "subject: YAML anchors are not allowed in response files", "", ""}},
		{name: "merge key", in: "answers:\n  <<: {p: {a: 1}}\n",
			err: errWant{CodeAlias, 2, 3, "answers: YAML merge keys (<<) are not allowed in response files", "", ""}},
		{name: "complex key", in: "? [a, b]\n: 1\n",
			err: errWant{CodeWrongType, 1, 3, "record: key is a sequence, not a string", "", ""}},
		{name: "record not a mapping", in: "--- 42\n",
			err: errWant{CodeWrongType, 1, 5, "record: expected a mapping, got an integer", "", ""}},
		{name: "string too long", in: "subject: abcdefghij\nanswers: {p: {q: 1}}\n", lim: Limits{MaxStringBytes: 8},
			err: errWant{CodeTooLarge, 1, 10, "subject: string is longer than 8 bytes", "", ""}},
		{name: "key too long", in: "answers: {p: {abcdefghij: 1}}\n", lim: Limits{MaxStringBytes: 8},
			err: errWant{CodeTooLarge, 1, 15, "answers.p: key is longer than 8 bytes", "p", ""}},
		{name: "too many answers", in: "answers: {p: {a: 1, b: 2}, q: {c: 3}}\n", lim: Limits{MaxAnswers: 2},
			err: errWant{CodeTooLarge, 1, 32, "answers: more than 2 answers", "q", "c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := one(t, FormatYAML, c.in, c.lim)
			if c.want != nil {
				require.Nil(t, r.Err, "%v", r.Err)
				assert.Equal(t, c.want, r.Response)
				return
			}
			checkErr(t, c.err, r.Err)
		})
	}
}

func TestYAMLStream(t *testing.T) {
	in := "\xef\xbb\xbf# a stream\r\n" +
		"subject: a\r\n" + // line 2: doc 1, a mapping
		"answers: {p: {q: 1}}\r\n" +
		"---\n" +
		"- subject: b\n" + // line 5: doc 2, a sequence of three
		"  answers: {p: {q: 2}}\n" +
		"- 17\n" + // line 7
		"- {answers: {p: {q: 1.5}}}\n" + // line 8
		"---\n" + // an empty document holds no record
		"--- []\n" + // an empty sequence holds none either
		"---\n" +
		"answers:\n" + // line 12
		"  p: {q: x}\n" +
		"...\n"
	recs, err := decodeAll(t, FormatYAML, in, Limits{})
	require.NoError(t, err)
	require.Len(t, recs, 5)
	assert.Equal(t, []int{2, 5, 7, 8, 12}, []int{recs[0].Line, recs[1].Line, recs[2].Line, recs[3].Line, recs[4].Line})
	assert.Equal(t, "a", recs[0].Response.Subject)
	assert.Equal(t, "b", recs[1].Response.Subject)
	checkErr(t, errWant{CodeWrongType, 7, 3, "record: expected a mapping, got an integer", "", ""}, recs[2].Err)
	require.Nil(t, recs[3].Err)
	assert.Equal(t, json.Number("1.5"), recs[3].Response.Answers["p"]["q"])
	assert.Equal(t, "x", recs[4].Response.Answers["p"]["q"])
}

func TestYAMLFatal(t *testing.T) {
	ok := "answers: {p: {q: 1}}\n"
	cases := []struct {
		name  string
		in    string
		nrecs int
		err   Error
	}{
		{"empty", "", 0, Error{Code: CodeEmpty, Msg: "input is empty (no YAML document)"}},
		{"only comments", "# nothing\n\n", 0, Error{Code: CodeEmpty, Msg: "input is empty (no YAML document)"}},
		{"only empty documents", "---\n---\n...\n", 0, Error{Code: CodeEmpty, Msg: "input is empty (no YAML document)"}},
		{"syntax error in the second document", ok + "---\n" + "answers:\n  p:\n    q: 1\n   r: 2\n", 1,
			Error{Line: 3, Code: CodeSyntax, Msg: "YAML syntax error: did not find expected key"}}, // yaml.v3 gives the line where the mapping starts
		{"unclosed flow", "answers: {p: [1\n", 0, Error{Line: 1, Code: CodeSyntax, Msg: "YAML syntax error"}},
		{"tab indentation", "answers:\n\tp: 1\n", 0, Error{Line: 2, Code: CodeSyntax, Msg: "YAML syntax error: found character that cannot start any token"}},
		{"unknown alias", ok + "---\nanswers: {p: {q: *nope}}\n", 1,
			Error{Code: CodeAlias, Msg: "YAML syntax error: bad anchor or alias (anchors and aliases are not allowed in response files)"}},
		{"anchored sequence", "&all\n- " + ok, 0, Error{Line: 1, Col: 1, Code: CodeAlias, Msg: "document: YAML anchors are not allowed in response files"}},
		// Documents are parsed one at a time: the record before the bad one is returned.
		{"invalid utf8", ok + "---\nsubject: \"\xff\"\n" + ok, 1, Error{Code: CodeInvalidUTF8, Msg: "input is not valid UTF-8"}},
		{"utf16", "\xff\xfea\x00", 0, Error{Line: 1, Col: 1, Code: CodeInvalidUTF8, Msg: "input is UTF-16; response files must be UTF-8"}},
		{"bad escape", "subject: \"\\ud800\"\n" + ok, 0, Error{Code: CodeSyntax, Msg: "YAML syntax error: found invalid Unicode character escape code"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs, err := decodeAll(t, FormatYAML, c.in, Limits{})
			assert.Len(t, recs, c.nrecs)
			e := fatalErr(t, err)
			if c.err.Line == 0 { // yaml.v3 does not always know the line
				e.Line = 0
			}
			assert.Equal(t, c.err, *e)
		})
	}
}

func TestYAMLLimits(t *testing.T) {
	doc := "answers: {p: {q: 1}}\n---\nanswers: {p: {q: 2}}\n"
	recs, err := decodeAll(t, FormatYAML, doc, Limits{MaxDocumentBytes: int64(len(doc))})
	require.NoError(t, err)
	assert.Len(t, recs, 2)
	_, err = decodeAll(t, FormatYAML, doc, Limits{MaxDocumentBytes: int64(len(doc) - 1)})
	assert.Equal(t, CodeTooLarge, fatalErr(t, err).Code)

	recs, err = decodeAll(t, FormatYAML, "- "+strings.TrimSpace(doc[:21])+"\n- "+strings.TrimSpace(doc[:21])+"\n- "+strings.TrimSpace(doc[:21])+"\n", Limits{MaxRecords: 2})
	assert.Len(t, recs, 2)
	assert.Equal(t, CodeTooManyRecords, fatalErr(t, err).Code)
}

func TestYAMLBillionLaughs(t *testing.T) {
	in := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nanswers: {p: {q: *e}}\n"
	r := one(t, FormatYAML, in, Limits{})
	require.NotNil(t, r.Err)
	assert.Equal(t, CodeUnknownField, r.Err.Code, "the first problem is the unknown key a; aliases are never expanded")
	r = one(t, FormatYAML, "subject: &a x\n"+strings.Repeat("x: [*a, *a]\n", 1000)+"answers: {p: {q: *a}}\n", Limits{})
	require.NotNil(t, r.Err)
	assert.Equal(t, CodeAlias, r.Err.Code)
}

// A block list is read one item at a time: memory holds a group of items, not the list. A list of a
// hundred thousand one-character items (400 kB) once took some 28 MB of yaml.v3 nodes; a 30 MB one
// took 2 GB.
func TestYAMLListIsStreamed(t *testing.T) {
	const n = 100_000
	d := NewDecoder(strings.NewReader(strings.Repeat("- 1\n", n)), FormatYAML, Limits{})
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	for i := 0; ; i++ {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			require.Equal(t, n, i)
			break
		}
		require.NoError(t, err)
		require.NotNil(t, r.Err)
		require.Equal(t, CodeWrongType, r.Err.Code)
		if i%25_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	assert.Less(t, int64(peak)-int64(base), int64(8<<20), "live heap while reading")
}

// Items are cut at the lines that start one; an item that does not parse alone is parsed with the next
// ones; an item too large, or not UTF-8, is an error record and the next ones are read; a document that is
// not a block list is parsed whole and may be at most MaxRecordBytes long.
func TestYAMLListItems(t *testing.T) {
	rec := func(q string) string { return "- answers: {p: {q: " + q + "}}\n" }
	big := "- answers: {p: {q: \"" + strings.Repeat("x", 200) + "\"}}\n"
	for _, tc := range []struct {
		name  string
		in    string
		lim   Limits
		codes []string // "" for a response
		fatal string
	}{
		{"quoted string over two items", "- subject: \"a\n- b\"\n  answers: {p: {q: 1}}\n" + rec("2"), Limits{}, []string{"", ""}, ""},
		{"single-quoted string over two items", "- subject: 'a\n- b'\n  answers: {p: {q: 1}}\n" + rec("2"), Limits{}, []string{"", ""}, ""},
		{"long marker lines", "--- " + rec("1") + "--- " + strings.Repeat(" ", 200) + "\n" + rec("2"), Limits{MaxRecordBytes: 100}, []string{""}, CodeTooLarge},
		{"content after the end", rec("1") + "... x\n", Limits{}, []string{""}, CodeSyntax},
		{"item too large", rec("1") + big + rec("3"), Limits{MaxRecordBytes: 100}, []string{"", CodeTooLarge, ""}, ""},
		{"item not UTF-8", rec("1") + rec("\"\xff\"") + rec("3"), Limits{}, []string{"", CodeInvalidUTF8, ""}, ""},
		{"indented list", "  " + rec("1") + "  " + rec("2"), Limits{}, []string{"", ""}, ""},
		{"syntax error in an item", rec("1") + "- answers: {p: {q: 1}\n" + rec("3"), Limits{}, []string{""}, CodeSyntax},
		{"flow list too large", "[" + strings.Repeat("{answers: {p: {q: 1}}}, ", 10) + "]\n", Limits{MaxRecordBytes: 100}, nil, CodeTooLarge},
		{"documents", "answers: {p: {q: 1}}\n---\n" + rec("2") + "--- " + rec("3") + "...\n" + rec("4"), Limits{}, []string{"", "", "", ""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, g := range []int{16 << 10, 0} {
				yamlGroupBytes = g
				recs, err := decodeAll(t, FormatYAML, tc.in, tc.lim)
				var codes []string
				for _, r := range recs {
					code := ""
					if r.Err != nil {
						code = r.Err.Code
					}
					codes = append(codes, code)
				}
				assert.Equal(t, tc.codes, codes, "records (group %d)", g)
				if tc.fatal == "" {
					assert.NoError(t, err)
				} else {
					assert.Equal(t, tc.fatal, fatalErr(t, err).Code)
				}
			}
			yamlGroupBytes = 16 << 10
		})
	}
}
