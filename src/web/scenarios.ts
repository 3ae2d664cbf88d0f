/**
 * The scenario fixtures in `fhir-resources/scenarios/<group>/<name>.json` (complete CDS Hooks requests) offered
 * to the try-it page: `GET /demo/scenarios` lists them with the description from `<name>.expect.json`,
 * `GET /demo/scenarios/{group}/{name}` answers `{request, description}`. A file is served only when it is in
 * the listing, so no request path can reach anything else on disk.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { HttpError } from '../protocol/errors.js';

export interface ScenarioEntry {
  group: string;
  name: string;
  /** `<group>/<name>`, the id the page asks for */
  path: string;
  description: string;
}

interface Indexed extends ScenarioEntry {
  file: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function descriptionOf(expectFile: string): string {
  try {
    const expect = readJson(expectFile);
    if (typeof expect === 'object' && expect !== null && 'description' in expect && typeof expect.description === 'string') {
      return expect.description;
    }
  } catch {
    // no expectation file, or not JSON: the scenario is still offered, without a description
  }
  return '';
}

/** Every scenario under `dir` (build scripts in `_build` and expectation files skipped), sorted. */
export function listScenarios(dir: string): ScenarioEntry[] {
  return indexScenarios(dir).map(({ file: _file, ...entry }) => entry);
}

function indexScenarios(dir: string): Indexed[] {
  if (!isDirectory(dir)) return [];
  const out: Indexed[] = [];
  for (const group of readdirSync(dir).sort()) {
    if (group.startsWith('_') || !SEGMENT.test(group) || !isDirectory(join(dir, group))) continue;
    for (const fileName of readdirSync(join(dir, group)).sort()) {
      if (!fileName.endsWith('.json') || fileName.endsWith('.expect.json')) continue;
      const name = fileName.slice(0, -'.json'.length);
      if (!SEGMENT.test(name)) continue;
      const file = join(dir, group, fileName);
      out.push({
        group, name, path: `${group}/${name}`, file,
        description: descriptionOf(join(dir, group, `${name}.expect.json`)),
      });
    }
  }
  return out;
}

export interface ScenarioRoutes {
  list: RequestHandler;
  get: RequestHandler<{ group: string; name: string }>;
}

/** The index is built on first use and kept: the fixtures are part of the deployed files. */
export function scenarioRoutes(dir: string): ScenarioRoutes {
  let index: Map<string, Indexed> | undefined;
  const entries = (): Map<string, Indexed> => {
    index ??= new Map(indexScenarios(dir).map((s) => [s.path, s]));
    return index;
  };
  return {
    list: (_req, res) => {
      res.json({ scenarios: [...entries().values()].map(({ file: _file, ...entry }) => entry) });
    },
    get: (req, res) => {
      const { group, name } = req.params;
      const found = entries().get(`${group}/${name.replace(/\.json$/, '')}`);
      if (!found) throw new HttpError(404, `no scenario "${group}/${name}"`);
      res.json({ request: readJson(found.file), description: found.description });
    },
  };
}
