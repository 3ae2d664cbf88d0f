/**
 * npm run cards:measure [-- --verbose]
 *
 * Signs every shipped scenario (order-sign, default CRD configuration, the real pipeline, no FHIR server) and prints
 * what a clinician would read: cards per signing, median and maximum characters per card, and how many signings
 * repeat a line, mix unit spellings or show placeholder text. --verbose lists the offending signings.
 */
import { decide } from '../src/pipeline.js';
import { parseCardConfiguration } from '../src/protocol/crd-configuration.js';
import { listScenarios, measure, readScenario, shippedDecisionDeps, summarise, type SigningMeasure } from './lib/card-metrics.js';

const verbose = process.argv.includes('--verbose');
const deps = shippedDecisionDeps();

const measures: SigningMeasure[] = [];
for (const scenario of listScenarios()) {
  const request = readScenario(scenario.file);
  const decision = await decide(
    request,
    { service: 'oncology-pa-order-sign', configuration: parseCardConfiguration(request.extension), baseUrl: 'http://localhost:3000' },
    deps,
  );
  measures.push(measure(`${scenario.group}/${scenario.name}`, decision.result.response));
}
const summary = summarise(measures);
console.log(JSON.stringify(summary, null, 2));
if (verbose) {
  for (const m of measures) {
    const problems = [
      m.cards > 2 ? `${m.cards} cards` : '',
      Math.max(0, ...m.characters) > 2000 ? `${Math.max(...m.characters)} characters` : '',
      m.repeated.length > 0 ? `repeats: ${m.repeated.join(' | ')}` : '',
      m.mixed.length > 0 ? `mixed units: ${m.mixed.join(', ')}` : '',
      m.placeholders.length > 0 ? `placeholders: ${m.placeholders.join(', ')}` : '',
    ].filter((p) => p !== '');
    if (problems.length > 0) console.log(`${m.scenario}: ${problems.join('; ')}`);
  }
}
