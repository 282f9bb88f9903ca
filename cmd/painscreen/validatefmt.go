package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

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

// validateJSON is validate --format json.
type validateJSON struct {
	OK          bool             `json:"ok"`
	Instruments []string         `json:"instruments"`
	RuleSets    []string         `json:"rule_sets"`
	Suites      int              `json:"suites"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
	Diagnostics []diagnosticJSON `json:"diagnostics"`
}

type diagnosticJSON struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Source   string `json:"source,omitempty"`
}

func writeValidateJSON(w io.Writer, v *validation, nerr, nwarn int) {
	out := validateJSON{OK: nerr == 0, Instruments: v.instruments, RuleSets: v.ruleSets, Suites: v.suites,
		Errors: nerr, Warnings: nwarn, Diagnostics: []diagnosticJSON{}}
	if out.Instruments == nil {
		out.Instruments = []string{}
	}
	if out.RuleSets == nil {
		out.RuleSets = []string{}
	}
	for _, d := range v.diags {
		out.Diagnostics = append(out.Diagnostics, diagnosticJSON{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message, Source: d.Source})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// writeValidateGitHub writes one GitHub Actions workflow command per diagnostic:
// "::error file=F,line=L,col=C,title=CODE::MESSAGE" (::warning for warnings), which the Actions runner
// shows as an annotation on the line of the pull request's diff.
func writeValidateGitHub(w io.Writer, diags diag.List) {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("::")
		b.WriteString(d.Severity.String())
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+ghProperty(safe(d.Pos.File)))
		}
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line))
		}
		if d.Pos.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", d.Pos.Col))
		}
		props = append(props, "title="+ghProperty("painscreen "+safe(d.Code)))
		b.WriteString(" " + strings.Join(props, ","))
		b.WriteString("::")
		b.WriteString(ghData(safe(d.Message)))
		b.WriteByte('\n')
	}
	_, _ = io.WriteString(w, b.String())
}

// ghData escapes a workflow command's message (% CR LF), ghProperty a property value (also : and ,).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeValidateSARIF writes the diagnostics as a SARIF 2.1.0 log (what GitHub code scanning and other
// static-analysis dashboards read): one result per diagnostic, with its code as the rule id, its severity
// as the level, and its file, line and column (in Unicode code points, as the run declares).
func writeValidateSARIF(w io.Writer, diags diag.List) {
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type physical struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *region `json:"region,omitempty"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
	}
	type message struct {
		Text string `json:"text"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		Level     string     `json:"level"`
		Message   message    `json:"message"`
		Locations []location `json:"locations,omitempty"`
	}
	type rule struct {
		ID string `json:"id"`
	}
	type driver struct {
		Name           string `json:"name"`
		InformationURI string `json:"informationUri"`
		Rules          []rule `json:"rules"`
	}
	type run struct {
		Tool struct {
			Driver driver `json:"driver"`
		} `json:"tool"`
		ColumnKind string   `json:"columnKind"`
		Results    []result `json:"results"`
	}
	var r run
	r.Tool.Driver = driver{Name: "painscreen", InformationURI: "https://github.com/painscreen/painscreen/blob/main/docs/definitions.md#diagnostic-codes", Rules: []rule{}}
	r.ColumnKind = "unicodeCodePoints"
	r.Results = []result{}
	seen := map[string]bool{}
	for _, d := range diags {
		if !seen[d.Code] {
			seen[d.Code] = true
			r.Tool.Driver.Rules = append(r.Tool.Driver.Rules, rule{ID: d.Code})
		}
		res := result{RuleID: d.Code, Level: d.Severity.String(), Message: message{Text: d.Message}}
		if d.Pos.File != "" {
			var loc location
			loc.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(d.Pos.File)
			if d.Pos.Line > 0 {
				col := d.Pos.Col
				if col > 1 && col-1 <= len(d.Source) {
					col = utf8.RuneCountInString(d.Source[:col-1]) + 1 // bytes to code points
				}
				loc.PhysicalLocation.Region = &region{StartLine: d.Pos.Line, StartColumn: col}
			}
			res.Locations = []location{loc}
		}
		r.Results = append(r.Results, res)
	}
	log := struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []run  `json:"runs"`
	}{"https://json.schemastore.org/sarif-2.1.0.json", "2.1.0", []run{r}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(log)
}
