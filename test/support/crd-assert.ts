/**
 * assertCrdResponse: the checks every test of a hook response makes (issue 2, "The answer").
 * JSON Schema (CDS Hooks 2.0 response) with Ajv2020, then the Da Vinci CRD rules the schema cannot say.
 * Throws one Error listing every problem, each with its JSON path.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Bundle, Extension, FhirResource, Resource } from 'fhir/r4.js';

const COVERAGE_INFORMATION = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
const TOPIC_SYSTEM = 'http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp';

const schema: unknown = JSON.parse(readFileSync(new URL('../../schemas/cds-hooks-response.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateSchema = ajv.compile(schema as object);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function arrayAt(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/**
 * No null anywhere; no empty array anywhere except the top-level `cards` and `systemActions` (an order-sign answer
 * always carries systemActions, empty when nothing applies: Inferno's CRD server suite reads the key).
 */
function findNullsAndEmptyArrays(value: unknown, path: string, problems: string[]): void {
  if (value === null) {
    problems.push(`${path} is null`);
  } else if (Array.isArray(value)) {
    if (value.length === 0 && path !== '$.cards' && path !== '$.systemActions') problems.push(`${path} is an empty array`);
    value.forEach((item, i) => findNullsAndEmptyArrays(item, `${path}[${i}]`, problems));
  } else if (typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) findNullsAndEmptyArrays(member, `${path}.${key}`, problems);
  }
}

function draftList(draftOrders: Bundle | FhirResource[]): Resource[] {
  if (Array.isArray(draftOrders)) return draftOrders;
  return (draftOrders.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function findDraft(drafts: Resource[], resource: JsonObject): Resource | undefined {
  return drafts.find((d) => d.resourceType === resource.resourceType && d.id === resource.id);
}

function withoutCoverageInformation(resource: unknown): unknown {
  const copy = structuredClone(resource) as { extension?: Extension[] };
  if (copy.extension) {
    copy.extension = copy.extension.filter((e) => e.url !== COVERAGE_INFORMATION);
    if (copy.extension.length === 0) delete copy.extension;
  }
  return copy;
}

type DoseFields = {
  dosageInstruction?: Array<{
    text?: string;
    doseAndRate?: Array<{ doseQuantity?: unknown; rateQuantity?: unknown }>;
    timing?: { repeat?: { frequency?: unknown; period?: unknown; periodUnit?: unknown } };
  }>;
};

/** The order without the fields a dose suggestion may change (first dosage's amount and frequency). */
function withoutDoseFields(resource: unknown): unknown {
  const copy = structuredClone(resource) as DoseFields;
  const dosage = copy.dosageInstruction?.[0];
  if (!dosage) return copy;
  // the sig text follows the dose it describes (corrected or dropped by the fix)
  delete dosage.text;
  const rate = dosage.doseAndRate?.[0];
  if (rate) {
    delete rate.doseQuantity;
    delete rate.rateQuantity;
    if (Object.keys(rate).length === 0) dosage.doseAndRate?.splice(0, 1);
    if (dosage.doseAndRate?.length === 0) delete dosage.doseAndRate;
  }
  const repeat = dosage.timing?.repeat;
  if (repeat) {
    delete repeat.frequency;
    delete repeat.period;
    delete repeat.periodUnit;
    if (Object.keys(repeat).length === 0) delete dosage.timing?.repeat;
    if (dosage.timing && Object.keys(dosage.timing).length === 0) delete dosage.timing;
  }
  if (Object.keys(dosage).length === 0) copy.dosageInstruction?.splice(0, 1);
  if (copy.dosageInstruction?.length === 0) delete copy.dosageInstruction;
  return copy;
}

function subValues(extension: JsonObject, url: string): JsonObject[] {
  return arrayAt(extension.extension).filter((e): e is JsonObject => isObject(e) && e.url === url);
}

function codeOf(extension: JsonObject, url: string): string | undefined {
  const value = subValues(extension, url)[0]?.valueCode;
  return typeof value === 'string' ? value : undefined;
}

/** The CRD invariants of one coverage-information extension (crd-ci-q2…q8 and cardinalities). */
export function coverageInformationProblems(extension: JsonObject, path: string): string[] {
  const problems: string[] = [];
  const count = (url: string) => subValues(extension, url).length;
  const one = (url: string) => {
    if (count(url) !== 1) problems.push(`${path}: must have exactly one '${url}' (has ${count(url)})`);
  };
  ['coverage', 'covered', 'date', 'coverage-assertion-id'].forEach(one);
  for (const url of ['pa-needed', 'satisfied-pa-id', 'expiry-date']) {
    if (count(url) > 1) problems.push(`${path}: more than one '${url}'`);
  }
  const covered = codeOf(extension, 'covered');
  const paNeeded = codeOf(extension, 'pa-needed');
  const docNeeded = subValues(extension, 'doc-needed').map((e) => e.valueCode);
  const docPurpose = subValues(extension, 'doc-purpose').map((e) => e.valueCode);
  const infoNeeded = subValues(extension, 'info-needed').map((e) => e.valueCode);
  const hasReason = count('reason') > 0;

  if (covered && !['covered', 'not-covered', 'conditional'].includes(covered)) problems.push(`${path}: covered '${covered}' is not a CRD code`);
  if (paNeeded && !['no-auth', 'auth-needed', 'satisfied', 'performpa', 'conditional'].includes(paNeeded)) {
    problems.push(`${path}: pa-needed '${paNeeded}' is not a CRD code`);
  }
  if (covered === 'not-covered' && paNeeded) problems.push(`${path}: pa-needed must be absent when covered is not-covered`);
  if (covered !== 'not-covered' && !paNeeded) problems.push(`${path}: pa-needed is required unless covered is not-covered`);
  if ((paNeeded === 'satisfied') !== (count('satisfied-pa-id') === 1)) {
    problems.push(`${path}: satisfied-pa-id must be present exactly when pa-needed is satisfied`);
  }
  const conditional = covered === 'conditional' || paNeeded === 'conditional' || docNeeded.includes('conditional');
  if (conditional !== infoNeeded.length > 0) problems.push(`${path}: info-needed must be present exactly when something is conditional`);
  if (infoNeeded.includes('OTH') && !hasReason) problems.push(`${path}: info-needed OTH requires a reason`);
  if (docPurpose.length > 0 && !hasReason) problems.push(`${path}: doc-purpose requires a reason`);
  if (docPurpose.includes('withpa') && paNeeded !== 'auth-needed') problems.push(`${path}: doc-purpose withpa only when pa-needed is auth-needed`);
  const date = subValues(extension, 'date')[0]?.valueDate;
  if (count('date') === 1 && !(typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date))) problems.push(`${path}: date must be valueDate YYYY-MM-DD`);
  const coverage = subValues(extension, 'coverage')[0]?.valueReference;
  if (count('coverage') === 1 && !(isObject(coverage) && typeof coverage.reference === 'string' && coverage.reference.startsWith('Coverage/'))) {
    problems.push(`${path}: coverage must reference a Coverage`);
  }
  subValues(extension, 'reason').forEach((reason, i) => {
    const concept = reason.valueCodeableConcept;
    if (!isObject(concept) || typeof concept.text !== 'string' || concept.text.length === 0) problems.push(`${path}.reason[${i}]: needs text`);
  });
  subValues(extension, 'detail').forEach((detail, i) => {
    for (const url of ['category', 'code', 'value']) {
      if (subValues(detail, url).length !== 1) problems.push(`${path}.detail[${i}]: needs exactly one '${url}'`);
    }
  });
  return problems;
}

function cardProblems(card: JsonObject, path: string, drafts: Resource[], uuids: Set<string>): string[] {
  const problems: string[] = [];
  const summary = card.summary;
  if (typeof summary === 'string' && [...summary].length >= 140) problems.push(`${path}.summary has ${[...summary].length} characters (must be under 140)`);
  const uuid = card.uuid;
  if (typeof uuid !== 'string') problems.push(`${path}.uuid is missing`);
  else if (uuids.has(uuid)) problems.push(`${path}.uuid ${uuid} is not unique`);
  else uuids.add(uuid);
  const source = isObject(card.source) ? card.source : {};
  const topic = isObject(source.topic) ? source.topic : undefined;
  if (!topic) problems.push(`${path}.source.topic is missing`);
  else if (topic.system !== TOPIC_SYSTEM) problems.push(`${path}.source.topic.system must be ${TOPIC_SYSTEM}`);
  const suggestions = arrayAt(card.suggestions);
  if (suggestions.length > 0 && card.selectionBehavior === undefined) problems.push(`${path}: selectionBehavior is required with suggestions`);
  suggestions.forEach((suggestion, i) => {
    const sPath = `${path}.suggestions[${i}]`;
    if (!isObject(suggestion)) return;
    if (typeof suggestion.uuid !== 'string') problems.push(`${sPath}.uuid is missing`);
    else if (uuids.has(suggestion.uuid)) problems.push(`${sPath}.uuid ${suggestion.uuid} is not unique`);
    else uuids.add(suggestion.uuid);
    arrayAt(suggestion.actions).forEach((action, j) => {
      if (!isObject(action) || action.type !== 'update' || !isObject(action.resource)) return;
      const draft = findDraft(drafts, action.resource);
      const aPath = `${sPath}.actions[${j}]`;
      if (!draft) problems.push(`${aPath}.resource is not one of the draft orders`);
      else if (!isDeepStrictEqual(withoutDoseFields(action.resource), withoutDoseFields(draft))) {
        problems.push(`${aPath}.resource changes more than the dose and schedule of the draft order`);
      }
    });
  });
  const associated = isObject(card.extension) ? card.extension['davinci-crd.associated-resource'] : undefined;
  if (associated !== undefined && !drafts.some((d) => `${d.resourceType}/${d.id}` === associated)) {
    problems.push(`${path}.extension["davinci-crd.associated-resource"] ${String(associated)} names no draft order`);
  }
  return problems;
}

function systemActionProblems(action: JsonObject, path: string, drafts: Resource[]): string[] {
  if (!isObject(action.resource)) return [`${path}.resource is missing`];
  const problems: string[] = [];
  if (action.type !== 'update') problems.push(`${path}.type must be update`);
  const draft = findDraft(drafts, action.resource);
  if (!draft) problems.push(`${path}.resource is not one of the draft orders`);
  const extensions = arrayAt(action.resource.extension).filter((e): e is JsonObject => isObject(e) && e.url === COVERAGE_INFORMATION);
  if (extensions.length === 0) problems.push(`${path}.resource carries no coverage-information extension`);
  extensions.forEach((extension, i) => problems.push(...coverageInformationProblems(extension, `${path}.resource.coverage-information[${i}]`)));
  if (draft && !isDeepStrictEqual(withoutCoverageInformation(action.resource), withoutCoverageInformation(draft))) {
    problems.push(`${path}.resource differs from the draft order beyond the coverage-information extension`);
  }
  return problems;
}

/**
 * Throws unless `body` is a CDS Hooks 2.0 response that follows the CRD rules for these draft orders.
 */
export function assertCrdResponse(body: unknown, draftOrders: Bundle | FhirResource[]): void {
  const problems: string[] = [];
  if (!validateSchema(body)) {
    for (const error of validateSchema.errors ?? []) problems.push(`schema: ${error.instancePath || '/'} ${error.message ?? ''}`.trim());
  }
  findNullsAndEmptyArrays(body, '$', problems);
  if (isObject(body)) {
    const drafts = draftList(draftOrders);
    const uuids = new Set<string>();
    arrayAt(body.cards).forEach((card, i) => {
      if (isObject(card)) problems.push(...cardProblems(card, `$.cards[${i}]`, drafts, uuids));
    });
    arrayAt(body.systemActions).forEach((action, i) => {
      if (isObject(action)) problems.push(...systemActionProblems(action, `$.systemActions[${i}]`, drafts));
    });
  }
  if (problems.length > 0) throw new Error(`Not a valid CRD response:\n - ${problems.join('\n - ')}`);
}
