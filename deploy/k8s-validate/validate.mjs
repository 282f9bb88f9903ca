// validate.mjs FILE... checks Kubernetes manifests (multi-document YAML) against the Kubernetes API
// schemas shipped by the kubernetes-models package (types, required fields, enums and formats of every
// object), then against painscreen's deployment rules (probes, resource limits, a non-root read-only
// container). It exits 1 and names each problem when there is any.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function modelFor(apiVersion, kind) {
  if (!/^[a-z0-9.]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind)) return undefined;
  try {
    // "v1/ConfigMap", "apps/v1/Deployment", "policy/v1/PodDisruptionBudget"
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

// rules are painscreen's own requirements of its workload, beyond the schema.
function rules(obj) {
  const out = [];
  if (obj.kind !== "Deployment") return out;
  const pod = obj.spec?.template?.spec ?? {};
  if (pod.securityContext?.runAsNonRoot !== true) out.push("the pod must run as non-root (securityContext.runAsNonRoot)");
  for (const c of pod.containers ?? []) {
    const where = `container ${c.name}`;
    for (const p of ["livenessProbe", "readinessProbe"]) if (!c[p]) out.push(`${where}: no ${p}`);
    if (c.readinessProbe?.httpGet?.path && !c.readinessProbe.httpGet.path.endsWith("/readyz"))
      out.push(`${where}: the readiness probe must ask /readyz (it turns 503 while draining)`);
    if (!c.resources?.limits?.memory || !c.resources?.limits?.cpu) out.push(`${where}: no cpu and memory limits`);
    if (c.securityContext?.readOnlyRootFilesystem !== true) out.push(`${where}: the root filesystem must be read-only`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation must be false`);
  }
  return out;
}

let problems = 0;
let objects = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [i, doc] of docs.entries()) {
    const where = `${file}: document ${i + 1}`;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) console.error(`${where}: ${e.message}`);
      problems += doc.errors.length;
      continue;
    }
    const obj = doc.toJS();
    if (obj == null) continue;
    objects++;
    const Model = await modelFor(obj.apiVersion ?? "", obj.kind ?? "");
    if (!Model) {
      console.error(`${where}: unknown apiVersion/kind ${obj.apiVersion}/${obj.kind}`);
      problems++;
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      console.error(`${where} (${obj.kind} ${obj.metadata?.name}): ${e.message}`);
      problems++;
    }
    for (const r of rules(obj)) {
      console.error(`${where} (${obj.kind} ${obj.metadata?.name}): ${r}`);
      problems++;
    }
  }
}
if (problems > 0) {
  console.error(`${problems} problem(s)`);
  process.exit(1);
}
console.log(`${objects} Kubernetes objects valid`);
