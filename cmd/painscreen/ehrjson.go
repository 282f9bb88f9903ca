package main

import (
	"encoding/json"

	"github.com/painscreen/painscreen/screen/ehr"
	"github.com/painscreen/painscreen/screen/respfile"
)

// ehrContextJSON is the "ehr_context" member of a JSON report: the treatment context derived from the
// FHIR Bundle's Patient, MedicationRequests and Conditions (respfile.Record.EHR), with the resources each
// value was read from and what could not be derived.
type ehrContextJSON struct {
	Table  ehrTableJSON   `json:"table"`
	Fields []ehrFieldJSON `json:"fields"`
	Notes  []ehrNoteJSON  `json:"notes"`
}

type ehrTableJSON struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

type ehrFieldJSON struct {
	Name    string          `json:"name"`
	Known   bool            `json:"known"`
	Value   any             `json:"value"`
	Reasons []ehrReasonJSON `json:"reasons"`
}

type ehrReasonJSON struct {
	Resource string `json:"resource,omitempty"`
	Text     string `json:"text"`
}

type ehrNoteJSON struct {
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Resource string `json:"resource,omitempty"`
	Text     string `json:"text"`
}

// appendEHRJSON adds "ehr_context" at the end of a JSON report when the record's context was derived from
// its FHIR Bundle.
func appendEHRJSON(b []byte, rec *respfile.Record) []byte {
	if rec == nil || rec.EHR == nil || len(b) == 0 || b[len(b)-1] != '}' {
		return b
	}
	c := rec.EHR
	out := ehrContextJSON{Table: ehrTableJSON{Version: ehr.TableVersion(), Digest: ehr.TableDigest()},
		Fields: make([]ehrFieldJSON, 0, len(c.Fields)), Notes: make([]ehrNoteJSON, 0, len(c.Notes))}
	for _, f := range c.Fields {
		fj := ehrFieldJSON{Name: f.Name, Known: f.Known, Value: f.Value, Reasons: make([]ehrReasonJSON, 0, len(f.Reasons))}
		for _, r := range f.Reasons {
			fj.Reasons = append(fj.Reasons, ehrReasonJSON{Resource: r.Resource, Text: r.Text})
		}
		out.Fields = append(out.Fields, fj)
	}
	for _, n := range c.Notes {
		out.Notes = append(out.Notes, ehrNoteJSON{Code: n.Code, Field: n.Field, Resource: n.Resource, Text: n.Text})
	}
	j, err := json.Marshal(out)
	if err != nil {
		return b
	}
	b = append(b[:len(b)-1], `,"ehr_context":`...)
	b = append(b, j...)
	return append(b, '}')
}
