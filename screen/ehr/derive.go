package ehr

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The context fields of the pain_oud rule set that Derive fills, in the order Context.Fields lists them.
const (
	FieldAge             = "age"
	FieldSex             = "sex"
	FieldOpioidMME       = "opioid_mme"
	FieldBenzodiazepine  = "benzodiazepine"
	FieldMOUDCurrent     = "moud_current"
	FieldNaloxoneCurrent = "naloxone_current"
	FieldPriorOverdose   = "prior_overdose"
)

var fieldOrder = [...]string{FieldAge, FieldSex, FieldOpioidMME, FieldBenzodiazepine, FieldMOUDCurrent, FieldNaloxoneCurrent, FieldPriorOverdose}

// Options say what Derive may conclude from the resources it is given.
type Options struct {
	// AsOf is the date the context holds at (age is computed at it). Required: nothing reads the clock.
	AsOf time.Time
	// Patient selects the patient by Patient resource id when the resources hold more than one; resources
	// whose subject names another patient are skipped. Empty: the resources must hold at most one Patient.
	Patient string
	// MedicationsComplete says the resources hold every active MedicationRequest of the patient (for
	// example the whole result of a MedicationRequest?patient=…&status=active search). Only then does the
	// absence of a product mean "not prescribed" (benzodiazepine, moud_current, naloxone_current false,
	// opioid_mme 0); otherwise those fields are unknown unless a request shows them.
	MedicationsComplete bool
	// ConditionsComplete says the resources hold every Condition of the patient; only then does the absence
	// of an opioid overdose make prior_overdose false.
	ConditionsComplete bool
}

// Context is the treatment context Derive found for one patient.
type Context struct {
	// Fields lists every field Derive fills (FieldAge … FieldPriorOverdose), known or not.
	Fields []Field
	// Notes say what could not be read or computed, and why.
	Notes []Note
}

// Field is one derived context field.
type Field struct {
	Name  string
	Known bool
	// Value is an int (age), a string (sex: "male" or "female"), a float64 (opioid_mme, MME/day rounded to
	// two decimals) or a bool; nil when not Known.
	Value any
	// Reasons name the resources and what was read in them.
	Reasons []Reason
}

// Reason says what a derived value was read from.
type Reason struct {
	Resource string // "MedicationRequest/abc"; "" when the reason names no single resource
	Text     string
}

// Note says why something could not be read or computed. Code is one of the Note* constants.
type Note struct {
	Code     string
	Field    string // the field it leaves unknown, "" when it concerns several
	Resource string
	Text     string
}

// Note codes.
const (
	NoteMMEUnknown      = "mme_unknown"       // a request's MME could not be computed
	NoteNotCoded        = "not_coded"         // a request names no RxNorm code painscreen can classify
	NoteUnresolved      = "unresolved"        // a medicationReference that is not in the resources
	NoteUnreadable      = "unreadable"        // a resource that could not be read
	NoteIncomplete      = "incomplete"        // the caller did not say the medications or conditions are complete
	NoteSexFromGender   = "sex_from_gender"   // sex taken from administrative gender
	NoteBirthDate       = "birth_date"        // birthDate missing, partial or invalid
	NoteOUDUnclear      = "oud_unclear"       // naltrexone (or similar) without an OUD reason
	NoteNoPatient       = "no_patient"        // no Patient resource: age and sex unknown
	NoteOtherPatient    = "other_patient"     // resources of other patients were skipped
	NoteBuprenorphineRx = "buprenorphine_mme" // buprenorphine for pain has no CDC factor
)

// ErrAsOf is returned by Derive when Options.AsOf is zero.
var ErrAsOf = errors.New("ehr: Options.AsOf is required")

// ErrSeveralPatients is returned by Derive when the resources hold several patients and Options.Patient is
// empty or names none of them.
var ErrSeveralPatients = errors.New("ehr: the resources hold several patients; choose one with Options.Patient")

// Field returns the named field.
func (c *Context) Field(name string) (Field, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Values returns the known fields as a response context map (field name → value).
func (c *Context) Values() map[string]any {
	m := make(map[string]any, len(c.Fields))
	for _, f := range c.Fields {
		if f.Known {
			m[f.Name] = f.Value
		}
	}
	return m
}

const rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"

// deriver holds the state of one Derive call.
type deriver struct {
	t     *table
	r     *Resources
	opt   Options
	pat   *patient
	ctx   *Context
	buf   []byte
	f     [len(fieldOrder)]Field
	notes []Note

	mme                       float64
	opioids, bupPain          int
	mmeUnknown                bool
	medIncomplete             bool // some active request could not be classified
	moudUnclear, naloxUnclear bool
	active                    int
	otherPatient              int
}

// Derive derives the pain_oud treatment context of one patient from FHIR resources (CDC 2022 MME method,
// CDC opioid value sets; see the package documentation for every rule). A value that the resources do not
// settle is left unknown (Known false), never false or 0, with a note that says why.
func Derive(r *Resources, opt Options) (*Context, error) {
	if opt.AsOf.IsZero() {
		return nil, ErrAsOf
	}
	t, err := loadTable()
	if err != nil {
		return nil, err
	}
	d := &deriver{t: t, r: r, opt: opt, ctx: &Context{}}
	if err := d.choosePatient(); err != nil {
		return nil, err
	}
	for i, n := range fieldOrder {
		d.f[i].Name = n
	}
	for _, u := range r.unreadable {
		d.note(NoteUnreadable, "", u.Resource, "this resource could not be read (an element does not have its FHIR type)")
		switch u.Type {
		case "MedicationRequest", "Medication", "":
			d.medIncomplete = true
		}
	}
	d.demographics()
	d.medications()
	d.conditions()
	if d.otherPatient > 0 {
		d.note(NoteOtherPatient, "", "", strconv.Itoa(d.otherPatient)+" resources of other patients were skipped")
	}
	d.ctx.Fields = d.f[:]
	d.ctx.Notes = d.notes
	return d.ctx, nil
}

func (d *deriver) choosePatient() error {
	ps := d.r.patients
	switch {
	case d.opt.Patient != "":
		for i := range ps {
			if ps[i].ID == d.opt.Patient {
				d.pat = &ps[i]
			}
		}
		if d.pat == nil && len(ps) > 0 {
			return ErrSeveralPatients
		}
	case len(ps) == 1:
		d.pat = &ps[0]
	case len(ps) > 1:
		return ErrSeveralPatients
	}
	return nil
}

// mine reports whether a resource with this subject belongs to the chosen patient. A resource without a
// subject belongs to it (a search by patient= returns only the patient's resources).
func (d *deriver) mine(s *reference) bool {
	if s == nil || s.Reference == "" {
		return true
	}
	id := d.opt.Patient
	if d.pat != nil {
		id = d.pat.ID
		if d.pat.fullURL != "" && s.Reference == d.pat.fullURL {
			return true
		}
	}
	if id == "" {
		return true
	}
	// "Patient/id", or an absolute URL ending in it
	if rest, ok := strings.CutSuffix(s.Reference, id); ok && strings.HasSuffix(rest, "Patient/") &&
		(len(rest) == len("Patient/") || rest[len(rest)-len("Patient/")-1] == '/') {
		return true
	}
	d.otherPatient++
	return false
}

func (d *deriver) note(code, field, res, text string) {
	d.notes = append(d.notes, Note{Code: code, Field: field, Resource: res, Text: text})
}

func (d *deriver) set(i int, v any, res, text string) {
	f := &d.f[i]
	f.Known, f.Value = true, v
	f.Reasons = append(f.Reasons, Reason{Resource: res, Text: text})
}

func (d *deriver) reason(i int, res, text string) {
	d.f[i].Reasons = append(d.f[i].Reasons, Reason{Resource: res, Text: text})
}

const (
	iAge = iota
	iSex
	iMME
	iBenzo
	iMOUD
	iNalox
	iOverdose
)

func (d *deriver) demographics() {
	if d.pat == nil {
		d.note(NoteNoPatient, "", "", "no Patient resource: age and sex are unknown")
		return
	}
	res := "Patient/" + d.pat.ID
	if age, ok, why := ageAt(d.pat.BirthDate, d.opt.AsOf); ok {
		d.set(iAge, age, res, "birthDate "+d.pat.BirthDate+" → age "+strconv.Itoa(age)+" on "+d.opt.AsOf.Format(time.DateOnly))
	} else {
		d.note(NoteBirthDate, FieldAge, res, why)
	}
	if sex, src := birthSex(d.pat.Extension); src != "" {
		if sex != "" {
			d.set(iSex, sex, res, src)
		} else {
			d.note(NoteSexFromGender, FieldSex, res, src+": sex is unknown")
		}
		return
	}
	switch g := d.pat.Gender; g {
	case "male", "female":
		d.set(iSex, g, res, "administrative gender "+g)
		d.note(NoteSexFromGender, FieldSex, res, "no birth sex extension: sex taken from administrative gender")
	default:
		d.note(NoteSexFromGender, FieldSex, res, "no birth sex extension and no administrative gender male or female: sex is unknown")
	}
}

// birthSex reads the US Core birth sex extension (or the US Core sex extension). src is "" when neither is
// present; sex is "" when the extension says unknown.
func birthSex(exts []extension) (sex, src string) {
	for _, e := range exts {
		switch e.URL {
		case "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex":
			switch e.ValueCode {
			case "M":
				return "male", "US Core birth sex M"
			case "F":
				return "female", "US Core birth sex F"
			}
			return "", "US Core birth sex not M or F"
		case "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex":
			if e.ValueCoding != nil {
				switch e.ValueCoding.Code {
				case "248153007":
					return "male", "US Core sex 248153007 (male)"
				case "248152002":
					return "female", "US Core sex 248152002 (female)"
				}
			}
			return "", "US Core sex not male or female"
		}
	}
	return "", ""
}

// ageAt computes whole years from a FHIR date to asOf. A year-only or year-month date gives an age only when
// every day it could stand for gives the same one.
func ageAt(birth string, asOf time.Time) (int, bool, string) {
	if birth == "" {
		return 0, false, "no birthDate: age is unknown"
	}
	var lo, hi time.Time // earliest and latest possible birth day
	switch len(birth) {
	case 10:
		t, err := time.Parse(time.DateOnly, birth)
		if err != nil {
			return 0, false, "birthDate is not a valid date: age is unknown"
		}
		lo, hi = t, t
	case 7:
		t, err := time.Parse("2006-01", birth)
		if err != nil {
			return 0, false, "birthDate is not a valid date: age is unknown"
		}
		lo, hi = t, t.AddDate(0, 1, -1)
	case 4:
		t, err := time.Parse("2006", birth)
		if err != nil {
			return 0, false, "birthDate is not a valid date: age is unknown"
		}
		lo, hi = t, t.AddDate(1, 0, -1)
	default:
		return 0, false, "birthDate is not a valid date: age is unknown"
	}
	a, b := years(lo, asOf), years(hi, asOf)
	if a != b {
		return 0, false, "birthDate gives only the year or month, and the age on this date depends on the day: age is unknown"
	}
	if a < 0 || hi.After(asOf) {
		return 0, false, "birthDate is after the date of the context: age is unknown"
	}
	if a > 150 {
		return 0, false, "birthDate gives an age over 150: age is unknown"
	}
	return a, true, ""
}

func years(birth, at time.Time) int {
	y := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		y--
	}
	return y
}
