package ehr

import "encoding/json"

// contextJSON is the JSON form of a Context, as reports carry it ("ehr_context").
type contextJSON struct {
	Table  tableJSON   `json:"table"`
	Fields []fieldJSON `json:"fields"`
	Notes  []noteJSON  `json:"notes"`
}

type tableJSON struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

type fieldJSON struct {
	Name    string       `json:"name"`
	Known   bool         `json:"known"`
	Value   any          `json:"value"`
	Reasons []reasonJSON `json:"reasons"`
}

type reasonJSON struct {
	Resource string `json:"resource,omitempty"`
	Text     string `json:"text"`
}

type noteJSON struct {
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Resource string `json:"resource,omitempty"`
	Text     string `json:"text"`
}

// MarshalJSON writes the context as painscreen's reports carry it under "ehr_context":
//
//	{"table": {"version", "digest"},
//	 "fields": [{"name", "known", "value", "reasons": [{"resource"?, "text"}]}],   // every field, known or not
//	 "notes": [{"code", "field"?, "resource"?, "text"}]}
//
// value is null when known is false.
func (c *Context) MarshalJSON() ([]byte, error) {
	out := contextJSON{Table: tableJSON{Version: TableVersion(), Digest: TableDigest()},
		Fields: make([]fieldJSON, 0, len(c.Fields)), Notes: make([]noteJSON, 0, len(c.Notes))}
	for _, f := range c.Fields {
		fj := fieldJSON{Name: f.Name, Known: f.Known, Value: f.Value, Reasons: make([]reasonJSON, 0, len(f.Reasons))}
		for _, r := range f.Reasons {
			fj.Reasons = append(fj.Reasons, reasonJSON(r))
		}
		out.Fields = append(out.Fields, fj)
	}
	for _, n := range c.Notes {
		out.Notes = append(out.Notes, noteJSON(n))
	}
	return json.Marshal(out)
}
