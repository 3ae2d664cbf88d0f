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

/** Returns a problem description, or undefined when the value is acceptable. */
export function inspectJson(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return `JSON nesting deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node) stack.push({ node: child, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key "${key}" in JSON body`;
      stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1 });
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
