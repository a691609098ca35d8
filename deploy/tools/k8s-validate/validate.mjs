// Validates every Kubernetes object in the given files (multi-document YAML, or JSON) against the
// Kubernetes JSON schemas of npm kubernetes-models (and cert-manager's, whose Certificate and Issuer
// the chart makes, from @kubernetes-models/cert-manager). Prints one line per object; exits 1 when any
// object is invalid or has an apiVersion/kind the schemas do not know, 2 on a usage error.
//   node validate.mjs FILE [FILE...]    ("-" reads standard input)
import fs from 'node:fs';
import yaml from 'js-yaml';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.mjs FILE [FILE...]  ("-" reads standard input)');
  process.exit(2);
}

// API groups of custom resources, and the package whose schemas cover them.
const crdPackages = {
  'cert-manager.io': '@kubernetes-models/cert-manager',
};

function modulePath(apiVersion) {
  // core objects are "v1"; the others "group/version", e.g. "apps/v1"
  const crdPackage = crdPackages[apiVersion.split('/')[0]];
  return crdPackage ? `${crdPackage}/${apiVersion}` : `kubernetes-models/${apiVersion}`;
}

function objectsOf(doc) {
  if (doc == null) return [];
  if (doc.kind === 'List' && Array.isArray(doc.items)) return doc.items;
  return [doc];
}

let checked = 0;
let failed = 0;
for (const file of files) {
  const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  for (const doc of yaml.loadAll(text)) {
    for (const object of objectsOf(doc)) {
      const name = `${object.kind ?? '?'}/${object.metadata?.name ?? '?'} (${file})`;
      checked++;
      if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
        console.log(`INVALID ${name}: no apiVersion or kind`);
        failed++;
        continue;
      }
      let model;
      try {
        model = (await import(modulePath(object.apiVersion)))[object.kind];
      } catch (e) {
        model = undefined;
      }
      if (typeof model !== 'function') {
        console.log(`INVALID ${name}: no schema for ${object.apiVersion} ${object.kind}`);
        failed++;
        continue;
      }
      try {
        new model(object).validate();
        console.log(`ok ${object.apiVersion} ${name}`);
      } catch (e) {
        console.log(`INVALID ${name}: ${String(e.message ?? e).replace(/\s+/g, ' ')}`);
        failed++;
      }
    }
  }
}
console.log(`${checked} objects checked, ${failed} invalid`);
process.exit(failed > 0 ? 1 : 0);
