/**
 * npm run facts:doc — regenerate docs/facts.md and the fact list of schemas/policy.schema.json from the facts model
 * (src/facts/model.ts). Run it after adding a fact; the test suite fails while either file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FACTS_DOC, factsMarkdown, POLICY_SCHEMA, schemaWithFactList } from './lib/facts-doc.js';

writeFileSync(FACTS_DOC, factsMarkdown());
writeFileSync(POLICY_SCHEMA, schemaWithFactList(readFileSync(POLICY_SCHEMA, 'utf8')));
console.log(`wrote ${FACTS_DOC} and the fact list of ${POLICY_SCHEMA}`);
