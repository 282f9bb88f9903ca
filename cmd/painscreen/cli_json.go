package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/ehr"
)

// --format json for list, show and version: the same facts as the text, for scripts. Keys are snake_case;
// the layout is documented in doc.go.

// formatFlag registers --format text|json and returns a function that reports whether JSON was asked
// for, or an error for another value.
func formatFlag(f *cmdFlags) func() (bool, error) {
	format := "text"
	f.StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return func() (bool, error) {
		switch strings.ToLower(strings.TrimSpace(format)) {
		case "text":
			return false, nil
		case "json":
			return true, nil
		}
		return false, fmt.Errorf("--format: unknown format %q (want text or json)", format)
	}
}

// writeJSON writes v as indented JSON with snake_case keys.
func writeJSON(w io.Writer, v any) int {
	b, err := json.Marshal(v)
	var tree any
	if err == nil {
		err = json.Unmarshal(b, &tree)
	}
	if err == nil {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(snakeKeys(tree))
	}
	if err != nil {
		fmt.Fprintf(w, "painscreen: encoding JSON: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// snakeKeys renames the keys of decoded JSON objects from Go's CamelCase (ItemText, ID) to snake_case
// (item_text, id).
func snakeKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[snake(k)] = snakeKeys(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = snakeKeys(v[i])
		}
	}
	return v
}

func snake(s string) string {
	if s == "" || !unicode.IsUpper(rune(s[0])) {
		return s // already a data key (an id, a lookup key)
	}
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// listJSON is list's JSON: the instruments and the rule set.
func listJSON(eng *screen.Engine, several []string) any {
	out := struct {
		Instruments []screen.InstrumentInfo
		RuleSet     *screen.RuleSetInfo
		RuleSets    []string `json:",omitempty"` // several loaded, none chosen
	}{Instruments: eng.Instruments(), RuleSets: several}
	if rs, ok := eng.RuleSet(); ok {
		out.RuleSet = &rs
	}
	if out.Instruments == nil {
		out.Instruments = []screen.InstrumentInfo{}
	}
	return out
}

// versionInfo is what version prints.
type versionInfo struct {
	Painscreen string // the module version from the build information ("(devel)" for a build in a checkout)
	Revision   string `json:",omitempty"` // the VCS revision a checkout build was made from
	Modified   bool   `json:",omitempty"` // the checkout had changes
	Engine     string
	Go         string
	MMETable   string // the treatment-context table (screen/ehr): version and digest
}

func buildVersion() versionInfo {
	v := versionInfo{Painscreen: "(devel)", Engine: screen.EngineName + " " + screen.Version, Go: runtime.Version(),
		MMETable: ehr.TableVersion() + " " + ehr.TableDigest()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v.Painscreen = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	return v
}
