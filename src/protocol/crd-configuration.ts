/**
 * Da Vinci CRD configuration options: what the service advertises in discovery
 * (`davinci-crd.configuration-options`) and how a request's `davinci-crd.configuration` is read.
 * Unknown codes and values of the wrong type are ignored (CRD: a server ignores options it does not support).
 */
import { isJsonObject } from '../json.js';

export type CardType = 'coverage' | 'limits' | 'off-guideline' | 'missing-data' | 'no-policy-for-plan' | 'instructions';

export interface ConfigurationOption {
  code: string;
  type: 'boolean' | 'integer';
  name: string;
  description: string;
  default: boolean | number;
}

export interface CardConfiguration {
  /** which card types the client wants (all but instructions on unless turned off) */
  cards: Record<CardType, boolean>;
  /** the most cards to return in one response */
  maxCards: number;
}

const CARD_OPTIONS: ReadonlyArray<{ code: CardType; name: string; description: string }> = [
  {
    code: 'coverage',
    name: 'Coverage information',
    description: 'Prior authorization required and not on file: the policy criteria as met, not met or not documented.',
  },
  { code: 'limits', name: 'Dose and schedule limits', description: 'Dose or schedule above the covered limit, with a suggestion to change the order to the covered maximum.' },
  { code: 'off-guideline', name: 'Criteria not met', description: 'The chart shows policy criteria that are not met.' },
  { code: 'missing-data', name: 'Missing data', description: 'Data that could not be checked (not in the chart, or the FHIR server did not answer in time).' },
  {
    code: 'no-policy-for-plan',
    name: 'No policy for the member\'s plan',
    description: "The payer has a policy for the drug, but not for the member's plan (line of business): no coverage is asserted, and this card says which plans the policy is for.",
  },
  { code: 'instructions', name: 'Documentation checklist', description: 'The full criteria and what documentation to attach to the prior-authorization request (off by default: the card links to the same on its decision page).' },
];

/** Off unless a client asks: the coverage card links to the same checklist on the decision page. */
const OFF_BY_DEFAULT: ReadonlySet<CardType> = new Set(['instructions']);

export const DEFAULT_MAX_CARDS = 10;

export const CONFIGURATION_OPTIONS: readonly ConfigurationOption[] = [
  ...CARD_OPTIONS.map((o): ConfigurationOption => ({ ...o, type: 'boolean', default: !OFF_BY_DEFAULT.has(o.code) })),
  {
    code: 'max-cards',
    type: 'integer',
    name: 'Maximum cards',
    description: 'The most cards returned in one response; the most important are kept.',
    default: DEFAULT_MAX_CARDS,
  },
];

export const CONFIGURATION_EXTENSION = 'davinci-crd.configuration';

export function defaultCardConfiguration(): CardConfiguration {
  return {
    cards: { coverage: true, limits: true, 'off-guideline': true, 'missing-data': true, 'no-policy-for-plan': true, instructions: false },
    maxCards: DEFAULT_MAX_CARDS,
  };
}

/** Reads `extension["davinci-crd.configuration"]`; anything unusable leaves the default in place. */
export function parseCardConfiguration(extension: unknown): CardConfiguration {
  const config = defaultCardConfiguration();
  if (!isJsonObject(extension)) return config;
  const requested = extension[CONFIGURATION_EXTENSION];
  if (!isJsonObject(requested)) return config;

  for (const option of CARD_OPTIONS) {
    const value = ownValue(requested, option.code);
    if (typeof value === 'boolean') config.cards[option.code] = value;
  }
  const max = ownValue(requested, 'max-cards');
  if (typeof max === 'number' && Number.isSafeInteger(max) && max >= 0) config.maxCards = max;
  return config;
}

/** Own properties only, so nothing is read through the prototype chain. */
function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
