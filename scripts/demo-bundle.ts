/**
 * Writes the sandbox bundle: the demo chart of fhir-resources/demo/ixabepilone-bsc-patient.json as a FHIR
 * transaction (PUT under its ids), to POST to the base URL of any FHIR R4 server the CDS Hooks sandbox uses.
 * Usage: npm run demo:bundle   (a test keeps the committed file in step with the chart)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Bundle } from 'fhir/r4.js';
import { isEntryPoint } from '../src/entry-point.js';
import { transactionOf } from './lib/demo-fhir-data.js';

export const DEMO_CHART = 'fhir-resources/demo/ixabepilone-bsc-patient.json';
export const SANDBOX_BUNDLE = 'fhir-resources/sandbox/ixabepilone-bsc-patient.transaction.json';

export function sandboxBundleText(): string {
  const chart = JSON.parse(readFileSync(DEMO_CHART, 'utf8')) as Bundle;
  return `${JSON.stringify(transactionOf(chart, 'sandbox-ixabepilone-bsc'), null, 2)}\n`;
}

if (isEntryPoint(import.meta.url)) {
  writeFileSync(SANDBOX_BUNDLE, sandboxBundleText());
  console.log(`wrote ${SANDBOX_BUNDLE}`);
}
