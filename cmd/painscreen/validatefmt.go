package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/suite"
)

// validation is what validate found: the diagnostics of the definitions and of the test suites beside
// them, and what loaded.
type validation struct {
	diags                 diag.List
	instruments, ruleSets []string
	suites                int
}

// validateAll checks the definitions in srcs (screen.Check), the test suites among them (their shape,
// their targets, every id their wants name: suite.Check), and that each PATH the user named holds a
// definition or a suite and that some definition was found at all.
func validateAll(srcs []defSource, userPaths bool) (*validation, error) {
	res, err := screen.Check(sourceOptions(srcs)...)
	if err != nil {
		return nil, err
	}
	v := &validation{diags: res.Diagnostics, instruments: res.Instruments, ruleSets: res.RuleSets}
	var suites []*suite.Suite
	for _, s := range srcs {
		if s.bundled {
			continue // --bundled brings definitions to check against; the suites are the user's
		}
		ss, err := suite.Load(s.fsys, s.label)
		var ds diag.List
		switch {
		case errors.As(err, &ds):
			v.diags = append(v.diags, ds...)
		case err != nil:
			return nil, err
		}
		suites = append(suites, ss...)
		if !userPaths {
			continue
		}
		if defs, nsuites := countFiles(s.fsys); defs == 0 {
			what := "no instrument or rule-set definitions (and no test suites)"
			if nsuites > 0 {
				what = fmt.Sprintf("no instrument or rule-set definitions, only %s", plural(nsuites, "test suite"))
			}
			v.diags = append(v.diags, diag.Diagnostic{Pos: diag.Pos{File: pathLabel(s)}, Code: "no_definitions",
				Message: what + " (a definition is a *.yaml file that is not *_test.yaml)", Severity: sourceSeverity(nsuites)})
		}
	}
	v.suites = len(suites)
	if len(v.instruments)+len(v.ruleSets) == 0 && !v.diags.HasErrors() {
		// Nothing loaded from any PATH: a PATH of suites only is then an error too.
		found := false
		for i := range v.diags {
			if v.diags[i].Code == "no_definitions" {
				v.diags[i].Severity, found = diag.Error, true
			}
		}
		if !found {
			v.diags = append(v.diags, diag.Diagnostic{Code: "no_definitions", Message: "no definitions were loaded: 0 instruments, 0 rule sets"})
		}
	}
	sd, err := suite.Check(suites, sourceOptions(srcs)...)
	if err != nil {
		return nil, err
	}
	v.diags = append(v.diags, sd...)
	if userPaths {
		v.diags = append(v.diags, untestedVersions(srcs, suites, v.instruments)...)
	}
	v.diags = v.diags.Sort()
	return v, nil
}

// sourceSeverity: a PATH of suites only is fine beside other PATHs that hold their definitions (a
// warning says so); a PATH with nothing at all is an error.
func sourceSeverity(nsuites int) diag.Severity {
	if nsuites > 0 {
		return diag.Warning
	}
	return diag.Error
}

func pathLabel(s defSource) string {
	if s.label == "" {
		return "."
	}
	return s.label
}

// countFiles counts the definition and suite files under fsys by name, as the loader tells them apart
// (and where it looks: not in hidden folders or testdata).
func countFiles(fsys fs.FS) (defs, suites int) {
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
			return fs.SkipDir // the loader skips them too
		case d.IsDir():
			return nil
		}
		base := strings.ToLower(path.Base(p))
		switch {
		case strings.HasSuffix(base, "_test.yaml") || strings.HasSuffix(base, "_test.yml"):
			suites++
		case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
			defs++
		}
		return nil
	})
	return defs, suites
}

// validateJSON is validate --format json: what loaded, the counts, and every diagnostic (diag.Diagnostic's
// JSON).
type validateJSON struct {
	OK          bool      `json:"ok"`
	Instruments []string  `json:"instruments"`
	RuleSets    []string  `json:"rule_sets"`
	Suites      int       `json:"suites"`
	Errors      int       `json:"errors"`
	Warnings    int       `json:"warnings"`
	Diagnostics diag.List `json:"diagnostics"`
}

func writeValidateJSON(w io.Writer, v *validation, nerr, nwarn int) {
	out := validateJSON{OK: nerr == 0, Instruments: v.instruments, RuleSets: v.ruleSets, Suites: v.suites,
		Errors: nerr, Warnings: nwarn, Diagnostics: v.diags}
	if out.Instruments == nil {
		out.Instruments = []string{}
	}
	if out.RuleSets == nil {
		out.RuleSets = []string{}
	}
	if out.Diagnostics == nil {
		out.Diagnostics = diag.List{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
