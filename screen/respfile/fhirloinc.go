package respfile

// The official LOINC Questionnaires (the LOINC form server's FHIR exports, http://loinc.org/q/PANEL) give
// their items numeric linkIds ("14371") instead of the item's LOINC code ("44260-8"). A response to such a
// form names only the linkId, so these tables say which item each linkId asks, by the item's LOINC code:
// the code is the stable key, and the mapper finds the instrument item by it.
//
// Source: the LOINC Questionnaires 44249-1 (PHQ-9), 69737-5 (GAD-7), 72109-2 (AUDIT-C) and 91148-7 (PEG),
// as exported by the LOINC form server (copies in testdata/loinc; TestLOINCPanelLinksFromQuestionnaires
// rebuilds this table from them). LOINC is copyright © Regenstrief Institute, Inc. and the LOINC Committee,
// available at no cost under the license at http://loinc.org/license.
//
// A linkId mapped to "" is the form's calculated total (type decimal, no code): it is not an answer, and is
// skipped like any other score painscreen computes itself.
var loincPanelLinks = map[string]map[string]string{
	// PHQ-9 quick depression assessment panel.
	"44249-1": {
		"14363": "44250-9", // 1 little interest or pleasure
		"14364": "44255-8", // 2 feeling down, depressed, or hopeless
		"14365": "44259-0", // 3 sleep
		"14366": "44254-1", // 4 tired, little energy
		"14367": "44251-7", // 5 appetite
		"14368": "44258-2", // 6 feeling bad about yourself
		"14369": "44252-5", // 7 concentrating
		"14370": "44253-3", // 8 moving or speaking slowly, or fidgety
		"14371": "44260-8", // 9 thoughts that you would be better off dead, or of hurting yourself
		"57492": "69722-7", // how difficult have these problems made it
		"14372": "",        // total score (calculated)
	},
	// Generalized anxiety disorder 7 item (GAD-7).
	"69737-5": {
		"57541": "69725-0",
		"57542": "68509-9",
		"57543": "69733-4",
		"57544": "69734-2",
		"57545": "69735-9",
		"57546": "69689-8",
		"57547": "69736-7",
		"58628": "", // total score (calculated)
	},
	// Alcohol use disorder identification test - consumption (AUDIT-C).
	"72109-2": {
		"72043": "68518-0",
		"72044": "68519-8",
		"72042": "68520-6",
		"72040": "", // total score (calculated)
	},
	// Pain intensity, Enjoyment of life, General activity (PEG) 3 item pain scale.
	"91148-7": {
		// The Questionnaire leaves its first item ("What number best describes your pain on average in the
		// past week?") without a code; the PEG definition codes that item 75893-8, so the linkId maps to it.
		"108518": "75893-8",
		"108514": "91145-3",
		"108515": "91146-1",
		"108516": "", // mean score (calculated)
	},
}

// addPanelLinks lets fi's items be found by the linkIds of its LOINC panel's official Questionnaire, and
// returns the linkIds that name an item (to recognise the instrument by its items).
func (fi *fhirInst) addPanelLinks(panel string) []string {
	var links []string
	for link, code := range loincPanelLinks[panel] {
		if _, taken := fi.items[link]; taken {
			continue
		}
		if code == "" {
			fi.scores[link] = true
			continue
		}
		if it := fi.items[code]; it != nil {
			fi.items[link] = it
			links = append(links, link)
		}
	}
	return links
}
