/**
 * Typed access to the wording in `cards/*.json`. The JSON is imported (not read at run time)
 * so a template that loses a key fails type-checking instead of failing in front of a clinician.
 */
import common from '../../cards/common.json' with { type: 'json' };
import priorAuth from '../../cards/prior-auth.json' with { type: 'json' };
import doseLimit from '../../cards/dose-limit.json' with { type: 'json' };
import criteriaNotMet from '../../cards/criteria-not-met.json' with { type: 'json' };
import missingData from '../../cards/missing-data.json' with { type: 'json' };
import instructions from '../../cards/instructions.json' with { type: 'json' };
import noPolicyForPlan from '../../cards/no-policy-for-plan.json' with { type: 'json' };
import type { Card, Coding } from '../protocol/types.js';
import type { CardType } from './types.js';

export interface CardTemplateBase {
  indicator: string;
  topic: { code: string; display: string };
  summary: string;
  summaryShort: string;
  detail: string;
  overrideReasons?: Coding[];
}

function indicatorOf(template: CardTemplateBase, name: string): Card['indicator'] {
  const value = template.indicator;
  if (value === 'info' || value === 'warning' || value === 'critical') return value;
  throw new Error(`cards/${name}.json: indicator must be info, warning or critical, not "${value}"`);
}

export const COMMON = common;
export const PRIOR_AUTH = priorAuth;
export const DOSE_LIMIT = doseLimit;
export const CRITERIA_NOT_MET = criteriaNotMet;
export const MISSING_DATA = missingData;
export const INSTRUCTIONS = instructions;
export const NO_POLICY_FOR_PLAN = noPolicyForPlan;

export const CARD_TEMPLATES: Record<CardType, CardTemplateBase> = {
  'prior-auth': priorAuth,
  'dose-limit': doseLimit,
  'criteria-not-met': criteriaNotMet,
  'missing-data': missingData,
  'no-policy-for-plan': noPolicyForPlan,
  instructions,
};

export function templateIndicator(type: CardType): Card['indicator'] {
  return indicatorOf(CARD_TEMPLATES[type], type);
}

export function topicOf(type: CardType): Coding {
  const { code, display } = CARD_TEMPLATES[type].topic;
  return { system: COMMON.topicSystem, code, display };
}
