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

// ---- Inferno Da Vinci CRD server suite (github.com/inferno-framework/davinci-crd-test-kit @ 29d66f39ea5650e136d65cd3fd47823951fa53bf) ----
// Each rule below is one check of the kit's server suite that applies to order-sign / order-select answers; the
// message names the Inferno test id and the kit file it comes from.
const KIT = 'davinci-crd-test-kit@29d66f3';
const CARDS_VALIDATION = `${KIT} lib/davinci_crd_test_kit/cards_validation.rb`;
const ACTIONS_VALIDATION = `${KIT} lib/davinci_crd_test_kit/suggestion_actions_validation.rb`;
const RESPONSE_TEST = `crd_service_response_validation (${KIT} server_tests/service_response_validation_test.rb)`;
const OPTIONAL_TEST = `crd_card_optional_fields_validation (${KIT} server_tests/card_optional_fields_validation_test.rb)`;
const CI_RECEIVED_TEST = `crd_coverage_info_system_action_received (${KIT} server_tests/coverage_information_system_action_received_test.rb)`;
const CI_VALIDATION_TEST = `crd_coverage_info_system_action_validation (${KIT} server_tests/coverage_information_system_action_validation_test.rb)`;
const ALTERNATE_TEST = `crd_propose_alternate_request_card_validation (${KIT} server_tests/propose_alternate_request_card_validation_test.rb)`;
/** The order types whose system actions the suite counts as coverage information for order-sign / order-select. */
const ORDER_TYPES = ['DeviceRequest', 'MedicationRequest', 'NutritionOrder', 'ServiceRequest', 'VisionPrescription'];

function fieldProblems(object: JsonObject, fields: Record<string, 'string' | 'object' | 'array' | 'url'>, path: string, rule: string): string[] {
  return Object.entries(fields).flatMap(([field, type]) => {
    const value = object[field];
    const ok = type === 'string' ? typeof value === 'string'
      : type === 'array' ? Array.isArray(value)
      : type === 'object' ? isObject(value)
      : typeof value === 'string' && URL.canParse(value);
    return ok ? [] : [`${path}.${field} must be present as ${type === 'url' ? 'a URL' : `a ${type}`} [${rule}]`];
  });
}

/** SuggestionActionsValidation#action_fields_validation: type and description, a known type, a resource or resourceId. */
function actionFieldProblems(action: JsonObject, path: string, rule: string): string[] {
  const problems = fieldProblems(action, { type: 'string', description: 'string' }, path, `${rule}; ${ACTIONS_VALIDATION}`);
  if (typeof action.type !== 'string') return problems;
  if (!['create', 'update', 'delete'].includes(action.type)) problems.push(`${path}.type '${action.type}' is not create, update or delete [${rule}]`);
  else if (action.type === 'delete') {
    if (!Array.isArray(action.resourceId)) problems.push(`${path}.resourceId must be an array for a delete [${rule}]`);
  } else if (!isObject(action.resource) || typeof action.resource.resourceType !== 'string') {
    problems.push(`${path}.resource must be a FHIR resource for ${action.type} [${rule}]`);
  }
  return problems;
}

/** CardsValidation#cards_check (required fields) and #valid_card_with_optionals? (optional fields, when present). */
function infernoCardProblems(card: JsonObject, path: string, drafts: Resource[]): string[] {
  const problems = fieldProblems(card, { summary: 'string', indicator: 'string', source: 'object' }, path, `${RESPONSE_TEST}; ${CARDS_VALIDATION}`);
  if (typeof card.indicator === 'string' && !['info', 'warning', 'critical'].includes(card.indicator)) {
    problems.push(`${path}.indicator '${card.indicator}' is not info, warning or critical [${RESPONSE_TEST}]`);
  }
  if (isObject(card.source)) {
    problems.push(...fieldProblems(card.source, { label: 'string', topic: 'object' }, `${path}.source`, RESPONSE_TEST));
    if (isObject(card.source.topic)) problems.push(...fieldProblems(card.source.topic, { code: 'string', system: 'string' }, `${path}.source.topic`, RESPONSE_TEST));
  }
  const optional: Record<string, 'string' | 'array'> = { uuid: 'string', detail: 'string', suggestions: 'array', overrideReasons: 'array', links: 'array' };
  for (const [field, type] of Object.entries(optional)) {
    if (card[field] !== undefined) problems.push(...fieldProblems(card, { [field]: type }, path, OPTIONAL_TEST));
  }
  if (card.selectionBehavior !== undefined && !['at-most-one', 'any'].includes(String(card.selectionBehavior))) {
    problems.push(`${path}.selectionBehavior '${String(card.selectionBehavior)}' is not at-most-one or any [${OPTIONAL_TEST}]`);
  }
  arrayAt(card.overrideReasons).forEach((reason, i) => {
    if (isObject(reason)) problems.push(...fieldProblems(reason, { code: 'string', system: 'string', display: 'string' }, `${path}.overrideReasons[${i}]`, OPTIONAL_TEST));
  });
  arrayAt(card.links).forEach((link, i) => {
    if (!isObject(link)) return;
    const lPath = `${path}.links[${i}]`;
    problems.push(...fieldProblems(link, { label: 'string', type: 'string', url: 'url' }, lPath, OPTIONAL_TEST));
    if (typeof link.type === 'string' && !['absolute', 'smart'].includes(link.type)) problems.push(`${lPath}.type '${link.type}' is not absolute or smart [${OPTIONAL_TEST}]`);
    if (link.type === 'absolute' && link.appContext !== undefined) problems.push(`${lPath}.appContext is only for smart links [${OPTIONAL_TEST}]`);
  });
  arrayAt(card.suggestions).forEach((suggestion, i) => {
    if (!isObject(suggestion)) return;
    const sPath = `${path}.suggestions[${i}]`;
    problems.push(...fieldProblems(suggestion, { label: 'string' }, sPath, OPTIONAL_TEST));
    if (suggestion.actions === undefined) return;
    if (!Array.isArray(suggestion.actions) || suggestion.actions.length === 0) {
      problems.push(`${sPath}.actions must be a non-empty array [${OPTIONAL_TEST}]`);
      return;
    }
    const actions = suggestion.actions.filter(isObject);
    const created = new Set(actions.filter((a) => a.type === 'create' && isObject(a.resource)).map((a) => String((a.resource as JsonObject).resourceType)));
    actions.forEach((action, j) => {
      const aPath = `${sPath}.actions[${j}]`;
      problems.push(...actionFieldProblems(action, aPath, OPTIONAL_TEST));
      // a delete withdraws a draft order and is paired with the create of its replacement
      if (action.type === 'delete') {
        for (const ref of arrayAt(action.resourceId)) {
          if (typeof ref !== 'string' || !drafts.some((d) => `${d.resourceType}/${d.id}` === ref)) problems.push(`${aPath}.resourceId ${String(ref)} is not a draft order [${ALTERNATE_TEST}]`);
          else if (!created.has(ref.split('/')[0] ?? '')) problems.push(`${aPath}: no create action replaces ${ref} [${ALTERNATE_TEST}]`);
        }
      }
    });
  });
  return problems;
}

function coverageKey(extension: JsonObject): string {
  const reference = subValues(extension, 'coverage')[0]?.valueReference;
  return isObject(reference) && typeof reference.reference === 'string' ? reference.reference : '';
}

/** Per order: one coverage-assertion-id (and at most one satisfied-pa-id) per Coverage; distinct across Coverages. */
function assertionIdProblems(resource: JsonObject, path: string): string[] {
  const byCoverage = new Map<string, JsonObject[]>();
  for (const extension of arrayAt(resource.extension)) {
    if (!isObject(extension) || extension.url !== COVERAGE_INFORMATION) continue;
    byCoverage.set(coverageKey(extension), [...(byCoverage.get(coverageKey(extension)) ?? []), extension]);
  }
  const problems: string[] = [];
  const assertionIds = new Set<string>();
  const paIds = new Set<string>();
  for (const [coverage, extensions] of byCoverage) {
    const ids = [...new Set(extensions.map((e) => String(subValues(e, 'coverage-assertion-id')[0]?.valueString)))];
    const pas = [...new Set(extensions.flatMap((e) => subValues(e, 'satisfied-pa-id').map((v) => String(v.valueString))))];
    if (ids.length !== 1) problems.push(`${path}: coverage ${coverage} has ${ids.length} different coverage-assertion-ids [${CI_VALIDATION_TEST}]`);
    if (pas.length > 1) problems.push(`${path}: coverage ${coverage} has ${pas.length} different satisfied-pa-ids [${CI_VALIDATION_TEST}]`);
    for (const id of ids) {
      if (assertionIds.has(id)) problems.push(`${path}: coverage-assertion-id ${id} repeats across coverages [${CI_VALIDATION_TEST}]`);
      assertionIds.add(id);
    }
    for (const id of pas) {
      if (paIds.has(id)) problems.push(`${path}: satisfied-pa-id ${id} repeats across coverages [${CI_VALIDATION_TEST}]`);
      paIds.add(id);
    }
  }
  return problems;
}

export interface InfernoOptions {
  hook: 'order-sign' | 'order-select';
  /**
   * Whether the request orders something the service decides coverage for. Inferno's crd_coverage_info_system_action_received
   * expects a coverage-information system action on every order-sign answer; this service only has knowledge of its
   * policy drugs, so an answer about other orders is an empty systemActions array (the report explains the difference).
   */
  expectCoverageInformation: boolean;
}

/** The Inferno CRD server suite's response checks for one order-sign / order-select answer, as a list of problems. */
export function infernoServerSuiteProblems(body: unknown, draftOrders: Bundle | FhirResource[], options: InfernoOptions): string[] {
  if (!isObject(body)) return [`the answer is not a JSON object [${RESPONSE_TEST}]`];
  const problems: string[] = [];
  const drafts = draftList(draftOrders);
  if (!Array.isArray(body.cards)) problems.push(`$.cards must be an array [${RESPONSE_TEST}]`);
  arrayAt(body.cards).forEach((card, i) => {
    if (isObject(card)) problems.push(...infernoCardProblems(card, `$.cards[${i}]`, drafts));
  });
  if (options.hook === 'order-sign' && !Array.isArray(body.systemActions)) problems.push(`$.systemActions must be an array for order-sign [${RESPONSE_TEST}]`);
  const actions = arrayAt(body.systemActions).filter(isObject);
  actions.forEach((action, i) => {
    const path = `$.systemActions[${i}]`;
    problems.push(...actionFieldProblems(action, path, RESPONSE_TEST));
    if (!isObject(action.resource) || !ORDER_TYPES.includes(String(action.resource.resourceType))) return;
    if (action.type !== 'update') problems.push(`${path}.type must be update for coverage information [${CI_VALIDATION_TEST}]`);
    problems.push(...assertionIdProblems(action.resource, `${path}.resource`));
  });
  const coverageActions = actions.filter((a) => isObject(a.resource) && ORDER_TYPES.includes(String(a.resource.resourceType))
    && arrayAt(a.resource.extension).some((e) => isObject(e) && e.url === COVERAGE_INFORMATION));
  if (options.hook === 'order-sign' && options.expectCoverageInformation && coverageActions.length === 0) {
    problems.push(`$.systemActions holds no order carrying coverage information [${CI_RECEIVED_TEST}]`);
  }
  return problems;
}

/** Throws unless the answer passes the Inferno server suite's checks listed above. */
export function assertInfernoServerSuite(body: unknown, draftOrders: Bundle | FhirResource[], options: InfernoOptions): void {
  const problems = infernoServerSuiteProblems(body, draftOrders, options);
  if (problems.length > 0) throw new Error(`Fails the Inferno CRD server suite:\n - ${problems.join('\n - ')}`);
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
