// Package screen is the painscreen engine: it loads versioned questionnaire definitions (instruments) and a
// composite rule set, compiles their CEL expressions once, and scores response sets into reports that say
// what every result was computed from.
//
// painscreen is decision support for clinicians. It screens; it does not diagnose. A report is a summary
// of answers and published scoring rules for a clinician to read, never a substitute for their judgement.
//
// # Lifecycle
//
//	eng, err := screen.New(bundled.Definitions())         // load, validate, compile: the only expensive step
//	if err != nil {
//		var diags diag.List                            // every problem, as file:line:col: code: message
//		errors.As(err, &diags)
//	}
//	rep, err := eng.Score(ctx, &screen.Response{...})      // many times, from many goroutines
//	if err != nil {
//		return err                                     // nothing to score: no report
//	}
//	if err := rep.Err(); err != nil {                      // answers that could not be used (rep.Errors);
//		log.Print(err)                                 // the report holds everything else, flags included
//	}
//
// New returns a complete engine or an error, never a half-usable engine. An Engine is immutable and safe
// for concurrent use by any number of goroutines; Score takes no locks on the hot path (scratch space
// comes from a sync.Pool).
//
// Evaluation is bounded: every expression's worst-case cost is estimated when it loads (CEL's static cost
// model) and rejected over the limit (10,000 steps; diagnostic cel_cost), so no response can make scoring
// slow; Score checks its context between instruments. Nothing in a definition can read the clock, the environment or files.
//
// # Definitions
//
// Instruments and rule sets are YAML files; docs/definitions.md in the repository describes the format,
// the CEL variables and functions, bands, skip logic, missing-data rules and test suites. Several versions
// of one instrument may be loaded: an answers key "phq9" selects the version the rule set binds (else the
// newest), "phq9@1.0.0" pins one. Every report names the id, version and sha256 digest of each definition
// that scored it, and the engine version.
//
// # Responses
//
// A Response holds an opaque subject id, optional respondent context, and answers per instrument:
//
//	&screen.Response{
//		Subject: "pt-0042",
//		Context: map[string]any{"age": 47, "sex": "female"},
//		Answers: map[string]map[string]any{
//			"phq9":   {"q1": 1, "q2": "LA6570-1", "q9": 0},  // option value, or option code
//			"gcps_r": {"pain_frequency": 3, "limit_frequency": 2},
//		},
//	}
//
// An answer is an integer (the option value, or the number for a range item), a string (the code of an
// option, for example a LOINC answer code), or nil (not answered, the same as leaving it out). Context
// accepts "age" (whole years, 0–150) and "sex" (matched trimmed and case-insensitively; m and f count as
// male and female; anything else is unknown, not an error) in every engine, and any field a loaded
// definition declares, as an int, a number, a bool or a string (within its declared bounds): the bundled
// pain_oud declares moud_current, benzodiazepine and prior_overdose (bool) and opioid_mme (number ≥ 0).
// A rule set may declare whom it is for: pain_oud is for adults, so a response set whose context age is
// under 18 gets composite {"applied": false, "reason": "outside_population"} — its instrument results and
// flags are reported, and an urgent flag still counts (RequireComposite does not make it an error). An instrument with nothing answered (every item nil or left out) was not
// administered: it is left out of the report and is absent for the rule set. A response set with no answer
// at all is an error.
//
// # Follow-up
//
// Engine.FollowUp (and FollowUpTo) scores a current response set against a baseline one of the same
// subject, an earlier visit: the current report with a followup block. Response.Date (ISO 8601, YYYY-MM-DD)
// gives each visit's date and days between them; a missing or invalid date, or a current date before the
// baseline's, leaves follow-up not computed with a note. Nothing reads the clock. Instrument definitions
// declare follow-up measures (PHQ-9 change, response, remission; PEG 30 % improvement; …), each computed
// only from scores decided at both visits; rule sets read them (pain_oud's treatment_adjustment and
// pain_treatment_review). The baseline itself is scored only to read its results: its own problems are
// not errors of the call. painscreen score --follow-up pairs each record with its subject's earliest dated
// record in the input.
//
// # Missing and invalid answers
//
// A bad answer spoils only itself. An unknown instrument, version or item, a value that is not among the
// options or outside the range, a non-integer number, an unknown or invalid context field: each is an error
// of the record (Report.Errors; Score returns the report and a nil error, and Report.Err returns the
// problems as a *ResponseErrors), named by instrument and item, never by value. The instrument with an invalid answer has status "error", its invalid answers count
// as unknown, and no score that reads one is prorated; everything else is scored. An answer to an item that skip logic
// does not ask is kept, noted (answered_when_skipped) and not scored. WithStrictAnswers restores
// all-or-nothing scoring. Nothing is ignored, clamped or guessed.
//
// A missing (or unknown) answer is not an error. A score or flag the definition cannot compute without it is
// still reported when every way of answering the missing items gives the same value (note "determined"):
// the engine decides this exactly, by enumerating the completions of only the items the result depends on.
// A rule set's domains read their sources in order; a domain the answers leave open is not_assessed with its
// "possible" values; the tier and referrals are evaluated over every combination of possible values: a
// referral that fires in all is listed, one that fires in some is "possible"; the tier is the one all give,
// or the lowest of them (with the others "possible"). An urgent flag that fired is always in the report.
//
// In a batch loop, ScoreTo scores into a Report the caller reuses, so scoring allocates nothing per
// response set; Score allocates a new Report each time. A Report owns everything it holds, the reasons of
// every result included; results taken from a Report that ScoreTo reuses are valid until it is scored into
// again.
//
// # Packages
//
// This package is the facade over the engine's stages (docs/architecture.md in the repository draws them).
// Beside it: screen/respfile reads response files (JSON, JSON Lines, YAML, CSV, FHIR R4
// QuestionnaireResponses and Bundles) one record at a time; screen/fhir writes FHIR R4 (an instrument's
// Questionnaire; a report as a Bundle of Observations and a RiskAssessment); screen/catalog describes loaded definitions (what `painscreen show` prints); screen/suite loads and runs
// test suites; screen/diag holds load-time diagnostics; and package bundled (outside screen, so an engine
// holds only what its caller loads) is the bundled catalogue and rule set.
//
// Score returns an error only when there is no report; the problems of a scored record are in
// Report.Errors. Both are *ScoreError values (errors.Is(err, ErrUnknownItem) and friends; Report.Err
// gathers a report's into a *ResponseErrors). Their messages name instruments, items and rules, never
// answer values or the subject id: those are health data and go only to the report.
//
// # Report JSON contract
//
// Report.MarshalJSON (and AppendJSON, which appends the same bytes; encoding/json gives the same for a
// Report and a *Report) produces this document. Field names
// and order are stable; numbers are printed in their shortest exact form (12, 5.7); equal reports encode
// to equal bytes.
//
//	{
//	  "subject": "pt-0042",
//	  "date": "2026-03-04",                                          // Response.Date; absent when it has none
//	  "engine": {"name": "painscreen", "version": "0.1.0"},
//	  "instruments": {
//	    "<id>": {
//	      "id": "phq9", "version": "1.0.0", "digest": "sha256:…",
//	      "status": "complete" | "incomplete" | "error",
//	      "definition_status": "active" | "draft" | "retired",
//	      "scores": {"<score id>": <number | string | bool>, …},       // computed scores only
//	      "flags": [{"id", "level", "message", "conflict"?, "rule", "reasons"}],   // flags that fired
//	      "missing": ["<item id>", …],                                 // asked, required, not answered
//	      "notes": [{"code", "about", "message"}],                     // prorated, determined, …
//	      "explain": {"<score id>": {"rule", "reasons"}}
//	    }
//	  },
//	  "composite": {                                                 // absent when no rule set is loaded
//	    "id": "pain_oud", "version": "1.2.0", "digest": "sha256:…",
//	    "applied": true,
//	    "domains": {"<domain>": <value>, …},
//	    "possible": {"<domain>": [<value>, …]},                      // domains the answers leave open
//	    "tier": "high", "rule": "pain_oud@1.2.0#tiers.high", "reasons": […],
//	    "possible_tiers": ["<tier>", …],                             // when the answers leave it open
//	    "tier_decided": true | false,                                // false when possible_tiers is not empty
//	    "settle": ["<instrument>.<item>", …],                        // items that could change an open tier
//	    "referrals": [{"id", "priority", "text", "addenda"?, "rationale", "source", "rule", "reasons"}],
//	    "possible_referrals": [ …referrals that fire for some of the missing answers… ],
//	    "not_assessed": ["<domain>", …],
//	    "notes": [{"code", "about", "message"}],
//	    "explain": {"<domain>": {"rule", "reasons"}}
//	  },
//	  "followup": {                                                  // only when scored against a baseline
//	    "baseline": {"date": "2026-01-05"},
//	    "days": 78,                                                  // null when not computed (notes say why)
//	    "instruments": {"phq9": {"change": -8, "response": false, "remission": false}, …},   // computed measures
//	    "possible": {"phq9": {"response": [false, true]}},          // measures the missing answers leave open
//	    "notes": [{"code", "about", "message"}],     // date_missing, date_invalid, date_order, not_computed,
//	                                                 // too_early, determined, determinacy_limit, …
//	    "explain": {"phq9": {"response": {"rule", "reasons"}}}     // reasons: baseline.total, current.total, days
//	  },
//	  "errors": [{"code", "message", "instrument"?, "item"?}]         // the record's errors; [] when none
//	}
//
// When the rule set is not applied (a required input is absent; every input is optional and none that a
// domain reads is present: reason "no_inputs"; or the respondent is outside its population: reason "outside_population",
// with a note of that code), composite is {"id", "version", "digest", "applied": false, "reason": "…",
// "notes": […]}.
//
// "tier_decided" is true when every possible answer gives the same tier ("possible_tiers" is then []);
// when it is false, "tier" is the lowest possible tier and must not be shown alone as the result. "settle"
// ([] when the tier is decided) lists the unanswered or invalid items, as "<instrument>.<item>" in the rule
// set's input order and then item order, whose answers could change the tier. The definition is exact: a
// completion of the record gives every unanswered or invalid item of the rule set's present inputs a value
// it allows (skip logic applied to the completed answers); an item is listed when two completions that
// differ only in its answer give different tiers. These are exactly the items the tier depends on, so
// answering all of them decides it (PHQ-9 item 9 unanswered: "settle" holds "phq9.q9", and "urgent" is a
// possible tier). When the completions are too many to check (the engine's determinacy bound), "settle"
// lists every unanswered or invalid item the tier can read, and a composite note determinacy_limit with
// about "settle" says so. In a follow-up, a baseline score the referrals read that the baseline's answers
// leave open is evaluated over the values its completions give; past the bound, a composite note
// determinacy_limit with about "referrals" says that a referral needing it is listed as possible at most.
//
// A "rule" names the definition part that produced a result: "<id>@<version>#scores.<id>",
// "#flags.<id>", "#domains.<id>", "#tiers.<id>", "#referrals.<id>". "reasons" lists the inputs that caused
// the result, each once, in the order read, each
//
//	{"name", "value", "kind", "instrument"?, "id", "missing"?, "label"?, "text"}
//
// "name" and "value" are the machine form, as the expression wrote the field: answers ("answers.q9"),
// earlier scores ("scores.total"), context ("context.sex", "context.opioid_mme"), instrument results in a
// rule set ("phq9.total", "phq9.status", "phq9.answers.q9", "phq9.flags.suicidal_ideation"), domains
// ("domains.oud"), "tier", and in follow-up "baseline.total", "current.total", "days" (measures) and
// "phq9.baseline.total", "phq9.followup.response", "followup.days" (rule sets); a failed presence test is
// "has(<name>)" with the value false. "kind" says what the field is without parsing the name — answer,
// context, score, flag, status, domain, tier, baseline, current, followup, days — with "instrument" (its
// id; absent for context, domains, the tier and days) and "id" (the item, score, flag, measure, context
// field or domain id). "missing": true marks a failed presence test: the answer, context field or result
// was not there, which is "not reported", never "false". "label" is the value's label (an answer's option
// label, a text value in words, "yes"/"no"; absent for a plain number). "text" is the reason in words,
// generated from the definitions' labels: "PHQ-9 item 9 (thoughts that you would be better off dead…):
// Several days", "on MOUD: not reported", "opioid dose: 90 MME/day", "Opioid use disorder: moderate".
// Text views (text, brief, CDS cards, FHIR notes) print "text" only.
//
// Only causes are reasons: a rule "a || b" that holds cites every term that holds and none that does not;
// "a && b" cites both terms when it holds and the term that decided it when it does not; "!a" cites a;
// comparisons, arithmetic and functions cite everything they read; "c ? x : y" cites c and the branch
// taken, except a count term "c ? 1 : 0" whose condition does not hold, which cites nothing. A tier that
// matched cites its own rule (the fallback tier cites why none before it matched); an addendum that does
// not apply is no reason of its referral.
// Following the reasons from a referral to its domains, from a domain to instrument scores, and from a
// score to the answers explains every recommendation down to the answers that produced it.
//
// Context read from an EHR record (package screen/ehr) is context like any other: the reasons show it as
// "context.opioid_mme" and so on. Where painscreen derived it, the derivation travels beside the report:
// `painscreen score` appends "ehr_context" to a JSON report ({"table": {"version", "digest"}, "fields":
// [{"name", "known", "value", "reasons": [{"resource", "text"}]}], "notes": [{"code", "field"?,
// "resource"?, "text"}]}), and the CDS service names the resources in its cards (docs/ehr.md).
//
// A record that has no report (it could not be decoded, or Score returned an error) is a RecordError:
// {"record", "line", "file", "subject"? (when the record decoded), "fatal"? (an input that cannot be read
// further), "error": {"code", "message", "instrument", "item", "line"?, "col"?}}. `painscreen score`
// writes it in JSON and JSON Lines in place of the report; the HTTP service's error bodies are its "error"
// object.
//
// Every public type that appears in a report encodes (MarshalJSON) as its part of this document: an
// InstrumentResult as an "instruments" entry, a CompositeResult as "composite", a FollowUpResult as
// "followup", a Flag, Referral, Note, ScoreError (an "errors" entry) or Reason as its entry, an EngineInfo
// as "engine". A Score, a Domain and a FollowUpMeasure, which the report spreads over two places (the
// value under "scores", "domains" or the follow-up "instruments"; rule and reasons under "explain"),
// encode as one object joining both: {"id", "value", "possible"? (a domain the answers leave open),
// "rule", "reasons"}. A FollowUpInstrument encodes as {"id", "measures": [measure, …], "possible":
// [{"id", "values"}, …]}. encoding/json escapes <, > and & inside any MarshalJSON output (as \u003c …);
// an Encoder with SetEscapeHTML(false), or AppendJSON, gives the bytes above exactly.
//
// ReadReport (or json.Unmarshal into a *Report) reads a report back: every field, every result's rule and
// reasons, and the errors (which match their sentinels, and Report.Err gathers); it re-encodes to the same
// bytes. Fields the contract does not define (a CLI record's kept columns, "ehr_context") are skipped. A
// number without a fraction or exponent reads back as an integer Value.
//
// Note codes: prorated (a total scaled up from the answered items), not_computed (with the missing item
// or score), not_applicable (a score whose `when` condition is false), flag_not_evaluated, determined (a
// result every completion of the missing answers gives alike), determinacy_limit, answered_when_skipped,
// unknown_answers (an instrument with invalid answers), draft_definition, retired_definition, the ids of a
// definition's conditional notes (sex_unknown_cutpoint), input_incomplete and input_version_mismatch (rule
// sets), unread_answers (a domain a later source does not decide because it cannot see answers an earlier
// source has), context_unknown (declared context fields not given or not valid), too_early (a follow-up
// measure with min_days, compared fewer days after baseline), fired_in_conflicting_answer (a flag one of an
// item's conflicting answers fires).
//
// An item answered more than once (a FHIR item with two answers, a repeated linkId) is an error
// conflicting_answers of that item, which is unknown. A flag that fires for at least one of the answers given
// (whatever the other missing answers are) is still listed, with "conflict": the items whose conflicting
// answers fire it, and a note fired_in_conflicting_answer: the answers do not settle it, but a safety signal
// always surfaces, and an urgent one counts as urgent. "conflict" is absent for a flag the valid answers fire.
//
// Error codes are those of ScoreError.
package screen
