package ehr

import (
	"math"
	"strconv"
	"strings"
)

// Kinds of dose unit.
const (
	doseCount  = iota + 1 // tablets, capsules, patches, actuations, films, ...
	doseMass              // mg (after scaling)
	doseVolume            // mL (after scaling)
)

// countUnits are the unit codes and texts (lower case, braces removed) that count units of a product.
var countUnits = map[string]bool{
	"1": true, "tab": true, "tabs": true, "tablet": true, "tablets": true, "tbl": true, "cap": true, "caps": true,
	"capsule": true, "capsules": true, "patch": true, "patches": true, "actuat": true, "actuation": true,
	"actuations": true, "spray": true, "sprays": true, "puff": true, "puffs": true, "film": true, "films": true,
	"lozenge": true, "lozenges": true, "troche": true, "troches": true, "suppository": true,
	"suppositories": true, "supp": true, "each": true, "ea": true, "unit": true, "units": true, "syringe": true,
	"syringes": true, "implant": true, "implants": true, "cartridge": true, "cartridges": true,
	"system": true, "transdermal system": true,
}

// doseUnit classifies a dose quantity's unit and returns the factor that scales its value to mg or mL.
func doseUnit(q *quantity) (kind int, scale float64) {
	u := q.Code
	if u == "" {
		u = q.Unit
	}
	u = strings.ToLower(strings.Trim(strings.TrimSpace(u), "{}"))
	switch u {
	case "mg":
		return doseMass, 1
	case "ug", "mcg", "µg", "μg":
		return doseMass, 0.001
	case "g":
		return doseMass, 1000
	case "ml":
		return doseVolume, 1
	case "l":
		return doseVolume, 1000
	}
	if countUnits[u] {
		return doseCount, 1
	}
	return 0, 0
}

// gtsPerDay gives the doses per day of the HL7 v3 GTSAbbreviation timing codes (Timing.code).
var gtsPerDay = map[string]float64{
	"QD": 1, "BID": 2, "TID": 3, "QID": 4, "AM": 1, "PM": 1, "QOD": 0.5, "BED": 1, "WK": 1.0 / 7, "MO": 1.0 / 30,
	"Q1H": 24, "Q2H": 12, "Q3H": 8, "Q4H": 6, "Q6H": 4, "Q8H": 3, "Q12H": 2,
}

// periodDays gives the length of a UCUM period unit in days (a month is 30 days, a year 365, as in the CDC
// calculator).
var periodDays = map[string]float64{
	"s": 1.0 / 86400, "min": 1.0 / 1440, "h": 1.0 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365,
}

// mealEvents are Timing.when codes that stand for each of the three meals.
var mealEvents = map[string]bool{"C": true, "AC": true, "PC": true}

// perDay returns the doses per day of a dosage line, the maximum when a range is given, and appends a
// description to b. why says what is missing when it cannot be computed.
func perDay(d *dosage, b []byte) (n float64, out []byte, why string) {
	var rep *repeat
	if d.Timing != nil {
		rep = d.Timing.Repeat
	}
	if rep != nil && rep.Period != nil {
		p, unit := *rep.Period, rep.PeriodUnit
		days, ok := periodDays[unit]
		if !ok || !(p > 0) || math.IsInf(p, 0) {
			return 0, b, "its timing has no usable period (periodUnit h, d, wk, mo, ...)"
		}
		f := 1.0 // FHIR: no frequency means once per period
		if rep.Frequency != nil {
			f = *rep.Frequency
		}
		if rep.FrequencyMax != nil { // as needed up to frequencyMax: counted at the maximum
			f = *rep.FrequencyMax
		}
		if !(f > 0) || math.IsInf(f, 0) {
			return 0, b, "its timing has no usable frequency"
		}
		n := f / (p * days)
		if math.IsInf(n, 0) || math.IsNaN(n) {
			return 0, b, "its timing gives no finite number of doses per day"
		}
		b = appendNum(b, f)
		b = append(b, " per "...)
		b = appendNum(b, p)
		b = append(b, ' ')
		b = append(b, unit...)
		return n, b, ""
	}
	if rep != nil && (rep.Frequency != nil || rep.FrequencyMax != nil) {
		return 0, b, "its timing has a frequency without a period"
	}
	if rep != nil && len(rep.TimeOfDay) > 0 {
		b = appendNum(b, float64(len(rep.TimeOfDay)))
		b = append(b, " times of day"...)
		return float64(len(rep.TimeOfDay)), b, ""
	}
	if rep != nil && len(rep.When) > 0 {
		n := 0.0
		for _, w := range rep.When {
			if mealEvents[w] {
				n += 3
			} else {
				n++
			}
		}
		b = appendNum(b, n)
		b = append(b, " times a day (when)"...)
		return n, b, ""
	}
	if d.Timing != nil && d.Timing.Code != nil {
		for _, c := range d.Timing.Code.Coding {
			if n, ok := gtsPerDay[strings.ToUpper(c.Code)]; ok {
				b = append(b, strings.ToUpper(c.Code)...)
				return n, b, ""
			}
		}
	}
	return 0, b, "its dosage has no usable timing (frequency and period, timeOfDay, when or a timing code)"
}

// dose returns the dose quantity of a dosage line: doseQuantity, or the high end of doseRange.
func dose(d *dosage) (*quantity, bool) {
	for i := range d.DoseAndRate {
		dr := &d.DoseAndRate[i]
		if dr.DoseQuantity != nil {
			return dr.DoseQuantity, false
		}
		if dr.DoseRange != nil {
			return dr.DoseRange.High, true
		}
	}
	return nil, false
}

// lineMME computes the MME/day of one dosage line of a drug, appending its description to b.
func lineMME(dr *drugEntry, d *dosage, b []byte) (mme float64, out []byte, why string) {
	q, isRange := dose(d)
	if q == nil || q.Value == nil {
		return 0, b, "its dosage has no dose (doseQuantity, or doseRange with a high value)"
	}
	v := *q.Value
	kind, scale := doseUnit(q)
	if !(v > 0) || math.IsInf(v, 0) || kind == 0 {
		return 0, b, "its dose has no usable value and unit (tablets, patches, mg, mL, ...)"
	}
	v *= scale
	unitText := "mg"
	switch kind {
	case doseVolume:
		unitText = "mL"
	case doseCount:
		unitText = q.Unit
		if unitText == "" {
			unitText = strings.Trim(q.Code, "{}")
		}
	}
	if isRange {
		b = append(b, "up to "...)
	}
	b = appendNum(b, v)
	b = append(b, ' ')
	b = append(b, unitText...)
	b = append(b, ", "...)

	// A dose-form factor with fixed doses per day (the fentanyl patch) does not read the request's timing.
	var fixed *formFactor
	for _, is := range dr.ingr {
		for i := range is.ingr.forms {
			if ff := &is.ingr.forms[i]; ff.form == dr.form && ff.dosesPerDay > 0 {
				fixed = ff
			}
		}
	}
	var n float64
	if fixed != nil {
		n = fixed.dosesPerDay
		b = append(b, "a patch worn continuously"...)
	} else {
		var why string
		if n, b, why = perDay(d, b); why != "" {
			return 0, b, why
		}
	}
	if d.asNeeded() {
		b = append(b, " as needed (counted at the maximum)"...)
	}
	for _, is := range dr.ingr {
		var per float64 // mg (mg/h for a patch) of this ingredient in one dose
		switch {
		case kind == doseMass && is.unit != unitMGPerHr:
			per = v
		case kind == doseVolume && is.unit == unitMGPerML:
			per = v * is.strength
		case kind == doseCount && is.unit == unitMGPerML:
			if dr.volume == 0 {
				return 0, b, "its dose counts units of a liquid whose volume per unit is not known"
			}
			per = v * dr.volume * is.strength
		case kind == doseCount:
			per = v * is.strength
		default:
			return 0, b, "its dose unit does not fit the product's strength (" + dr.formName + ")"
		}
		daily := per * n
		factor, why := conversionFactor(is.ingr, dr.form, daily)
		if why != "" {
			return 0, b, why
		}
		m := daily * factor
		if math.IsInf(m, 0) || math.IsNaN(m) {
			return 0, b, "its dose and timing give no finite daily dose"
		}
		b = append(b, " → "...)
		if is.unit == unitMGPerHr {
			b = appendNum(b, v*is.strength*1000)
			b = append(b, " mcg/h "...)
			b = append(b, is.ingr.name...)
			b = append(b, " × 2.4"...)
		} else {
			b = appendNum(b, daily)
			b = append(b, " mg/day "...)
			b = append(b, is.ingr.name...)
			b = append(b, " × "...)
			b = appendNum(b, factor)
		}
		b = append(b, " = "...)
		b = appendNum(b, round2(m))
		b = append(b, " MME/day"...)
		mme += m
	}
	return mme, b, ""
}

// conversionFactor finds the CDC factor of an ingredient for a dose form and daily dose, in the order of the
// CDC calculator: a dose range, then a dose form, then the ingredient's own factor.
func conversionFactor(in *ingredient, form uint32, daily float64) (float64, string) {
	for _, r := range in.ranges {
		if daily >= r.low && (r.high < 0 || daily <= r.high) {
			return r.factor, ""
		}
	}
	for _, f := range in.forms {
		if f.form == form {
			return f.factor, ""
		}
	}
	if in.factor > 0 && in.withheld == "" {
		return in.factor, ""
	}
	if in.withheld != "" {
		return 0, in.withheld
	}
	name := in.name
	if name == "" {
		name = "ingredient " + strconv.FormatUint(uint64(in.code), 10)
	}
	return 0, "the CDC 2022 guideline gives no MME conversion factor for " + name
}

// requestMME computes the MME/day of a request over all its dosage lines: lines with the same sequence (or
// none) are taken together and summed; of lines in different sequences (one after the other, such as a
// taper) the highest is counted.
func requestMME(dr *drugEntry, ds []dosage, b []byte) (float64, []byte, string) {
	if len(ds) == 0 {
		return 0, b, "it has no dosage instruction"
	}
	b = append(b, dr.name...)
	b = append(b, ": "...)
	type group struct {
		seq float64
		sum float64
	}
	var groups [4]group
	gs := groups[:0]
	for i := range ds {
		if i > 0 {
			b = append(b, "; "...)
		}
		m, nb, why := lineMME(dr, &ds[i], b)
		b = nb
		if why != "" {
			return 0, b, why
		}
		seq := math.NaN()
		if ds[i].Sequence != nil {
			seq = *ds[i].Sequence
		}
		found := false
		for j := range gs {
			if gs[j].seq == seq || (math.IsNaN(seq) && math.IsNaN(gs[j].seq)) {
				gs[j].sum += m
				found = true
			}
		}
		if !found {
			gs = append(gs, group{seq, m})
		}
	}
	best := 0.0
	for _, g := range gs {
		best = max(best, g.sum)
	}
	if math.IsInf(best, 0) {
		return 0, b, "its dose and timing give no finite daily dose"
	}
	if len(gs) > 1 {
		b = append(b, " (sequential dosage lines: the highest counts)"...)
	}
	return best, b, ""
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// appendNum appends x rounded to two decimals, without trailing zeros.
func appendNum(b []byte, x float64) []byte {
	x = round2(x)
	if x >= 0 && x < 1e15 {
		c := int64(math.Round(x * 100))
		b = strconv.AppendInt(b, c/100, 10)
		if f := c % 100; f != 0 {
			b = append(b, '.', byte('0'+f/10))
			if f%10 != 0 {
				b = append(b, byte('0'+f%10))
			}
		}
		return b
	}
	return strconv.AppendFloat(b, x, 'f', -1, 64)
}
