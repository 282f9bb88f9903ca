// Package server is painscreen as an HTTP service: a scoring endpoint and a CDS Hooks 2.0 service, so an
// EHR (or any program) can call the engine over HTTP. `painscreen serve` runs it; a Go program can mount
// the same Handler in its own server.
//
// # Endpoints
//
//	POST /score               a response set → the JSON report (screen's JSON contract); ?format=fhir (or
//	                          Accept: application/fhir+json alone) asks for a FHIR R4 Bundle
//	                          (Observations and a RiskAssessment, screen/fhir) instead. The body is a native response set (JSON, one record), or FHIR: a
//	                          QuestionnaireResponse or a Bundle of them holding one subject's responses
//	                          of one date (application/fhir+json, or JSON with a resourceType). 200 with
//	                          the report, whose errors list answers that could not be used; 400 for
//	                          input that cannot be read, with {"code", "message", "instrument", "item",
//	                          "line"?, "col"?} (every error body has this shape: a failed record's
//	                          "error" object as the CLI writes it, screen.RecordError);
//	                          413 for a body over Config.MaxBodyBytes. A FHIR Bundle that also carries
//	                          the patient's Patient, MedicationRequests and Conditions gets the treatment
//	                          context derived from them, and the report ends with "ehr_context".
//	GET  /cds-services        CDS Hooks discovery: one patient-view service, with prefetch templates for
//	                          the patient's QuestionnaireResponses (every status) and (optional) the
//	                          Patient, whose US Core birth sex is the context sex of sex-specific
//	                          cut-points and whose birthDate gives the age, and (optional) the patient's
//	                          active MedicationRequests and Conditions, from which, with the Patient's
//	                          birthDate, the treatment context is derived (package screen/ehr: opioid
//	                          MME, benzodiazepine, MOUD, naloxone, overdose).
//	POST /cds-services/{id}   a CDS Hooks call → {"cards": [...]}; 412 when the prefetch is missing and
//	                          the call gives no fhirServer to read it from.
//	POST /cds-services/{id}/feedback  CDS Hooks feedback on the cards (accepted, overridden).
//	GET  /healthz             200 while the process runs.
//	GET  /readyz              200 while it accepts work; 503 once Drain is called (shutting down).
//	GET  /version             the engine version, and the id, version and sha256 digest of every loaded
//	                          definition and of the MME table (mme_table).
//	GET  /metrics             Prometheus metrics (Metrics), when Config.MetricsRoute.
//	OPTIONS *                 CORS preflight.
//
// # Cards
//
// A CDS call reads the patient's QuestionnaireResponses as CDS Hooks 2.0 says: from the prefetch; null
// is "no data" (200, no card); when the key is absent, the prefetch is an OperationOutcome (a failed
// prefetch) or a searchset with a next link, the service reads the rest from fhirServer with the
// fhirAuthorization bearer token (https, or http on loopback; at most Config.MaxFetchPages requests within
// Config.FetchTimeout; only URLs under fhirServer), and when it cannot, answers with what it has and a
// card saying the data were incomplete. The request envelope is read strictly (a member given twice or
// spelt in another case is refused). Every response is read and merged without loss (merge.go): per
// instrument the newest complete answer set decides the scores (by authored instant; responses of one
// date are merged, an item they answer differently is an error of that item), undated and future-dated
// responses never displace dated ones and are named on a card, instruments whose answers are older than
// Config.Lookback before the newest response are not scored (a card says so), and any PHQ-9 item 9
// endorsement in a response authored within Config.ItemNineWindow (90 days) that the scored PHQ-9 does not
// show gets a critical card naming its date. A PHQ-9 whose item 9 has no usable answer gets a card asking
// it. The Patient's birthDate gives context age at the response date (the rule set's adult population).
// The service then scores the merged answers together, and returns the cards of screen/cds: one critical card for the urgent action (the PHQ-9
// item-9 flag and the suicide safety assessment together), one warning card per high-priority referral,
// one info card for the routine ones, a card that leads with what to ask when missing or invalid answers
// leave the tier (or an urgent flag) open, and no card for a decided low tier unless
// Config.ShowLowTierCard. Cards have summaries under 140 characters, links, suggestions (draft orders)
// with selectionBehavior, overrideReasons, the rule in source.topic and the rule set's digest in the
// extension. Integration problems that change no result (an unknown item) are logged, not carded; a
// response that could not be read gets a warning card. A response of another patient than
// context.patientId is refused (400). When the prefetch holds the treatment record, the cards whose
// reasons read a context field the record gave name the resources behind it, and an information card lists
// the derived context and what could not be derived (an unknown value is never shown as false). "cards":
// [] means there is nothing to say.
//
// POST /cds-services/{id}/feedback takes CDS Hooks 2.0 feedback (accepted, overridden): counted
// (Config.Feedback) and logged with the outcome and painscreen's override-reason code only.
//
// # Security
//
// Scoring and CDS calls need a JWT bearer token, as CDS Hooks specifies: from one of
// Config.TrustedIssuers and signed by a key of that issuer's own JWKS (a token claiming one issuer is
// never verified with another's keys), with the algorithm the key declares (asymmetric only), for
// audience Config.PublicURL (or the URL of the endpoint called), unexpired, living at most
// Config.MaxTokenAge, with a jti never seen before (a bounded in-memory replay cache). A key set holding
// a private or symmetric key is refused when loaded. Key sets from a file or an https URL
// (TrustedIssuer.Source) are reloaded every Config.JWKSRefresh, by Handler.Reload, and (rate-limited)
// when a token names an unknown kid; the jku header is ignored: keys come from configuration only.
// Without trusted issuers every such call is refused with 401;
// health, version and discovery answer without a token. Verifying a token is the costliest step of a
// call: an ES384 signature (Go's P-384 has no assembly) costs about 20 times an RS384 one and about 15
// times the scoring itself (BenchmarkVerify, BenchmarkScore), so an EHR that can sign with RS384 leaves
// the service more headroom. Config.InsecureNoAuth turns the check off for
// local development. A request body is read within Config.BodyTimeout (408 after it) before the call
// takes one of Config.MaxInFlight slots, so slow clients hold none; calls beyond the limit are refused
// with 503 and Retry-After. NewHTTPServer sets read, write, header and idle timeouts; LimitPerIP caps
// the connections of one client address; ServeUntil shuts down gracefully after a drain delay during
// which /readyz answers 503; CertReloader serves a TLS certificate reloaded when its files change.
//
// The access log (log/slog) has one record per request: method, endpoint, status, size, duration,
// client address and the error code of a refusal. It never holds a subject or patient id, a query
// string, an answer, a token or card text; error bodies name fields and positions, never values.
package server
