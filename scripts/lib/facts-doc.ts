/**
 * What `npm run facts:doc` writes, from the facts model (src/facts/model.ts): docs/facts.md and the fact list of
 * schemas/policy.schema.json (`$defs.factPath`). test/facts/model.test.ts compares both with the files.
 */
import { factEntries, type FactSpec } from '../../src/facts/model.js';

export const FACTS_DOC = 'docs/facts.md';
export const POLICY_SCHEMA = 'schemas/policy.schema.json';

const OPERATORS: Record<FactSpec['type'], string> = {
  number: '`equals` `notEquals` `in` `notIn` `atLeast` `atMost` `greaterThan` `lessThan` `exists`',
  date: '`equals` `notEquals` `atLeast` `atMost` `greaterThan` `lessThan` `exists`',
  boolean: '`isTrue` `isFalse` `exists`',
  text: '`equals` `notEquals` `in` `notIn` `startsWith` `exists`',
  list: '`includesAny` `includesAll` `anyStartsWith` `mentions` `isEmpty` `notEmpty` `exists` (and `equals` `in` `notIn` `startsWith`: met when some element matches)',
  object: '`exists` (dose limits read it)',
};

const VOCABULARY: Record<string, string> = {
  drugs: 'drug ids of `catalog/drugs.json`',
  drugClasses: 'drug classes and regimens of `catalog/drugs.json`',
  attestations: 'attestation ids of `catalog/attestations.json`',
  phases: 'phases of `catalog/attestations.json`',
  payers: 'payer ids of `catalog/payers.json`',
  linesOfBusiness: 'lines of business of `catalog/lines-of-business.json`',
  responseCategories: 'response categories of `catalog/observation-codes.json` (CR, CRi, CRh, PR, SD, PD)',
  regimens: 'regimen ids of `catalog/regimens.json`',
};

function allowed(spec: FactSpec): string {
  if (spec.type === 'text' || spec.type === 'list') {
    if (spec.values !== undefined) return spec.values.map((v) => `\`${v}\``).join(', ');
    if (spec.vocabulary !== undefined) return VOCABULARY[spec.vocabulary] ?? spec.vocabulary;
    if (spec.patternText !== undefined) return spec.patternText;
    return 'any text';
  }
  if (spec.type === 'number') return spec.integer === true ? 'whole numbers' : 'numbers';
  if (spec.type === 'boolean') return '`true`, `false`';
  if (spec.type === 'date') return 'YYYY-MM-DD';
  return '—';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function factsMarkdown(): string {
  const lines = [
    '# Facts a policy can read',
    '',
    '<!-- Generated from src/facts/model.ts by `npm run facts:doc`; do not edit by hand. -->',
    '',
    'A policy leaf names a fact by its path (`"fact": "$.biomarkers.her2"`), an operator (`"op"`) and, for most',
    'operators, a `"value"`. A fact the chart does not hold is *unknown*: the leaf is then "not documented", never',
    '"not met" (except `exists`, which asks exactly that). On a list fact every operator holds when some element',
    'matches. `npm run policies:check` checks each leaf against this table: the path, the operator for the fact\'s',
    'type, the value\'s type (a number is written without quotes), its unit (an optional `"unit"` on the leaf must be',
    'the fact\'s unit) and its allowed values. `"withinDays": N` on a leaf requires the fact\'s newest evidence to be at most',
    'N days older than the service date (laboratory results); an older or undated one leaves the leaf not documented.',
    '',
    'Dose limits read the order\'s structured facts (`object` below). A total (`"cumulative"`) is `"per": "cycle"` —',
    'the order\'s dose lines, each × its count (`$.order.doseLines`), one order being one cycle — or `"per": "course"`',
    'with `"courseGapDays": N` — the doses already given in the current course (`$.order.dosesGiven`) plus the order\'s',
    'own. The course is chosen as consecutive doses without a pause longer than N days, walking back from the service',
    'date (not "since the line started": a retreatment months later starts afresh); the policy states N.',
    '',
    '| Operators by type | |',
    '| --- | --- |',
    ...(Object.keys(OPERATORS) as Array<FactSpec['type']>).map((t) => `| ${t} | ${OPERATORS[t]} |`),
    '',
    '| Fact | Type | Unit | Allowed values | From (FHIR) | Example | Meaning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...factEntries().map(([path, spec]) =>
      `| \`${path}\` | ${spec.type} | ${spec.type === 'number' ? (spec.unit ?? '') : ''} | ${cell(allowed(spec))} | ${cell(spec.fhir)} | \`${cell(spec.example)}\` | ${cell(spec.description)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

/**
 * The schema text with its `$defs.factPath` block listing every fact path as `examples` (a path may still use
 * JSONPath filters, so the list is not an enum). Only that block changes: the rest of the file keeps its layout.
 */
export function schemaWithFactList(schemaText: string): string {
  const block = [
    '    "factPath": {',
    '      "type": "string",',
    '      "pattern": "^\\\\$",',
    '      "description": "JSONPath into ClinicalFacts; every fact is listed in docs/facts.md (generated from src/facts/model.ts by npm run facts:doc)",',
    '      "examples": [',
    factEntries().map(([path]) => `        ${JSON.stringify(path)}`).join(',\n'),
    '      ]',
    '    },',
  ].join('\n');
  const existing = /\n    "factPath": \{[\s\S]*?\n    \},/;
  const text = existing.test(schemaText) ? schemaText.replace(existing, () => `\n${block}`) : schemaText.replace(/\n  "\$defs": \{/, (m) => `${m}\n${block}`);
  JSON.parse(text); // never write a broken schema
  return text;
}
