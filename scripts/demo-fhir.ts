/**
 * A FHIR R4 server on loopback (Medplum's FHIR router over its in-memory repository) holding the demo chart of
 * fhir-resources/demo/ under its own ids and every scenario chart of fhir-resources/scenarios/ under per-scenario
 * ids (see scripts/lib/demo-fhir-data.ts), with CORS, reads, GET searches, `POST {type}/_search` and /metadata —
 * so the CDS Hooks sandbox, the try-it page and the service's FHIR fallback can run with no other server.
 *
 * Usage: npm run demo:fhir                 (FHIR_PORT, default 8080)
 *        npm run demo:fhir -- --list       print every chart's patient id and exit
 */
import { loadDemoData, SCENARIO_IDENTIFIER_SYSTEM } from './lib/demo-fhir-data.js';
import { startFhirServer } from '../test/support/fhir-server.js';

const { resources, patients } = loadDemoData('fhir-resources');

if (process.argv.includes('--list')) {
  console.log('chart\tPatient id');
  for (const p of patients) console.log(`${p.source}\t${p.patientId}`);
  process.exit(0);
}

const port = Number(process.env.FHIR_PORT ?? '8080');
const server = await startFhirServer({ resources, port, answerIncludes: true });
const demo = patients.filter((p) => p.source.startsWith('demo/'));
const scenarioCount = patients.length - demo.length;
console.log(`FHIR R4 server at ${server.url} — ${resources.length} resources, ${patients.length} patients (CORS open, loopback only)`);
for (const p of demo) console.log(`  demo patient ${p.patientId} (${p.source}): ${server.url}/Patient/${p.patientId}`);
console.log(`  ${scenarioCount} scenario patients, ids s<hash>-<id>; find one with`);
console.log(`  ${server.url}/Patient?identifier=${SCENARIO_IDENTIFIER_SYSTEM}|bsc-ixabepilone/dose-90-mg-over`);
console.log('  or list them all: npm run demo:fhir -- --list');

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
