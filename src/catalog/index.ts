/** The catalog: drugs, payers, lines of business, attestations and clinical codes, from catalog/*.json. */
export { loadCatalog, CatalogError } from './load.js';
export { identifyDrug, identifyOrderedDrug, resolveMedicationConcept, drugInText, classesOf, ingredientsOf } from './drugs.js';
export type { DrugIdentification } from './drugs.js';
export { resolvePayer, resolveLineOfBusiness, payerByName } from './payers.js';
export type { PayerResolution, LineOfBusinessResolution } from './payers.js';
export { normaliseSystem, codeKey, normaliseNdc, sameSystem } from './systems.js';
export { normaliseText, containsPhrase, statesPhrase } from './text.js';
export type * from './types.js';
