package screen_test

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen/diag"

	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/instruments"
	"github.com/painscreen/painscreen/rules"
	"github.com/painscreen/painscreen/screen"
)

// addYAMLSeeds adds every definition file (not suites) of fsys to the fuzz corpus.
func addYAMLSeeds(f *testing.F, fsys fs.FS) {
	f.Helper()
	require.NoError(f, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, "_test.yaml") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err == nil {
			f.Add(b)
		}
		return err
	}))
}

// FuzzLoadDefinition loads arbitrary bytes as an instrument or rule-set file next to the bundled
// catalogue. It must never panic: it either builds an engine (which must then score without panicking)
// or fails with Diagnostics.
func FuzzLoadDefinition(f *testing.F) {
	addYAMLSeeds(f, instruments.FS)
	addYAMLSeeds(f, rules.FS)
	addYAMLSeeds(f, os.DirFS("testdata"))
	f.Add([]byte("id: x\nversion: 1.0.0\nitems: []\n"))
	f.Add([]byte("a: &a [*a, *a]\nitems: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"fuzz/def.v1.yaml": {Data: data}}
		eng, err := screen.New(screen.WithDefinitions(fsys, ""), screen.WithoutRuleSet())
		if err != nil {
			var diags diag.List
			if !errors.As(err, &diags) {
				t.Fatalf("New failed without Diagnostics: %v", err)
			}
			for _, d := range diags {
				if d.Code == "" || d.Message == "" {
					t.Fatalf("diagnostic without code or message: %+v", d)
				}
			}
			return
		}
		// Score something against every loaded instrument: answer each item with its first option
		// value or range minimum (errors are fine, panics are not).
		for _, info := range eng.Instruments() {
			doc, err := eng.Describe(info.ID + "@" + info.Version)
			if err != nil {
				t.Fatal(err)
			}
			items := map[string]any{}
			for _, it := range doc.Items {
				switch {
				case len(it.Options) > 0:
					items[it.ID] = it.Options[len(it.Options)-1].Value
				case it.Min != nil:
					items[it.ID] = *it.Min
				}
			}
			_, err = eng.Score(context.Background(), &screen.Response{Answers: map[string]map[string]any{info.ID + "@" + info.Version: items}})
			var se *screen.ScoreError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("Score failed without a ScoreError: %v", err)
			}
		}
	})
}

// FuzzScore scores arbitrary answers, context values and keys with the bundled engine. Every outcome must
// be a report or a *ScoreError; never a panic, and never an error that echoes an answer value.
func FuzzScore(f *testing.F) {
	eng, err := screen.New(bundled.Definitions())
	require.NoError(f, err)
	var insts []string
	items := map[string][]string{}
	for _, in := range eng.Instruments() {
		insts = append(insts, in.ID)
		doc, err := eng.Describe(in.ID)
		require.NoError(f, err)
		for _, it := range doc.Items {
			items[in.ID] = append(items[in.ID], it.ID)
		}
	}
	f.Add([]byte{0, 0, 2, 0, 1, 1, 0, 2, 3}, int64(47), "female")
	f.Add([]byte{5, 0, 3, 5, 1, 2, 5, 2, 7, 5, 3, 7, 5, 4, 7}, int64(-1), "male")
	f.Add([]byte{255, 255, 255}, int64(200), "\xff")
	f.Fuzz(func(t *testing.T, data []byte, age int64, sex string) {
		r := &screen.Response{Subject: "FUZZ-SUBJECT", Context: map[string]any{"age": age, "sex": sex},
			Answers: map[string]map[string]any{}}
		for i := 0; i+2 < len(data); i += 3 {
			inst := "unknown_instrument"
			if int(data[i]) < len(insts) {
				inst = insts[data[i]]
			}
			m := r.Answers[inst]
			if m == nil {
				m = map[string]any{}
				r.Answers[inst] = m
			}
			its := items[inst]
			item := "unknown_item"
			if len(its) > 0 && int(data[i+1]) < 2*len(its) {
				item = its[int(data[i+1])%len(its)]
			}
			var v any
			switch b := data[i+2]; {
			case b < 200:
				v = int(b) - 10
			case b < 210:
				v = "LA6568-5"
			case b < 220:
				v = nil
			case b < 230:
				v = 1.5
			case b < 240:
				v = true
			default:
				v = "SECRET-VALUE"
			}
			m[item] = v
		}
		rep, err := eng.Score(context.Background(), r)
		if err != nil {
			var se *screen.ScoreError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a ScoreError: %v", err)
			}
			if strings.Contains(err.Error(), "SECRET-VALUE") || strings.Contains(err.Error(), "FUZZ-SUBJECT") {
				t.Fatalf("error echoes health data: %v", err)
			}
			return
		}
		if _, err := rep.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}
