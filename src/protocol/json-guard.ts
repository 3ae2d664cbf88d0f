/**
 * Checks a parsed JSON body before anything reads it: nesting depth (deep structures make later recursive
 * code slow or overflow) and keys that could reach an object's prototype if some later code merged them.
 * JSON.parse itself keeps `__proto__` as an ordinary own key, so parsing is safe; refusing such keys keeps
 * every later merge or copy safe too. The walk stops at the depth limit, so a hostile body cannot overflow the stack here.
 */
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Returns a problem description, or undefined when the value is acceptable. Runs over every node of every hook
 * body (hundreds of KB with a full prefetch), so it allocates nothing per node. Recursive, which is faster here
 * than an explicit stack, and safe: it never goes deeper than `maxDepth` (64) frames.
 */
export function inspectJson(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return inspectNode(value, 1, maxDepth);
}

function inspectNode(node: object, depth: number, maxDepth: number): string | undefined {
  if (depth > maxDepth) return `JSON nesting deeper than ${maxDepth} levels`;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) {
      const child: unknown = node[i];
      if (typeof child === 'object' && child !== null) {
        const problem = inspectNode(child, depth + 1, maxDepth);
        if (problem !== undefined) return problem;
      }
    }
    return undefined;
  }
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    if (FORBIDDEN_KEYS.has(key)) return `forbidden key "${key}" in JSON body`;
    const child: unknown = (node as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) {
      const problem = inspectNode(child, depth + 1, maxDepth);
      if (problem !== undefined) return problem;
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
