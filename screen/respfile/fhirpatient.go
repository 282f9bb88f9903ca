package respfile

import (
	"strings"
	"time"
)

// NoteAgeFromBirthDate is the SourceNote code of a record whose context age was computed from the
// birthDate of the Patient resource in the same Bundle.
const NoteAgeFromBirthDate = "age_from_birth_date"

// AgeAt is the age in whole years on the day at of a person born on birthDate, a FHIR date (YYYY,
// YYYY-MM or YYYY-MM-DD). A partial birthDate gives an age only when every birth date it allows gives the
// same age; ok is false otherwise, and for a birthDate that does not parse or is after at. A birthday on
// 29 February falls on 1 March in other years.
func AgeAt(birthDate string, at time.Time) (age int, ok bool) {
	var lo, hi time.Time
	var err error
	switch len(birthDate) {
	case 10:
		lo, err = time.Parse(time.DateOnly, birthDate)
		hi = lo
	case 7:
		lo, err = time.Parse("2006-01", birthDate)
		hi = lo.AddDate(0, 1, -1)
	case 4:
		lo, err = time.Parse("2006", birthDate)
		hi = lo.AddDate(1, 0, -1)
	default:
		return 0, false
	}
	if err != nil || hi.After(at) {
		return 0, false
	}
	a, b := years(lo, at), years(hi, at)
	if a != b {
		return 0, false
	}
	return a, true
}

func years(birth, at time.Time) int {
	n := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		n--
	}
	return n
}

// patientKey is the Patient a subject reference names ("Patient/ID", also with "/_history/N" or as an
// absolute URL), or the reference itself (a fullUrl such as urn:uuid:…).
func patientKey(ref string) string {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, "/Patient/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

// patient notes the birthDate of a Patient resource of the Bundle (by "Patient/ID" and by its fullUrl).
func (b *fhirBuilder) patient(res *jnode, fullURL string) {
	if !b.m.age {
		return
	}
	bd := res.get("birthDate")
	if bd == nil || bd.kind != 's' || bd.str == "" {
		return
	}
	if b.birth == nil {
		b.birth = map[string]string{}
	}
	if id := res.get("id"); id != nil && id.kind == 's' && id.str != "" {
		b.birth["Patient/"+id.str] = bd.str
	}
	if fullURL != "" {
		b.birth[patientKey(fullURL)] = bd.str
	}
}

// applyAge sets the context age of a record from its Patient's birthDate, at the record's date, when the
// Bundle holds the Patient and the record does not give an age.
func (b *fhirBuilder) applyAge(g *fhirGroup) {
	if b.birth == nil || g.resp == nil || len(g.resp.Date) != 10 {
		return
	}
	bd, ok := b.birth[patientKey(g.resp.Subject)]
	if !ok {
		return
	}
	if _, given := g.resp.Context["age"]; given {
		return
	}
	at, err := time.Parse(time.DateOnly, g.resp.Date)
	if err != nil {
		return
	}
	age, ok := AgeAt(bd, at)
	if !ok {
		return
	}
	if g.resp.Context == nil {
		g.resp.Context = map[string]any{}
	}
	g.resp.Context["age"] = int64(age)
	if len(g.sources) > 0 {
		g.sources[0].Notes = append(g.sources[0].Notes, SourceNote{Code: NoteAgeFromBirthDate,
			Message: "the context age is the age at the response date, from the birthDate of the Patient in the Bundle"})
	}
}
