package respfile

import (
	"time"
)

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
