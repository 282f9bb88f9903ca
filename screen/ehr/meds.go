package ehr

import (
	"math"
	"strconv"
	"strings"
)

// Ingredient codes (RxNorm) recognised when a request is coded at the ingredient level, and names
// recognised when it carries only text. The names are checked against the value sets by a test.
const (
	ingBuprenorphine = 1819
	ingMethadone     = 6813
	ingNaloxone      = 7242
	ingNaltrexone    = 7243
)

var opioidNames = []string{
	"codeine", "fentanyl", "hydrocodone", "hydromorphone", "methadone", "morphine", "oxycodone", "oxymorphone",
	"tapentadol", "tramadol", "buprenorphine", "butorphanol", "levorphanol", "meperidine", "pethidine",
	"pentazocine", "dihydrocodeine", "opium", "propoxyphene", "nalbuphine", "sufentanil", "benzhydrocodone",
	"levomethadyl", "dextromoramide", "dipipanone", "heroin", "meptazinol", "phenazocine", "alfentanil",
	"remifentanil",
}

var benzoNames = []string{
	"alprazolam", "chlordiazepoxide", "clobazam", "clonazepam", "clorazepate", "diazepam", "estazolam",
	"flurazepam", "lorazepam", "midazolam", "oxazepam", "quazepam", "temazepam", "triazolam", "remimazolam",
	"bromazepam", "flunitrazepam", "halazepam", "lormetazepam", "nitrazepam", "prazepam",
}

// Word classes for recognising a medication by name.
const (
	wordOpioid uint8 = 1 << iota
	wordBenzo
	wordNaloxone
	wordNaltrexone
	wordMOUD // buprenorphine, methadone: for pain or for OUD
)

var nameWords = func() map[string]uint8 {
	m := map[string]uint8{"naloxone": wordNaloxone, "naltrexone": wordNaltrexone}
	for _, n := range opioidNames {
		m[n] = wordOpioid
	}
	m["buprenorphine"] |= wordMOUD
	m["methadone"] |= wordMOUD
	for _, n := range benzoNames {
		m[n] = wordBenzo
	}
	return m
}()

// scanNames finds the medication names in s, word by word (ASCII letters, any case), and returns the classes
// found and the first name of each class.
func scanNames(s string, found uint8, first *[5]string) uint8 {
	var buf [24]byte
	for i := 0; i < len(s); {
		c := s[i]
		if !isLetter(c) {
			i++
			continue
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		if n := j - i; n >= 5 && n <= len(buf) {
			for k := 0; k < n; k++ {
				buf[k] = s[i+k] | 0x20
			}
			if cl, ok := nameWords[string(buf[:n])]; ok {
				for bit := 0; bit < len(first); bit++ {
					if cl&(1<<bit) != 0 && found&(1<<bit) == 0 {
						first[bit] = string(buf[:n])
					}
				}
				found |= cl
			}
		}
		i = j
	}
	return found
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// concept returns the medication concept of a request (its own, or the referenced Medication's code) and
// false when a reference could not be resolved.
func (d *deriver) concept(m *medicationRequest) (*codeableConcept, bool) {
	if m.MedicationCodeableConcept != nil {
		return m.MedicationCodeableConcept, true
	}
	if m.MedicationReference == nil {
		return nil, true
	}
	ref := m.MedicationReference.Reference
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		for i := range m.contained {
			if m.contained[i].ID == id {
				return m.contained[i].Code, true
			}
		}
		return nil, false
	}
	if med := d.r.medications[ref]; med != nil {
		return med.Code, true
	}
	return nil, false
}

func (d *deriver) medications() {
	for i := range d.r.requests {
		m := &d.r.requests[i]
		if m.Status != "active" || (m.DoNotPerform != nil && *m.DoNotPerform) || !d.mine(m.Subject) {
			continue // draft, on-hold, stopped, completed, cancelled, entered-in-error: not current
		}
		d.active++
		d.request(m)
	}
	d.finishMedications()
}

func (d *deriver) request(m *medicationRequest) {
	cc, ok := d.concept(m)
	if !ok {
		d.medIncomplete = true
		d.note(NoteUnresolved, "", m.ref, "its medicationReference is not among the resources: the medication could not be classified")
		return
	}
	var dr *drugEntry
	var ingr uint32
	if cc != nil {
		for _, c := range cc.Coding {
			if c.System != rxnorm {
				continue
			}
			code, err := strconv.ParseUint(strings.TrimSpace(c.Code), 10, 32)
			if err != nil {
				continue
			}
			if dr = d.t.drug(uint32(code)); dr != nil {
				break
			}
			if ingr == 0 && (d.t.ingr[uint32(code)] != nil || code == ingBuprenorphine || code == ingMethadone ||
				code == ingNaloxone || code == ingNaltrexone) {
				ingr = uint32(code)
			}
		}
	}
	switch {
	case dr != nil:
		d.drug(m, m.ref, dr)
	case ingr != 0:
		d.ingredientOnly(m, m.ref, ingr)
	default:
		d.byName(m, cc)
	}
}

// drug classifies a request coded with a product in the table.
func (d *deriver) drug(m *medicationRequest, res string, dr *drugEntry) {
	if dr.classes&clsMethadone != 0 {
		if d.oudReason(m) {
			d.set(iMOUD, true, res, dr.name+" for opioid use disorder (reason)")
			return
		}
		d.reason(iMME, res, "methadone without an opioid use disorder reason: counted as an opioid analgesic")
	}
	if dr.classes&clsBupOUD != 0 {
		d.set(iMOUD, true, res, dr.name+" (buprenorphine for opioid use disorder)")
	}
	if dr.classes&clsNaloxone != 0 {
		d.set(iNalox, true, res, dr.name)
	}
	if dr.classes&clsBenzo != 0 {
		d.set(iBenzo, true, res, dr.name)
	}
	if dr.classes&clsBupPain != 0 {
		d.bupPain++
		d.reason(iMME, res, dr.name+": buprenorphine for pain, no CDC conversion factor (adds nothing to MME)")
	}
	if dr.classes&(clsOpioid|clsMethadone) != 0 {
		d.opioids++
		if len(dr.ingr) == 0 {
			d.mmeUnknown = true
			d.note(NoteMMEUnknown, FieldOpioidMME, res, dr.name+": an opioid with no ingredient strength in the MME table")
			return
		}
		mme, b, why := requestMME(dr, m.DosageInstruction, d.buf[:0])
		d.buf = b
		if why != "" {
			d.mmeUnknown = true
			d.note(NoteMMEUnknown, FieldOpioidMME, res, dr.name+": MME not computed: "+why)
			return
		}
		if math.IsInf(d.mme+mme, 0) {
			d.mmeUnknown = true
			d.note(NoteMMEUnknown, FieldOpioidMME, res, dr.name+": MME not computed: the total is not a finite number")
			return
		}
		d.mme += mme
		d.reason(iMME, res, string(b))
	}
}

// ingredientOnly handles a request coded with an ingredient (no strength or dose form).
func (d *deriver) ingredientOnly(m *medicationRequest, res string, ingr uint32) {
	switch ingr {
	case ingNaltrexone:
		if d.oudReason(m) {
			d.set(iMOUD, true, res, "naltrexone for opioid use disorder (reason)")
		} else {
			d.moudUnclear = true
			d.note(NoteOUDUnclear, FieldMOUDCurrent, res, "naltrexone without an opioid use disorder reason (it also treats alcohol use disorder)")
		}
	case ingNaloxone:
		d.naloxUnclear = true
		d.note(NoteNotCoded, FieldNaloxoneCurrent, res, "naloxone coded without a product: rescue naloxone or a combination could not be told apart")
	case ingBuprenorphine, ingMethadone:
		if d.oudReason(m) {
			d.set(iMOUD, true, res, "coded by ingredient, for opioid use disorder (reason)")
			return
		}
		d.moudUnclear = true
		d.opioids++
		d.mmeUnknown = true
		d.note(NoteMMEUnknown, "", res, "coded by ingredient only (no product): for pain or for opioid use disorder, and its MME, could not be told")
	default:
		d.opioids++
		d.mmeUnknown = true
		d.note(NoteMMEUnknown, FieldOpioidMME, res, "an opioid coded by ingredient only (no product strength): MME not computed")
	}
}

// byName handles a request with no RxNorm code the table knows: an opioid, a benzodiazepine or an OUD or
// naloxone product named in its text or displays is recognised (a newer RxNorm product than the table's is
// caught so); a request with no RxNorm code and no recognised name could be any of them.
func (d *deriver) byName(m *medicationRequest, cc *codeableConcept) {
	var first [5]string
	var found uint8
	hasRx := false
	if cc != nil {
		found = scanNames(cc.Text, found, &first)
		for _, c := range cc.Coding {
			found = scanNames(c.Display, found, &first)
			if c.System == rxnorm {
				_, err := strconv.ParseUint(strings.TrimSpace(c.Code), 10, 32)
				hasRx = hasRx || err == nil
			}
		}
	}
	for i := range m.DosageInstruction {
		found = scanNames(m.DosageInstruction[i].Text, found, &first)
	}
	if found == 0 && hasRx {
		return // an RxNorm code outside every value set, naming none of them, is a medication of no concern here
	}
	res := m.ref
	if found&wordBenzo != 0 {
		d.set(iBenzo, true, res, "names "+first[1]+" (no RxNorm code painscreen knows)")
	}
	if found&wordOpioid != 0 {
		d.opioids++
		d.mmeUnknown = true
		d.note(NoteMMEUnknown, FieldOpioidMME, res, "names "+first[0]+" without an RxNorm product code painscreen knows: MME not computed")
	}
	if found&wordMOUD != 0 {
		d.moudUnclear = true
	}
	if found&wordNaloxone != 0 {
		d.naloxUnclear = true
		d.note(NoteNotCoded, FieldNaloxoneCurrent, res, "names naloxone without an RxNorm product code painscreen knows")
	}
	if found&wordNaltrexone != 0 {
		d.moudUnclear = true
		d.note(NoteOUDUnclear, FieldMOUDCurrent, res, "names naltrexone without an RxNorm product code painscreen knows")
	}
	if found != 0 {
		return
	}
	d.medIncomplete = true
	d.note(NoteNotCoded, "", res, "no RxNorm code and no name painscreen recognises: an opioid, benzodiazepine, MOUD or naloxone could not be ruled out")
}

// oudReason reports whether a request's reasonCode (or a referenced Condition) is an opioid use disorder.
func (d *deriver) oudReason(m *medicationRequest) bool {
	for i := range m.ReasonCode {
		if d.conceptIs(&m.ReasonCode[i], false) {
			return true
		}
	}
	for _, rr := range m.ReasonReference {
		for i := range d.r.conditions {
			c := &d.r.conditions[i]
			if (rr.Reference == "Condition/"+c.ID || (c.fullURL != "" && rr.Reference == c.fullURL)) && c.Code != nil && d.conceptIs(c.Code, false) {
				return true
			}
		}
	}
	return false
}

// conceptIs reports whether a concept holds an opioid use disorder code (overdose false) or an opioid
// overdose code (overdose true).
func (d *deriver) conceptIs(cc *codeableConcept, overdose bool) bool {
	for _, c := range cc.Coding {
		sys := ""
		switch c.System {
		case "http://snomed.info/sct":
			sys = "sct"
		case "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10":
			sys = "icd10cm"
			if overdose && icdOverdose(c.Code) {
				return true
			}
		default:
			continue
		}
		if e := d.t.conds[condKey(sys, c.Code)]; e != nil && e.overdose == overdose {
			return true
		}
	}
	return false
}

// icdOverdose reports whether an ICD-10-CM code is a poisoning by opium, heroin, other opioids, methadone,
// synthetic narcotics or other narcotics (T40.0–T40.4, T40.6) that was accidental, intentional self-harm,
// assault or undetermined (6th character 1–4; 5 is an adverse effect and 6 underdosing).
func icdOverdose(code string) bool {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), ".", ""))
	if len(c) < 6 || c[:3] != "T40" {
		return false
	}
	switch c[3] {
	case '0', '1', '2', '3', '4', '6':
	default:
		return false
	}
	return c[5] >= '1' && c[5] <= '4'
}

func (d *deriver) finishMedications() {
	complete := d.opt.MedicationsComplete && !d.medIncomplete
	n := strconv.Itoa(d.active)
	opioids := d.opioids + d.bupPain
	if !d.opt.MedicationsComplete {
		d.note(NoteIncomplete, "", "", "the medication list was not said to be complete: a product not found is unknown, not absent")
	}
	switch {
	case d.mmeUnknown || (opioids > 0 && !complete):
		if d.mme > 0 {
			d.note(NoteMMEUnknown, FieldOpioidMME, "", "opioid_mme is unknown: the requests that could be computed give "+
				strconv.FormatFloat(round2(d.mme), 'f', -1, 64)+" MME/day, the others could add more")
		}
		d.f[iMME].Reasons = nil
	case opioids > 0 && d.mme == 0:
		d.note(NoteBuprenorphineRx, FieldOpioidMME, "", "opioid_mme is unknown: the only opioid analgesic is buprenorphine for pain, which has no CDC conversion factor (it is not 0: an opioid is prescribed)")
		d.f[iMME].Reasons = nil
	case opioids > 0:
		d.f[iMME].Known, d.f[iMME].Value = true, round2(d.mme)
	case complete:
		d.set(iMME, 0.0, "", "no active opioid analgesic among "+n+" active MedicationRequests")
	}
	if !d.f[iBenzo].Known && complete {
		d.set(iBenzo, false, "", "no active benzodiazepine among "+n+" active MedicationRequests")
	}
	if !d.f[iMOUD].Known && complete && !d.moudUnclear {
		d.set(iMOUD, false, "", "no active buprenorphine, methadone or naltrexone for opioid use disorder among "+n+" active MedicationRequests")
	}
	if !d.f[iNalox].Known && complete && !d.naloxUnclear {
		d.set(iNalox, false, "", "no active rescue naloxone among "+n+" active MedicationRequests")
	}
}

func (d *deriver) conditions() {
	unreadable := false
	for _, u := range d.r.unreadable {
		unreadable = unreadable || u.Type == "Condition" || u.Type == ""
	}
	n := 0
	for i := range d.r.conditions {
		c := &d.r.conditions[i]
		if !d.mine(c.Subject) {
			continue
		}
		n++
		if c.Code == nil || !d.conceptIs(c.Code, true) || refuted(c.VerificationStatus) {
			continue
		}
		text := "opioid overdose on record"
		for _, cd := range c.Code.Coding {
			if cd.Code != "" {
				text += " (" + cd.Code
				if cd.Display != "" {
					text += " " + cd.Display
				}
				text += ")"
				break
			}
		}
		if c.ClinicalStatus != nil && len(c.ClinicalStatus.Coding) > 0 {
			text += ", clinical status " + c.ClinicalStatus.Coding[0].Code
		}
		d.set(iOverdose, true, "Condition/"+c.ID, text)
	}
	if d.f[iOverdose].Known {
		return
	}
	switch {
	case d.opt.ConditionsComplete && !unreadable:
		d.set(iOverdose, false, "", "no opioid overdose among "+strconv.Itoa(n)+" Conditions")
	case !d.opt.ConditionsComplete:
		d.note(NoteIncomplete, FieldPriorOverdose, "", "the condition list was not said to be complete: prior_overdose is unknown")
	}
}

// refuted reports a verification status that says the condition is not there.
func refuted(vs *codeableConcept) bool {
	if vs == nil {
		return false
	}
	for _, c := range vs.Coding {
		if c.Code == "refuted" || c.Code == "entered-in-error" {
			return true
		}
	}
	return false
}
