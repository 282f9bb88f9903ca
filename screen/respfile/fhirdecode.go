package respfile

import (
	"slices"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/screen"
)

// Source is a resource a record's answers were read from. Records of FHIR input list each
// QuestionnaireResponse merged into them; records of other formats have none.
type Source struct {
	// Reference names the resource as a FHIR reference: "QuestionnaireResponse/ID" when it has an id,
	// else the Bundle entry's fullUrl, else "".
	Reference string
	// Instrument is the answers key its answers went to ("phq9", "phq9@1.0.0", or the canonical of a
	// questionnaire that matched no instrument).
	Instrument string
	// Line is the line where the resource starts.
	Line int
	// Authored is the resource's authored instant exactly as written ("" when it has none); the record's
	// date is its calendar date.
	Authored string
	// Status is the resource's status as written: "completed", "amended", "in-progress", "stopped" or ""
	// when it has none. A response that is not completed or amended gives preliminary results (a note
	// says so); a status that R4 does not define is read the same way, with a note.
	Status string
	// Notes say what the reader did with the resource that the results depend on: answers declined
	// (data-absent-reason), a version or questionnaire it was read as, a status that makes its results
	// preliminary, answers that conflict. They never hold an answer value.
	Notes []SourceNote
}

// Preliminary reports whether the resource's results are preliminary: its status is not completed or
// amended (in-progress, stopped, or not an R4 status). A resource without a status is not.
func (s Source) Preliminary() bool {
	switch s.Status {
	case "", "completed", "amended":
		return false
	}
	return true
}

// SourceNote is one note about a resource read (Source.Notes).
type SourceNote struct {
	// Code is one of the Note* constants.
	Code string
	// Item is the instrument item concerned ("" for the whole resource).
	Item string
	// Message explains the note in words.
	Message string
}

// The codes of SourceNote.
const (
	// NoteVersionNotLoaded: the canonical names a version that is not loaded; the loaded one read the answers.
	NoteVersionNotLoaded = "version_not_loaded"
	// NoteQuestionnaireMismatch: the canonical names an instrument whose items are not the ones answered;
	// the instrument that holds them read the answers.
	NoteQuestionnaireMismatch = "questionnaire_mismatch"
	// NoteDeclined: an answer is a data-absent-reason (asked-declined, asked-unknown …): the item is missing.
	NoteDeclined = "declined"
	// NotePreliminary: the response is not completed (in-progress, stopped): its results are preliminary.
	NotePreliminary = "preliminary"
	// NoteInvalidStatus: the status is not an R4 QuestionnaireResponse status (they are lower case); the
	// response is read and its results are preliminary.
	NoteInvalidStatus = "invalid_status"
	// NoteConflict: an item's answers disagree (a code and an ordinalValue of different values, an item
	// answered twice): the item is an invalid answer, an error of its own.
	NoteConflict = "conflicting_answers"
	// NoteUndated: the response has no authored date: its record has no date.
	NoteUndated = "undated"
	// NotePartialDate: the response's authored date is not a full calendar date (2026-11, a year alone).
	NotePartialDate = "partial_date"
)

// UseFHIR lets the decoder read FHIR R4 JSON with the mapper m. With FormatJSON, an input whose top-level
// value is an object with a "resourceType" member (among the members that begin in its first 64 KiB) is
// read as FHIR (a QuestionnaireResponse or a Bundle)
// instead of as a native response set; FormatFHIR inputs need a mapper (without one, Next fails). Call it
// before the first Next.
func (d *Decoder) UseFHIR(m *FHIRMapper) { d.fhirMap = m }

// fhirBuilder turns the QuestionnaireResponses of one document into records.
type fhirBuilder struct {
	m         *FHIRMapper
	lim       *Limits
	doc       []byte
	line, col int   // position of doc[0]
	nl        []int // offsets of the line ends of doc

	links []string    // the answered linkIds of the response being read (reused)
	path  []fpathElem // the path stack of the response being read (reused)
	// streamed is the item source of a top-level QuestionnaireResponse read one item at a time.
	streamed   *streamedItems
	entryItems *streamedItems // the item source of the Bundle entries (reused)
	order      []*fhirGroup   // records in order of first appearance
	groups     map[string]int // subject \x00 date -> index in order of the latest group with that key
}

// fhirGroup is one record: the responses of one subject on one date, or one error.
type fhirGroup struct {
	line    int
	resp    *screen.Response
	ids     []string // instrument ids answered (without version)
	sources []Source
	nAns    int
	err     *Error
}

// pos maps an offset of doc to a line and column (an index of the line ends, built once, keeps a large
// Bundle linear).
func (b *fhirBuilder) pos(off int) (int, int) {
	if b.nl == nil {
		b.nl = make([]int, 0, 64)
		for i, c := range b.doc {
			if c == '\n' {
				b.nl = append(b.nl, i)
			}
		}
	}
	k, _ := slices.BinarySearch(b.nl, off) // line ends before off
	if k == 0 {
		return b.line, b.col + off
	}
	return b.line + k, off - b.nl[k-1]
}

func (b *fhirBuilder) fatal(off int, msg string) error {
	l, c := b.pos(off)
	return &Error{Line: l, Col: c, Code: CodeFHIR, Msg: msg}
}

func (b *fhirBuilder) errorRecord(off int, code, msg string) {
	l, c := b.pos(off)
	b.order = append(b.order, &fhirGroup{line: l, err: &Error{Line: l, Col: c, Code: code, Msg: msg}})
}

// records returns the built records (without their numbers).
func (b *fhirBuilder) records() []Record {
	out := make([]Record, 0, len(b.order))
	for _, g := range b.order {
		rec := Record{Line: g.line, Sources: g.sources}
		switch {
		case g.err != nil:
			rec.Err = g.err
			rec.Sources = nil
		case g.nAns == 0:
			rec.Err = &Error{Line: g.line, Code: CodeEmpty, Msg: "QuestionnaireResponse: no item is answered"}
			rec.Sources = nil
		default:
			rec.Sources = g.sources
			rec.Response = g.resp
		}
		out = append(out, rec)
	}
	return out
}

// fpathElem is one step of a path into a resource for messages ("QuestionnaireResponse.item[2].answer[0]"):
// a member name, or an array index when the name is "". The reader keeps the path as a stack, and builds
// the text only when a message needs it.
type fpathElem struct {
	name string
	idx  int
}

// where is the current path, with suffix.
func (r *qrReader) where(suffix string) string {
	var b strings.Builder
	for _, e := range r.path {
		switch {
		case e.name == "":
			b.WriteString("[" + strconv.Itoa(e.idx) + "]")
		case b.Len() > 0:
			b.WriteString("." + e.name)
		default:
			b.WriteString(e.name)
		}
	}
	return b.String() + suffix
}

func (r *qrReader) push(name string, idx int) { r.path = append(r.path, fpathElem{name, idx}) }
func (r *qrReader) pop()                      { r.path = r.path[:len(r.path)-1] }

// qrReader reads the items of one QuestionnaireResponse.
type qrReader struct {
	b       *fhirBuilder
	fi      *fhirInst
	answers map[string]any
	n       int // answers read
	bad     *problem
	notes   []SourceNote
	path    []fpathElem
	stray   map[string]any // PHQ-9 item 9 answered in a response to another instrument
}

// response adds one QuestionnaireResponse to its subject's and date's record.
func (b *fhirBuilder) response(qr *jnode, fullURL string, off int) {
	line, _ := b.pos(off)
	str := func(key string) (string, bool) {
		n := qr.get(key)
		if n == nil {
			return "", true
		}
		if n.kind != 's' {
			b.errorRecord(n.off, CodeFHIR, "QuestionnaireResponse."+key+" must be a string")
			return "", false
		}
		return n.str, true
	}
	status, ok1 := str("status")
	canonical, ok2 := str("questionnaire")
	authored, ok3 := str("authored")
	id, ok4 := str("id")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	if status == "entered-in-error" {
		b.errorRecord(off, CodeFHIR, "QuestionnaireResponse has status entered-in-error: it is not scored")
		return
	}
	var notes []SourceNote
	switch status {
	case "", "completed", "amended":
	case "in-progress", "stopped":
		notes = append(notes, SourceNote{Code: NotePreliminary,
			Message: "the response has status " + status + ": its results are preliminary"})
	default:
		// Not an R4 status (codes are case-sensitive): still read, so that no answer is lost, but never as
		// a completed response.
		notes = append(notes, SourceNote{Code: NoteInvalidStatus,
			Message: "the response's status is not an R4 QuestionnaireResponse status: it is read as preliminary"})
	}
	subject := ""
	if s := qr.get("subject"); s != nil {
		if s.kind != 'o' {
			b.errorRecord(s.off, CodeFHIR, "QuestionnaireResponse.subject must be a Reference (an object)")
			return
		}
		if r := s.get("reference"); r != nil && r.kind == 's' {
			subject = r.str
		} else if idf := s.get("identifier"); idf != nil {
			if v := idf.get("value"); v != nil && v.kind == 's' {
				subject = v.str
			}
		}
	}
	date := authored
	if len(date) >= 10 && date[4] == '-' && date[7] == '-' {
		date = date[:10] // the calendar date as the response was written, whatever its time zone
	}
	if _, _, _, ok := isoDate(date); !ok || len(date) != 10 {
		if date == "" {
			notes = append(notes, SourceNote{Code: NoteUndated,
				Message: "the response has no authored date: it is scored without a date, and follow-up cannot place it in time"})
		} else {
			notes = append(notes, SourceNote{Code: NotePartialDate,
				Message: "the response's authored date is not a full calendar date (YYYY-MM-DD): follow-up cannot place it in time"})
		}
	}
	links, each := b.links, (func(func(int, *jnode)))(nil)
	if b.streamed != nil { // a QuestionnaireResponse read one item at a time (fhirReadQR, streamEntryItems)
		if b.streamed.notArray {
			b.errorRecord(b.streamed.off, CodeFHIR, "QuestionnaireResponse.item must be an array")
			return
		}
		links, each = b.streamed.links, b.streamed.each
	}

	if b.streamed == nil {
		items := qr.get("item")
		if items != nil && items.kind != 'a' {
			b.errorRecord(items.off, CodeFHIR, "QuestionnaireResponse.item must be an array")
			return
		}
		links = b.links[:0]
		if items != nil {
			for _, it := range items.kids {
				collectLinks(it, &links, 0)
			}
		}
		b.links = links
		each = func(fn func(i int, it *jnode)) {
			if items != nil {
				for i, it := range items.kids {
					fn(i, it)
				}
			}
		}
	}
	if len(links) > b.lim.MaxAnswers {
		// Only this response fails (before its answers are read); the others of its subject and date are
		// read as usual.
		b.errorRecord(off, CodeTooLarge, "QuestionnaireResponse: more than "+strconv.Itoa(b.lim.MaxAnswers)+" answered items")
		return
	}
	key, fi, note := b.m.resolve(canonical, links)
	if note != nil {
		notes = append(notes, *note)
	}
	r := &qrReader{b: b, fi: fi, answers: make(map[string]any, len(links)), notes: notes}
	r.path = append(b.path[:0], fpathElem{name: "QuestionnaireResponse"}, fpathElem{name: "item"})
	each(func(i int, it *jnode) {
		if r.bad == nil {
			r.item(i, it)
		}
	})
	b.path = r.path
	if r.bad != nil {
		b.errorRecord(r.bad.off, r.bad.code, r.bad.msg)
		return
	}
	if r.n > b.lim.MaxAnswers {
		// Only this response fails; the others of its subject and date are read as usual.
		b.errorRecord(off, CodeTooLarge, "QuestionnaireResponse: more than "+strconv.Itoa(b.lim.MaxAnswers)+" answers")
		return
	}
	ref := fullURL
	if id != "" {
		ref = "QuestionnaireResponse/" + id
	}
	if r.stray != nil {
		r.notes = append(r.notes, SourceNote{Code: NoteQuestionnaireMismatch, Item: b.m.safetyItem.id,
			Message: "PHQ-9 item 9 (LOINC " + loincPHQ9Item9 + ") is answered in a response to " + showKey(key) + ": read as item 9 of " + b.m.safety.id})
	}
	b.add(subject, date, key, r.answers, r.n, line, Source{Reference: ref, Instrument: key, Line: line, Authored: authored, Status: status, Notes: r.notes})
	if r.stray != nil {
		sk := b.m.safety.id
		b.add(subject, date, sk, r.stray, len(r.stray), line, Source{Reference: ref, Instrument: sk, Line: line, Authored: authored, Status: status, Notes: r.notes})
	}
}

// add adds the answers of one response to one instrument to its subject's and date's record.
func (b *fhirBuilder) add(subject, date, key string, answers map[string]any, n, line int, src Source) {
	g := b.group(subject, date, key, n, line)
	g.resp.Answers[key] = answers
	g.ids = append(g.ids, instID(key))
	g.nAns += n
	g.sources = append(g.sources, src)
}

// instID is the instrument id of an answers key.
func instID(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '@' {
			return key[:i]
		}
	}
	return key
}

// group returns the record for subject and date that does not yet answer the instrument of key and has room
// for n more answers: a second response to the same instrument on the same date starts a record of its own
// (both are scored), as does one that would take the record over MaxAnswers.
func (b *fhirBuilder) group(subject, date, key string, n, line int) *fhirGroup {
	k := subject + "\x00" + date
	if i, ok := b.groups[k]; ok && !slices.Contains(b.order[i].ids, instID(key)) && b.order[i].nAns+n <= b.lim.MaxAnswers {
		return b.order[i]
	}
	g := &fhirGroup{line: line, resp: &screen.Response{Subject: subject, Date: date, Answers: map[string]map[string]any{}}}
	b.groups[k] = len(b.order)
	b.order = append(b.order, g)
	return g
}

// collectLinks gathers the linkIds of the answered items of one item, nested ones included.
func collectLinks(it *jnode, out *[]string, depth int) {
	if it == nil || it.kind != 'o' || depth > fhirMaxDepth {
		return
	}
	if l := it.get("linkId"); l != nil && l.kind == 's' {
		if a := it.get("answer"); a != nil && a.kind == 'a' && len(a.kids) > 0 {
			*out = append(*out, l.str)
		}
	}
	if sub := it.get("item"); sub != nil && sub.kind == 'a' {
		for _, s := range sub.kids {
			collectLinks(s, out, depth+1)
		}
	}
	if a := it.get("answer"); a != nil && a.kind == 'a' {
		for _, ans := range a.kids {
			if sub := ans.get("item"); sub != nil && sub.kind == 'a' {
				for _, s := range sub.kids {
					collectLinks(s, out, depth+1)
				}
			}
		}
	}
}
