package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/painscreen/painscreen/internal/jsonenc"
	"github.com/painscreen/painscreen/screen"
)

// The Bundle writer: AppendBundle writes a report's Bundle straight from the report, without building
// the Bundle's structs and strings (NewBundle). It writes exactly the bytes encoding/json writes for
// NewBundle's Bundle — encode_test.go checks the two byte for byte on every example, follow-up pairs and
// random reports — and every decision (which resources, which notes, in which order) mirrors NewBundle's.
// Constant parts (the category, each score's code, each instrument's panel code) are encoded once by
// NewWriter; parts shared by the Observations of one report or instrument (the subject and date, the
// instrument's common notes, its method and derivedFrom) are written once and copied. A text made of
// pieces is written raw and escaped only when it needs it (closeStr). Anything odd (a decimal score that
// is not a JSON number) makes it give up, and the Bundle is written from NewBundle's structs instead.

// bw writes one Bundle.
type bw struct {
	encoder
	urls []int32 // where each Observation's fullUrl starts in b: the RiskAssessment's basis
	nn   int     // the notes written in the current note array
}

// span is a fragment of b written once and copied after.
type span struct {
	from, to int
	set      bool
}

// again copies the fragment if it was written, and reports whether it did.
func (e *bw) again(s *span) bool {
	if !s.set {
		return false
	}
	e.b = append(e.b, e.b[s.from:s.to]...)
	return true
}

func (e *bw) mark(s *span, from int) { *s = span{from: from, to: len(e.b), set: true} }

// open starts a JSON string to be written raw; closeStr ends it, escaping what was written if needed.
func (e *bw) open() int {
	e.b = append(e.b, '"')
	return len(e.b)
}

func (e *bw) closeStr(m int) {
	if !jsonenc.Plain(e.b[m:]) {
		t := string(e.b[m:])
		e.b = jsonenc.AppendStringStd(e.b[:m-1], t)
		return
	}
	e.b = append(e.b, '"')
}

// noteOpen starts one more Annotation's text in the current note array; noteClose ends it.
func (e *bw) noteOpen() int {
	if e.nn > 0 {
		e.b = append(e.b, ',')
	}
	e.nn++
	e.b = append(e.b, `{"text":`...)
	return e.open()
}

func (e *bw) noteClose(m int) {
	e.closeStr(m)
	e.b = append(e.b, '}')
}

func (e *bw) note(s string) { e.noteClose(e.noteStr(s)) }

func (e *bw) noteStr(s string) int {
	m := e.noteOpen()
	e.b = append(e.b, s...)
	return m
}

// entry starts an entry: its fullUrl (recorded for the basis when obs) and the resource key.
func (e *bw) entry(seed string, obs bool, local ...string) {
	if e.b[len(e.b)-1] != '[' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, `{"fullUrl":"`...)
	if obs {
		e.urls = append(e.urls, int32(len(e.b)))
	}
	e.b = appendEntryURL(e.b, seed, local...)
	e.b = append(e.b, `","resource":`...)
}

// appendEntryURL appends entryURL(seed, strings.Join(local, "")).
func appendEntryURL(b []byte, seed string, local ...string) []byte {
	var in [128]byte
	h := append(append(in[:0], seed...), 0)
	for _, l := range local {
		h = append(h, l...)
	}
	sum := sha256.Sum256(h)
	sum[6] = sum[6]&0x0f | 0x40
	sum[8] = sum[8]&0x3f | 0x80
	b = append(b, "urn:uuid:"...)
	n := len(b)
	b = append(b, "00000000-0000-0000-0000-000000000000"...)
	hex.Encode(b[n:n+8], sum[0:4])
	hex.Encode(b[n+9:n+13], sum[4:6])
	hex.Encode(b[n+14:n+18], sum[6:8])
	hex.Encode(b[n+19:n+23], sum[8:10])
	hex.Encode(b[n+24:n+36], sum[10:16])
	return b
}

const (
	categoryJSON    = `,"category":[{"coding":[{"system":"` + observationCategory + `","code":"survey","display":"Survey"}]}]`
	absentJSON      = `,"dataAbsentReason":{"coding":[{"system":"` + dataAbsentSystem + `","code":"`
	dateNoteText    = "The response date is not a FHIR dateTime, so it is not given here."
	preliminaryText = "The questionnaire response is not completed (in progress or stopped): this result is preliminary."
)

// AppendBundle appends the Bundle of a report (see NewBundle) to b as one line of compact JSON, with no
// newline.
func (w *Writer) AppendBundle(b []byte, rep *screen.Report, in Input) []byte {
	if cap(b) == 0 {
		b = make([]byte, 0, bundleSizeHint)
	}
	start := len(b)
	var urls [64]int32
	e := bw{encoder: encoder{b: b}, urls: urls[:0]}
	e.bundle(w, rep, in)
	if e.bad {
		return appendBundle(b[:start], w.newBundle(rep, in, true))
	}
	return e.b
}

func (e *bw) bundle(w *Writer, rep *screen.Report, in Input) {
	e.b = append(e.b, `{"resourceType":"Bundle","type":"collection","entry":[`...)
	entries := len(e.b)
	date, badDate := in.Date, false
	if date != "" && !dateTime.MatchString(date) {
		date, badDate = "", true
	}
	var subject *Reference // for the follow-up Observations, made as newBundle makes them
	if f := rep.FollowUp; f != nil && f.Computed {
		subject = subjectRef(rep.Subject)
	}
	var subjDate span // `,"subject":…,"effectiveDateTime":…`
	openFlags := w.names.OpenFlags(rep)
	for i := range rep.Instruments {
		res := &rep.Instruments[i]
		info := w.insts[res.ID+"@"+res.Version]
		status := "final"
		for _, r := range in.Responses {
			if r.Preliminary && instOf(r.Instrument) == res.ID {
				status = "preliminary"
			}
		}
		var common, tail span // the instrument's notes for each of its Observations; method and derivedFrom
		// obs writes one Observation up to its code, then what code writes, then value, its own notes, the
		// common ones and the rest.
		obs := func(st string, code func(), value func(), own func()) {
			e.b = append(e.b, `{"resourceType":"Observation","status":"`...)
			e.b = append(e.b, st...)
			e.b = append(e.b, '"')
			e.b = append(e.b, categoryJSON...)
			e.b = append(e.b, `,"code":`...)
			code()
			if from := len(e.b); !e.again(&subjDate) {
				if rep.Subject != "" {
					e.b = append(e.b, `,"subject":`...)
					e.subject(rep.Subject)
				}
				e.optStr("effectiveDateTime", date)
				e.mark(&subjDate, from)
			}
			value()
			noteKey := len(e.b)
			e.b = append(e.b, `,"note":[`...)
			e.nn = 0
			own()
			if !common.set {
				from := len(e.b)
				if e.nn > 0 {
					from++ // the comma before the common notes is not theirs
				}
				n0 := e.nn
				e.commonNotes(rep, res, info, status)
				if e.nn == n0 {
					from = len(e.b)
				}
				e.mark(&common, from)
			} else if common.to > common.from {
				if e.nn > 0 {
					e.b = append(e.b, ',')
				}
				e.nn++
				e.again(&common)
			}
			if badDate {
				e.note(dateNoteText)
			}
			if e.nn == 0 {
				e.b = e.b[:noteKey]
			} else {
				e.b = append(e.b, ']')
			}
			if from := len(e.b); !e.again(&tail) {
				e.b = append(e.b, `,"method":{"text":`...)
				m := e.open()
				e.b = append(append(append(append(append(e.b, res.ID...), ' '), res.Version...), " ("...), res.Digest...)
				e.b = append(e.b, ')')
				e.closeStr(m)
				e.b = append(e.b, '}')
				e.derivedFrom(in.Responses, res.ID)
				e.mark(&tail, from)
			}
			e.b = append(e.b, "}}"...)
		}
		for _, s := range res.Scores {
			e.entry(in.Seed, true, "obs/", res.ID, "/", s.ID)
			obs(status, func() {
				if cj, ok := info.codeJSON(s.ID); ok {
					e.b = append(e.b, cj...)
				} else {
					cc := w.scoreCode(info, res.ID, s.ID)
					e.concept(&cc)
				}
			}, func() {
				e.value(s.Value)
				if info == nil {
					return
				}
				if band, ok := info.bandOf[s.ID]; ok {
					if v, ok := res.Score(band); ok {
						label := v.Value.String()
						e.b = append(e.b, `,"interpretation":[{"coding":[{"system":"`+BandSystem+`","code":`...)
						m := e.open()
						e.b = append(append(append(append(append(e.b, res.ID...), '.'), band...), '.'), label...)
						e.closeStr(m)
						e.optStr("display", label)
						e.b = append(e.b, "}]"...)
						e.optStr("text", label)
						e.b = append(e.b, "}]"...)
					}
				}
			}, func() {
				for _, n := range res.Notes {
					if n.About == s.ID {
						e.note(n.Message)
					}
				}
			})
		}
		for _, f := range res.Flags {
			e.entry(in.Seed, true, "flag/", res.ID, "/", f.ID)
			st := status
			if f.Conflict != nil {
				st = "preliminary"
			}
			obs(st, func() { e.flagCode(res.ID, f.ID, f.Message) }, func() {
				interp := "A"
				if f.Level == screen.LevelUrgent {
					interp = "AA"
				}
				e.b = append(e.b, `,"valueBoolean":true,"interpretation":[{"coding":[{"system":"`+interpretationV3+`","code":"`...)
				e.b = append(e.b, interp...)
				e.b = append(e.b, `"}],"text":`...)
				m := e.open()
				e.b = append(append(e.b, f.Level...), " flag"...)
				e.closeStr(m)
				e.b = append(e.b, "}]"...)
			}, func() {
				m := e.noteStr(f.Message)
				if f.Conflict != nil {
					e.b = append(e.b, " (fires for one of the conflicting answers to "...)
					for i, c := range f.Conflict {
						if i > 0 {
							e.b = append(e.b, ", "...)
						}
						e.b = append(e.b, c...)
					}
					e.b = append(e.b, ", answered more than once: not ruled out; ask it)"...)
				} else {
					e.b = append(e.b, " ("...)
					e.b = f.AppendReasonTexts(e.b, "; ")
					e.b = append(e.b, ')')
				}
				e.noteClose(m)
			})
		}
		for _, f := range openFlags {
			if f.Instrument != res.ID {
				continue
			}
			e.entry(in.Seed, true, "flag/", res.ID, "/", f.Flag)
			obs("preliminary", func() { e.flagCode(res.ID, f.Flag, f.Message) }, func() {
				reason := "unknown"
				for _, it := range f.Items {
					if !slices.Contains(res.Missing, it.ID) {
						reason = "error"
					}
				}
				e.b = append(e.b, absentJSON...)
				e.b = append(e.b, reason...)
				e.b = append(e.b, `"}]}`...)
			}, func() {
				m := e.noteStr("Not ruled out: ")
				for i, it := range f.Items {
					if i > 0 {
						e.b = append(e.b, ", "...)
					}
					e.b = append(e.b, it.Name...)
				}
				e.b = append(e.b, " has no usable answer, so this urgent flag could not be evaluated; ask it."...)
				e.noteClose(m)
			})
		}
		if len(res.Scores) == 0 && len(res.Flags) == 0 {
			e.entry(in.Seed, true, "obs/", res.ID)
			obs(status, func() {
				if info != nil {
					e.b = append(e.b, info.panel...)
				} else {
					e.concept(&CodeableConcept{Coding: []Coding{{System: ScoreSystem, Code: res.ID}}, Text: res.ID})
				}
			}, func() {
				e.b = append(e.b, absentJSON...)
				if res.Status == screen.StatusError {
					e.b = append(e.b, "error"...)
				} else {
					e.b = append(e.b, "not-performed"...)
				}
				e.b = append(e.b, `"}]}`...)
			}, func() {})
		}
	}
	w.followUps(rep, in, subject, date, func(local string, o *Observation) {
		e.entry(in.Seed, true, local)
		e.observation(o)
		e.b = append(e.b, '}')
	})
	if c := rep.Composite; c != nil {
		e.entry(in.Seed, false, "risk/", c.ID)
		e.riskAssessment(w, rep, c, date, anyPreliminary(in.Responses))
		e.b = append(e.b, '}')
	}
	if len(e.b) == entries {
		e.b = e.b[:entries-len(`,"entry":[`)]
	} else {
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

// subject writes the Reference subjectRef makes of a subject id (not empty).
func (e *bw) subject(s string) {
	if isReference(s) {
		e.b = append(e.b, `{"reference":`...)
		e.b = appendString(e.b, s)
	} else {
		e.b = append(e.b, `{"identifier":{"value":`...)
		e.b = appendString(e.b, s)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, '}')
}

// instOf is the instrument id of "id@version".
func instOf(s string) string {
	id, _, _ := strings.Cut(s, "@")
	return id
}

// commonNotes writes the notes every Observation of the instrument carries (see newBundle).
func (e *bw) commonNotes(rep *screen.Report, res *screen.InstrumentResult, info *instInfo, status string) {
	for _, n := range res.Notes {
		if !isResult(res, n.About) {
			e.note(n.Message)
		}
	}
	for _, er := range rep.Errors {
		if er.Instrument == res.ID || strings.HasPrefix(er.Instrument, res.ID+"@") {
			e.errorNote(&er)
		}
	}
	if len(res.Missing) > 0 {
		m := e.noteStr("Not answered: ")
		e.b = append(e.b, itemsWords(info, res.Missing)...)
		e.noteClose(m)
	}
	if status == "preliminary" {
		e.note(preliminaryText)
	}
}

func (e *bw) errorNote(er *screen.ScoreError) {
	m := e.noteStr("Answer not used (")
	e.b = append(append(append(e.b, er.Code...), "): "...), er.Error()...)
	e.noteClose(m)
}

// flagCode writes a flag's code: FlagSystem ID.FLAG, text its message.
func (e *bw) flagCode(inst, flag, msg string) {
	e.b = append(e.b, `{"coding":[{"system":"`+FlagSystem+`","code":`...)
	m := e.open()
	e.b = append(append(append(e.b, inst...), '.'), flag...)
	e.closeStr(m)
	e.b = append(e.b, "}]"...)
	e.optStr("text", msg)
	e.b = append(e.b, '}')
}

// derivedFrom writes the derivedFrom of an instrument's Observations (see derivedFrom).
func (e *bw) derivedFrom(refs []ResponseRef, inst string) {
	n := 0
	for _, r := range refs {
		if instOf(r.Instrument) != inst {
			continue
		}
		if n == 0 {
			e.b = append(e.b, `,"derivedFrom":[`...)
		} else {
			e.b = append(e.b, ',')
		}
		n++
		if r.Reference != "" {
			e.b = append(e.b, `{"reference":`...)
			e.b = appendString(e.b, r.Reference)
			e.b = append(e.b, '}')
		} else {
			e.b = append(e.b, `{"type":"QuestionnaireResponse","display":"QuestionnaireResponse without id"}`...)
		}
	}
	if n > 0 {
		e.b = append(e.b, ']')
	}
}

// value writes a score's value as setValue sets it.
func (e *bw) value(v screen.Value) {
	switch v.Kind() {
	case screen.KindInt:
		n, _ := v.Int()
		e.b = append(e.b, `,"valueInteger":`...)
		e.b = strconv.AppendInt(e.b, n, 10)
	case screen.KindDouble:
		e.b = append(e.b, `,"valueQuantity":{"value":`...)
		m := len(e.b)
		e.b, _ = v.AppendText(e.b) // v.String()'s bytes
		if !validNumber(e.b[m:]) {
			e.bad = true // encoding/json decides what an odd number gives
		}
		e.b = append(e.b, `,"unit":"{score}","system":"`+ucum+`","code":"{score}"}`...)
	case screen.KindBool:
		t, _ := v.Bool()
		e.b = append(e.b, `,"valueBoolean":`...)
		e.b = strconv.AppendBool(e.b, t)
	case screen.KindString:
		s, _ := v.Str()
		e.strField("valueString", s)
	default:
		e.b = append(e.b, absentJSON+`unknown"}]}`...)
	}
}
