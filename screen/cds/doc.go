// Package cds presents painscreen reports to clinicians: CDS Hooks 2.0 cards designed for an EHR
// (Maker), and the summary of a result the answers leave open that every human-facing view leads with
// (Namer.OpenResult, Open.Headline: "not final — LOW now, URGENT possible: ask PHQ-9 item 9";
// composite.md §1b). The server package speaks HTTP and uses this package for the cards.
//
// It is decision support for a clinician, not a diagnosis. Cards hold no answer value beyond what a
// clinician needs to read (a flag's answer), and no subject id outside the FHIR resources a suggestion
// proposes for that patient.
package cds
