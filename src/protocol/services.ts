/** The CDS services this server offers, and the hook each one answers. */
import type { HookRequest } from './types.js';

export type HookName = HookRequest['hook'];

export interface ServiceEntry {
  id: string;
  hook: HookName;
  title: string;
  description: string;
}

export const SERVICES: readonly ServiceEntry[] = [
  {
    id: 'oncology-pa-order-sign',
    hook: 'order-sign',
    title: 'Oncology prior authorization check at signing',
    description:
      'Checks draft oncology medication orders against the payer\'s prior-authorization policy when they are signed: ' +
      'coverage information, criteria met / not met / not documented, dose limits and the documentation to attach.',
  },
  {
    id: 'oncology-pa-order-select',
    hook: 'order-select',
    title: 'Oncology prior authorization check at order selection',
    description:
      'Checks the selected draft oncology medication orders against the payer\'s prior-authorization policy while ' +
      'the order is being composed, so gaps can be fixed before signing.',
  },
];

export function findService(id: string): ServiceEntry | undefined {
  return SERVICES.find((s) => s.id === id);
}
