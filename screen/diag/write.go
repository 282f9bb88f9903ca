package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/internal/safetext"
)

// TextOptions control WriteText.
type TextOptions struct {
	// Snippets prints, under each diagnostic that has a column, its source line and a caret.
	Snippets bool
	// Prefix starts each diagnostic about no file in particular (a rule set asked for and not loaded), so
	// that it reads as the program's own message: "painscreen: " gives "painscreen: code: message".
	Prefix string
}

// WriteText writes the diagnostics for a terminal, as String formats them, one per line, with snippets
// when asked. File names, messages and source lines come from definition folders: every one is escaped
// so that it cannot act on the terminal (control characters, bidirectional overrides and bytes that are
// not UTF-8 are written \xNN, \uNNNN, \n …), and the caret is placed under the escaped column.
func (l List) WriteText(w io.Writer, opts TextOptions) error {
	var b strings.Builder
	for _, d := range l {
		if d.Pos.File == "" {
			sev := ""
			if d.Severity == Warning {
				sev = "warning: "
			}
			fmt.Fprintf(&b, "%s%s%s: %s\n", opts.Prefix, sev, safetext.String(d.Code), safetext.String(d.Message))
			continue
		}
		b.WriteString(safetext.String(d.String()))
		b.WriteByte('\n')
		if opts.Snippets && d.Source != "" && d.Pos.Col > 0 {
			src := strings.TrimRight(d.Source, "\r\n")
			col := len(safetext.String(src[:min(d.Pos.Col-1, len(src))])) + 1
			b.WriteString(Snippet(safetext.String(src), col))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// diagnosticJSON is a Diagnostic in JSON.
type diagnosticJSON struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Source   string `json:"source,omitempty"`
}

// MarshalJSON writes the diagnostic as {"file", "line", "col", "severity", "code", "message", "source"}
// (file, line, col and source left out when unknown); severity is "error" or "warning".
func (d Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(diagnosticJSON{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Severity: d.Severity.String(),
		Code: d.Code, Message: d.Message, Source: d.Source})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Diagnostic) UnmarshalJSON(b []byte) error {
	var j diagnosticJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	sev := Error
	switch j.Severity {
	case "error":
	case "warning":
		sev = Warning
	default:
		return fmt.Errorf("diag: unknown severity %q", j.Severity)
	}
	*d = Diagnostic{Pos: Pos{File: j.File, Line: j.Line, Col: j.Col}, Severity: sev, Code: j.Code, Message: j.Message, Source: j.Source}
	return nil
}

// WriteGitHub writes one GitHub Actions workflow command per diagnostic:
// "::error file=F,line=L,col=C,title=painscreen CODE::MESSAGE" (::warning for warnings), which the
// Actions runner shows as an annotation on the line of the pull request's diff. Values are escaped for
// the terminal and for the workflow command's syntax.
func (l List) WriteGitHub(w io.Writer) error {
	var b strings.Builder
	for _, d := range l {
		b.WriteString("::")
		b.WriteString(d.Severity.String())
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+ghProperty(safetext.String(d.Pos.File)))
		}
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line))
		}
		if d.Pos.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", d.Pos.Col))
		}
		props = append(props, "title="+ghProperty("painscreen "+safetext.String(d.Code)))
		b.WriteString(" " + strings.Join(props, ","))
		b.WriteString("::")
		b.WriteString(ghData(safetext.String(d.Message)))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message (% CR LF), ghProperty a property value (also : and ,).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteSARIF writes the diagnostics as a SARIF 2.1.0 log, indented (what GitHub code scanning and other
// static-analysis dashboards read): one result per diagnostic, with its code as the rule id, its
// severity as the level, and its file, line and column (in Unicode code points, as the run declares).
func (l List) WriteSARIF(w io.Writer) error {
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
	for _, d := range l {
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
	return enc.Encode(log)
}
