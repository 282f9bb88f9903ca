package cds

// What the cards add to a referral of the bundled pain_oud rule set: a summary that stands alone in
// under 140 characters, a short name for the routine card, links for the clinician, and the order a
// suggestion proposes. Keyed by referral id; a referral of another rule set, or one not listed, gets
// a summary from its own text and no links or suggestions. (Kept here rather than in the rule set so
// that the clinical definitions stay free of EHR integration details; every URL is a public page of
// the organisation named.)

// Action is what the cards say and offer for one referral id.
type ReferralAction struct {
	// Summary stands alone, under MaxSummary characters, no truncation marks.
	Summary string
	// Short names the referral in a list ("brief alcohol intervention").
	Short string
	// Links for the clinician.
	Links []Link
	// Order, when set, is proposed as a suggestion (a draft the clinician completes).
	Order *Order
}

// Order is a draft order a suggestion proposes.
type Order struct {
	// Medication is true for a MedicationRequest, false for a ServiceRequest.
	Medication bool
	// Text is the medication or service, in words.
	Text string
	// Priority of a ServiceRequest: routine, urgent, asap or stat; empty for none.
	Priority string
	// Label is the suggestion's label, what the clinician clicks.
	Label string
}

// The links of the cards.
var (
	link988   = Link{Label: "988 Suicide & Crisis Lifeline", URL: "https://988lifeline.org/", Type: "absolute"}
	linkCSSRS = Link{Label: "Columbia Suicide Severity Rating Scale (C-SSRS) screener",
		URL: "https://cssrs.columbia.edu/the-columbia-scale-c-ssrs/cssrs-for-communities-and-healthcare/", Type: "absolute"}
	linkBup = Link{Label: "SAMHSA: buprenorphine",
		URL: "https://www.samhsa.gov/medications-substance-use-disorders/medications-counseling-related-conditions/buprenorphine", Type: "absolute"}
	linkNaloxone = Link{Label: "SAMHSA: opioid overdose reversal medications (naloxone)",
		URL: "https://www.samhsa.gov/medications-substance-use-disorders/medications-counseling-related-conditions/opioid-overdose-reversal-medications", Type: "absolute"}
	linkCDC2022 = Link{Label: "CDC Clinical Practice Guideline for Prescribing Opioids for Pain (2022)",
		URL: "https://www.cdc.gov/mmwr/volumes/71/rr/rr7103a1.htm", Type: "absolute"}
	linkCDCOUD = Link{Label: "CDC: assessing for opioid use disorder (DSM-5 criteria)",
		URL: "https://www.cdc.gov/overdose-prevention/hcp/clinical-care/opioid-use-disorder-diagnosis.html", Type: "absolute"}
	linkTAPS = Link{Label: "NIDA TAPS tool (tobacco, alcohol, prescription medication and other substance use)",
		URL: "https://nida.nih.gov/taps2/", Type: "absolute"}
)

// ReferralActions is the table of the bundled rule set's referrals. Read-only.
var ReferralActions = map[string]ReferralAction{
	"suicide_safety_assessment": {
		Summary: "Suicide risk: PHQ-9 item 9 endorsed. Assess suicide risk before the patient leaves (e.g. C-SSRS).",
		Short:   "suicide risk assessment",
		Links:   []Link{linkCSSRS, link988},
		Order:   &Order{Text: "Suicide risk assessment (structured, e.g. C-SSRS) at this visit", Priority: "stat", Label: "Order a suicide risk assessment at this visit"},
	},
	"moud": {
		Summary: "Opioid use disorder: offer medication (buprenorphine or methadone) now.",
		Short:   "medication for opioid use disorder",
		Links:   []Link{linkBup, linkCDC2022},
		Order:   &Order{Text: "Medication for opioid use disorder (buprenorphine or methadone): start or refer", Priority: "asap", Label: "Refer for medication for opioid use disorder"},
	},
	"moud_continue": {
		Summary: "On medication for OUD: continue it; do not taper or stop it because of pain. Optimise the dose.",
		Short:   "continue medication for opioid use disorder",
		Links:   []Link{linkBup},
	},
	"naloxone": {
		Summary: "Overdose risk: offer naloxone.",
		Short:   "naloxone",
		Links:   []Link{linkNaloxone, linkCDC2022},
		Order:   &Order{Medication: true, Text: "Naloxone for opioid overdose reversal (e.g. 4 mg nasal spray), with instructions for the patient and family", Label: "Propose a naloxone prescription"},
	},
	"opioid_benzodiazepine_review": {
		Summary: "Opioid with a benzodiazepine: review both prescriptions for overdose risk.",
		Short:   "opioid and benzodiazepine review",
		Links:   []Link{linkCDC2022},
	},
	"integrated_pain_oud_therapy": {
		Summary: "Pain with opioid use disorder: integrate pain-focused therapy with OUD treatment.",
		Short:   "integrated pain and OUD therapy",
		Links:   []Link{linkCDC2022},
		Order:   &Order{Text: "Pain-focused psychotherapy or exercise integrated with opioid use disorder treatment", Priority: "routine", Label: "Refer for integrated pain and OUD therapy"},
	},
	"behavioral_health_prompt": {
		Summary: "Severe depressive symptoms (PHQ-9 ≥ 20): start treatment now and expedite mental health referral.",
		Short:   "expedited mental health referral",
		Order:   &Order{Text: "Mental health referral, expedited (severe depressive symptoms)", Priority: "asap", Label: "Expedite a mental health referral"},
	},
	"addiction_assessment": {
		Short: "assessment for opioid use disorder",
		Links: []Link{linkCDCOUD},
		Order: &Order{Text: "Assessment for opioid use disorder (DSM-5 criteria) and other substance use", Priority: "routine", Label: "Order an opioid use disorder assessment"},
	},
	"substance_use_assessment": {
		Short: "substance use assessment",
		Links: []Link{linkTAPS},
	},
	"integrated_pain_care": {
		Short: "integrative pain care",
		Links: []Link{linkCDC2022},
		Order: &Order{Text: "Multimodal integrative pain program (CBT, physical therapy or exercise, acupuncture, group visits)", Priority: "routine", Label: "Refer to integrative pain care"},
	},
	"behavioral_health": {
		Short: "behavioural health",
		Order: &Order{Text: "Behavioural health evaluation and treatment", Priority: "routine", Label: "Refer to behavioural health"},
	},
	"collaborative_care": {
		Short: "collaborative care",
		Order: &Order{Text: "Collaborative care management (care manager, systematic follow-up)", Priority: "routine", Label: "Enrol in collaborative care"},
	},
	"alcohol_intervention":  {Short: "brief alcohol intervention"},
	"treatment_adjustment":  {Short: "treatment review (not improving)"},
	"treat_to_remission":    {Short: "treat to remission"},
	"pain_treatment_review": {Short: "pain treatment review", Links: []Link{linkCDC2022}},
	"rescreen":              {Summary: "Low risk on this screen: rescreen at the next routine visit.", Short: "rescreen"},
}
