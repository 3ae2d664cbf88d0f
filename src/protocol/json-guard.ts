/**
 * Checks a parsed JSON body before anything reads it: nesting depth (deep structures make later recursive
 * code slow or overflow) and keys that could reach an object's prototype if some later code merged them.
 * JSON.parse itself keeps `__proto__` as an ordinary own key, so parsing is safe; refusing such keys keeps
 * every later merge or copy safe too. Iterative, so a hostile body cannot overflow the stack here.
 */
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Returns a problem description, or undefined when the value is acceptable. Runs over every node of every hook
 * body (hundreds of KB with a full prefetch), so it allocates nothing per node: two parallel stacks, and
 * primitives are never pushed.
 */
export function inspectJson(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) return `JSON nesting deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key "${key}" in JSON body`;
      const child: unknown = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

export function jsonGuard(maxDepth = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const problem = req.body === undefined ? undefined : inspectJson(req.body, maxDepth);
    next(problem ? new HttpError(400, problem, 'structure') : undefined);
  };
}
