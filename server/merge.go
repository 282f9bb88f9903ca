package server

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/respfile"
)

// Merging the prefetched QuestionnaireResponses into the one response set a CDS call scores. Nothing
// prefetched is dropped unsaid:
//
//   - Every response is read. A response is dated when its authored has at least a full date
//     (YYYY-MM-DD); undated responses (no authored, or a partial date such as 2026-11) and future-dated
//     ones (authored after the day of the call) never displace a dated one, and are named on a card.
//   - Per instrument, responses are ordered by their authored instant (a date alone counts as the start
//     of that day; equal instants are merged, never picked by list order). The answers of one calendar
//     date are one answer set: when the newest response of the date is complete on its own it is that
//     set, else every response of the date is merged, and an item two of them answer differently is an
//     error of that item (the engine's wrong_type: a list), never a silent pick.
//   - The newest complete answer set of an instrument (every required item that is always asked is
//     answered) decides its scores; when no set is complete, the newest one does. Instruments whose
//     deciding set is older than Lookback before the newest dated response are not scored (a card names
//     them). An instrument with only undated or future-dated responses is scored from those, merged.
//   - Any PHQ-9 item 9 endorsement in any response authored within ItemNineWindow of the call (or undated,
//     or future-dated) that the scored PHQ-9 does not already flag gets a critical card naming its date.

// qrEntry is the answers of one QuestionnaireResponse to one instrument.
type qrEntry struct {
	inst    string // instrument id
	key     string // answers key (id or id@version)
	answers map[string]any
	src     respfile.Source
	date    string    // YYYY-MM-DD when dated
	at      time.Time // the authored instant (a date alone: that day's start, UTC)
	future  bool
}

// prefetched is what the prefetch yields: the response set to score (nil when no response could be read),
// and what the cards must say about the inputs.
type prefetched struct {
	resp        *screen.Response
	problems    []respfile.Error // responses that could not be read
	incomplete  []string         // why the data may be incomplete
	undated     []*qrEntry       // read without a usable date
	future      []*qrEntry       // dated after the day of the call
	notes       []entryNote      // the reader's notes and the merge's
	stale       []string         // instruments whose newest answers are older than Lookback
	decided     map[*qrEntry]bool
	endorsed    []*qrEntry // responses endorsing PHQ-9 item 9 within ItemNineWindow
	preliminary bool       // a scored response is not completed
}

// entryNote is a note about one response.
type entryNote struct {
	ref, date string
	note      respfile.SourceNote
}

// entriesOf splits a record into one entry per instrument it answers.
func (h *Handler) entriesOf(rec respfile.Record) []*qrEntry {
	var out []*qrEntry
	for _, src := range rec.Sources {
		ans, ok := rec.Response.Answers[src.Instrument]
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(src.Instrument, "@")
		e := &qrEntry{inst: id, key: src.Instrument, answers: ans, src: src}
		e.date, e.at = authoredDate(src.Authored)
		out = append(out, e)
	}
	return out
}

// authoredDate reads a FHIR dateTime: its calendar date as written and its instant; "" for an absent or
// partial date.
func authoredDate(s string) (string, time.Time) {
	if len(s) < 10 {
		return "", time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return "", time.Time{}
	}
	if len(s) == 10 {
		return s[:10], d
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return s[:10], t
	}
	return s[:10], d
}

// merge builds pre.resp from the entries.
func (h *Handler) merge(pre *prefetched, entries []*qrEntry, patientID string) {
	pre.decided = map[*qrEntry]bool{}
	now := h.cfg.now()
	tomorrow := now.UTC().Add(24 * time.Hour).Format(time.DateOnly) // a time zone ahead of UTC
	windowStart := now.Add(-h.cfg.ItemNineWindow).UTC().Format(time.DateOnly)

	byInst := map[string][]*qrEntry{}
	var insts []string
	newest := ""
	for _, e := range entries {
		for _, n := range e.src.Notes {
			pre.notes = append(pre.notes, entryNote{ref: e.src.Reference, date: e.date, note: n})
		}
		switch {
		case e.date == "":
			pre.undated = append(pre.undated, e)
		case e.date > tomorrow:
			e.future = true
			pre.future = append(pre.future, e)
		case e.date > newest:
			newest = e.date
		}
		if e.inst == "phq9" && h.endorsesItem9(e.key, e.answers["q9"]) && (e.date == "" || e.future || e.date >= windowStart) {
			pre.endorsed = append(pre.endorsed, e)
		}
		if _, ok := byInst[e.inst]; !ok {
			insts = append(insts, e.inst)
		}
		byInst[e.inst] = append(byInst[e.inst], e)
	}
	if len(entries) == 0 {
		return
	}
	sort.Strings(insts)
	cutoff := ""
	if newest != "" {
		t, _ := time.Parse(time.DateOnly, newest)
		cutoff = t.Add(-h.cfg.Lookback).Format(time.DateOnly)
	}
	resp := &screen.Response{Subject: "Patient/" + patientID, Date: newest, Answers: map[string]map[string]any{}}
	for _, id := range insts {
		es := byInst[id]
		var dated, other []*qrEntry
		for _, e := range es {
			if e.date != "" && !e.future {
				dated = append(dated, e)
			} else {
				other = append(other, e)
			}
		}
		var set []*qrEntry
		switch {
		case len(dated) > 0:
			set = h.newestComplete(dated)
			if set[0].date < cutoff {
				pre.stale = append(pre.stale, id)
				continue
			}
		default:
			set = other // only undated or future-dated responses: read, merged, and named on a card
		}
		key, answers := h.mergeSet(pre, set)
		resp.Answers[key] = answers
		for _, e := range set {
			pre.decided[e] = true
			if e.src.Preliminary() {
				pre.preliminary = true
			}
		}
	}
	if len(resp.Answers) > 0 {
		pre.resp = resp
	}
}

// newestComplete returns the answer set that decides an instrument's scores among its dated responses:
// the responses of one date (see the comment at the top of this file).
func (h *Handler) newestComplete(es []*qrEntry) []*qrEntry {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].date != es[j].date {
			return es[i].date > es[j].date
		}
		return es[i].at.After(es[j].at)
	})
	var first []*qrEntry
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].date == es[i].date {
			j++
		}
		day := es[i:j]
		i = j
		var set []*qrEntry
		switch {
		case h.complete(day[0].key, day[0].answers) && (len(day) == 1 || day[1].at.Before(day[0].at)):
			set = day[:1] // the newest response of the date is complete on its own
		default:
			set = day
		}
		if first == nil {
			first = set
		}
		if h.complete(set[0].key, mergedAnswers(set)) {
			return set
		}
	}
	return first
}

// mergedAnswers is the union of the answers of a set (conflicts as lists), without notes.
func mergedAnswers(set []*qrEntry) map[string]any {
	if len(set) == 1 {
		return set[0].answers
	}
	out := map[string]any{}
	for _, e := range set {
		for k, v := range e.answers {
			if old, ok := out[k]; ok && !sameAnswer(old, v) {
				out[k] = []any{old, v}
				continue
			}
			out[k] = v
		}
	}
	return out
}

// mergeSet merges the answers of a set: an item answered alike is one answer, one answered differently is
// an error of that item (a list, which the engine rejects as wrong_type) with a note.
func (h *Handler) mergeSet(pre *prefetched, set []*qrEntry) (string, map[string]any) {
	key := set[0].key
	if len(set) == 1 {
		return key, set[0].answers
	}
	out := map[string]any{}
	for _, e := range set {
		if e.key != key {
			key = e.inst // versions differ: the default version reads the merged answers
		}
		for item, v := range e.answers {
			old, ok := out[item]
			if !ok {
				out[item] = v
				continue
			}
			if sameAnswer(old, v) {
				continue
			}
			list, isList := old.([]any)
			if !isList {
				list = []any{old}
			}
			out[item] = append(list, v)
			pre.notes = append(pre.notes, entryNote{ref: e.src.Reference, date: e.date, note: respfile.SourceNote{
				Code: respfile.NoteConflict, Item: item,
				Message: "responses of the same date answer this item differently: the item is invalid"}})
		}
	}
	return key, out
}

// sameAnswer reports whether two answers are the same scalar.
func sameAnswer(a, b any) bool {
	switch a.(type) {
	case int64, float64, string, bool, nil:
		return a == b
	}
	return false
}

// complete reports whether an answer set answers every required item that is always asked.
func (h *Handler) complete(key string, answers map[string]any) bool {
	req := h.required(key)
	if req == nil {
		return len(answers) > 0
	}
	for _, it := range req {
		if answers[it] == nil {
			return false
		}
	}
	return true
}

// required lists the items of an instrument that are required and always asked (nil when unknown).
func (h *Handler) required(key string) []string {
	doc, err := h.eng.Describe(key)
	if err != nil {
		if id, _, ok := strings.Cut(key, "@"); ok {
			doc, err = h.eng.Describe(id)
		}
		if err != nil {
			return nil
		}
	}
	var out []string
	for _, it := range doc.Items {
		if it.Required && it.EnableWhen == "" {
			out = append(out, it.ID)
		}
	}
	return out
}

// endorsesItem9 reports whether an answer to PHQ-9 item 9 endorses it in at least one of its values: a
// valid option value of 1 or more (a whole number, also written 2.0 or "2"), the code of such an option,
// or such a value among repeated answers. An invalid value (7, 2.5, text) is not read as an endorsement:
// it is an error of the item, which the cards present as unknown.
func (h *Handler) endorsesItem9(key string, v any) bool {
	switch v := v.(type) {
	case int64:
		return v >= 1 && v <= 3
	case float64:
		return v == float64(int64(v)) && v >= 1 && v <= 3
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n >= 1 && n <= 3
		}
		return h.item9Codes(key)[v]
	case []any:
		for _, x := range v {
			if h.endorsesItem9(key, x) {
				return true
			}
		}
	}
	return false
}

// item9Codes are the option codes of PHQ-9 item 9 whose value is 1 or more.
func (h *Handler) item9Codes(key string) map[string]bool {
	out := map[string]bool{}
	for _, k := range []string{key, "phq9"} {
		doc, err := h.eng.Describe(k)
		if err != nil {
			continue
		}
		for _, it := range doc.Items {
			if it.ID != "q9" {
				continue
			}
			for _, o := range it.Options {
				if o.Value >= 1 && o.Code != "" {
					out[o.Code] = true
				}
			}
		}
	}
	return out
}
