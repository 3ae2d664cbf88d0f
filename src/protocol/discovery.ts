/** `GET /cds-services`: the CDS Hooks 2.0 discovery document, with the CRD configuration options. */
import type { RequestHandler } from 'express';
import { PREFETCH_TEMPLATES, type PrefetchKey } from '../gather/prefetch-templates.js';
import { CONFIGURATION_OPTIONS, type ConfigurationOption } from './crd-configuration.js';
import { SERVICES, type HookName } from './services.js';

export interface ServiceDefinition {
  id: string;
  hook: HookName;
  title: string;
  description: string;
  prefetch: Record<string, string>;
  usageRequirements: string;
  extension: { 'davinci-crd.configuration-options': ConfigurationOption[] };
}

const USAGE_REQUIREMENTS =
  'Send the prefetch keys listed; a key the EHR cannot fill should be omitted (then it is read from fhirServer ' +
  'with fhirAuthorization) or sent as null (then it is treated as unavailable). fhirAuthorization needs read ' +
  'access to Patient, Coverage, Condition, Observation, MedicationRequest, MedicationAdministration, Medication, ClaimResponse, Claim, ' +
  'Practitioner, PractitionerRole and Organization for the patient in context.';

/** `templates`: what the service asks the EHR to prefetch (the service's own, narrowed by the catalog's codes). */
export function serviceDefinitions(templates: Readonly<Record<PrefetchKey, string>> = PREFETCH_TEMPLATES): ServiceDefinition[] {
  return SERVICES.map((s) => ({
    id: s.id,
    hook: s.hook,
    title: s.title,
    description: s.description,
    prefetch: { ...templates },
    usageRequirements: USAGE_REQUIREMENTS,
    extension: { 'davinci-crd.configuration-options': CONFIGURATION_OPTIONS.map((o) => ({ ...o })) },
  }));
}

export function discoveryHandler(templates: Readonly<Record<PrefetchKey, string>> = PREFETCH_TEMPLATES): RequestHandler {
  const document = { services: serviceDefinitions(templates) };
  return (_req, res) => {
    res.json(document);
  };
}
