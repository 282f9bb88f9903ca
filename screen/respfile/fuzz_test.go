package respfile

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/painscreen/painscreen/screen"
)

// The fuzz tests check the decoders' invariants on any input: no panic, every record is either a screen.Response
// or an *Error, decoded values follow scalar.go's rule (int64, valid UTF-8 strings, nil, or a value the
// engine rejects: json.Number, bool, an empty object or array), and (for JSONL, JSON and CSV) the
// record structure agrees with the standard library's reading of the same bytes.

var fuzzLimits = []Limits{{}, {MaxRecordBytes: 64, MaxStringBytes: 8, MaxDepth: 4, MaxAnswers: 3}}

// checkResponse checks the invariants of a decoded response.
func checkResponse(t *testing.T, r *screen.Response) {
	t.Helper()
	if !utf8.ValidString(r.Subject) {
		t.Fatalf("subject is not valid UTF-8")
	}
	for k, v := range r.Context {
		checkKey(t, k)
		checkValue(t, v)
	}
	if len(r.Answers) == 0 {
		t.Fatalf("response without instruments")
	}
	given := 0
	for inst, m := range r.Answers {
		checkKey(t, inst)
		for item, v := range m {
			checkKey(t, item)
			checkValue(t, v)
			if v != nil {
				given++
			}
		}
	}
	if given == 0 {
		t.Fatalf("response without answers")
	}
}

func checkKey(t *testing.T, k string) {
	t.Helper()
	if k == "" || !utf8.ValidString(k) {
		t.Fatalf("bad key %q", k)
	}
}

func checkValue(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil, int64, bool:
	case string:
		if !utf8.ValidString(v) {
			t.Fatalf("string value is not valid UTF-8: %q", v)
		}
	case json.Number:
		// Any other number, for the engine to reject: never one it would read as a whole number.
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil || !utf8.ValidString(string(v)) {
			t.Fatalf("number %q should have been decoded as an int64", v)
		}
	case map[string]any:
		if len(v) != 0 {
			t.Fatalf("an object value keeps its content")
		}
	case []any:
		// An item answered twice in one record (a duplicate key) is the list of its answers (appendAnswer);
		// an array written as a value keeps no content.
		if len(v) == 1 {
			t.Fatalf("an array value keeps its content")
		}
		for _, x := range v {
			if l, ok := x.([]any); ok && len(l) != 0 {
				t.Fatalf("an array value keeps its content")
			}
			checkValue(t, x)
		}
	default:
		t.Fatalf("value of type %T", v)
	}
}

// fuzzDecode reads every record, checking the invariants common to all formats, and checks that reading
// the input a few bytes at a time gives the same records.
func fuzzDecode(t *testing.T, f Format, in []byte, lim Limits) (recs []Record, fatal error) {
	t.Helper()
	recs, fatal = fuzzDecodeFrom(t, NewDecoder(bytes.NewReader(in), f, lim), in)
	chunk := 1 + len(in)%5
	recs2, fatal2 := fuzzDecodeFrom(t, NewDecoder(&smallReader{data: string(in), n: chunk}, f, lim), in)
	if !reflect.DeepEqual(recs, recs2) || !reflect.DeepEqual(fatal, fatal2) {
		t.Fatalf("reading %d bytes at a time gives other records:\n%v %v\n%v %v", chunk, recs, fatal, recs2, fatal2)
	}
	// A decoder given back each response set (Recycle) reads every record the same.
	d := NewDecoder(bytes.NewReader(in), f, lim)
	for i := 0; ; i++ {
		r, err := d.Next()
		if err != nil {
			if i != len(recs) || (err != io.EOF) != (fatal != nil) {
				t.Fatalf("recycling: %d records then %v, want %d then %v", i, err, len(recs), fatal)
			}
			break
		}
		if i >= len(recs) || !reflect.DeepEqual(r, recs[i]) {
			t.Fatalf("recycling: record %d differs", i+1)
		}
		d.Recycle(r.Response)
	}
	return recs, fatal
}

func fuzzDecodeFrom(t *testing.T, d *Decoder, in []byte) (recs []Record, fatal error) {
	t.Helper()
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("fatal error is not an *Error: %v", err)
			}
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("fatal error without code or message: %#v", e)
			}
			return recs, err
		}
		if r.N != len(recs)+1 {
			t.Fatalf("record %d numbered %d", len(recs)+1, r.N)
		}
		if (r.Err == nil) == (r.Response == nil) {
			t.Fatalf("record %d: screen.Response %v, Err %v", r.N, r.Response, r.Err)
		}
		if r.Err != nil {
			if r.Err.Code == "" || r.Err.Msg == "" || r.Err.Record != r.N {
				t.Fatalf("record %d: bad error %#v", r.N, r.Err)
			}
		} else {
			checkResponse(t, r.Response)
		}
		if len(recs) > 0 && r.Line < recs[len(recs)-1].Line {
			t.Fatalf("record %d: line %d before line %d", r.N, r.Line, recs[len(recs)-1].Line)
		}
		recs = append(recs, r)
		if len(recs) > len(in)+1 {
			t.Fatalf("more records than bytes")
		}
	}
}

var jsonSeeds = []string{
	fullBattery("SUBJ-0000001"),
	`{"subject":"S-1","context":{"age":47,"sex":"female","site":null},"answers":{"phq9@1.0.0":{"q1":0,"q2":-3,"difficulty":"LA6570-1","q9":null}}}`,
	`{"answers":{"phq9":{"q1":1.5,"q1":true}}}`,
	`{"subject":"a\"b\\c\/\u00e9\ud83d\ude00\n","answers":{"ph\u0071":{"q\t":"x\u0000y","r":"\ud800"}}}`,
	`{"answers":{"p":{"q":[[[{"a":[1,2,{}]}]]],"r":9223372036854775808,"s":-0,"t":1e400}}}`,
	`{"answers":{}}`, `{}`, `[]`, `null`, `{"answers":{"p":{}}}`, `{"x":1}`,
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(strings.Join(jsonSeeds, "\n")))
	f.Add([]byte("\xef\xbb\xbf" + jsonSeeds[0] + "\r\n\r\n  \n" + jsonSeeds[1] + "\n{\"answers\":{\"p\":{\"q\":"))
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		// The physical lines that are records.
		body := bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
		var lines []int
		var contents [][]byte
		for i, l := range bytes.SplitAfter(body, []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			if !isBlank(l) {
				lines = append(lines, i+1)
				contents = append(contents, bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r")))
			}
		}
		for _, lim := range fuzzLimits {
			recs, fatal := fuzzDecode(t, FormatJSONL, in, lim)
			if fatal != nil && isUTF16(in[:min(len(in), 4)]) {
				continue // the one fatal problem of JSONL data: it is not UTF-8 text at all
			}
			if fatal != nil {
				t.Fatalf("JSONL decoding stopped: %v", fatal)
			}
			if len(recs) != len(lines) {
				t.Fatalf("%d records for %d non-blank lines", len(recs), len(lines))
			}
			for i, r := range recs {
				if r.Line != lines[i] {
					t.Fatalf("record %d: line %d, want %d", r.N, r.Line, lines[i])
				}
				if r.Err != nil && r.Err.Line != r.Line {
					t.Fatalf("record %d: error on line %d, record on line %d", r.N, r.Err.Line, r.Line)
				}
				if lim == (Limits{}) {
					compareWithEncodingJSON(t, contents[i], r)
				}
			}
		}
	})
}

// compareWithEncodingJSON checks one JSON record against encoding/json's view of the same bytes.
func compareWithEncodingJSON(t *testing.T, raw []byte, r Record) {
	t.Helper()
	valid := json.Valid(raw)
	if r.Err != nil && r.Err.Code == CodeSyntax && valid {
		t.Fatalf("record %d: syntax error %v on valid JSON", r.N, r.Err)
	}
	if !valid && r.Err == nil {
		t.Fatalf("record %d: invalid JSON accepted", r.N)
	}
	// A record that parses is never an error record because of an answer's value (§1a rule 1): such a
	// value is passed on for the engine to report as an error of its item.
	if valid && r.Err != nil && (r.Err.Code == CodeNotInteger || (r.Err.Code == CodeWrongType && r.Err.Item != "")) {
		t.Fatalf("record %d: an answer's value made the record an error record: %v", r.N, r.Err)
	}
	if r.Response == nil {
		return
	}
	var generic struct {
		Subject *string                               `json:"subject"`
		Context map[string]any                        `json:"context"`
		Answers map[string]map[string]json.RawMessage `json:"answers"`
	}
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatalf("record %d accepted, encoding/json says %v", r.N, err)
	}
	if len(generic.Answers) != len(r.Response.Answers) {
		t.Fatalf("record %d: %d instruments, encoding/json finds %d", r.N, len(r.Response.Answers), len(generic.Answers))
	}
	for inst, m := range generic.Answers {
		got, ok := r.Response.Answers[inst]
		if !ok || len(got) != len(m) {
			t.Fatalf("record %d: instrument %q differs", r.N, inst)
		}
		for item, v := range m {
			gotv := got[item]
			if l, ok := gotv.([]any); ok && len(l) > 1 {
				gotv = l[len(l)-1] // a duplicate key: its answers in order, where encoding/json keeps the last
			}
			var want any
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			switch w := want.(type) {
			case json.Number:
				// Whole numbers, including a fraction of zeros (2.0), decode to int64.
				text := string(bytes.TrimSpace(v))
				if whole, frac, ok := strings.Cut(text, "."); ok && strings.Trim(frac, "0") == "" {
					text = whole
				}
				n, err := strconv.ParseInt(text, 10, 64)
				if err == nil && gotv != n {
					t.Fatalf("record %d: %s.%s = %v, encoding/json reads %s", r.N, inst, item, gotv, v)
				}
				if err != nil && gotv != w && !(len(w) > DefaultMaxStringBytes && gotv == badNumber) {
					t.Fatalf("record %d: %s.%s = %#v, encoding/json reads %s: not passed on as its text", r.N, inst, item, gotv, v)
				}
			case []any:
				if g, ok := gotv.([]any); !ok || len(g) != 0 {
					t.Fatalf("record %d: %s.%s = %#v, encoding/json reads an array", r.N, inst, item, gotv)
				}
			case map[string]any:
				if g, ok := gotv.(map[string]any); !ok || len(g) != 0 {
					t.Fatalf("record %d: %s.%s = %#v, encoding/json reads an object", r.N, inst, item, gotv)
				}
			default:
				if gotv != w {
					t.Fatalf("record %d: %s.%s = %v, encoding/json reads %v", r.N, inst, item, gotv, w)
				}
			}
		}
	}
	if generic.Subject != nil && *generic.Subject != r.Response.Subject {
		t.Fatalf("record %d: subject differs", r.N)
	}
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte("[" + strings.Join(jsonSeeds, ",\n") + "]"))
	f.Add([]byte("\xef\xbb\xbf[\r\n" + jsonSeeds[0] + ",\r\n42, \"x\", null, []\r\n]\r\n"))
	f.Add([]byte("[" + jsonSeeds[1] + ",]"))
	f.Add([]byte("[" + jsonSeeds[1] + "] x"))
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, lim := range fuzzLimits {
			recs, fatal := fuzzDecode(t, FormatJSON, in, lim)
			if lim != (Limits{}) {
				continue
			}
			// Differential check against encoding/json, unless an element was skipped unparsed.
			for _, r := range recs {
				if r.Err != nil && (r.Err.Code == CodeTooDeep || r.Err.Code == CodeTooLarge) {
					return
				}
			}
			body := bytes.TrimPrefix(in, []byte("\xef\xbb\xbf"))
			if !json.Valid(body) {
				if fatal == nil {
					t.Fatalf("invalid JSON read without a fatal error (%d records)", len(recs))
				}
				continue
			}
			if fatal != nil {
				t.Fatalf("valid JSON: %v", fatal)
			}
			var top any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&top); err != nil {
				t.Fatal(err)
			}
			want := 1
			if a, ok := top.([]any); ok {
				want = len(a)
			}
			if len(recs) != want {
				t.Fatalf("%d records, encoding/json finds %d", len(recs), want)
			}
			if _, ok := top.([]any); !ok && len(recs) == 1 {
				compareWithEncodingJSON(t, body, recs[0])
			}
		}
	})
}

var csvSeeds = []string{
	fullBatteryCSVHeader() + fullBatteryCSVRow("SUBJ-0000001") + fullBatteryCSVRow("SUBJ-0000002"),
	"subject,context.age,phq9@1.0.0.q1,phq9@1.0.0.q2\r\nS1,47,0,LA6568-5\r\n\"S,2\",,\"multi\nline\",\"q\"\"q\"\r\n\r\nS3,1.5,01,+1\n",
	"subject,p.q\na,\"x\"y\nb,c\"d\nc,1,2\nd,\n\"e",
	"p.q,p.q\n1,2\n", "subject\nx\n", "",
}

func FuzzCSV(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("\xef\xbb\xbf" + csvSeeds[1]))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, lim := range fuzzLimits {
			recs, fatal := fuzzDecode(t, FormatCSV, in, lim)
			if lim != (Limits{}) || isUTF16(in[:min(len(in), 4)]) {
				continue
			}
			compareWithEncodingCSV(t, bytes.TrimPrefix(in, []byte("\xef\xbb\xbf")), recs, fatal, CSVOptions{}, sniffed(in))
		}
	})
}

// sniffed returns the delimiter a decoder picks for in.
func sniffed(in []byte) byte {
	d := NewDecoder(bytes.NewReader(in), FormatCSV, Limits{})
	_, _ = d.Next()
	if d.Delimiter() == 0 {
		return ','
	}
	return d.Delimiter()
}

// FuzzCSVOptions reads arbitrary CSV with a delimiter, NA tokens and kept columns, and requires the same
// records as encoding/csv with that delimiter.
func FuzzCSVOptions(f *testing.F) {
	f.Add([]byte("site;subject;p.q;p__r;p_complete\r\nA;s;1;NA\r\n\"B;\";;-99;x;2\n"), byte(';'), "NA,-99", "site")
	f.Add([]byte("subject\tp.q\tvisit\n\"s\t1\"\t.\tv\n"), byte(0), ".", "visit,site")
	f.Add([]byte(csvSeeds[1]), byte(','), "", "")
	f.Add([]byte("subject,date,p.q\na,05/01/2026,1\nb,13/01/2026,2\nc,2026-01-05T10:00:00Z,\nd,5.1.2026,3\n"), byte(0), "", "")
	f.Add([]byte("record_id,visit_date,p.q,p_complete\na,01/13/2026,1,2\nb,,,0\n"), byte(4), "", "")
	f.Fuzz(func(t *testing.T, in []byte, delim byte, na, keep string) {
		// The delimiter's byte also picks the date options: the layout, and REDCap's column names.
		var dateFormat string
		if k := int(delim) % 8; k < len(DateFormats) {
			dateFormat = DateFormats[k]
		}
		redcap := delim == 4
		switch delim {
		case 0, ',', ';', '\t':
		default:
			delim = ';'
		}
		opt := CSVOptions{Delimiter: delim, DateFormat: dateFormat}
		if redcap {
			opt.SubjectColumn, opt.DateColumn = "record_id", "visit_date"
		}
		if na != "" {
			opt.NA = strings.Split(na, ",")
		}
		if keep != "" {
			opt.Keep = strings.Split(keep, ",")
		}
		if isUTF16(in[:min(len(in), 4)]) {
			return
		}
		d := NewCSVDecoder(bytes.NewReader(in), Limits{}, opt)
		recs, fatal := fuzzDecodeFrom(t, d, in)
		recs2, fatal2 := fuzzDecodeFrom(t, NewCSVDecoder(&smallReader{data: string(in), n: 1 + len(in)%5}, Limits{}, opt), in)
		if !reflect.DeepEqual(recs, recs2) || !reflect.DeepEqual(fatal, fatal2) {
			t.Fatalf("reading a few bytes at a time gives other records")
		}
		if delim == 0 {
			delim = sniffed(in)
		}
		compareWithEncodingCSV(t, bytes.TrimPrefix(in, []byte("\xef\xbb\xbf")), recs, fatal, opt, delim)
	})
}

// compareWithEncodingCSV checks the rows against encoding/csv's reading of the same bytes.
func compareWithEncodingCSV(t *testing.T, in []byte, recs []Record, fatal error, opt CSVOptions, delim byte) {
	t.Helper()
	na := newNASet(opt.NA)
	type row struct {
		fields []string
		err    error
		line   int
	}
	var rows []row
	cr := csv.NewReader(bytes.NewReader(in))
	cr.FieldsPerRecord = -1
	cr.Comma = rune(delim)
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			break
		}
		var line int
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = pe.StartLine
		} else if err != nil {
			t.Fatal(err)
		} else {
			line, _ = cr.FieldPos(0)
		}
		rows = append(rows, row{fields: fields, err: err, line: line})
	}
	if len(rows) == 0 {
		if fatal == nil {
			t.Fatalf("no header, no fatal error")
		}
		return
	}
	if rows[0].err != nil {
		var e *Error
		if !errors.As(fatal, &e) || e.Code != CodeSyntax {
			t.Fatalf("header: encoding/csv says %v, decoder says %v", rows[0].err, fatal)
		}
		return
	}
	if fatal != nil {
		var e *Error
		if errors.As(fatal, &e) && (e.Code == CodeCSVHeader || e.Code == CodeTooLarge) && len(recs) == 0 {
			return // a header the decoder rejects
		}
		t.Fatalf("fatal %v", fatal)
	}
	// Rows with the header's number of fields whose answer cells are all empty or NA are skipped (REDCap
	// event rows): not records.
	var data []row
	for _, rw := range rows[1:] {
		if rw.err == nil && len(rw.fields) == len(rows[0].fields) && noAnswerCells(rows[0].fields, rw.fields, na, opt) {
			continue
		}
		data = append(data, rw)
	}
	if len(recs) != len(data) {
		t.Fatalf("%d records, encoding/csv reads %d rows", len(recs), len(data))
	}
	header := rows[0].fields
	for i, r := range recs {
		want := data[i]
		if want.err != nil {
			if r.Err == nil || r.Err.Code != CodeSyntax {
				t.Fatalf("record %d: encoding/csv says %v, decoder says %v", r.N, want.err, r.Err)
			}
			continue
		}
		if r.Line != want.line {
			t.Fatalf("record %d: line %d, encoding/csv says %d", r.N, r.Line, want.line)
		}
		if r.Err != nil {
			if r.Err.Code == CodeSyntax {
				t.Fatalf("record %d: syntax error %v, encoding/csv reads it", r.N, r.Err)
			}
			if (r.Err.Code == CodeCSVColumns) != (len(want.fields) != len(header)) {
				t.Fatalf("record %d: %v with %d fields for %d columns", r.N, r.Err, len(want.fields), len(header))
			}
			continue
		}
		for j, name := range header {
			cell := want.fields[j]
			var got any
			if k := slices.Index(opt.Keep, name); k >= 0 {
				if r.Kept[k] != cell {
					t.Fatalf("record %d: kept column %q differs", r.N, name)
				}
				continue
			}
			inst, item, answer := splitAnswerColumn(name)
			switch {
			case name == "subject":
				// An empty, white-space or NA subject cell is no subject id (Record.SubjectErr).
				noSubject := strings.TrimSpace(cell) == "" || na.str([]byte(cell))
				if n, kind := classifyCell([]byte(cell)); kind == cellInt && len(na.ints) > 0 && na.int(n) {
					noSubject = true
				}
				if noSubject {
					if r.Response.Subject != "" || r.SubjectErr == nil {
						t.Fatalf("record %d: an NA subject is read as a subject", r.N)
					}
					continue
				}
				if r.Response.Subject != cell || r.SubjectErr != nil {
					t.Fatalf("record %d: subject differs", r.N)
				}
				continue
			case strings.HasPrefix(name, "context."):
				got = r.Response.Context[name[len("context."):]]
			case answer:
				got = r.Response.Answers[inst][item]
			default:
				continue // a REDCap bookkeeping column
			}
			var wantV any
			if cell != "" {
				n, kind := classifyCell([]byte(cell))
				switch {
				case kind == cellInt:
					if !na.int(n) {
						wantV = n
					}
				case na.str([]byte(cell)):
				case kind == cellNotInt || kind == cellOverflow:
					wantV = json.Number(cell) // passed on for the engine to judge (scalar.go)
				case strings.HasPrefix(name, "context.") && (cell == "true" || cell == "false"):
					wantV = cell == "true"
				default:
					wantV = cell
				}
			}
			if got != wantV {
				t.Fatalf("record %d: column %q = %#v, encoding/csv reads %q", r.N, name, got, cell)
			}
		}
	}
}

var yamlSeeds = []string{
	"subject: S-1\ncontext:\n  age: 47\n  sex: female\nanswers:\n  phq9@1.0.0:\n    q1: 0\n    q2: LA6568-5\n    q9:\n",
	"- {subject: a, answers: {p: {q: 1}}}\n- 17\n- {answers: {p: {q: 1.5, r: 0x1F, s: true, t: 2001-01-01}}}\n---\n---\nanswers: {p: {q: x}}\n",
	"a: &a [x, x]\nb: [*a, *a]\nanswers: {p: {q: *a}}\n",
	"answers:\n  <<: {p: {a: 1}}\n  p: {q: 1, q: 2}\n",
	"\xef\xbb\xbfanswers: {p: {q: 1}}\r\n",
	"answers: {p: [1\n",
	"- subject: \"a\n- b\"\n  answers: {p: {q: 1}}\n- answers: {p: [1,\n- 2]}\n  # c\n- answers: {p: {q: 2}}\n",
	"- &a {answers: {p: {q: 1}}}\n- *a\n- answers: {p: {q: *a}}\n- answers: {p: {q: 2}}\n",
	"%YAML 1.2\n---\n- answers: {p: {q: 1}}\n--- - answers: {p: {q: 2}}\n...\n  - answers: |\n      x\n  - 3\n",
}

// FuzzYAML reads arbitrary YAML and, when the input is valid YAML, requires the records the streaming
// reader gives (it parses a block list one item at a time) to be those of parsing each document whole.
func FuzzYAML(f *testing.F) {
	for _, s := range yamlSeeds {
		f.Add([]byte(s))
	}
	defer func(g int) { yamlGroupBytes = g }(yamlGroupBytes)
	f.Fuzz(func(t *testing.T, in []byte) {
		want, whole := wholeYAML(in)
		for i, lim := range append(fuzzLimits, Limits{}) {
			// The last run parses every item on its own: the path taken when a group does not parse.
			yamlGroupBytes = map[bool]int{true: 0, false: 16 << 10}[i == len(fuzzLimits)]
			recs, fatal := fuzzDecode(t, FormatYAML, in, lim)
			if lim != (Limits{}) || !whole {
				continue
			}
			if fatal != nil {
				t.Fatalf("valid YAML read with a fatal error after %d records: %v", len(recs), fatal)
			}
			if len(recs) != len(want) {
				t.Fatalf("%d records, %d when each document is parsed whole", len(recs), len(want))
			}
			for i := range recs {
				if recs[i].Err != nil && recs[i].Err.Code == CodeAlias && want[i].Err != nil {
					continue // an item with an alias of another item's anchor does not parse: that is its error
				}
				if !reflect.DeepEqual(recs[i], want[i]) {
					t.Fatalf("record %d: %+v %v, %+v %v when each document is parsed whole", i+1, recs[i], recs[i].Err, want[i], want[i].Err)
				}
			}
		}
	})
}

// wholeYAML reads in as a stream of YAML documents each parsed whole, as the decoder once did; ok is false
// when yaml.v3 cannot (an error, or more than fits one record's limit).
func wholeYAML(in []byte) (recs []Record, ok bool) {
	defer func() {
		if recover() != nil {
			recs, ok = nil, false
		}
	}()
	if len(in) > DefaultMaxRecordBytes || !utf8.Valid(in) || isUTF16(in[:min(len(in), 4)]) {
		return nil, false
	}
	d := NewDecoder(nil, FormatYAML, Limits{})
	dec := yaml.NewDecoder(bytes.NewReader(in))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err == io.EOF {
			return recs, len(recs) > 0
		} else if err != nil {
			return nil, false
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		nodes := []*yaml.Node{root}
		switch {
		case root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "":
			continue
		case root.Kind == yaml.SequenceNode && root.Anchor != "":
			return nil, false
		case root.Kind == yaml.SequenceNode:
			nodes = root.Content
		}
		for _, n := range nodes {
			rec := d.newRecord(n.Line)
			w := yamlWalker{d: d}
			if resp := w.record(n); w.err != nil {
				rec.Err = w.err
				rec.Err.Record = rec.N
			} else {
				rec.Response = resp
			}
			recs = append(recs, rec)
		}
	}
}

// noAnswerCells reports whether every answer cell of a row is empty or an NA token.
func noAnswerCells(header, fields []string, na naSet, opt CSVOptions) bool {
	for j, name := range header {
		if slices.Contains(opt.Keep, name) || strings.HasPrefix(name, "context.") || strings.HasPrefix(name, "context"+REDCapSeparator) {
			continue
		}
		if _, _, ok := splitAnswerColumn(name); !ok {
			continue
		}
		cell := fields[j]
		if cell == "" || na.str([]byte(cell)) {
			continue
		}
		if n, kind := classifyCell([]byte(cell)); kind == cellInt && len(na.ints) > 0 && na.int(n) {
			continue
		}
		return false
	}
	return true
}
