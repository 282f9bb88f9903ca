// LHC-Forms round trip: every bundled instrument's Questionnaire (painscreen fhir questionnaire ID) is
// rendered by LHC-Forms (the NLM's FHIR form renderer, npm package lforms) in headless Chromium, answered by
// clicking its radio buttons and typing into its fields, and exported with LHC-Forms' own
// LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', el). painscreen must score each exported
// QuestionnaireResponse exactly as it scores the same answers written as native JSON Lines (byte-identical
// reports), for three answer sets per instrument (highest options, lowest options — which closes skip
// logic —, and a mixed pattern); the same for the LOINC form of every instrument whose items all have
// LOINC codes ("/CODE" linkIds, the LOINC panel canonical or none, so the instrument is recognised by its
// codes); and a Bundle of all the instruments' responses exactly as one native record holding all of
// them (with the composite rule set applied).
//
// Usage: node roundtrip.mjs PAINSCREEN_BINARY OUT_DIR
// Environment: CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [bin, outDir] = process.argv.slice(2);
if (!bin || !outDir) {
  console.error('usage: node roundtrip.mjs PAINSCREEN_BINARY OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'node_modules/lforms/dist');
const lformsVersion = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/lforms/package.json'))).version;

// The page: LHC-Forms' web component and its R4 support, as its README says to load them.
const pageHTML = `<!doctype html><html><head><meta charset="utf-8">
<link href="/lforms/webcomponent/styles.css" rel="stylesheet">
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script></head>
<body><div id="form"></div>
<script src="/lforms/webcomponent/runtime.js" type="module"></script>
<script src="/lforms/webcomponent/polyfills.js" type="module"></script>
<script src="/lforms/webcomponent/main.js" type="module"></script>
<script src="/lforms/fhir/R4/lformsFHIR.min.js" defer></script>
</body></html>`;
const types = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.ico': 'image/x-icon' };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  if (url === '/') {
    res.setHeader('content-type', 'text/html');
    return res.end(pageHTML);
  }
  const p = path.join(dist, url);
  if (!p.startsWith(dist + path.sep) || !fs.existsSync(p) || !fs.statSync(p).isFile()) {
    res.statusCode = 404;
    return res.end();
  }
  res.setHeader('content-type', types[path.extname(p)] || 'application/octet-stream');
  fs.createReadStream(p).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

const painscreen = (...args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
// score runs painscreen score and returns its stdout (reports), whatever the exit status.
function score(args) {
  const r = spawnSync(bin, ['score', ...args], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`painscreen score ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// The bundled instruments, from painscreen list.
const ids = painscreen('list').split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter((id) => /^[a-z0-9_]+$/.test(id));
if (ids.length === 0) throw new Error('painscreen list shows no instrument');

// plans choose an option index (of n) for the k-th item, or a number for an integer item.
const plans = {
  high: { opt: (k, n) => n - 1, int: () => 12 },
  low: { opt: () => 0, int: () => 0 },
  mixed: { opt: (k, n) => (k * 3 + 1) % n, int: (k) => 3 + k },
};

// enabled evaluates an item's enableWhen (as painscreen writes it: "=" on a Coding, or a comparison of
// an integer) against the answers chosen so far.
function enabled(item, chosen) {
  if (!item.enableWhen) return true;
  const test = (ew) => {
    const a = chosen[ew.question];
    if (a === undefined) return false;
    if (ew.answerCoding) return a.coding && a.coding.code === ew.answerCoding.code && a.coding.system === ew.answerCoding.system;
    const x = a.integer, y = ew.answerInteger;
    return { '=': x === y, '!=': x !== y, '>': x > y, '<': x < y, '>=': x >= y, '<=': x <= y }[ew.operator];
  };
  return item.enableBehavior === 'all' ? item.enableWhen.every(test) : item.enableWhen.some(test);
}

// loincForm rewrites painscreen's Questionnaire as a LOINC form, or returns null when an item has no LOINC
// code. Each item remembers its painscreen id (painscreenItem, removed before export) for the native record.
function loincForm(q) {
  const code = (it) => (it.code || []).find((c) => c.system === 'http://loinc.org');
  if (!q.item.every(code) || q.item.some((it) => it.enableWhen)) return null;
  const panel = (q.code || []).find((c) => c.system === 'http://loinc.org');
  const l = JSON.parse(JSON.stringify(q));
  delete l.version;
  delete l.url;
  if (panel) l.url = `http://loinc.org/q/${panel.code}`;
  for (const it of l.item) {
    it.painscreenItem = it.linkId;
    it.linkId = `/${code(it).code}`;
  }
  return l;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failures = 0;
let trips = 1; // the Bundle of all instruments
const allQRs = [];
const allNative = {};
try {
  const context = await browser.newContext(); // a fresh profile
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  await page.goto(base);
  await page.waitForFunction(() => window.LForms && LForms.Util && LForms.Util.getFormFHIRData, null, { timeout: 60000 });

  // fill renders q, answers it by plan through the form, and exports what LHC-Forms holds.
  async function fill(q, plan) {
    await page.evaluate(async (q) => {
      document.getElementById('form').innerHTML = '';
      await LForms.Util.addFormToPage(q, 'form');
    }, q);
    await page.waitForSelector('.lhc-form');
    const chosen = {};
    const native = {};
    for (const [k, item] of q.item.entries()) {
      if (!enabled(item, chosen)) continue;
      const field = `${item.linkId}/1`;
      const key = item.painscreenItem || item.linkId;
      if (item.type === 'choice') {
        const opts = item.answerOption;
        const o = opts[plan.opt(k, opts.length)].valueCoding;
        chosen[item.linkId] = { coding: o };
        native[key] = Number(o.extension[0].valueDecimal);
        await page.locator(`[id="${field}|${o.system}|${o.code}"]`).click();
      } else {
        const v = plan.int(k);
        chosen[item.linkId] = { integer: v };
        native[key] = v;
        const input = page.locator(`[id="${field}"]`);
        await input.fill(String(v));
        await input.press('Tab');
      }
    }
    for (const item of q.item) delete item.painscreenItem;
    const qr = await page.evaluate(() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', document.getElementById('form')));
    return { qr, native };
  }

  // compare scores the exported response and the native record and says whether they agree.
  function compare(id, stem, qr, native, label) {
    fs.writeFileSync(`${stem}.qr.json`, JSON.stringify(qr, null, 2) + '\n');
    // The report carries the response's date: the native record is given the day LHC-Forms authored it.
    const rec = { answers: { [id]: native } };
    if (qr.authored) rec.date = String(qr.authored).slice(0, 10);
    fs.writeFileSync(`${stem}.jsonl`, JSON.stringify(rec) + '\n');
    const got = score(['--no-rules', `${stem}.qr.json`]);
    const want = score(['--no-rules', `${stem}.jsonl`]);
    const ok = got === want && got.length > 0 && !got.includes('"errors":[{');
    trips++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${id} ${label}: ${Object.keys(native).length} answers`);
    if (!ok) {
      failures++;
      console.error(`  LHC-Forms QuestionnaireResponse: ${got}  native JSON Lines:              ${want}`);
    }
  }

  for (const id of ids) {
    const q = JSON.parse(painscreen('fhir', 'questionnaire', id));
    fs.writeFileSync(path.join(outDir, `${id}.questionnaire.json`), JSON.stringify(q, null, 2) + '\n');
    for (const [planName, plan] of Object.entries(plans)) {
      const { qr, native } = await fill(q, plan);
      compare(id, path.join(outDir, `${id}.${planName}`), qr, native, planName);
      if (planName === 'mixed') {
        allQRs.push(qr);
        allNative[id] = native;
      }
    }
    // The LOINC form of the same instrument, when every item has a LOINC code: linkIds "/CODE" (as LHC-Forms
    // writes LOINC forms), the LOINC panel as canonical where there is one, otherwise no canonical at all, so
    // painscreen must recognise the instrument by its item codes.
    const loinc = loincForm(q);
    if (loinc) {
      const { qr, native } = await fill(loinc, plans.mixed);
      compare(id, path.join(outDir, `${id}.loinc`), qr, native, `LOINC form (${loinc.url ? loinc.url : 'no canonical'})`);
    }
  }
} finally {
  await browser.close();
  server.close();
}

// Every instrument at once: a Bundle of the LHC-Forms responses (one subject, one date) is one record,
// scored with the composite exactly as one native record with the same answers.
const subject = 'Patient/roundtrip';
const bundle = {
  resourceType: 'Bundle', type: 'collection',
  entry: allQRs.map((qr, i) => ({ fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    resource: { ...qr, subject: { reference: subject }, authored: '2026-03-04T10:00:00Z' } })),
};
fs.writeFileSync(path.join(outDir, 'all.bundle.json'), JSON.stringify(bundle, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'all.jsonl'), JSON.stringify({ subject, date: '2026-03-04', answers: allNative }) + '\n');
const got = score([path.join(outDir, 'all.bundle.json')]);
const want = score([path.join(outDir, 'all.jsonl')]);
const ok = got === want && got.includes('"composite"');
console.log(`${ok ? 'ok  ' : 'FAIL'} all instruments in one Bundle, with the composite`);
if (!ok) {
  failures++;
  console.error(`  Bundle: ${got}  native: ${want}`);
}
console.log(`LHC-Forms ${lformsVersion}, ${os.platform()}: ${ids.length} instruments, ${trips} round trips, ${failures} failed`);
process.exit(failures ? 1 : 0);
