/** Every shipped scenario request, as the try-it page lists them (src/web/scenarios.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HookRequest } from '../../src/protocol/types.js';
import { listScenarios } from '../../src/web/scenarios.js';

export const SCENARIOS_DIR = 'fhir-resources/scenarios';

export function scenarioRequests(dir: string = SCENARIOS_DIR): Array<{ path: string; request: HookRequest }> {
  return listScenarios(dir).map(({ path }) => ({ path, request: JSON.parse(readFileSync(join(dir, `${path}.json`), 'utf8')) as HookRequest }));
}
