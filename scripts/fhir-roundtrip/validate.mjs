// Validates every FHIR resource painscreen writes with FHIR.js (npm package fhir, Lantana Consulting
// Group), whose validator checks a resource against the FHIR R4 (4.0.x) core StructureDefinitions it ships:
// element names (errorOnUnexpected: an element R4 does not define is an error), required elements and
// cardinality, data types (an object where a Coding is due, an array where one value is due), choice types
// (value[x]), and codes bound with binding strength "required" (Observation.status, RiskAssessment.status,
// Questionnaire item types, enableWhen operators, Bundle.type …). It does not check FHIRPath invariants or
// the lexical patterns of primitives (painscreen's Go tests check the dateTime pattern it writes). Warnings
// (codes of example or preferred bindings that are not in the value sets FHIR.js ships — LOINC, and
// painscreen's own code systems) are counted, not failures; any error fails the run.
//
// Checked: the Questionnaire of every bundled instrument; and every line of 'score --format fhir' (a Bundle,
// or an OperationOutcome for a record that could not be scored) over the example response files, the FHIR
// examples, the LHC-Forms round trip's Bundle (when OUT_DIR holds it) and a batch built to reach every
// branch (missing answers decided anyway, an open tier, an urgent flag, an invalid answer, an unreadable
// record), and 'score --follow-up' over the follow-up cohort (follow-up Observations). Each Bundle is
// validated whole and entry by entry (Observation, RiskAssessment).
//
// Usage: node validate.mjs PAINSCREEN_BINARY REPO_ROOT OUT_DIR
import fhirjs from 'fhir';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const { Fhir } = fhirjs;
const [bin, root, outDir] = process.argv.slice(2);
if (!bin || !root || !outDir) {
  console.error('usage: node validate.mjs PAINSCREEN_BINARY REPO_ROOT OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const fhir = new Fhir();
const counts = {};
const warnings = new Map();
let failures = 0;

function check(resource, where) {
  const res = fhir.validate(resource, { errorOnUnexpected: true });
  counts[resource.resourceType] = (counts[resource.resourceType] || 0) + 1;
  const errors = res.messages.filter((m) => m.severity === 'error' || m.severity === 'fatal');
  for (const m of res.messages.filter((m) => m.severity === 'warning')) {
    warnings.set(`${m.location.replace(/\[\d+\]/g, '[]')}: ${m.message.replace(/Code "[^"]*" /, 'Code ')}`, 1 +
      (warnings.get(`${m.location.replace(/\[\d+\]/g, '[]')}: ${m.message.replace(/Code "[^"]*" /, 'Code ')}`) || 0));
  }
  if (!res.valid || errors.length > 0) {
    failures++;
    for (const m of errors) console.error(`FAIL ${where}: ${m.location}: ${m.message}`);
  }
}

// Questionnaires.
const ids = execFileSync(bin, ['list'], { encoding: 'utf8' }).split('\n').slice(1)
  .map((l) => l.split(/\s+/)[0]).filter((id) => /^[a-z0-9_]+$/.test(id));
for (const id of ids) {
  check(JSON.parse(execFileSync(bin, ['fhir', 'questionnaire', id], { encoding: 'utf8' })), `Questionnaire ${id}`);
}

// Bundles and OperationOutcomes.
const branches = path.join(outDir, 'branches.jsonl');
fs.writeFileSync(branches, [
  // AUDIT-C positive with its binge item blank (decided despite a missing answer); PHQ-9 item 9 blank
  // (the tier is left open); GCPS-R complete.
  { subject: 'pt-open', answers: { auditc: { frequency: 4, typical_quantity: 4 },
    phq9: { q1: 1, q2: 1, q3: 1, q4: 1, q5: 1, q6: 1, q7: 1, q8: 1 },
    gcps_r: { pain_frequency: 3, limit_frequency: 2, pain_avg: 6, enjoyment: 7, activity: 4 } } },
  // An urgent flag next to an invalid answer (the record is scored, the error reported).
  { subject: 'pt-urgent', answers: { phq9: { q1: 3, q2: 3, q3: 3, q4: 3, q5: 3, q6: 3, q7: 3, q8: 3, q9: 2 }, gad7: { q1: 9 } } },
].map((r) => JSON.stringify(r)).join('\n') + '\n{"answers": {"phq9": {"q1": 1.5}}}\n');
const inputs = [
  ...fs.readdirSync(path.join(root, 'examples/responses')).map((f) => path.join(root, 'examples/responses', f)),
  ...fs.readdirSync(path.join(root, 'screen/respfile/testdata/fhir')).filter((f) => f.endsWith('.json'))
    .map((f) => path.join(root, 'screen/respfile/testdata/fhir', f)),
  branches,
];
if (fs.existsSync(path.join(outDir, 'all.bundle.json'))) inputs.push(path.join(outDir, 'all.bundle.json'));
// Follow-up: each visit against its subject's baseline, so the Bundles carry the follow-up Observations
// (change, response, remission, worsening, PEG improvement) with derivedFrom both responses.
const runs = inputs.map((input) => [input, ['score', '--format', 'fhir', input]]);
for (const f of ['examples/followup/cohort.jsonl']) {
  const input = path.join(root, f);
  if (fs.existsSync(input)) runs.push([input, ['score', '--follow-up', '--format', 'fhir', input]]);
}
for (const [input, args] of runs) {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) {
    failures++;
    console.error(`FAIL painscreen ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    continue;
  }
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  lines.forEach((line, i) => {
    const where = `${path.relative(root, input)} line ${i + 1}`;
    const res = JSON.parse(line);
    check(res, where);
    for (const [k, e] of (res.entry || []).entries()) check(e.resource, `${where} entry ${k} (${e.resource.resourceType})`);
  });
}
for (const [w, n] of warnings) console.log(`warning (${n}x): ${w}`);
const summary = Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ');
console.log(`FHIR.js ${JSON.parse(fs.readFileSync(new URL('./node_modules/fhir/package.json', import.meta.url))).version} (R4): validated ${summary}; ${failures} failed`);
process.exit(failures ? 1 : 0);
